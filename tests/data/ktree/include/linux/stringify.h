/* Test tree: the shape of include/linux/stringify.h (our own text). */
#ifndef KT_LINUX_STRINGIFY_H
#define KT_LINUX_STRINGIFY_H

/* Two levels, so that macros in the argument are expanded first; x... keeps commas. */
#define __stringify_1(x...)	#x
#define __stringify(x...)	__stringify_1(x)

#endif
