/* Brute-force enumeration of the affine subspaces of Şimşek et al. 2021, straight from the
 * definitions and independent of the closed forms: for every tuple s = (k_1..k_r, b_1..b_j)
 * with k_i >= 1, b_i >= 1, sum(s) = m (Definition 3.2; empty groups b_i = 0 add nothing) and
 * every permutation pi in S_m (Definition 3.3), the subspace P_pi Gamma_s is the labelled
 * pattern of its m neuron slots; zero-type groups carry no identity of their own (their w'
 * are free), so they are renumbered by first occurrence, and distinct patterns are
 * collected in a hash set. With critical_only the tuples are s = (k_1..k_r) (Definition 4.1). */
#include <stdlib.h>
#include <string.h>

#include "landsym/count.h"

typedef struct {
  uint64_t *key; /* 0 = empty (codes are never 0) */
  size_t cap, n;
} code_set;

static int set_insert(code_set *s, uint64_t code) {
  if (2 * (s->n + 1) > s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 1024;
    uint64_t *k = calloc(cap, sizeof *k);
    if (!k) return -1;
    for (size_t i = 0; i < s->cap; i++)
      if (s->key[i]) {
        size_t h = (size_t)(s->key[i] * 0x9E3779B97F4A7C15ull) & (cap - 1);
        while (k[h]) h = (h + 1) & (cap - 1);
        k[h] = s->key[i];
      }
    free(s->key);
    s->key = k, s->cap = cap;
  }
  size_t h = (size_t)(code * 0x9E3779B97F4A7C15ull) & (s->cap - 1);
  while (s->key[h]) {
    if (s->key[h] == code) return 0;
    h = (h + 1) & (s->cap - 1);
  }
  s->key[h] = code;
  s->n++;
  return 1;
}

/* Code of a labelled sequence: teacher t -> digit t, zero group (renumbered by first
 * occurrence) g -> digit r + g, base r + m + 1. */
static uint64_t canonical_code(const signed char *seq, int r, int m) {
  signed char map[LS_COUNT_ENUM_MAX_M + 1] = {0};
  int next = 0;
  uint64_t code = 0, base = (uint64_t)(r + m + 1);
  for (int i = 0; i < m; i++) {
    int d;
    if (seq[i] > 0) d = seq[i];
    else {
      int g = -seq[i];
      if (!map[g]) map[g] = (signed char)++next;
      d = r + map[g];
    }
    code = code * base + (uint64_t)d;
  }
  return code;
}

typedef struct {
  int r, m;
  code_set set;
  int fail;
} enum_ctx;

/* All m! arrangements of seq (Heap's algorithm, iterative); each one is P_pi Gamma_s. */
static void all_permutations(enum_ctx *c, signed char *seq) {
  int m = c->m, idx[LS_COUNT_ENUM_MAX_M] = {0};
  if (set_insert(&c->set, canonical_code(seq, c->r, m)) < 0) c->fail = 1;
  int i = 1;
  while (i < m && !c->fail) {
    if (idx[i] < i) {
      int j = (i % 2) ? idx[i] : 0;
      signed char t = seq[j];
      seq[j] = seq[i], seq[i] = t;
      if (set_insert(&c->set, canonical_code(seq, c->r, m)) < 0) c->fail = 1;
      idx[i]++;
      i = 1;
    } else {
      idx[i] = 0;
      i++;
    }
  }
}

