/* tools/bench.py's ALU workload: a loop of add/rotate/mask/load/store closed by bdnz.
 * The caller sets r10 = iterations (CTR) and r9 = a RAM address; 16 instructions an iteration. */
	.text
bench_alu_loop:
	li	r3,0
	li	r4,1
	mtctr	r10
1:	add	r3,r3,r4
	addi	r4,r4,3
	rlwinm	r5,r3,4,8,27
	rldicl	r6,r4,61,3
	and.	r7,r5,r6
	lwz	r8,0(r9)
	add	r8,r8,r7
	stw	r8,0(r9)
	ld	r11,8(r9)
	xor	r11,r11,r3
	std	r11,8(r9)
	cmpwi	cr1,r7,0
	subf	r12,r5,r6
	srdi	r12,r12,7
	or	r0,r12,r3
	bdnz	1b
	nop
