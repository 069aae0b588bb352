/* The CUDA backend's entry points in a build without CUDA: no device, every call says so.
 * (Compiled only when CMake found no CUDA compiler or LANDSYM_CUDA is OFF.) */
#include <stdio.h>

#include "landsym/gpu.h"

static const char *const none = "landsym was built without CUDA (configure with a CUDA toolkit "
                                "and -DLANDSYM_CUDA=ON; docs/gpu.md)";

int ls_gpu_device_count(char *msg, size_t len) {
  if (msg && len) snprintf(msg, len, "%s", none);
  return 0;
}

ls_status ls_gpu_eval(const ls_net *net, const ls_data *d, size_t n, const double *theta,
                      double *loss, double *grad, double *hess, ls_error *err) {
  (void)net, (void)d, (void)n, (void)theta, (void)loss, (void)grad, (void)hess;
  return ls_error_set(err, LS_ERR_COMPUTE, "%s", none);
}

ls_status ls_gpu_train(const ls_net *net, const ls_data *d, const ls_train_opts *opts,
                       size_t n, double *theta, ls_gpu_result *out, ls_error *err) {
  (void)net, (void)d, (void)opts, (void)n, (void)theta, (void)out;
  return ls_error_set(err, LS_ERR_COMPUTE, "%s", none);
}
