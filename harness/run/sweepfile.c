/* sweepfile.c -- reading sweep files (sweepfile.h).  jansson parses the
 * JSON and reports syntax errors with their line; it keeps no position for
 * a key, so positions come from one scan of the text: the keys and the
 * objects in the order they appear, which (with duplicate keys refused) is
 * the order a depth-first walk of jansson's objects visits them. */
#include "sweepfile.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "strbuf.h"

/* ------------------------------------------------------------ positions */

typedef struct pos {
  int line, col;
} pos;

typedef struct pos_list {
  pos *v;
  size_t n, cap;
} pos_list;

static int pos_push(pos_list *l, int line, int col) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    pos *nv = realloc(l->v, cap * sizeof *nv);
    if (!nv) return -1;
    l->v = nv;
    l->cap = cap;
  }
  l->v[l->n++] = (pos){line, col};
  return 0;
}

/* Every object key (a string followed by ':') and every '{' of the text,
 * in order.  The text is valid JSON (jansson accepted it). */
static int scan_text(const char *s, size_t len, pos_list *keys, pos_list *objs) {
  int line = 1, col = 1;
  for (size_t i = 0; i < len; i++, col++) {
    char c = s[i];
    if (c == '\n') {
      line++;
      col = 0;
    } else if (c == '{') {
      if (pos_push(objs, line, col)) return -1;
    } else if (c == '"') {
      int kline = line, kcol = col;
      for (i++, col++; i < len && s[i] != '"'; i++, col++)
        if (s[i] == '\\') i++, col++;
      size_t j = i + 1;
      while (j < len && strchr(" \t\r\n", s[j])) j++;
      if (j < len && s[j] == ':' && pos_push(keys, kline, kcol)) return -1;
    }
  }
  return 0;
}

/* Where each object and each of its keys is. */
typedef struct pos_entry {
  const json_t *obj;
  const char *key; /* NULL: the object itself */
  pos p;
} pos_entry;

typedef struct pos_map {
  pos_entry *v;
  size_t n, cap;
  pos_list keys, objs;
  size_t next_key, next_obj;
} pos_map;

static int map_add(pos_map *m, const json_t *obj, const char *key, const pos_list *from, size_t *next) {
  pos p = *next < from->n ? from->v[(*next)++] : (pos){0, 0};
  if (m->n == m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 64;
    pos_entry *nv = realloc(m->v, cap * sizeof *nv);
    if (!nv) return -1;
    m->v = nv;
    m->cap = cap;
  }
  m->v[m->n++] = (pos_entry){obj, key, p};
  return 0;
}

static int map_walk(pos_map *m, const json_t *v) {
  if (json_is_object(v)) {
    if (map_add(m, v, NULL, &m->objs, &m->next_obj)) return -1;
    const char *k;
    json_t *x;
    json_object_foreach((json_t *)v, k, x) {
      if (map_add(m, v, k, &m->keys, &m->next_key) || map_walk(m, x)) return -1;
    }
  } else if (json_is_array(v)) {
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) {
      if (map_walk(m, x)) return -1;
    }
  }
  return 0;
}

static pos map_get(const pos_map *m, const json_t *obj, const char *key) {
  for (size_t i = 0; i < m->n; i++)
    if (m->v[i].obj == obj && (key ? m->v[i].key && !strcmp(m->v[i].key, key) : !m->v[i].key))
      return m->v[i].p;
  return (pos){0, 0};
}

static void map_free(pos_map *m) {
  free(m->v);
  free(m->keys.v);
  free(m->objs.v);
}

/* ---------------------------------------------------------------- values */

typedef struct loader {
  const char *path;
  const cfb_option *table;
  int groups;
  pos_map map;
  char *err;
  size_t errlen;
} loader;

static int bad(loader *L, pos p, const char *fmt, const char *a, const char *b) {
  char msg[400];
  snprintf(msg, sizeof msg, fmt, a, b);
  return cfb_fail(L->err, L->errlen, "%s:%d:%d: %s", L->path, p.line, p.col, msg);
}

/* One scalar as its command-line text; a ',' in a string element of a
 * list is escaped as the command line would write it. */
static int scalar_text(cfb_sb *b, const json_t *v, int in_list) {
  if (json_is_string(v)) {
    for (const char *s = json_string_value(v); *s; s++) {
      if (in_list && *s == ',') cfb_sb_append(b, "\\");
      cfb_sb_appendn(b, s, 1);
    }
  } else if (json_is_integer(v)) {
    cfb_sb_printf(b, "%lld", (long long)json_integer_value(v));
  } else if (json_is_real(v)) {
    cfb_sb_printf(b, "%.17g", json_real_value(v));
  } else {
    return -1;
  }
  return 0;
}

