/* peers.h -- one contender of bench_peers: cfutures, a peer library (GLib,
 * libuv, oneTBB, OpenMP) or a floor of our own (SPSC rings, a spin
 * hand-off).  Each fills in this descriptor; bench_peers alternates them
 * round by round.  A shape a contender does not do is NULL. */
#ifndef CF_BENCH_PEERS_H
#define CF_BENCH_PEERS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct peer {
  const char *name;
  /* Make a pool of `workers` threads (outside the timed region); NULL: this
   * contender does not run at that worker count. */
  void *(*open)(int workers);
  /* Submit n no-op tasks, then wait for every one: ns per task. */
  double (*batched)(void *pool, long n);
  /* n times: submit one no-op task and wait for it: ns per task. */
  double (*roundtrip)(void *pool, long n);
  /* n tasks that each sleep `sleep_ns`, all submitted at once, then wait:
   * total ns (efficiency = ideal / measured). */
  double (*sleeps)(void *pool, long n, long sleep_ns);
  void (*close)(void *pool);
} peer;

/* Each peer file defines one; those whose library is missing are not built
 * and bench_peers leaves them out (peers.c: CF_HAVE_*). */
extern const peer cf_peer_cfutures, cf_peer_glib, cf_peer_uv, cf_peer_tbb, cf_peer_omp;
extern const peer cf_peer_spsc_floor, cf_peer_spin_floor;

#ifdef __cplusplus
}
#endif
#endif
