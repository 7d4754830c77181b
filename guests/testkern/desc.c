/*
 * Descriptor tables and segments: GDT (with a based segment, a
 * short-limit segment and a second code segment), LDT, TSS; their loads and
 * stores, every way of loading a segment register, far transfers, the
 * segment-inspection instructions, and the machine status word.
 */
#include "cpu.h"
#include "testkern.h"

struct dtr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

struct farptr {
	uint32_t off;
	uint16_t sel;
} __attribute__((packed));

struct tss {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap;
};
_Static_assert(sizeof(struct tss) == 104, "the hardware TSS is 104 bytes");

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(8)));
static uint64_t ldt[2] __attribute__((aligned(8)));
static struct tss tss __attribute__((aligned(128)));
static uint32_t fs_area[4] = {FS_MAGIC, 0x0f5b0f5b, 0, 0};
static uint32_t ldt_area[2] = {LDT_MAGIC, 0};
static uint8_t small_area[256] __attribute__((aligned(4)));
static uint32_t alt_stack[64];

/* access: P DPL S type, with the accessed bit preset so the CPU never
 * writes the tables; flags: G and D/B */
static uint64_t desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	return (uint64_t)(limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 |
	       (uint64_t)access << 40 | (uint64_t)((limit >> 16) & 0xf) << 48 |
	       (uint64_t)(flags & 0xf) << 52 | (uint64_t)(base >> 24) << 56;
}

#define FLAT_4K 0xc /* G=1, D=1 */
#define BYTES 0x4   /* G=0, D=1 */

static inline uint16_t get_seg_cs(void)
{
	uint16_t v;
	__asm__ volatile("movw %%cs, %0" : "=r"(v));
	return v;
}