/* A string, number or list of them, as one command-line value (owned), or
 * NULL when it is none of these. */
static char *value_text(const json_t *v) {
  cfb_sb b = {0};
  int rc = 0;
  if (json_is_array(v)) {
    size_t i;
    json_t *x;
    if (!json_array_size(v)) rc = -1;
    json_array_foreach(v, i, x) {
      if (i) cfb_sb_append(&b, ",");
      rc |= scalar_text(&b, x, 1);
    }
  } else {
    rc = scalar_text(&b, v, 0);
  }
  char *s = rc || cfb_sb_failed(&b) ? NULL : strdup(b.s ? b.s : "");
  cfb_sb_free(&b);
  return s;
}

static int push_opt(loader *L, cfb_file_sweep *s, const cfb_option *opt, char *value, pos p) {
  cfb_file_opt *nv = realloc(s->opts, (s->n + 1) * sizeof *nv);
  if (!nv) {
    free(value);
    return cfb_fail(L->err, L->errlen, "%s: out of memory", L->path);
  }
  s->opts = nv;
  s->opts[s->n++] = (cfb_file_opt){opt, value, p.line, p.col};
  return 0;
}

static const cfb_option *find_opt(const loader *L, const char *key) {
  for (const cfb_option *o = L->table; o->name; o++)
    if ((o->group & L->groups) && !strcmp(o->name + 2, key)) return o;
  return NULL;
}

/* "param": {"delay": ["1ms", "10ms"], ...}, one --param per key. */
static int add_params(loader *L, cfb_file_sweep *s, const cfb_option *opt, const json_t *v, pos p) {
  if (!json_is_object(v) || !json_object_size(v))
    return bad(L, p, "key '%s': expected an object of parameter: value(s), e.g. {\"delay\": [\"1ms\", \"10ms\"]}%s",
               "param", "");
  const char *k;
  json_t *x;
  json_object_foreach((json_t *)v, k, x) {
    pos kp = map_get(&L->map, v, k);
    char *val = value_text(x);
    if (!val) return bad(L, kp, "key 'param.%s': expected a string, a number or a list of them%s", k, "");
    size_t len = strlen(k) + strlen(val) + 2;
    char *kv = malloc(len);
    if (kv) snprintf(kv, len, "%s=%s", k, val);
    free(val);
    if (!kv || push_opt(L, s, opt, kv, kp)) return cfb_fail(L->err, L->errlen, "%s: out of memory", L->path);
  }
  return 0;
}

/* One key of a sweep (or of the top level, a default of every sweep). */
static int add_key(loader *L, cfb_file_sweep *s, const json_t *obj, const char *key, const json_t *v) {
  pos p = map_get(&L->map, obj, key);
  const cfb_option *opt = find_opt(L, key);
  if (!opt) {
    cfb_sb names = {0};
    for (const cfb_option *o = L->table; o->name; o++)
      if (o->group & L->groups) cfb_sb_printf(&names, "%s%s", names.len ? ", " : "", o->name + 2);
    int rc = bad(L, p, "unknown key '%s'; a sweep takes: %s", key, names.s ? names.s : "");
    cfb_sb_free(&names);
    return rc;
  }
  if (!strcmp(key, "param")) return add_params(L, s, opt, v, p);
  if (!opt->takes_value) {
    if (!json_is_boolean(v)) return bad(L, p, "key '%s': a flag takes true or false%s", key, "");
    return json_is_true(v) ? push_opt(L, s, opt, NULL, p) : 0;
  }
  char *val = value_text(v);
  if (!val) return bad(L, p, "key '%s': expected a string, a number or a non-empty list of them%s", key, "");
  return push_opt(L, s, opt, val, p);
}

/* A sweep: its own keys, then the top level's (defaults) it does not give. */
static int load_sweep(loader *L, const json_t *top, const json_t *sw, cfb_file_sweep *s) {
  pos p = map_get(&L->map, sw, NULL);
  s->line = p.line;
  s->col = p.col;
  const char *k;
  json_t *v;
  int rc = 0;
  json_object_foreach((json_t *)sw, k, v) {
    if (rc) break;
    if (top == sw && (!strcmp(k, "summary") || !strcmp(k, "rounds"))) continue;
    if (strcmp(k, "comment")) rc = add_key(L, s, sw, k, v);
  }
  if (top != sw) json_object_foreach((json_t *)top, k, v) {
      if (rc) break;
      if (strcmp(k, "sweeps") && strcmp(k, "summary") && strcmp(k, "rounds") && strcmp(k, "comment") &&
          !json_object_get(sw, k))
        rc = add_key(L, s, top, k, v);
    }
  return rc;
}

