/* Segmentation: descriptors from the guest's GDT/LDT, the checks a
 * selector load makes, and loading the cached descriptor. */
#ifndef IPVMM_CORE_SEG_H
#define IPVMM_CORE_SEG_H

#include "vcpu.h"

#define DESC_A 0x100u     /* accessed (in desc_hi) */
#define DESC_S 0x1000u    /* code/data, not system */
#define DESC_P 0x8000u
#define DESC_DB 0x400000u
#define DESC_G 0x800000u
#define DESC_TYPE(hi) (((hi) >> 8) & 0xfu)
#define DESC_DPL(hi) (((hi) >> 13) & 3u)
#define DESC_CODE(hi) (((hi) & DESC_S) && (DESC_TYPE(hi) & 8u))
#define DESC_DATA(hi) (((hi) & DESC_S) && !(DESC_TYPE(hi) & 8u))

/* Reads the descriptor of sel into lo/hi.  0; 1 when sel lies outside its
 * table (or is null); -1 after a page fault while reading. */
int seg_fetch(struct vcpu *v, uint16_t sel, uint32_t *lo, uint32_t *hi);
/* Writes back the high word (accessed / busy bits). */
int seg_store_hi(struct vcpu *v, uint16_t sel, uint32_t hi);
/* Fills a vseg from a descriptor. */
void seg_from_desc(struct vseg *s, uint16_t sel, uint32_t lo, uint32_t hi);
/* mov/pop/lxs into a data segment register or SS, with every check of
 * the SDM; raises #GP/#SS/#NP and returns -1 on a refused load. */
int seg_load_data(struct vcpu *v, unsigned seg, uint16_t sel);
/* Loads CS for a far jmp/call/ret to code of privilege dpl (the checks are
 * the caller's); sets the CPL. */
void seg_load_cs(struct vcpu *v, uint16_t sel, uint32_t lo, uint32_t hi, unsigned cpl);
/* A far jmp/call/ret/iret target: checks it is a present code segment the
 * transfer may reach (ret: rpl is the new CPL).  -1 after raising. */
int seg_check_code(struct vcpu *v, uint16_t sel, int is_ret, uint32_t *lo, uint32_t *hi);

/* lar, lsl, verr, verw: set ZF and maybe a result. */
void seg_lar_lsl(struct vcpu *v, const struct x86_insn *in);
void seg_verr_verw(struct vcpu *v, const struct x86_insn *in);

#endif
