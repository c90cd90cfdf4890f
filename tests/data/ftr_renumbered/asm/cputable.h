/*
 * A kernel whose feature bits are numbered unlike v3.10's (tests/test_cpu_features.py): only two of the names
 * POWER7 has are defined here, at bits of our choosing. Written for the tests; not kernel text.
 */
#ifndef TEST_RENUMBERED_CPUTABLE_H
#define TEST_RENUMBERED_CPUTABLE_H

#define CPU_FTR_VMX_COPY	0x1
#define CPU_FTR_ALTIVEC		0x100
#define CPU_FTR_NOT_A_MODEL_NAME	0x2

#endif
