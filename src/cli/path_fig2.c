/* Brea et al. 2019 figure 2 (section 2.1): a 2-5-1 ReLU teacher on 10^3 standard-normal
 * 2D inputs, the student equal to the teacher (a global minimum), every pair of the 5
 * units merged in 200 log-spaced steps down to 1e-4 of the initial distance. The paper
 * does not print the teacher; the seeded one of examples/fig2.json is embedded here. */
#include "cli/path_fig2.h"

#include <stdio.h>

#include "cli/cli.h"

const char *const ls_fig2_config_json =
    "{\"name\":\"Brea et al. 2019 figure 2: 2-5-1 ReLU teacher on 10^3 standard-normal 2D inputs, student = teacher\",\"comment\":\"The paper does not print the teacher's weights; these were drawn once (Python random.seed(2019)): unit i has angle 2 pi i/5 + U(-0.3,0.3), norm U(0.7,1.5), bias U(-0.5,0.5), outgoing weight +-U(0.5,1.5), rounded to 3 digits; output bias 0.1.\",\"data\":{\"kind\":\"gaussian\",\"n\":1000,\"seed\":2019},\"teacher\":{\"widths\":[2,5,1],\"activation\":\"relu\",\"bias\":true,\"params\":[1.305,0.264,0.545,1.087,-0.913,0.912,-0.827,-0.508,0.065,-0.823,0.439,-0.183,-0.041,0.357,-0.058,-0.745,0.914,1.155,1.063,-1.451,0.1]},\"student\":{\"widths\":[2,5,1],\"activation\":\"relu\",\"bias\":true,\"loss\":\"mse\"},\"path\":{\"steps\":200,\"dmin\":0.0001}}";

int ls_cli_reproduce_fig2(const char *out_dir, int steps) {
  char sbuf[32];
  snprintf(sbuf, sizeof sbuf, "%d", steps > 0 ? steps : 200);
  char *argv[] = {"path", "--reproduce-fig2", "--out", (char *)out_dir, "--steps", sbuf, NULL};
  return cmd_path(6, argv);
}
