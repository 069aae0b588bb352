/* Brea et al. 2019 figure 2 (section 2.1) as a library call (landsym/exp_path.h): a 2-5-1
 * ReLU teacher on 10^3 standard-normal 2D inputs, the student equal to the teacher (a
 * global minimum), every pair of the 5 units merged in 200 log-spaced steps down to 1e-4
 * of the initial distance. The paper does not print the teacher; the seeded one of
 * examples/fig2.json is embedded here. */
#include <jansson.h>
#include <string.h>

#include "landsym/exp_path.h"

static const char *const fig2_config_json =
    "{\"name\":\"Brea et al. 2019 figure 2: 2-5-1 ReLU teacher on 10^3 standard-normal 2D inputs, student = teacher\",\"comment\":\"The paper does not print the teacher's weights; these were drawn once (Python random.seed(2019)): unit i has angle 2 pi i/5 + U(-0.3,0.3), norm U(0.7,1.5), bias U(-0.5,0.5), outgoing weight +-U(0.5,1.5), rounded to 3 digits; output bias 0.1.\",\"data\":{\"kind\":\"gaussian\",\"n\":1000,\"seed\":2019},\"teacher\":{\"widths\":[2,5,1],\"activation\":\"relu\",\"bias\":true,\"params\":[1.305,0.264,0.545,1.087,-0.913,0.912,-0.827,-0.508,0.065,-0.823,0.439,-0.183,-0.041,0.357,-0.058,-0.745,0.914,1.155,1.063,-1.451,0.1]},\"student\":{\"widths\":[2,5,1],\"activation\":\"relu\",\"bias\":true,\"loss\":\"mse\"},\"path\":{\"steps\":200,\"dmin\":0.0001}}";

ls_status ls_exp_fig2_config(ls_config *cfg, ls_error *err) {
  json_error_t je;
  json_t *root = json_loads(fig2_config_json, 0, &je);
  if (!root) return ls_error_set(err, LS_ERR_INPUT, "fig2 config: %s", je.text);
  ls_status st = ls_config_load_json(root, "fig2 (examples/fig2.json)", ".", cfg, err);
  json_decref(root);
  return st;
}

ls_status ls_exp_reproduce_fig2(const ls_reproduce_opts *ro, const ls_exp_path_opts *po,
                                ls_exp_path_result *res, ls_error *err) {
  memset(res, 0, sizeof *res);
  ls_config cfg;
  ls_status st = ro->config ? ls_config_load(ro->config, &cfg, err) : ls_exp_fig2_config(&cfg, err);
  if (st) return st;
  ls_exp_path_opts o;
  if (po) o = *po;
  else ls_exp_path_opts_default(&o);
  o.pairs = LS_EXP_PATH_ALL, o.params = NULL, o.out_dir = ro->out_dir;
  st = ls_exp_path_run(&cfg, &o, res, err);
  ls_config_free(&cfg);
  return st;
}
