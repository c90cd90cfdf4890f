/* SPDX-License-Identifier: MIT
 * ppcinterp kernel environment: the kernel configuration options of pseries_defconfig (v3.10, 64-bit) that
 * the 64-bit Book3S KVM and low-level code tests, as <generated/autoconf.h> has them after
 * `make ARCH=powerpc pseries_defconfig`. Values only; a kernel tree's own autoconf.h replaces this (--kernel-tree).
 */
#ifndef PPCINTERP_GENERATED_AUTOCONF_H
#define PPCINTERP_GENERATED_AUTOCONF_H

#define CONFIG_64BIT 1
#define CONFIG_ALTIVEC 1
#define CONFIG_GENERIC_CPU 1
#define CONFIG_HUGETLB_PAGE 1
#define CONFIG_KVM 1
#define CONFIG_KVM_BOOK3S_64_HANDLER 1
#define CONFIG_KVM_BOOK3S_64_HV 1
#define CONFIG_KVM_BOOK3S_HANDLER 1
#define CONFIG_NR_CPUS 2048
#define CONFIG_PPC64 1
#define CONFIG_PPC_64K_PAGES 1
#define CONFIG_PPC_BOOK3S 1
#define CONFIG_PPC_BOOK3S_64 1
#define CONFIG_PPC_FPU 1
#define CONFIG_PPC_HAS_HASH_64K 1
#define CONFIG_PPC_ICP_NATIVE 1
#define CONFIG_PPC_MM_SLICES 1
#define CONFIG_PPC_OF 1
#define CONFIG_PPC_P7_NAP 1
#define CONFIG_PPC_POWERNV 1
#define CONFIG_PPC_PSERIES 1
#define CONFIG_PPC_SPLPAR 1
#define CONFIG_PPC_STD_MMU 1
#define CONFIG_PPC_STD_MMU_64 1
#define CONFIG_PPC_SUBPAGE_PROT 1
#define CONFIG_PPC_TRANSACTIONAL_MEM 1
#define CONFIG_SMP 1
#define CONFIG_VIRT_CPU_ACCOUNTING_NATIVE 1
#define CONFIG_VSX 1
#define CONFIG_WORD_SIZE 64

#endif /* PPCINTERP_GENERATED_AUTOCONF_H */
