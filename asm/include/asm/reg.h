/* SPDX-License-Identifier: MIT
 * ppcinterp kernel environment: <asm/reg.h>, the register-level constants of 64-bit Book3S.
 * Written for ppcinterp from asm/kernel-facts/constants.tsv (values of the 3.10 headers); not kernel text.
 * Bit masks are written as plain numbers, bit 0 being the least significant (LSB-0) bit.
 */
#ifndef PPCINTERP_ASM_REG_H
#define PPCINTERP_ASM_REG_H

/* Machine State Register bits */
#define MSR_SF			0x8000000000000000	/* 64-bit mode (LSB-0 bit 63) */
#define MSR_HV			0x1000000000000000	/* hypervisor state (LSB-0 bit 60) */
#define MSR_HV_LG		60			/* bit number of MSR_HV */
#define MSR_VEC			0x2000000	/* vector (AltiVec) instructions enabled */
#define MSR_VSX			0x800000	/* VSX instructions enabled */
#define MSR_EE			0x8000		/* external interrupts enabled (LSB-0 bit 15) */
#define MSR_PR			0x4000		/* problem (user) state */
#define MSR_FP			0x2000		/* floating point enabled */
#define MSR_ME			0x1000		/* machine checks enabled */
#define MSR_IR			0x20		/* instruction address translation on */
#define MSR_DR			0x10		/* data address translation on */
#define MSR_RI			0x2		/* interrupt is recoverable */

/* Special purpose register numbers (for mfspr/mtspr) */
#define SPRN_DSCR		17	/* data stream control */
#define SPRN_DSISR		18	/* data storage interrupt status */
#define SPRN_DAR		19	/* data address of the last storage interrupt */
#define SPRN_DEC		22	/* decrementer */
#define SPRN_SDR1		25	/* hashed page table base and size */
#define SPRN_SRR0		26	/* interrupt return address */
#define SPRN_SRR1		27	/* interrupt return MSR */
#define SPRN_CFAR		28	/* address of the last branch taken */
#define SPRN_AMR		29	/* authority mask */
#define SPRN_CTRLF		136	/* CONTROL register, read form */
#define SPRN_CTRLT		152	/* CONTROL register, write form */
#define SPRN_UAMOR		157	/* user authority mask override */
#define SPRN_VRSAVE		256	/* vector registers in use */
#define SPRN_SPRG0		272	/* software use (supervisor) 0-3 */
#define SPRN_SPRG1		273
#define SPRN_SPRG2		274
#define SPRN_SPRG3		275
#define SPRN_HDSISR		306	/* hypervisor data storage interrupt status */
#define SPRN_HDAR		307	/* hypervisor data address */
#define SPRN_SPURR		308	/* scaled processor utilization */
#define SPRN_PURR		309	/* processor utilization */
#define SPRN_HDEC		310	/* hypervisor decrementer */
#define SPRN_RMOR		312	/* real mode offset */
#define SPRN_HSRR0		314	/* hypervisor interrupt return address */
#define SPRN_HSRR1		315	/* hypervisor interrupt return MSR */
#define SPRN_LPCR		318	/* logical partition control */
#define SPRN_LPID		319	/* logical partition id */
#define SPRN_HEIR		339	/* hypervisor emulation instruction */
#define SPRN_AMOR		349	/* authority mask override */
#define SPRN_MMCRA		786	/* performance monitor: mode control A */
#define SPRN_PMC1		787	/* performance monitor counters 1-8 */
#define SPRN_PMC2		788
#define SPRN_PMC3		789
#define SPRN_PMC4		790
#define SPRN_PMC5		791
#define SPRN_PMC6		792
#define SPRN_PMC7		793
#define SPRN_PMC8		794
#define SPRN_MMCR0		795	/* performance monitor: mode control 0 */
#define SPRN_MMCR1		798	/* performance monitor: mode control 1 */
#define SPRN_HID0		1008	/* hardware implementation register 0 */
#define SPRN_HID4		1012	/* hardware implementation register 4 */
#define SPRN_DABR		1013	/* data address breakpoint */
#define SPRN_DABRX		1015	/* data address breakpoint extension */

/* Exception scratch registers of 64-bit Book3S: the kernel's own (SPRG2, SPR 274) and, when it runs as
 * the hypervisor, the hypervisor one (HSPRG1, SPR 305). GET_SCRATCH0 in <asm/exception-64s.h> picks one. */
#define SPRN_SPRG_SCRATCH0	274
#define SPRN_SPRG_HSCRATCH0	305

/* Logical partition control (LPCR) bits */
#define LPCR_MER		0x800	/* mediated external interrupt request */
#define LPCR_MER_SH		11	/* bit number of LPCR_MER */
#define LPCR_PECE0		0x4000	/* power-saving exit on external interrupt */
#define LPCR_PECE1		0x2000	/* power-saving exit on decrementer */
#define LPID_RSVD		0x3ff	/* partition id the host reserves for switching partitions */

/* Shift counts of hardware implementation (HID) register fields (PPC970) */
#define HID0_HDICE_SH		40	/* hypervisor decrementer interrupt enable */
#define HID4_LPID5_SH		57	/* a partition id field of HID4 */

/* Storage interrupt status bits */
#define DSISR_NOHPTE		0x40000000	/* no translation found in the hashed page table */
#define DSISR_PROTFAULT		0x8000000	/* access not permitted by the page protection */
#define SRR1_ISI_NOPT		0x40000000	/* instruction fetch: no translation found */

/*
 * MTFSF_L(FRB): mtfsf with L=1 (the whole 64-bit FPSCR from FRB; FLM 0xff, ignored when L=1 on CPUs that
 * know L), written as a word because old assemblers lack the L operand: primary 63, XO 711, FLM at IBM bits
 * 7-14, FRB at 16-20, L at bit 6.
 */
#define MTFSF_L(REG)	.long (0xfc00058e | (0xff << 17) | ((REG) << 11) | (1 << 25))

#endif /* PPCINTERP_ASM_REG_H */
