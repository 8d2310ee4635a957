#include "vision/detail/image_pool.hpp"

#include <sys/mman.h>

#include <new>

namespace troupe::vision::detail {

namespace {

constexpr uintptr_t huge_page_bytes = uintptr_t(2) << 20;  // a PMD page with 4 KB base pages (x86-64, arm64)

// The whole huge pages inside [data, data + size): the buffer's own ends stay on small
// pages. Advice: a refusal changes nothing.
void advise_huge(void* data, size_t size) {
  auto begin = (reinterpret_cast<uintptr_t>(data) + huge_page_bytes - 1) & ~(huge_page_bytes - 1);
  auto end = (reinterpret_cast<uintptr_t>(data) + size) & ~(huge_page_bytes - 1);
  if (end > begin)
    ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

void* map(size_t bytes) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    throw std::bad_alloc();
  if (bytes >= image_pool::huge_page_from_bytes)
    advise_huge(p, bytes);
  return p;
}

}  // namespace

image_pool::~image_pool() {
  for (auto& [bytes, c] : sizes_)
    for (void* p : c.kept)
      ::munmap(p, bytes);
}

void* image_pool::take(size_t bytes) {
  std::vector<void*> forgotten;
  size_t forgotten_bytes = 0;
  {
    std::lock_guard<std::mutex> lock(mtx_);
    auto& c = sizes_[bytes];
    // Room to keep every buffer of this size now, so that give_back (from an image's
    // destructor) never allocates.
    c.kept.reserve(c.in_use + c.kept.size() + 1);
    c.last_use = ++uses_;
    ++c.in_use;
    if (!c.kept.empty()) {
      void* p = c.kept.back();
      c.kept.pop_back();
      kept_bytes_ -= bytes;
      ++reused_;
      return p;
    }
    if (sizes_.size() > max_sizes)
      forgotten_bytes = forget_least_recent_idle_size(forgotten);
    ++mapped_;
  }
  for (void* p : forgotten)  // unmapped outside the lock: other images need not wait
    ::munmap(p, forgotten_bytes);
  try {
    return map(bytes);
  } catch (const std::bad_alloc&) {
    std::lock_guard<std::mutex> lock(mtx_);
    --sizes_[bytes].in_use;
    --mapped_;
    throw;
  }
}

void image_pool::give_back(void* buffer, size_t bytes) {
  std::lock_guard<std::mutex> lock(mtx_);
  auto& c = sizes_.at(bytes);  // in use: never forgotten
  --c.in_use;
  c.last_use = ++uses_;  // a model held for an hour was used until now
  c.kept.push_back(buffer);  // reserved by take: in_use + kept stays the most ever in use at once
  kept_bytes_ += bytes;
}

size_t image_pool::forget_least_recent_idle_size(std::vector<void*>& buffers) {
  auto oldest = sizes_.end();
  for (auto it = sizes_.begin(); it != sizes_.end(); ++it)
    if (it->second.in_use == 0 && (oldest == sizes_.end() || it->second.last_use < oldest->second.last_use))
      oldest = it;
  if (oldest == sizes_.end())
    return 0;  // every size is in use: they stay until given back
  size_t bytes = oldest->first;
  buffers = std::move(oldest->second.kept);
  kept_bytes_ -= bytes * buffers.size();
  sizes_.erase(oldest);
  return bytes;
}

image_pool::counts image_pool::now() const {
  std::lock_guard<std::mutex> lock(mtx_);
  return {kept_bytes_, mapped_, reused_, sizes_.size()};
}

}  // namespace troupe::vision::detail
