#ifndef CPREFETCH_H
#define CPREFETCH_H
// A cache hint Swift cannot emit itself (its `_m_prefetch` compiles to nothing): static inline, so Swift -O inlines
// it as one prefetcht0. A hint never faults and changes no result: any address may be given.
static inline void prefetch_read(const void *address) { __builtin_prefetch(address, 0, 3); }
#endif
