/* A wide sample of instructions and extended mnemonics, checked word for word against GNU as. */
	.text
start:
	cmpwi	r12,0xc00
	beq	hcall
971:	b	ext
972:	.pushsection __ftr_alt_97,"a"; .align 2; 973:
974:	.popsection; .pushsection __ftr_fixup,"a"; .align 3; 975: .llong (0x400000000); .llong (0); .llong 971b-975b; .llong 972b-975b; .llong 973b-975b; .llong 974b-975b; .popsection; .ifgt (974b-973b)-(972b-971b); .error "too long"; .endif
	cmpwi	r12, 0x500
	bne+	ext
	lbz	r0, 789(r13)
	cmpwi	r0, 0
	bne	ext
	ld	r5, 808(r13)
	li	r7, 4
	cmpdi	r5, 0
	beq-	ext
	lwzcix	r3, r5, r7
	rlwinm.	r0, r3, 0, 0xffffff
	sync
	bne	1f
	andi.	r0, r11, 0x8000
	beq	ext
	mfspr	r5, 318
	andi.	r0, r5, 0x800
	bne	hcall
	b	ext
1:	cmpwi	r0, 2
	li	r0, 0xff
	stbcix	r0, r5, r6
	stwcix	r3, r5, r7
	lbz	r0, 789(r13)
	bne-	1f
	mfspr	r8,318
	ori	r8,r8,0x800
	mtspr	318,r8
	mr	r4, r9
	b	ext
1:	li	r0, 4
	stw	r3, 816(r13)
44:	srdi.	r3,r3,1
	addi	r6,r6,1024
	beq cr1, 44b
	bdnz+ 44b
	blr
	bctrl
	mtlr r3
	mflr r4
	mfctr r5
	mtctr r6
	mtxer r3
	mfxer r3
	mtsrr0 r3
	mtsrr1 r4
	mfdar r5
	mfdsisr r6
	mtcr r3
	slwi r3,r4,5
	srwi r3,r4,5
	sldi r3,r4,5
	clrldi r3,r4,32
	clrldi. r3,r4,32
	clrrdi r3,r4,12
	clrlwi r3,r4,16
	rotldi r3,r4,8
	rotlwi r3,r4,8
	extldi r3,r4,8,4
	extrdi r3,r4,8,4
	insrdi r3,r4,8,4
	rlwimi r3,r4,8,0xff00
	rldimi r3,r4,32,0
	rldicr r3,r4,4,59
	rldic r3,r4,4,20
	sld r3,r4,r5
	srad r3,r4,r5
	sradi r3,r4,45
	srawi. r3,r4,3
	cmpw cr1,r3,r4
	cmpd r3,r4
	cmpldi cr7,r3,100
	cmplwi r3,100
	subf r3,r4,r5
	sub r3,r4,r5
	subi r3,r3,16
	addo. r3,r4,r5
	adde r3,r4,r5
	addze r3,r4
	subfe r3,r4,r5
	subfc r3,r4,r5
	neg r3,r4
	mulli r3,r4,-7
	mulld r3,r4,r5
	divdu r3,r4,r5
	extsw r3,r4
	lis r3,0x8000
	lis r3,-1
	la r3, 8(r1)
	not r3,r4
	nop
	lwarx r3,0,r4
	stwcx. r3,0,r4
	ldarx r3,r5,r4
	stdcx. r3,0,r4
	std r3, -8(r1)
	stdu r1, -112(r1)
	lwzx r3,r4,r5
	lhbrx r3,r4,r5
	stmw r30,-8(r1)
	mtmsrd r3,1
	mfmsr r3
	mftb r3
	isync
	lwsync
	ptesync
	eieio
	hrfid
	rfid
	nap
	slbia
	slbmte r3,r4
	slbmfee r3,r4
	tlbiel r6
	crset 4*cr1+eq
	crclr 2
	cror 4*cr1+eq, 4*cr2+gt, lt
	mcrf cr1, cr0
	mtocrf 0x80, r3
	mfocrf r3, 0x80
	mfcr r3
	lfd f0, 8(r3)
	stfd f1, 16(r3)
	mffs f0
	lvx v0, r3, r4
	stvx v1, 0, r4
	mfvscr v0
	mtvscr v1
	beqlr
	bnelr cr1
	bnectr
	beqa 0x500
	ba 0x500
	bl start
	bgt cr7, start
	ble start
	bge start
	blt start
	bso start
	bns start
	trap
	tw 4, r3, r4
	dcbz 0, r3
	dcbf r3, r4
	icbi 0, r3
	sc
	popcntw r3,r4
	.long 0x7c0007a7
	b .
	li r3, -32768
	addis r3, r3, 0x12345678@ha
	addi r3, r3, 0x12345678@l
	ori r3, r3, 0x12345678@l
	oris r3, r3, 0x12345678@h
	cmpwi cr1, r3, -1
	bdnz start
	bdz start
	bdnz- start
	bne- cr7, start
	mtspr 1013, r3
	mfspr r3, 1008
	ldx r3,r4,r5
	stdx r3,r4,r5
	lwa r3,4(r4)
	lha r3,2(r4)
	sthbrx r3,r4,r5
	stwbrx r3,r4,r5
	and. r3,r4,r5
	andc r3,r4,r5
	or r3,r4,r5
	xor r3,r4,r5
	nor r3,r4,r5
	andis. r3,r4,0x8000
	xori r3,r4,0xffff
	mullw r3,r4,r5
	mulhdu r3,r4,r5
	divw r3,r4,r5
	cntlzd r3,r4
	extsb r3,r4
	extsh. r3,r4
	rlwnm r3,r4,r5,0,31
	rotld r3,r4,r5
	rldcl r3,r4,r5,8
	srd r3,r4,r5
	slw r3,r4,r5
	srw r3,r4,r5
	sraw r3,r4,r5
	hcall: blr
ext:	blr
