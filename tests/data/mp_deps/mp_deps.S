/* SPDX-License-Identifier: MIT
 * Message passing for the Power race-study tests (tests/test_power_deps.py), our own code: a writer stores
 * the data word then, after an lwsync, the flag word; readers load the flag then the data, in three ways.
 *
 *   r3  the base of the two words: data at 0(r3), flag at 0x10(r3)
 *
 * mp_writer          data = 1; lwsync; flag = 1
 * mp_reader          flag -> r4; data -> r6: nothing orders the two loads
 * mp_reader_addr     the data load's address depends on the flag's value (r4 xor r4 is 0, but a dependency)
 * mp_reader_isync    a branch on the flag's value, then isync, then the data load (ctrl+isync)
 * mp_reader_chain    the dependency goes through a load of a word only this thread reads (at 0x80(r3)):
 *                    the data load's address depends on that load, whose address depends on the flag's value
 */

	.text
	.globl	mp_writer
mp_writer:
	li	r0, 1
	stw	r0, 0(r3)
	lwsync
	stw	r0, 0x10(r3)
	blr

	.globl	mp_reader
mp_reader:
	lwz	r4, 0x10(r3)
	lwz	r6, 0(r3)
	blr

	.globl	mp_reader_addr
mp_reader_addr:
	lwz	r4, 0x10(r3)
	xor	r5, r4, r4
	lwzx	r6, r3, r5
	blr

	.globl	mp_reader_isync
mp_reader_isync:
	lwz	r4, 0x10(r3)
	cmpwi	r4, 0
	beq	1f
1:	isync
	lwz	r6, 0(r3)
	blr

	.globl	mp_reader_chain
mp_reader_chain:
	lwz	r4, 0x10(r3)
	xor	r5, r4, r4
	addi	r5, r5, 0x80
	lwzx	r7, r3, r5
	xor	r9, r7, r7
	lwzx	r6, r3, r9
	blr