#define GET_SEG(r)                                                             \
	static inline uint16_t get_##r(void)                                   \
	{                                                                      \
		uint16_t v;                                                    \
		__asm__ volatile("movw %%" #r ", %0" : "=r"(v));               \
		return v;                                                      \
	}
GET_SEG(ds)
GET_SEG(es)
GET_SEG(fs)
GET_SEG(gs)
GET_SEG(ss)

static inline void set_fs(uint16_t v)
{
	__asm__ volatile("movw %0, %%fs" : : "r"(v) : "memory");
}

static inline void set_gs(uint16_t v)
{
	__asm__ volatile("movw %0, %%gs" : : "r"(v) : "memory");
}

static inline void set_es(uint16_t v)
{
	__asm__ volatile("movl %k0, %%es" : : "r"((uint32_t)v) : "memory");
}

void tss_set_esp0(uint32_t esp0)
{
	tss.esp0 = esp0;
}

void gdt_init(void)
{
	gdt[0] = 0;
	gdt[SEL_KCODE >> 3] = desc(0, 0xfffff, 0x9b, FLAT_4K);
	gdt[SEL_KDATA >> 3] = desc(0, 0xfffff, 0x93, FLAT_4K);
	gdt[SEL_KCODE2 >> 3] = desc(0, 0xfffff, 0x9b, FLAT_4K);
	gdt[SEL_UCODE >> 3] = desc(0, 0xfffff, 0xfb, FLAT_4K);
	gdt[SEL_UDATA >> 3] = desc(0, 0xfffff, 0xf3, FLAT_4K);
	gdt[SEL_TSS >> 3] = desc((uint32_t)&tss, sizeof tss - 1, 0x89, 0);
	gdt[SEL_LDT >> 3] = desc((uint32_t)ldt, sizeof ldt - 1, 0x82, 0);
	gdt[SEL_FSBASE >> 3] = desc((uint32_t)fs_area, sizeof fs_area - 1, 0x93, BYTES);
	gdt[SEL_SMALL >> 3] = desc((uint32_t)small_area, sizeof small_area - 1, 0x93, BYTES);
	ldt[0] = desc((uint32_t)ldt_area, sizeof ldt_area - 1, 0x93, BYTES);
	tss.ss0 = SEL_KDATA;
	tss.iomap = sizeof tss; /* no I/O bitmap: ring 3 port access faults */

	struct dtr d = {sizeof gdt - 1, (uint32_t)gdt};
	__asm__ volatile("lgdt %0\n\t"
			 "ljmp %1, $1f\n"
			 "1:\n\t"
			 "movl %2, %%ds\n\t"
			 "movl %2, %%es\n\t"
			 "movl %2, %%fs\n\t"
			 "movl %2, %%gs\n\t"
			 "movl %2, %%ss"
			 :
			 : "m"(d), "i"(SEL_KCODE), "r"((uint32_t)SEL_KDATA)
			 : "memory");
}

/* far_target: returns its %cs in %eax, through lret */
__asm__(".text\n"
	"far_target:\n\t"
	"xorl %eax, %eax\n\t"
	"movw %cs, %ax\n\t"
	"lret\n");

static void gdt_checks(void)
{
	struct dtr d = {0, 0};
	__asm__ volatile("sgdt %0" : "=m"(d));
	check(d.limit == sizeof gdt - 1 && d.base == (uint32_t)gdt,
	      "gdt: sgdt returns limit %#x and the base lgdt loaded", d.limit);
	check(get_seg_cs() == SEL_KCODE, "gdt: far jmp reloaded cs = %#x", get_seg_cs());
	uint16_t ds = get_ds(), es = get_es(), fs = get_fs(), gs = get_gs(), ss = get_ss();
	check(ds == SEL_KDATA && es == SEL_KDATA && fs == SEL_KDATA && gs == SEL_KDATA &&
		      ss == SEL_KDATA,
	      "segments: mov to ds es fs gs ss, read back %#x %#x %#x %#x %#x", ds, es, fs, gs, ss);

	/* a segment with a non-zero base */
	uint32_t v0, v1, c0;
	set_fs(SEL_FSBASE);
	__asm__ volatile("movl %%fs:0, %0\n\tmovl %%fs:4, %1" : "=r"(v0), "=r"(v1));
	check(v0 == FS_MAGIC && v1 == fs_area[1], "segments: %%fs base reads %#x %#x", v0, v1);

	/* reloading the selector a register holds reads its descriptor again
	 * (a VMM may skip a reload only while the descriptor is unchanged) */
	gdt[SEL_FSBASE >> 3] = desc((uint32_t)&fs_area[1], sizeof fs_area - 5, 0x93, BYTES);
	set_fs(SEL_FSBASE);
	__asm__ volatile("movl %%fs:0, %0" : "=r"(v0));
	gdt[SEL_FSBASE >> 3] = desc((uint32_t)fs_area, sizeof fs_area - 1, 0x93, BYTES);
	__asm__ volatile("pushl %2\n\tpopl %%fs\n\tmovl %%fs:0, %0\n\t"
			 "pushl %%fs\n\tpopl %%fs\n\tmovl %%fs:4, %1"
			 : "=&r"(v1), "=&r"(c0) : "i"(SEL_FSBASE) : "memory");
	/* and after a null selector in between (its slot may keep the old one) */
	uint32_t c1;
	set_fs(0);
	gdt[SEL_FSBASE >> 3] = desc((uint32_t)&fs_area[1], sizeof fs_area - 5, 0x93, BYTES);
	set_fs(SEL_FSBASE);
	__asm__ volatile("movl %%fs:0, %0" : "=r"(c1));
	gdt[SEL_FSBASE >> 3] = desc((uint32_t)fs_area, sizeof fs_area - 1, 0x93, BYTES);
	set_fs(0);
	__asm__ volatile("pushl %1\n\tpopl %%fs\n\tmovl %%fs:0, %0" : "=r"(v0) : "i"(SEL_FSBASE) : "memory");
	check(c1 == fs_area[1] && v0 == FS_MAGIC && v1 == FS_MAGIC && c0 == fs_area[1],
	      "segments: reloading %%fs (after itself or null) rereads a changed descriptor");

	/* push/pop of every data segment register, and push %cs */
	uint32_t pcs;
	__asm__ volatile("pushl %%fs\n\tpopl %%gs\n\t"
			 "movl %%gs:0, %0\n\t"
			 "pushl %%cs\n\tpopl %1\n\t"
			 "pushl %%ds\n\tpopl %%gs\n\t"
			 "pushl %%es\n\tpopl %%fs\n\t"
			 "pushl %%ss\n\tpopl %%ss\n\t"
			 "pushl %%gs\n\tpopl %%es\n\t"
			 "pushl %%fs\n\tpopl %%ds"
			 : "=&r"(v0), "=&r"(pcs)
			 :
			 : "memory");
	ds = get_ds(), es = get_es(), fs = get_fs(), gs = get_gs(), ss = get_ss();
	check(v0 == FS_MAGIC && (pcs & 0xffff) == SEL_KCODE && ds == SEL_KDATA &&
		      es == SEL_KDATA && fs == SEL_KDATA && gs == SEL_KDATA && ss == SEL_KDATA,
	      "segments: push/pop ds es fs gs ss cs move selectors and bases");

	/* lds les lfs lgs lss */
	static uint32_t kvar = 0x6b766172;
	struct farptr pds = {(uint32_t)&kvar, SEL_KDATA}, pes = {0, SEL_FSBASE},
		      pfs = {4, SEL_FSBASE};
	uint32_t a, b, c;
	__asm__ volatile("ldsl %3, %0\n\tmovl (%0), %0\n\t"
			 "lesl %4, %1\n\tmovl %%es:(%1), %1\n\t"
			 "lfsl %5, %2\n\tmovl %%fs:(%2), %2"
			 : "=&r"(a), "=&r"(b), "=&r"(c)
			 : "m"(pds), "m"(pes), "m"(pfs)
			 : "memory");
	set_es(SEL_KDATA);
	set_fs(SEL_KDATA);
	check(a == kvar && b == FS_MAGIC && c == fs_area[1],
	      "segments: lds les lfs load selector and offset (%#x %#x %#x)", a, b, c);
	static struct farptr old_sp, new_sp;
	new_sp.off = (uint32_t)&alt_stack[64];
	new_sp.sel = SEL_KDATA;
	uint32_t sp_in;
	__asm__ volatile("movl %%esp, %1\n\t"
			 "movw %%ss, %2\n\t"
			 "lssl %3, %%esp\n\t"
			 "pushl $0x55aa55aa\n\t"
			 "movl %%esp, %0\n\t"
			 "lssl %1, %%esp"
			 : "=&r"(sp_in), "=m"(old_sp.off), "=m"(old_sp.sel)
			 : "m"(new_sp)
			 : "memory");
	check(sp_in == (uint32_t)&alt_stack[63] && alt_stack[63] == 0x55aa55aa && get_ss() == SEL_KDATA,
	      "segments: lss switches to another stack and back");
}

static void far_checks(void)
{
	uint32_t a, b, c, d;
	static struct farptr ind = {0, SEL_KCODE2};
	extern char far_target[];
	ind.off = (uint32_t)far_target;
	__asm__ volatile("lcall %2, $far_target\n\t"
			 "movl %%eax, %0\n\t"
			 "lcall *%3"
			 : "=&r"(a), "=a"(b)
			 : "i"(SEL_KCODE2), "m"(ind)
			 : "memory", "ecx", "edx");
	check((a & 0xffff) == SEL_KCODE2 && (b & 0xffff) == SEL_KCODE2 && get_seg_cs() == SEL_KCODE,
	      "far: lcall direct and indirect ran with cs = %#x, lret came back to %#x",
	      a & 0xffff, get_seg_cs());
	static struct farptr back = {0, SEL_KCODE};
	__asm__ volatile("movl $3f, %2\n\t"
			 "ljmp %3, $1f\n"
			 "1:\txorl %0, %0\n\t"
			 "movw %%cs, %w0\n\t"
			 "ljmp *%2\n"
			 "3:\tpushl %3\n\t"
			 "pushl $2f\n\t"
			 "lret\n"
			 "2:\txorl %1, %1\n\t"
			 "movw %%cs, %w1\n\t"
			 "pushl %4\n\t"
			 "pushl $4f\n\t"
			 "lret\n"
			 "4:"
			 : "=&r"(c), "=&r"(d), "=m"(back.off)
			 : "i"(SEL_KCODE2), "i"(SEL_KCODE)
			 : "memory");
	check(c == SEL_KCODE2 && d == SEL_KCODE2 && get_seg_cs() == SEL_KCODE,
	      "far: ljmp direct and indirect, lret to a new cs (%#x), and back to %#x", c,
	      get_seg_cs());
}

static uint32_t lar(uint32_t sel, int *ok)
{
	uint32_t v = 0;
	uint8_t z;
	__asm__ volatile("larl %2, %0\n\tsetz %1" : "+r"(v), "=qm"(z) : "r"(sel) : "cc");
	*ok = z;
	return v;
}

static uint32_t lsl(uint32_t sel, int *ok)
{
	uint32_t v = 0;
	uint8_t z;
	__asm__ volatile("lsll %2, %0\n\tsetz %1" : "+r"(v), "=qm"(z) : "r"(sel) : "cc");
	*ok = z;
	return v;
}

static int verr(uint16_t sel)
{
	uint8_t z;
	__asm__ volatile("verr %1\n\tsetz %0" : "=qm"(z) : "r"(sel) : "cc");
	return z;
}

static int verw(uint16_t sel)
{
	uint8_t z;
	__asm__ volatile("verw %1\n\tsetz %0" : "=qm"(z) : "r"(sel) : "cc");
	return z;
}

static void ldt_tss_checks(void)
{
	uint16_t s = 0xffff;
	__asm__ volatile("lldt %w0" : : "r"(SEL_LDT) : "memory");
	__asm__ volatile("sldt %0" : "=r"(s));
	uint32_t v, w;
	set_gs(SEL_LDT_DATA);
	__asm__ volatile("movl %%gs:0, %0" : "=r"(v));
	static struct farptr pgs = {0, SEL_LDT_DATA};
	__asm__ volatile("lgsl %1, %0\n\tmovl %%gs:(%0), %0" : "=r"(w) : "m"(pgs) : "memory");
	set_gs(SEL_KDATA);
	check(s == SEL_LDT && v == LDT_MAGIC && w == LDT_MAGIC,
	      "ldt: lldt/sldt %#x, %%gs and lgs through the LDT read %#x", s, v);

	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS) : "memory");
	s = 0xffff;
	__asm__ volatile("str %0" : "=r"(s));
	int ok;
	uint32_t ar = lar(SEL_TSS, &ok);
	check(s == SEL_TSS && ok && (ar & 0xff00) == 0x8b00,
	      "tss: ltr/str %#x, lar shows it busy (access %#x)", s, (ar >> 8) & 0xff);
}

