/* landsym: the channel experiment at one point (Martinelli et al. 2025, arXiv 2506.14951;
 * docs/classify.md, "Channels to infinity") as a library call: ls_channel_find certifies a
 * channel to infinity, the limit GLU network is written, and the run is followed along the
 * channel (ls_channel_flow). Files in the output folder:
 *   channel.json                 the report (ls_exp_channel_result.summary)
 *   limit.npy, limit.json        the limit network, loadable as a config network
 *   channel_flow.{dat,gp,png,svg}, channel_weights.{...}   the continuation's figures */
#ifndef LANDSYM_EXP_CHANNEL_H
#define LANDSYM_EXP_CHANNEL_H

#include <stddef.h>

#include "landsym/channel.h"
#include "landsym/config.h"
#include "landsym/status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_t;

typedef struct {
  const char *params;  /* the point (.npy/.json) of the student (required) */
  const char *out_dir; /* results folder (created) */
  int flow;            /* follow the run along its first channel (default 1) */
  int plot;            /* draw the continuation's figures (default 1) */
} ls_exp_channel_opts;

void ls_exp_channel_opts_default(ls_exp_channel_opts *o);

typedef struct {
  ls_channel_report report;
  struct json_t *summary; /* the content of channel.json */
} ls_exp_channel_result;

/* Run on cfg's student and data; a channel not found is no error (report.found says). */
ls_status ls_exp_channel_run(const ls_config *cfg, const ls_exp_channel_opts *o,
                             ls_exp_channel_result *r, ls_error *err);
void ls_exp_channel_result_free(ls_exp_channel_result *r); /* accepts a zeroed struct */

/* The groups as "L1:0+3- L2:1+4+" (layer, then each unit with its sign) into buf. */
void ls_exp_channel_groups_string(const ls_channel_report *c, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
