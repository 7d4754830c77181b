/* Guest address spaces in host processes.  One host process holds one set
 * of low-4-GiB mappings, so a guest that switches between address spaces
 * (CR3) would refault each one's working set on every switch.  With more
 * than one process, each keeps the mappings of one recently used guest
 * address space; a CR3 write hands the virtual CPU over to the process that
 * holds the new one (or to a new process, or to the least recently used),
 * through a futex in shared memory.  All VMM state the guest can observe
 * lives in shared memory; each process keeps only its own mappings, LDT and
 * timer.  A supervisor process (the one the user started) waits for the end
 * of the run and leaves with its status. */
#ifndef IPVMM_PROCESS_ASPACE_H
#define IPVMM_PROCESS_ASPACE_H

#include <stddef.h>
#include <stdint.h>

#define AS_MAX 16

struct as_hooks {
	void (*going_idle)(void);    /* before this process sleeps */
	void (*became_active)(void); /* after it wakes as the active one (not for a new one) */
	void (*exit_all)(int status); /* the supervisor, before it leaves */
};

/* Shared memory for n processes (1: everything stays in this process). */
int as_init(unsigned n, const struct as_hooks *h, char *err, size_t errsz);
unsigned as_max(void);
/* This process's slot, 0..AS_MAX-1. */
unsigned as_self(void);
/* Memory every process shares, zeroed (the VMM's state lives there). */
void *as_shared_alloc(size_t size);
/* Becomes the supervisor: the parent waits for the end of the run and
 * exits with its status; returns 0 in the child, which runs the guest as
 * the holder of address space cr3.  -1 if fork fails. */
int as_supervise(uint32_t cr3);
/* The guest now runs address space cr3.  Returns 0 when this process
 * holds it (nothing changed hands), 1 in a new process forked for it
 * (holding a copy of its parent's mappings), 2 when this process became
 * active again after others ran (became_active has run). */
int as_switch_to(uint32_t cr3);
/* Ends the run from any VMM process: the supervisor leaves with status. */
_Noreturn void as_exit(int status);

#endif
