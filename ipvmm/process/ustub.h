/* Guest ring 3 in stub processes (ring3.c, ustub.S): the layout both sides
 * share.  A stub is a host process that maps nothing but the guest user
 * pages of one address space (at their guest addresses), its own code, a
 * private page, a signal stack and one context page shared with its VMM
 * process.  Guest ring 3 runs there; every trap, fault, timer tick and
 * vDSO system call is posted in the context page and handed to the VMM by
 * futex; the VMM answers with the registers to resume and a list of
 * mapping operations.  Everything in the context page is guest-controlled
 * once ring 3 has run: the VMM checks what it reads.
 *
 * Included by assembly: numbers only. */
#ifndef IPVMM_PROCESS_USTUB_H
#define IPVMM_PROCESS_USTUB_H

#include "layout.h"

/* In the VMM area (the guest's kernel never maps there). */
#define US_PRIV (PV_AREA_BASE + 0x6000)    /* stub private: read-only once set up */
#define US_STACK (PV_AREA_BASE + 0x8000)   /* 16 KiB: the signal stack */
#define US_STACK_TOP (US_STACK + 0x4000)
#define US_STACK2_TOP (US_STACK + 0x2000)  /* the vDSO entry's stack (below the signals') */
#define US_ASTACK_TOP (US_STACK + 0x5000)  /* the agent's stack, one page */
/* One pair of pages per VMM process slot: the context page (read-write in
 * the stub) and the agent's request page (read-only in the stub). */
#define US_CTX(i) (PV_AREA_BASE + 0x10000 + (i) * 0x2000)
#define US_REQ(i) (US_CTX(i) + 0x1000)

/* The VMM's end of the agent's completion pipe: a fixed number, which the
 * jail's allow-list lets it read (under RLIMIT_NOFILE). */
#define US_AGENT_FD 10

/* US_PRIV: read-only in the stub */
#define USP_CTX 0       /* u64: this stub's context page (its request page follows) */
#define USP_MEMFD 8     /* u32: guest RAM's fd, in the agent only */
#define USP_PIPE 12     /* u32: the agent's end of its completion pipe */

/* The agent: a task sharing the stub's address space but not its file
 * descriptors or filter.  Only it holds guest RAM's fd; it takes its orders
 * from the request page, which the guest cannot write, and reports each
 * batch done on a pipe only it holds -- so the guest can neither map guest
 * RAM itself nor skip an unmap the VMM ordered (a forged handoff gets it
 * neither).  Request page: */
#define USR_SEQ 0       /* u32 futex: batch number, bumped by the VMM */
#define USR_NOPS 4      /* u32 */
#define USR_OPS 8       /* USR_MAXOPS x 24 bytes: u32 op, u32 la, u64 pa, u32 len, u32 prot */
#define USR_MAXOPS 160

/* the context page */
#define USC_STATE 0     /* u32 futex: 0 ring 3 runs, 1 event posted, 2 VMM answered */
#define USC_REASON 4    /* 1 the vDSO's int $0x80, 2 a host signal */
#define USC_EAX 8
#define USC_ECX 12
#define USC_EDX 16
#define USC_EBX 20
#define USC_ESP 24
#define USC_EBP 28
#define USC_ESI 32
#define USC_EDI 36
#define USC_EIP 40
#define USC_EFLAGS 44
#define USC_CS 48
#define USC_SS 52
#define USC_DS 56
#define USC_ES 60
#define USC_FS 64
#define USC_GS 68
#define USC_SIGNO 72
#define USC_TRAPNO 76
#define USC_ERR 80
#define USC_CR2 88      /* u64 */
#define USC_RIP 96      /* u64: the whole instruction pointer (64-bit code) */
#define USC_CALLADDR 104 /* u64: SIGSYS si_call_addr */
#define USC_SYSCALL 112 /* u32: SIGSYS si_syscall */
#define USC_ARCH 116    /* u32: SIGSYS si_arch */
#define USC_NOPS 120    /* u32: operations to run before resuming */
#define USC_OPS 128     /* USC_MAXOPS x 32 bytes */
#define USC_MAXOPS 64
#define USC_LDT (USC_OPS + 32 * USC_MAXOPS) /* 6 x struct user_desc (16 bytes) */
#define USC_SIZE (USC_LDT + 96)
/* the guest's FXSAVE image (bytes 0-415 used), both ways at every handoff */
#define USC_FPU 0xa00

/* an operation of the stub itself (US_OP_LDT only) or, in the request
 * page, of the agent (map, unmap): u32 op, u32 la, u64 pa, u32 len, u32 prot,
 * and in the context page an s64 result */
#define USO_OP 0
#define USO_LA 4
#define USO_PA 8
#define USO_LEN 16
#define USO_PROT 20
#define USO_RES 24
#define US_OP_MAP 1     /* mmap(la, len, prot, MAP_SHARED|MAP_FIXED, memfd, pa) */
#define US_OP_UNMAP 2   /* munmap(la, len) */
#define US_OP_LDT 3     /* modify_ldt(1, &ldt[la], 16) */

#define US_REASON_INT80 1
#define US_REASON_SIGNAL 2
#define US_REASON_SITE 3   /* a patched site of the kernel image run at CPL 3 (test kernels) */

#endif
