/* The "path" section of a config (landsym/config_path.h). */
#include "landsym/config_path.h"

ls_status ls_config_read_path_opts(const ls_config *cfg, ls_config_path_section *p, ls_error *err) {
  static const char *const keys[] = {"steps", "dmin", "maxeval", "comment", NULL};
  json_t *sec = ls_config_section(cfg, "path");
  if (!sec) return LS_OK;
  long steps = p->steps, maxeval = p->maxeval;
  double dmin = p->dmin;
  ls_status st = ls_config_check_keys(cfg, sec, "path", keys, err);
  if (!st) st = ls_config_get_int(cfg, sec, "path", "steps", 1, 1000000, steps, &steps, err);
  if (!st) st = ls_config_get_double(cfg, sec, "path", "dmin", dmin, &dmin, err);
  if (!st) st = ls_config_get_int(cfg, sec, "path", "maxeval", 1, 100000000, maxeval, &maxeval, err);
  if (!st && !(dmin > 0 && dmin < 1))
    st = ls_error_set(err, LS_ERR_INPUT, "%s: path.dmin must be in (0, 1) (got %g)", cfg->path, dmin);
  if (st) return st;
  p->steps = (int)steps, p->dmin = dmin, p->maxeval = (int)maxeval;
  return LS_OK;
}
