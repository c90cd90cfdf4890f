/* Test tree: what `make ... silentoldconfig` would generate (our own values). */
#define CONFIG_PPC64 1
#define CONFIG_KT_HV 1
#define CONFIG_KT_MOD_MODULE 1
#define CONFIG_NR_CPUS 4
