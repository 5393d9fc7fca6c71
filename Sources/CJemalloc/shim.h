#ifndef CJEMALLOC_SHIM_H
#define CJEMALLOC_SHIM_H
// Only jemalloc's control interface: its malloc/free declarations would clash with glibc's in the Swift module.
#include <stddef.h>
int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);
#endif
