/* SPDX-License-Identifier: MIT
 * ppcinterp kernel environment: <asm/mmu.h>, the MMU feature bits that MMU feature sections
 * test (the mmu_features word).
 * Written for ppcinterp from Linux v3.10's bit values (numbers only, listed in asm/feature-bits.tsv and
 * checked against FACTS.md section 8's words); not kernel text. Which bits each CPU model has: asm/cpus.py.
 */
#ifndef PPCINTERP_ASM_MMU_H
#define PPCINTERP_ASM_MMU_H

#define MMU_FTR_HPTE_TABLE          0x1                 /* hashed page table */
#define MMU_FTR_TYPE_8xx            0x2                 /* 32-bit: 8xx MMU */
#define MMU_FTR_TYPE_40x            0x4                 /* embedded: 40x MMU */
#define MMU_FTR_TYPE_44x            0x8                 /* embedded: 44x MMU */
#define MMU_FTR_TYPE_FSL_E          0x10                /* embedded: Freescale MMU */
#define MMU_FTR_TYPE_3E             0x20                /* embedded: Book3E MMU */
#define MMU_FTR_TYPE_47x            0x40                /* embedded: 47x MMU */
#define MMU_FTR_USE_HIGH_BATS       0x10000             /* 32-bit: BATs 4-7 */
#define MMU_FTR_BIG_PHYS            0x20000             /* embedded: physical addresses over 32 bits */
#define MMU_FTR_USE_TLBIVAX_BCAST   0x40000             /* embedded: broadcast tlbivax */
#define MMU_FTR_USE_TLBILX          0x80000             /* embedded: tlbilx */
#define MMU_FTR_LOCK_BCAST_INVAL    0x100000            /* embedded: one broadcast invalidation at a time */
#define MMU_FTR_NEED_DTLB_SW_LRU    0x200000            /* embedded: software LRU for the data TLB */
#define MMU_FTR_USE_TLBRSRV         0x800000            /* embedded: tlbsrx. */
#define MMU_FTR_USE_PAIRED_MAS      0x1000000           /* embedded: paired MAS registers */
#define MMU_FTR_SLB                 0x2000000           /* segment lookaside buffer */
#define MMU_FTR_16M_PAGE            0x4000000           /* 16 MB pages */
#define MMU_FTR_TLBIEL              0x8000000           /* has tlbiel */
#define MMU_FTR_LOCKLESS_TLBIE      0x10000000          /* tlbie needs no global lock */
#define MMU_FTR_CI_LARGE_PAGE       0x20000000          /* cache-inhibited large pages */
#define MMU_FTR_1T_SEGMENT          0x40000000          /* 1 TB segments */
#define MMU_FTR_NO_SLBIE_B          0x80000000          /* slbie without the B field */

#endif /* PPCINTERP_ASM_MMU_H */
