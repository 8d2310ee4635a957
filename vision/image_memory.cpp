#include "vision/huge_pages.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <mutex>

#include <opencv2/core.hpp>

namespace troupe::vision {

namespace {

constexpr size_t large_image_bytes = size_t(8) << 20;
constexpr uintptr_t huge_page_bytes = uintptr_t(2) << 20;  // a PMD page with 4 KB base pages (x86-64, arm64)

// The whole huge pages inside [data, data + size): the allocation's own ends stay on
// small pages.
void advise_huge(void* data, size_t size) {
  auto begin = (reinterpret_cast<uintptr_t>(data) + huge_page_bytes - 1) & ~(huge_page_bytes - 1);
  auto end = (reinterpret_cast<uintptr_t>(data) + size) & ~(huge_page_bytes - 1);
  if (end > begin)
    ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // advice: a refusal changes nothing
}

// OpenCV's own allocator does the work and keeps each image's bookkeeping (its
// UMatData names that allocator, which frees it); this one only advises the kernel on
// large fresh buffers before anything touches them.
class huge_page_images final : public cv::MatAllocator {
 public:
  explicit huge_page_images(cv::MatAllocator* plain) : plain_(plain) {}

  cv::UMatData* allocate(int dims, const int* sizes, int type, void* data, size_t* step, cv::AccessFlag flags,
                         cv::UMatUsageFlags usage) const override {
    auto* u = plain_->allocate(dims, sizes, type, data, step, flags, usage);
    if (u != nullptr && data == nullptr && u->size >= large_image_bytes)
      advise_huge(u->origdata, u->size);
    return u;
  }
  bool allocate(cv::UMatData* u, cv::AccessFlag flags, cv::UMatUsageFlags usage) const override {
    return plain_->allocate(u, flags, usage);
  }
  void deallocate(cv::UMatData* u) const override { plain_->deallocate(u); }

 private:
  cv::MatAllocator* plain_;
};

}  // namespace

void back_large_images_with_huge_pages() {
  static std::once_flag once;
  std::call_once(once, [] {
    static huge_page_images images(cv::Mat::getStdAllocator());
    cv::Mat::setDefaultAllocator(&images);
  });
}

}  // namespace troupe::vision