static int load_rounds(loader *L, const json_t *top, cfb_sweep_file *f) {
  json_t *r = json_object_get(top, "rounds");
  f->rounds = -1;
  if (!r) return 0;
  pos p = map_get(&L->map, top, "rounds");
  f->rounds_line = p.line;
  if (json_is_string(r) && !strcmp(json_string_value(r), "per-repeat")) f->rounds = CFB_SUITE_ROUNDS_PER_REPEAT;
  else if (json_is_integer(r) && json_integer_value(r) >= 1 && json_integer_value(r) <= 100000)
    f->rounds = (int)json_integer_value(r);
  else
    return bad(L, p, "key 'rounds': expected an integer 1..100000 or \"per-repeat\" (one round per repetition)%s%s",
               "", "");
  return 0;
}

static int load_doc(loader *L, const json_t *top, cfb_sweep_file *f) {
  if (!json_is_object(top)) return bad(L, (pos){1, 1}, "expected an object of run options and \"sweeps\"%s%s", "", "");
  json_t *summary = json_object_get(top, "summary");
  if (summary && !json_is_string(summary))
    return bad(L, map_get(&L->map, top, "summary"), "key 'summary': expected a string%s%s", "", "");
  if (!(f->summary = strdup(summary ? json_string_value(summary) : "")))
    return cfb_fail(L->err, L->errlen, "%s: out of memory", L->path);
  int rc = load_rounds(L, top, f);
  if (rc) return rc;
  json_t *sweeps = json_object_get(top, "sweeps");
  if (sweeps && (!json_is_array(sweeps) || !json_array_size(sweeps)))
    return bad(L, map_get(&L->map, top, "sweeps"), "key 'sweeps': expected a non-empty list of objects%s%s", "", "");
  size_t n = sweeps ? json_array_size(sweeps) : 1;
  if (!(f->sweeps = calloc(n, sizeof *f->sweeps))) return cfb_fail(L->err, L->errlen, "%s: out of memory", L->path);
  for (size_t i = 0; i < n && !rc; i++) {
    const json_t *sw = sweeps ? json_array_get(sweeps, i) : top;
    f->nsweeps = i + 1;
    if (!json_is_object(sw)) {
      char idx[32];
      snprintf(idx, sizeof idx, "%zu", i + 1);
      return bad(L, map_get(&L->map, top, "sweeps"), "sweep %s: expected an object of run options%s", idx, "");
    }
    rc = load_sweep(L, top, sw, &f->sweeps[i]);
  }
  return rc;
}

int cfb_sweep_file_load(const char *path, const cfb_option *table, int groups, cfb_sweep_file *f,
                        char *err, size_t errlen) {
  memset(f, 0, sizeof *f);
  f->rounds = -1;
  char *text;
  size_t len;
  if (cfb_read_file(path, &text, &len))
    return cfb_fail(err, errlen, "%s: cannot read: %s", path, strerror(errno));
  json_error_t je;
  json_t *top = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
  if (!top) {
    free(text);
    return cfb_fail(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
  }
  loader L = {path, table, groups, {0}, err, errlen};
  int rc = 0;
  if (!(f->path = strdup(path)) || scan_text(text, len, &L.map.keys, &L.map.objs) || map_walk(&L.map, top))
    rc = cfb_fail(err, errlen, "%s: out of memory", path);
  if (!rc) rc = load_doc(&L, top, f);
  map_free(&L.map);
  json_decref(top);
  free(text);
  if (rc) cfb_sweep_file_free(f);
  return rc;
}

void cfb_sweep_file_free(cfb_sweep_file *f) {
  for (size_t i = 0; i < f->nsweeps; i++) {
    for (size_t k = 0; k < f->sweeps[i].n; k++) free(f->sweeps[i].opts[k].value);
    free(f->sweeps[i].opts);
  }
  free(f->sweeps);
  free(f->summary);
  free(f->path);
  memset(f, 0, sizeof *f);
}

char *cfb_file_sweep_args(const cfb_file_sweep *s) {
  cfb_sb b = {0};
  for (size_t i = 0; i < s->n; i++) {
    cfb_sb_printf(&b, "%s%s", i ? " " : "", s->opts[i].opt->name);
    if (s->opts[i].value) cfb_sb_printf(&b, " %s", s->opts[i].value);
  }
  char *r = cfb_sb_failed(&b) ? NULL : strdup(b.s ? b.s : "");
  cfb_sb_free(&b);
  return r;
}
