/* affinity.h -- the pure placement logic of affinity.c, exposed to the
 * tests so it can be checked on hwloc synthetic topologies (no binding
 * involved).  Internal: users call cf_pin_plan() in cfutures.h. */
#ifndef CF_AFFINITY_H
#define CF_AFFINITY_H

#include "cfutures.h"

#include <hwloc.h>
#include <stddef.h>

/* Load a topology for placement: the real machine (synthetic == NULL) or an
 * hwloc synthetic description ("pack:2 core:4 pu:2").  `full` keeps caches
 * and NUMA details (for descriptions); placement needs only packages, cores
 * and PUs, which load in a tenth of the time.  0, CF_ENOMEM, CF_EINVAL (bad
 * synthetic string) or CF_ENOSYS (hwloc could not read the machine). */
int cf__topo_load(hwloc_topology_t *out, const char *synthetic, int full);

/* The PU OS index each of `nworkers` workers is bound to under `pol`:
 *   NONE     every entry -1 (not bound);
 *   COMPACT  worker i -> the i-th PU in hwloc logical order (all PUs of the
 *            first core, then the next core, ...);
 *   SCATTER  hwloc_distrib() of the root over min(nworkers, #PUs) workers,
 *            each set reduced to its first PU (one worker per package, then
 *            per core, before PUs of one core are shared);
 *   LIST     worker i -> list[i mod nlist] (PU OS indices; each must exist
 *            in the topology).
 * More workers than PUs (or list entries) wrap around: worker i takes the
 * place of worker i mod m, m = the number of distinct places.
 * 0, CF_EINVAL (bad list, negative count) or CF_ENOMEM.  If err is not
 * NULL a one-line reason is written there on failure. */
int cf__pin_plan(hwloc_topology_t topo, cf_pin_policy pol, const int *list, int nlist,
                 int nworkers, int *pu_os_index_out, char *err, size_t errlen);

#endif
