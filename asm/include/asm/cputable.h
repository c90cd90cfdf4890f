/* SPDX-License-Identifier: MIT
 * ppcinterp kernel environment: <asm/cputable.h>, the CPU feature bits that CPU feature sections test
 * (the cpu_features word). 32-bit and embedded bits are named too, so that every bit has its name.
 * Written for ppcinterp from Linux v3.10's bit values (numbers only, listed in asm/feature-bits.tsv and
 * checked against FACTS.md section 8's words); not kernel text. Which bits each CPU model has: asm/cpus.py.
 */
#ifndef PPCINTERP_ASM_CPUTABLE_H
#define PPCINTERP_ASM_CPUTABLE_H

#define CPU_FTR_COHERENT_ICACHE     0x1                 /* instruction cache coherent with data stores */
#define CPU_FTR_L2CR                0x2                 /* 32-bit: L2 cache control register */
#define CPU_FTR_SPEC7450            0x4                 /* 32-bit: 7450-family specifics */
#define CPU_FTR_ALTIVEC             0x8                 /* vector (AltiVec/VMX) unit: set at boot from the device tree (ibm,vmx) */
#define CPU_FTR_TAU                 0x10                /* 32-bit: thermal assist unit */
#define CPU_FTR_CAN_DOZE            0x20                /* 32-bit: doze power saving */
#define CPU_FTR_USE_TB              0x40                /* has a timebase */
#define CPU_FTR_L2CSR               0x80                /* embedded: L2 cache status register */
#define CPU_FTR_601                 0x100               /* 32-bit: the 601 */
#define CPU_FTR_DBELL               0x200               /* msgsnd/msgclr doorbells */
#define CPU_FTR_CAN_NAP             0x400               /* nap power saving */
#define CPU_FTR_L3CR                0x800               /* 32-bit: L3 cache control register */
#define CPU_FTR_L3_DISABLE_NAP      0x1000              /* 32-bit: L3 off for nap */
#define CPU_FTR_NAP_DISABLE_L2_PR   0x2000              /* 32-bit: L2 prefetch off for nap */
#define CPU_FTR_DUAL_PLL_750FX      0x4000              /* 32-bit: 750FX dual PLL */
#define CPU_FTR_NO_DPM              0x8000              /* 32-bit: no dynamic power management */
#define CPU_FTR_476_DD2             0x10000             /* embedded: 476 DD2 */
#define CPU_FTR_NEED_COHERENT       0x20000             /* 32-bit: coherent memory required */
#define CPU_FTR_NO_BTIC             0x40000             /* 32-bit: no branch target instruction cache */
#define CPU_FTR_DEBUG_LVL_EXC       0x80000             /* embedded: debug level exceptions */
#define CPU_FTR_NODSISRALIGN        0x100000            /* alignment interrupts leave DSISR unset */
#define CPU_FTR_PPC_LE              0x200000            /* 32-bit: PowerPC little-endian mode */
#define CPU_FTR_REAL_LE             0x400000            /* true little-endian mode */
#define CPU_FTR_FPU_UNAVAILABLE     0x800000            /* no floating point unit */
#define CPU_FTR_UNIFIED_ID_CACHE    0x1000000           /* unified instruction/data cache */
#define CPU_FTR_SPE                 0x2000000           /* embedded: signal processing engine */
#define CPU_FTR_NEED_PAIRED_STWCX   0x4000000           /* every lwarx needs its stwcx. */
#define CPU_FTR_LWSYNC              0x8000000           /* has lwsync */
#define CPU_FTR_NOEXECUTE           0x10000000          /* no-execute pages (MTOCRF uses mtocrf where set) */
#define CPU_FTR_INDEXED_DCR         0x20000000          /* embedded: indexed DCR access */
#define CPU_FTR_EMB_HV              0x40000000          /* embedded hypervisor */
#define CPU_FTR_HVMODE              0x100000000         /* the kernel runs as the hypervisor */
#define CPU_FTR_ARCH_201            0x200000000         /* architecture 2.01 (PPC970) */
#define CPU_FTR_ARCH_206            0x400000000         /* architecture 2.06 (POWER7 and later) */
#define CPU_FTR_ARCH_207S           0x800000000         /* architecture 2.07, server (POWER8) */
#define CPU_FTR_IABR                0x1000000000        /* instruction address breakpoint register */
#define CPU_FTR_MMCRA               0x2000000000        /* has MMCRA */
#define CPU_FTR_CTRL                0x4000000000        /* has the CTRL register */
#define CPU_FTR_SMT                 0x8000000000        /* simultaneous multithreading */
#define CPU_FTR_PAUSE_ZERO          0x10000000000       /* Cell: pause(0) */
#define CPU_FTR_PURR                0x20000000000       /* processor utilisation resource register */
#define CPU_FTR_CELL_TB_BUG         0x40000000000       /* Cell: timebase read erratum */
#define CPU_FTR_SPURR               0x80000000000       /* scaled PURR */
#define CPU_FTR_DSCR                0x100000000000      /* data stream control register */
#define CPU_FTR_VSX                 0x200000000000      /* VSX unit: set at boot when ibm,vmx is 2 */
#define CPU_FTR_SAO                 0x400000000000      /* strong access ordering */
#define CPU_FTR_CP_USE_DCBTZ        0x800000000000      /* copy_page prefers dcbt/dcbz */
#define CPU_FTR_UNALIGNED_LD_STD    0x1000000000000     /* fast unaligned ld/std */
#define CPU_FTR_ASYM_SMT            0x2000000000000     /* asymmetric SMT threads */
#define CPU_FTR_STCX_CHECKS_ADDRESS 0x4000000000000     /* stcx. checks the reservation address */
#define CPU_FTR_POPCNTB             0x8000000000000     /* has popcntb */
#define CPU_FTR_POPCNTD             0x10000000000000    /* has popcntw/popcntd */
#define CPU_FTR_ICSWX               0x20000000000000    /* icswx coprocessor requests */
#define CPU_FTR_VMX_COPY            0x40000000000000    /* copies use VMX (memcpy_power7, copypage_power7) */
#define CPU_FTR_TM                  0x80000000000000    /* transactional memory */
#define CPU_FTR_CFAR                0x100000000000000   /* has the CFAR register */
#define CPU_FTR_HAS_PPR             0x200000000000000   /* program priority register */
#define CPU_FTR_DAWR                0x400000000000000   /* data address watchpoint register */
#define CPU_FTR_DABRX               0x800000000000000   /* has the DABRX register */

#endif /* PPCINTERP_ASM_CPUTABLE_H */
