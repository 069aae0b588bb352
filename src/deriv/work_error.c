/* Messages for the failures of engine calls: each call on a workspace that does not
 * return LS_OK leaves its code and a message in the workspace (ls_work_error). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "work.h"

const ls_error *ls_work_error(const ls_work *w) {
  static const ls_error none = {LS_ERR_INPUT, "no engine workspace (ls_work_alloc failed?)"};
  return w ? &w->err : &none;
}

ls_status ls_work_fail(ls_work *w, ls_status code, const char *fmt, ...) {
  if (!w) return code;
  va_list ap;
  va_start(ap, fmt);
  w->err.code = code;
  vsnprintf(w->err.msg, sizeof w->err.msg, fmt, ap);
  va_end(ap);
  return code;
}

ls_status ls_work_verify(const ls_net *net, size_t n, ls_work *w) {
  if (!w) return LS_ERR_INPUT;
  if (n > w->n)
    return ls_work_fail(w, LS_ERR_INPUT, "engine: %zu samples exceed the workspace's %zu", n, w->n);
  if (ls_work_check(net, n, w) != LS_OK) {
    char a[128], b[128];
    ls_net_describe(net, a, sizeof a), ls_net_describe(&w->net, b, sizeof b);
    return ls_work_fail(w, LS_ERR_INPUT, "engine: network %s does not fit the workspace (%s)", a, b);
  }
  return LS_OK;
}

ls_status ls_work_verify_data(const ls_net *net, const ls_data *d, ls_work *w) {
  ls_status st = ls_work_verify(net, d->n, w);
  if (st) return st;
  int L = net->n_layers;
  if (d->din != net->width[0] || d->dout != net->width[L])
    return ls_work_fail(w, LS_ERR_INPUT, "engine: data (%d -> %d) does not fit the network (%d -> %d)",
                        d->din, d->dout, net->width[0], net->width[L]);
  return LS_OK;
}

ls_status ls_work_result(ls_work *w, ls_status st, const char *what) {
  static const char *const why[] = {"ok", "not finite", "bad input", "out of memory", "i/o error"};
  if (st == LS_OK) return st;
  return ls_work_fail(w, st, "engine: %s: %s", what, st <= LS_ERR_IO ? why[st] : "failed");
}
