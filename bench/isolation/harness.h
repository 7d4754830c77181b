/* bench/isolation: the harness the mechanism programs share.
 *
 * Each program measures one host mechanism that can contain guest user
 * code and prints one line per row on stdout, for bench/isolation.sh:
 *
 *   row <TAB> NAME <TAB> MICROSECONDS <TAB> WHAT ONE OPERATION IS
 *   skip <TAB> NAME <TAB> WHY THERE IS NO NUMBER <TAB> WHAT
 *
 * A row that cannot be measured here (a refused system call, too few CPUs)
 * is a skip line, never a missing line or a failed program. */
#ifndef BENCH_ISOLATION_HARNESS_H
#define BENCH_ISOLATION_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ISO_PAGE 4096UL

/* Parses --quick and --help; names the program in messages. */
void iso_init(int argc, char **argv, const char *usage);

/* The median over chunks of the time one op(arg) takes, in nanoseconds,
 * after a warm-up that also sizes the chunks (about 15 ms each, 1 ms with
 * --quick).  CLOCK_MONOTONIC. */
double iso_measure(void (*op)(void *), void *arg);
uint64_t iso_now_ns(void);

/* Starts a row: arms a watchdog (a hung row prints its skip line and ends
 * the program), remembers the name for iso_row/iso_skip. */
void iso_begin(const char *name, const char *what);
void iso_row(double ns);
void iso_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The i-th CPU this process could run on when it started, or -1 if it
 * had fewer. */
int iso_cpu(int i);
/* Pins the calling task to CPU c; 0 or -1 (errno). */
int iso_pin(int c);

/* A memfd of n pages, every page allocated (so no measured operation
 * allocates or zeroes guest RAM), or -1. */
int iso_memfd(size_t pages);
/* n pages of address space reserved PROT_NONE, or NULL: MAP_FIXED maps
 * land inside it and never over something else. */
void *iso_reserve(size_t pages);
/* The same, but the reservation is the memfd itself mapped PROT_NONE. */
void *iso_reserve_fd(int fd, size_t pages);

/* Shared (not private) futexes: they work across processes through a
 * MAP_SHARED page.  The wait has a 1 s timeout; callers re-check. */
void iso_futex_wait(uint32_t *w, uint32_t val);
void iso_futex_wake(uint32_t *w);
static inline uint32_t iso_load(const uint32_t *w) { return __atomic_load_n(w, __ATOMIC_ACQUIRE); }
static inline void iso_store(uint32_t *w, uint32_t v) { __atomic_store_n(w, v, __ATOMIC_RELEASE); }

/* A shared anonymous page (MAP_SHARED, survives fork), or NULL. */
void *iso_shared_page(void);

/* fork() whose child dies with the parent; stdout flushed first. */
pid_t iso_fork(void);
/* Waits for a child; 0 if it exited with status 0, else -1 with a
 * description of how it ended in buf. */
int iso_reap(pid_t pid, char *buf, size_t n);

#endif
