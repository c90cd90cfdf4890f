/* The first object of tests/test_link.py: calls, branches and loads across to callee.S. */
	.section ".toc","aw"
.Ltable_entry:
	.tc	table[TC],table

	.section ".opd","aw"
	.align	3
	.globl	entry
entry:
	.quad	.entry, .TOC.@tocbase, 0

	.text
	.globl	.entry
.entry:					/* r3 = ((r3 * 4) + 7) + 100 + table[1] + seven */
	mflr	r31
	bl	times_four
	bl	add_seven		/* the descriptor: GNU ld branches to its code, .add_seven */
	b	back_to_caller
	.globl	after_branch
after_branch:
	ld	r7,.Ltable_entry@toc(r2)
	ld	r7,8(r7)
	add	r3,r3,r7
	ld	r8,seven@got(r2)
	ld	r8,0(r8)
	add	r3,r3,r8
	li	r9,0
.Lloop:
1:	addi	r9,r9,1
	cmpdi	r9,3
	blt	1b
	mtlr	r31
	blr
