/* Test tree: found through -I$(src)/kt_inc only. */
#define KT_FROM_INC 0x10