static void inspect_checks(void)
{
	int ok1, ok2, ok3, ok4;
	uint32_t k = lar(SEL_KCODE, &ok1), u = lar(SEL_UCODE, &ok2), d = lar(SEL_UDATA, &ok3);
	lar(0, &ok4);
	/* bits 16-19 of lar's result are undefined: keep type, DPL, P and G/D */
	k &= 0x00f0ff00, u &= 0x00f0ff00, d &= 0x00f0ff00;
	check(ok1 && ok2 && ok3 && !ok4 && k == 0x00c09b00 && u == 0x00c0fb00 && d == 0x00c0f300,
	      "lar: kcode %#x ucode %#x udata %#x, null selector refused", k, u, d);
	uint32_t f = lsl(SEL_KDATA, &ok1), s = lsl(SEL_SMALL, &ok2), l = lsl(SEL_LDT_DATA, &ok3);
	lsl(0x80, &ok4);
	check(ok1 && ok2 && ok3 && !ok4 && f == 0xffffffff && s == 0xff && l == 7,
	      "lsl: flat %#x, small %#x, ldt entry %#x, selector past the gdt refused", f, s, l);
	int r1 = verr(SEL_KCODE), r2 = verr(SEL_UDATA), r3 = verr(0);
	int w1 = verw(SEL_KCODE), w2 = verw(SEL_KDATA), w3 = verw(SEL_SMALL);
	check(r1 && r2 && !r3 && !w1 && w2 && w3,
	      "verr/verw: code readable not writable, data both, null neither");
}

