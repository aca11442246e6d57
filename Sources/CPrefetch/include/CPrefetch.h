#ifndef MERIDIAN_CPREFETCH_H
#define MERIDIAN_CPREFETCH_H

/// A hint to the processor that the cache line holding `address` is wanted soon (GCC/Clang
/// __builtin_prefetch, temporal locality 3). It never faults and never changes what a program computes:
/// an address that is wrong or unmapped costs a wasted hint at most.
static inline void meridian_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// As meridian_prefetch, for a line about to be written.
static inline void meridian_prefetch_for_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#endif
