#ifndef MERIDIAN_CPREFETCH_H
#define MERIDIAN_CPREFETCH_H

/// A hint to the processor that the cache line holding `address` is wanted soon (GCC/Clang
/// __builtin_prefetch, temporal locality 3). It never faults and never changes what a program computes:
/// an address that is wrong or unmapped costs a wasted hint at most.
static inline void meridian_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
