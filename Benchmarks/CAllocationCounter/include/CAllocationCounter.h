/* Counts heap allocations in the benchmark process by interposing malloc, calloc, realloc and
 * posix_memalign (glibc's __libc_* entry points do the work). Linked into meridian-bench only. */
#ifndef CALLOCATIONCOUNTER_H
#define CALLOCATIONCOUNTER_H
#include <stdint.h>

/* Allocations made by this process since it started. */
uint64_t meridian_allocation_count(void);
#endif
