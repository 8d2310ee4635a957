// Memory for large images, mapped from the kernel on its own and kept by size after
// use for the next image of that size. Frames come and go at a camera's rate; from
// glibc's heaps they fragmented a thread arena whose top crept up for the whole of a
// 30-minute soak (docs/benchmarks.md), and straight from the kernel each would fault
// its pages in afresh. Kept here, a size keeps at most as many buffers as were ever in
// use at once, and only the sizes used most recently stay: the pool holds no more than
// the work itself once did.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace troupe::vision::detail {

class image_pool {
 public:
  // Sizes kept at once; a new size beyond them forgets the least recently used idle one.
  static constexpr size_t max_sizes = 32;
  // From this size buffers are advised onto transparent huge pages (where THP is
  // "madvise", as here): a MOG2 model of 44 MB faulted in 11 000 small pages.
  static constexpr size_t huge_page_from_bytes = size_t(8) << 20;

  image_pool() = default;
  image_pool(const image_pool&) = delete;
  image_pool& operator=(const image_pool&) = delete;
  ~image_pool();  // unmaps what it keeps; buffers still in use stay mapped

  // A buffer of `bytes`, kept or fresh; throws std::bad_alloc when the kernel refuses.
  void* take(size_t bytes);
  // A buffer take() gave, with the same size (another is a bug: std::out_of_range).
  // Allocates nothing: it runs in images' destructors.
  void give_back(void* buffer, size_t bytes);

  struct counts {
    size_t kept_bytes = 0;  // held for reuse, not in use
    uint64_t mapped = 0;    // buffers the kernel gave
    uint64_t reused = 0;    // takes served from what was kept
    size_t sizes = 0;       // sizes tracked
  };
  counts now() const;

 private:
  struct size_class {
    size_t in_use = 0;
    std::vector<void*> kept;  // in_use + kept.size() is the most ever in use at once
    uint64_t last_use = 0;
  };
  // With mtx_ held: removes the idle size used least recently, handing its buffers
  // to the caller to unmap; returns their size (0: every size is in use).
  size_t forget_least_recent_idle_size(std::vector<void*>& buffers);

  mutable std::mutex mtx_;
  std::unordered_map<size_t, size_class> sizes_;
  uint64_t uses_ = 0;
  size_t kept_bytes_ = 0;
  uint64_t mapped_ = 0;
  uint64_t reused_ = 0;
};

}  // namespace troupe::vision::detail
