#include "vision/image_memory.hpp"

#include <mutex>

#include <opencv2/core.hpp>

namespace troupe::vision {

namespace {

detail::image_pool& pool() {
  static auto* p = new detail::image_pool();  // never destroyed: images may outlive static destruction
  return *p;
}

// An image's bookkeeping names the allocator that frees it (UMatData::currAllocator):
// small images and images over the caller's own memory stay with OpenCV's allocator,
// large ones come from and go back to the pool.
class pooled_images final : public cv::MatAllocator {
 public:
  explicit pooled_images(cv::MatAllocator* plain) : plain_(plain) {}

  cv::UMatData* allocate(int dims, const int* sizes, int type, void* data, size_t* step, cv::AccessFlag flags,
                         cv::UMatUsageFlags usage) const override {
    size_t total = bytes_of(dims, sizes, type);
    if (data != nullptr || total < pooled_from_bytes)
      return plain_->allocate(dims, sizes, type, data, step, flags, usage);
    if (step != nullptr)
      set_steps(dims, sizes, type, step);
    auto* u = new cv::UMatData(this);
    u->data = u->origdata = static_cast<uchar*>(pool().take(total));
    u->size = total;
    return u;
  }
  bool allocate(cv::UMatData* u, cv::AccessFlag flags, cv::UMatUsageFlags usage) const override {
    return plain_->allocate(u, flags, usage);
  }
  void deallocate(cv::UMatData* u) const override {
    if (u == nullptr)
      return;
    CV_Assert(u->urefcount == 0 && u->refcount == 0);  // as OpenCV's own: nothing may still see the pixels
    pool().give_back(u->origdata, u->size);
    delete u;
  }

 private:
  // Densely packed, as OpenCV's own allocator lays out a fresh image.
  static size_t bytes_of(int dims, const int* sizes, int type) {
    size_t total = CV_ELEM_SIZE(type);
    for (int i = 0; i < dims; ++i)
      total *= static_cast<size_t>(sizes[i]);
    return total;
  }
  static void set_steps(int dims, const int* sizes, int type, size_t* step) {
    size_t s = CV_ELEM_SIZE(type);
    for (int i = dims - 1; i >= 0; --i) {
      step[i] = s;
      s *= static_cast<size_t>(sizes[i]);
    }
  }

  cv::MatAllocator* plain_;
};

}  // namespace

void use_pooled_image_memory() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Never destroyed, as OpenCV's own: an image freed during static destruction still finds it.
    static auto* images = new pooled_images(cv::Mat::getStdAllocator());
    cv::Mat::setDefaultAllocator(images);
  });
}

const detail::image_pool& image_memory() { return pool(); }

}  // namespace troupe::vision
