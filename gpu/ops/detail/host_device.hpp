// Marks a function nvcc compiles for both sides; plain inline for the host compiler, so
// the CPU tests run the very arithmetic the kernels run.
#pragma once

#ifdef __CUDACC__
#define TROUPE_HD __host__ __device__ inline
#else
#define TROUPE_HD inline
#endif
