/* Test tree: included by kt_head_64.S. */
	. = 0x100
kt_vector:
	li	3,0x100
	rfid
