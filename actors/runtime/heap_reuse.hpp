// glibc gives memory back to the kernel eagerly: a freed block above its mmap threshold
// is unmapped, and a heap whose free top passes the trim threshold shrinks (brk) on a
// free. Troupe's hot paths allocate and free much: libtorch's temporaries (page faults
// were most of a segmenter's time: 92 → 35 ms per frame, docs/penance.md) and letters
// and payloads on the bus (a flood of 4 KB messages spent a quarter of a thread in brk
// and the heap's lock, docs/benchmarks.md). Freed blocks stay in the heap for reuse
// instead — once per process, and not when the user tuned glibc's allocator through
// its own variables.
#pragma once

#include <malloc.h>

#include <cstdlib>
#include <mutex>

namespace troupe {

inline void keep_freed_blocks_for_reuse() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (std::getenv("MALLOC_MMAP_THRESHOLD_") != nullptr || std::getenv("MALLOC_TRIM_THRESHOLD_") != nullptr ||
        std::getenv("MALLOC_TOP_PAD_") != nullptr)
      return;
    ::mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's largest
    ::mallopt(M_TRIM_THRESHOLD, 256 << 20);
  });
}

}  // namespace troupe