static void msw_checks(void)
{
	uint32_t msw = 0;
	uint16_t mem = 0;
	__asm__ volatile("smsw %0" : "=r"(msw));
	__asm__ volatile("smsww %0" : "=m"(mem));
	uint32_t cr0 = read_cr0();
	check((msw & 0xffff) == (cr0 & 0xffff) && mem == (cr0 & 0xffff) && (msw & CR0_PE),
	      "msw: smsw (register and memory) = low word of cr0, PE set");
	uint16_t ts = (uint16_t)(msw | CR0_TS);
	__asm__ volatile("lmsw %0" : : "r"(ts) : "memory");
	uint32_t with_ts = read_cr0();
	uint16_t nope = (uint16_t)(msw & ~CR0_PE & ~CR0_TS);
	__asm__ volatile("lmsw %0" : : "m"(nope) : "memory");
	uint32_t pe_kept = read_cr0();
	__asm__ volatile("lmsw %0" : : "r"(ts) : "memory");
	__asm__ volatile("clts" : : : "memory");
	uint32_t cleared = read_cr0();
	check((with_ts & CR0_TS) && !(pe_kept & CR0_TS) && (pe_kept & CR0_PE) && !(cleared & CR0_TS),
	      "msw: lmsw sets and clears TS but cannot clear PE, clts clears TS");
}

