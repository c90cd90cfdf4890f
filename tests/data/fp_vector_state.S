/*
 * FP, VMX and VSX state saved to memory and loaded back, in the shape a hypervisor uses for a guest's
 * registers: loops of 32 written with .rept and a counter symbol (reg = reg + 1), the VSX forms as .long
 * words (STXVD2X/LXVD2X of the kernel environment), the FPSCR through FPR 0 (mffs, MTFSF_L) and the VSCR
 * through VR 0 (mfvscr, mtvscr). Written for ppcinterp's tests; every instruction of the handler file's
 * FP/VMX/VSX set runs here, with popcntw and slbfee. as the kernel's .long macros make them.
 */
#include <asm/ppc_asm.h>
#include <asm/ppc-opcode.h>
#include <asm/reg.h>

/* The save area (r3 when saving, r4 when loading); quadword slots are 16-byte aligned for lvx/stvx. */
#define AREA_FPRS	0		/* 32 doublewords: f0-f31 by stfd */
#define AREA_FPSCR	256		/* the FPSCR as mffs reads it */
#define AREA_VSCR	272		/* a quadword whose last word is the VSCR */
#define AREA_VRSAVE	288		/* a word */
#define AREA_VSRS	320		/* 32 quadwords: vs0-vs31 by stxvd2x */
#define AREA_VRS	832		/* 32 quadwords: v0-v31 (vs32-vs63) by stvx */

	.text
save_state:
	mfmsr	r5
	ori	r8,r5,MSR_FP
	oris	r8,r8,(MSR_VEC|MSR_VSX)@h
	mtmsrd	r8
	isync
	reg = 0
	.rept	32
	li	r6,reg*16+AREA_VSRS
	STXVD2X(reg,R6,R3)
	reg = reg + 1
	.endr
	reg = 0
	.rept	32
	stfd	reg,reg*8+AREA_FPRS(r3)
	reg = reg + 1
	.endr
	mffs	fr0			/* f0 is saved: it may carry the FPSCR now */
	stfd	fr0,AREA_FPSCR(r3)
	reg = 0
	.rept	32
	li	r6,reg*16+AREA_VRS
	stvx	reg,r6,r3
	reg = reg + 1
	.endr
	mfvscr	vr0			/* v0 is saved: it may carry the VSCR now */
	li	r6,AREA_VSCR
	stvx	vr0,r6,r3
	mfspr	r6,SPRN_VRSAVE
	stw	r6,AREA_VRSAVE(r3)
	mtmsrd	r5
	isync
save_done:
	blr

load_state:
	mfmsr	r9
	ori	r8,r9,MSR_FP
	oris	r8,r8,(MSR_VEC|MSR_VSX)@h
	mtmsrd	r8
	isync
	lfd	fr0,AREA_FPSCR(r4)
	MTFSF_L(fr0)
	reg = 0
	.rept	32
	lfd	reg,reg*8+AREA_FPRS(r4)
	reg = reg + 1
	.endr
	reg = 0
	.rept	32
	li	r7,reg*16+AREA_VSRS
	LXVD2X(reg,R7,R4)
	reg = reg + 1
	.endr
	li	r7,AREA_VSCR
	lvx	vr0,r7,r4
	mtvscr	vr0
	reg = 0
	.rept	32
	li	r7,reg*16+AREA_VRS
	lvx	reg,r7,r4
	reg = reg + 1
	.endr
	lwz	r7,AREA_VRSAVE(r4)
	mtspr	SPRN_VRSAVE,r7
	mtmsrd	r9
	isync
load_done:
	blr

/* The other .long-made instructions: r5 = the ones in each word of r6; r7 = the SLB entry of r8's segment. */
probe:
	PPC_POPCNTW(R5,R6)
	PPC_SLBFEE_DOT(R7,R8)
probe_done:
	blr
