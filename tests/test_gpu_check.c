/* What the CUDA backend accepts (ls_gpu_check, host side: runs without a GPU), and that a
 * build or machine without a device answers every GPU call with an error, not a result. */
#include <string.h>

#include "check.h"
#include "landsym/gpu.h"
#include "landsym/io.h"
#include "optim_fixture.h"

int main(void) {
  ls_net net;
  thesis_net(&net, 5);
  ls_data d;
  thesis_data(&d, 5);
  ls_train_opts o;
  ls_train_opts_default(&o);
  o.first = LS_FIRST_FLOW, o.polish = LS_POLISH_NEWTON;
  ls_error err = {LS_OK, ""};
  CHECK(ls_gpu_check(&net, &d, &o, &err) == LS_OK, "thesis 2-5-1 sigmoid, flow+newton accepted");

  o.polish = LS_POLISH_AUTO;
  ls_status s = ls_gpu_check(&net, &d, &o, &err);
  CHECK(s == LS_ERR_INPUT && strstr(err.msg, "train.polish 'auto'"), "polish auto refused: %s",
        err.msg);
  o.polish = LS_POLISH_NEWTON, o.first = LS_FIRST_ADAM;
  s = ls_gpu_check(&net, &d, &o, &err);
  CHECK(s == LS_ERR_INPUT && strstr(err.msg, "train.method 'adam'"), "method adam refused: %s",
        err.msg);
  o.first = LS_FIRST_FLOW, o.batch = 10;
  s = ls_gpu_check(&net, &d, &o, &err);
  CHECK(s == LS_ERR_INPUT && strstr(err.msg, "train.batch"), "minibatches refused: %s", err.msg);
  o.batch = 0;

  ls_net deep;
  int w3[4] = {2, 3, 3, 1};
  ls_act sg = {LS_ACT_SIGMOID, 0, 0};
  ls_net_init(&deep, 3, w3, sg, 0, NULL);
  s = ls_gpu_check(&deep, &d, &o, &err);
  CHECK(s == LS_ERR_INPUT && strstr(err.msg, "3 weight layers"), "two hidden layers refused: %s",
        err.msg);
  ls_net relu = net;
  relu.act[1].kind = LS_ACT_RELU;
  s = ls_gpu_check(&relu, &d, &o, &err);
  CHECK(s == LS_ERR_INPUT && strstr(err.msg, "relu"), "relu refused: %s", err.msg);
  ls_net wide;
  thesis_net(&wide, 30); /* 90 parameters */
  s = ls_gpu_check(&wide, &d, &o, &err);
  CHECK(s == LS_ERR_INPUT && strstr(err.msg, "90 parameters"), "90 parameters refused: %s",
        err.msg);
  ls_net nll = net;
  nll.loss = LS_LOSS_NLL;
  s = ls_gpu_check(&nll, &d, &o, &err);
  CHECK(s == LS_ERR_INPUT && strstr(err.msg, "nll"), "NLL loss refused: %s", err.msg);

  /* Without a device the calls fail with a message; with one they run (test_gpu). */
  char msg[256];
  if (ls_gpu_device_count(msg, sizeof msg) == 0) {
    double th[15], loss, g[15];
    ls_params_glorot(&net, 1, th);
    s = ls_gpu_eval(&net, &d, 1, th, &loss, g, NULL, &err);
    CHECK(s == LS_ERR_COMPUTE && strlen(err.msg) > 0, "no device: ls_gpu_eval fails: %s",
          err.msg);
    ls_gpu_result r;
    s = ls_gpu_train(&net, &d, &o, 1, th, &r, &err);
    CHECK(s == LS_ERR_COMPUTE && strlen(err.msg) > 0, "no device: ls_gpu_train fails: %s",
          err.msg);
  } else {
    printf("device present: %s\n", msg);
  }
  ls_data_free(&d);
  return check_done();
}
