/* The second object of tests/test_link.py: globals the first calls, branches to and loads; the same local
   labels as caller.S (.Lloop, 1:) to show they stay each file's own. */
	.section ".toc","aw"
.Lseven_entry:
	.tc	seven[TC],seven

	.section ".opd","aw"
	.align	3
	.globl	add_seven
add_seven:
	.quad	.add_seven, .TOC.@tocbase, 0

	.text
	.globl	.add_seven
.add_seven:				/* r3 += seven (through this file's TOC entry) */
	ld	r4,.Lseven_entry@toc(r2)
	ld	r4,0(r4)
	add	r3,r3,r4
	blr

	.globl	times_four		/* r3 *= 4 by a loop of 1: and .Lloop labels */
times_four:
	li	r5,0
	li	r6,4
	mtctr	r6
.Lloop:
1:	add	r5,r5,r3
	bdnz	1b
	mr	r3,r5
	blr

	.globl	back_to_caller		/* r3 += 100, then a plain branch back into caller.S */
back_to_caller:
	ld	r10,seven@got(r2)	/* the GOT entry caller.S uses too: r10 = &seven */
	addi	r3,r3,100
	b	after_branch

	.data
	.align	3
	.globl	seven
seven:	.quad	7
	.globl	table
table:	.quad	0x1111, 0x2222
