/* A network's parameter vector read from a file and checked against the network
 * (landsym/net.h); the file formats are io's (ls_params_read), safetensors by layer names. */
#include <stdlib.h>
#include <string.h>

#include "landsym/io.h"
#include "landsym/net.h"
#include "landsym/safetensors_net.h"

ls_status ls_params_read_net(const char *path, const ls_net *net, double **theta,
                             ls_error *err) {
  /* safetensors: tensors named by the network's layers (include/landsym/safetensors.h) */
  if (strlen(path) >= 12 && !strcmp(path + strlen(path) - 12, ".safetensors"))
    return ls_safetensors_params_read_net(path, net, theta, err);
  size_t n;
  ls_status st = ls_params_read(path, theta, &n, err);
  if (st) return st;
  size_t P = ls_net_nparams(net);
  if (n != P) {
    char desc[128];
    ls_net_describe(net, desc, sizeof desc);
    free(*theta);
    *theta = NULL;
    return ls_error_set(err, LS_ERR_INPUT, "%s: %zu parameters, network %s has %zu", path, n,
                        desc, P);
  }
  return LS_OK;
}