/*
 * Loading bad selectors: #GP with the selector as error code.  Not checked:
 * an access past a data segment's limit and an access through a null %gs,
 * because QEMU TCG, our raw-hardware stand-in, checks neither (it applies
 * the base and nothing else), so the transcripts could not agree.
 */
static void gp_checks(void)
{
	trap_reset();
	__asm__ volatile(FIXUP("movw %w0, %%ss") : : "r"(0) : "memory");
	check(last_trap.count == 1 && last_trap.vector == 13 && last_trap.err == 0 && get_ss() == SEL_KDATA,
	      "#GP: null selector into ss: vector %u error %#x", last_trap.vector, last_trap.err);
	trap_reset();
	__asm__ volatile(FIXUP("movw %w0, %%ss") : : "r"(SEL_UDATA) : "memory");
	check(last_trap.count == 1 && last_trap.vector == 13 && last_trap.err == (SEL_UDATA & ~3u),
	      "#GP: ring-3 data selector into ss at ring 0: vector %u error %#x", last_trap.vector,
	      last_trap.err);
	trap_reset();
	__asm__ volatile(FIXUP("movw %w0, %%ds") : : "r"(0x80) : "memory");
	check(last_trap.count == 1 && last_trap.vector == 13 && last_trap.err == 0x80 && get_ds() == SEL_KDATA,
	      "#GP: selector 0x80 past the gdt limit into ds: vector %u error %#x",
	      last_trap.vector, last_trap.err);
}

void desc_checks(void)
{
	gdt_checks();
	far_checks();
	ldt_tss_checks();
	inspect_checks();
	msw_checks();
	gp_checks();
}