/* Walk the tuples s: positions 0..r-1 are k_i >= 1, then any number of b_i >= 1. */
static void walk_tuples(enum_ctx *c, int critical_only, signed char *base, int filled,
                        int slot, int group) {
  int m = c->m, r = c->r;
  if (c->fail) return;
  if (slot < r) {
    int rest_min = r - slot - 1; /* the remaining k's need one slot each */
    for (int k = 1; filled + k + rest_min <= m; k++) {
      for (int i = 0; i < k; i++) base[filled + i] = (signed char)(slot + 1);
      walk_tuples(c, critical_only, base, filled + k, slot + 1, group);
    }
    return;
  }
  if (filled == m) {
    signed char seq[LS_COUNT_ENUM_MAX_M];
    memcpy(seq, base, (size_t)m);
    all_permutations(c, seq);
    return;
  }
  if (critical_only) return;
  for (int b = 1; filled + b <= m; b++) { /* next zero-type group b_{group+1} */
    for (int i = 0; i < b; i++) base[filled + i] = (signed char)(-(group + 1));
    walk_tuples(c, critical_only, base, filled + b, slot, group + 1);
  }
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

ls_status ls_count_enumerate(ls_count_patterns **out, int r, int m, int critical_only,
                             ls_error *err) {
  *out = NULL;
  if (r < 1) return ls_error_set(err, LS_ERR_INPUT, "r must be >= 1 (got %d)", r);
  if (r > m) return ls_error_set(err, LS_ERR_INPUT, "r (%d) must not exceed m (%d)", r, m);
  if (m > LS_COUNT_ENUM_MAX_M)
    return ls_error_set(err, LS_ERR_INPUT,
                        "m = %d is too large for the brute-force enumeration (at most %d)", m,
                        LS_COUNT_ENUM_MAX_M);
  enum_ctx c = {.r = r, .m = m};
  signed char base[LS_COUNT_ENUM_MAX_M];
  walk_tuples(&c, critical_only, base, 0, 0, 0);
  ls_count_patterns *p = calloc(1, sizeof *p);
  uint64_t *codes = c.fail || !p ? NULL : malloc((c.set.n ? c.set.n : 1) * sizeof *codes);
  if (p && codes) p->lab = malloc((c.set.n ? c.set.n : 1) * (size_t)m);
  if (!p || !codes || !p->lab) {
    free(c.set.key), free(codes);
    if (p) free(p->lab);
    free(p);
    return ls_error_set(err, LS_ERR_NOMEM, "out of memory enumerating r=%d, m=%d", r, m);
  }
  size_t n = 0;
  for (size_t i = 0; i < c.set.cap; i++)
    if (c.set.key[i]) codes[n++] = c.set.key[i];
  free(c.set.key);
  qsort(codes, n, sizeof *codes, cmp_u64);
  p->r = r, p->m = m, p->n = n;
  uint64_t base_digits = (uint64_t)(r + m + 1);
  for (size_t i = 0; i < n; i++) {
    uint64_t code = codes[i];
    for (int s = m - 1; s >= 0; s--) {
      int d = (int)(code % base_digits);
      code /= base_digits;
      p->lab[i * (size_t)m + (size_t)s] = (signed char)(d <= r ? d : -(d - r));
    }
  }
  free(codes);
  *out = p;
  return LS_OK;
}

void ls_count_patterns_free(ls_count_patterns *p) {
  if (!p) return;
  free(p->lab);
  free(p);
}

void ls_count_pattern_string(const ls_count_patterns *p, size_t i, char *buf, size_t len) {
  size_t used = 0;
  if (len) buf[0] = 0;
  for (int s = 0; s < p->m && used + 1 < len; s++) {
    int v = p->lab[i * (size_t)p->m + (size_t)s];
    int w = v > 0 ? snprintf(buf + used, len - used, "%s%d", s ? "," : "", v)
                  : snprintf(buf + used, len - used, "%sZ%d", s ? "," : "", -v);
    if (w < 0) break;
    used += (size_t)w;
  }
}

int ls_count_pattern_class(const ls_count_patterns *p, size_t i) {
  if (p->m != p->r + 1) return -1;
  const signed char *l = p->lab + i * (size_t)p->m;
  for (int s = 0; s < p->m; s++)
    if (l[s] < 0) return 0; /* the single extra slot is a zero-type neuron with a = 0 */
  return 1;                 /* otherwise one teacher neuron appears twice */
}
