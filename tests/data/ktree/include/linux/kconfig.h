/* Test tree: the shape of a kernel's include/linux/kconfig.h (our own text). */
#ifndef KT_LINUX_KCONFIG_H
#define KT_LINUX_KCONFIG_H

#include <generated/autoconf.h>

/*
 * IS_ENABLED(CONFIG_X) is 1 when CONFIG_X or CONFIG_X_MODULE is defined to 1, else 0, in #if and in text:
 * pasting the option's value onto KT_ON_ gives "0," only for 1, which shifts the list the picker reads.
 */
#define KT_ON_1 0,
#define kt_pick_second(ignored, val, ...) val
#define kt_enabled3(on_or_junk) kt_pick_second(on_or_junk 1, 0)
#define kt_enabled2(value) kt_enabled3(KT_ON_##value)
#define kt_enabled(option) kt_enabled2(option)

#define IS_ENABLED(option) \
	(kt_enabled(option) || kt_enabled(option##_MODULE))
#define IS_BUILTIN(option) kt_enabled(option)

#endif
