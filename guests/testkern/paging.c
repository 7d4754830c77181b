/*
 * Paging: the kernel's own page directory (identity map of the low 8 MiB,
 * page 0 left out, the ring-3 pages marked user), a test window at
 * 0x40000000 whose mappings the checks change, a 4 MiB PSE alias of low
 * memory, TLB invalidation by invlpg and by a CR3 reload, and page faults.
 */
#include "cpu.h"
#include "testkern.h"

#define PTE_P 0x001u
#define PTE_W 0x002u
#define PTE_U 0x004u
#define PTE_PS 0x080u
#define PTE_G 0x100u
#define PAGE 4096u

#define LOW_MAP (8u << 20)
#define TEST_VA 0x40000000u    /* frame A or B, writable */
#define HOLE_VA 0x40001000u    /* never present */
#define RO_VA 0x40002000u      /* frame A, read-only */
#define PSE_ALIAS 0x80000000u  /* 4 MiB page onto physical 0 */

static uint32_t page_dir[1024] __attribute__((aligned(PAGE)));
static uint32_t pt_low[LOW_MAP / PAGE] __attribute__((aligned(PAGE)));
static uint32_t pt_test[1024] __attribute__((aligned(PAGE)));
static uint32_t frame_a[1024] __attribute__((aligned(PAGE)));
static uint32_t frame_b[1024] __attribute__((aligned(PAGE)));

int user_range_ok(uint32_t addr, uint32_t len)
{
	uint32_t lo = (uint32_t)__user_start, hi = (uint32_t)__user_end;
	return addr >= lo && addr <= hi && len <= hi - addr;
}

void paging_init(void)
{
	uint32_t ulo = (uint32_t)__user_start, uhi = (uint32_t)__user_end;
	for (uint32_t i = 1; i < LOW_MAP / PAGE; i++) {
		uint32_t pa = i * PAGE;
		int user = pa >= ulo && pa < uhi;
		pt_low[i] = pa | PTE_P | PTE_W | (user ? PTE_U : PTE_G);
	}
	for (uint32_t i = 0; i < LOW_MAP >> 22; i++)
		page_dir[i] = (uint32_t)&pt_low[i * 1024] | PTE_P | PTE_W | PTE_U;
	page_dir[TEST_VA >> 22] = (uint32_t)pt_test | PTE_P | PTE_W;
	page_dir[PSE_ALIAS >> 22] = 0 | PTE_PS | PTE_P | PTE_W;
	pt_test[0] = (uint32_t)frame_a | PTE_P | PTE_W;
	pt_test[(RO_VA >> 12) & 1023] = (uint32_t)frame_a | PTE_P;
	frame_a[0] = 0xaaaa0001;
	frame_b[0] = 0xbbbb0002;

	write_cr3((uint32_t)page_dir);
	write_cr4(read_cr4() | CR4_PSE | CR4_PGE);
	write_cr0(read_cr0() | CR0_PG | CR0_WP);
}

static uint32_t peek(uint32_t va)
{
	return *(volatile uint32_t *)va;
}

static void pf_check(const char *what, uint32_t va, int write, uint32_t want_err)
{
	trap_reset();
	uint32_t v = 0;
	if (write)
		__asm__ volatile(FIXUP("movl %0, (%1)") : : "r"(v), "r"(va) : "memory");
	else
		__asm__ volatile(FIXUP("movl (%1), %0") : "+r"(v) : "r"(va) : "memory");
	check(last_trap.count == 1 && last_trap.vector == 14 && last_trap.err == want_err &&
		      last_trap.cr2 == va,
	      "#PF: %s: vector %u error %#x cr2 %#x", what, last_trap.vector, last_trap.err,
	      last_trap.cr2);
}

void paging_checks(void)
{
	uint32_t cr0 = read_cr0(), cr3 = read_cr3(), cr4 = read_cr4();
	check((cr0 & (CR0_PG | CR0_WP | CR0_PE)) == (CR0_PG | CR0_WP | CR0_PE) &&
		      cr3 == (uint32_t)page_dir && (cr4 & (CR4_PSE | CR4_PGE)) == (CR4_PSE | CR4_PGE),
	      "paging: cr0 has PE WP PG, cr3 is the page directory, cr4 has PSE PGE");
	static volatile uint32_t marker = 0x4d4d4d4d;
	check(peek(PSE_ALIAS + (uint32_t)&marker) == marker,
	      "paging: a 4 MiB page at %#x aliases physical 0", PSE_ALIAS);

	uint32_t a = peek(TEST_VA);
	pt_test[0] = (uint32_t)frame_b | PTE_P | PTE_W;
	/* before invlpg the TLB may still hold frame A: either is allowed */
	uint32_t stale = peek(TEST_VA);
	invlpg(TEST_VA);
	uint32_t b = peek(TEST_VA);
	check(a == frame_a[0] && (stale == frame_a[0] || stale == frame_b[0]) && b == frame_b[0],
	      "invlpg: remapped page reads %#x before, %#x after invlpg", a, b);
	pt_test[0] = (uint32_t)frame_a | PTE_P | PTE_W;
	write_cr3(read_cr3());
	uint32_t c = peek(TEST_VA);
	check(c == frame_a[0], "cr3: remapped back, reads %#x after a cr3 reload", c);
	*(volatile uint32_t *)TEST_VA = 0xaaaa0003;
	check(frame_a[0] == 0xaaaa0003 && peek(RO_VA) == 0xaaaa0003,
	      "paging: a write through the window reaches frame A and its read-only alias");
	frame_a[0] = 0xaaaa0001;

	pf_check("read of the null page", 0, 0, 0);
	pf_check("read of a not-present page", HOLE_VA, 0, 0);
	pf_check("write to a not-present page", HOLE_VA + 4, 1, 2);
	pf_check("write to a read-only page with CR0.WP", RO_VA + 8, 1, 3);
	check(frame_a[2] == 0, "#PF: the read-only page was not written");
}
