// Where OpenCV's large images get their memory: every image of `pooled_from_bytes` or
// more allocated from then on is mapped on its own and kept by size for the next image
// of that size (detail/image_pool.hpp), and from 8 MB advised onto transparent huge
// pages. Frames then neither fragment glibc's heaps (the soak's creeping arena) nor
// fault their pages in afresh; a MOG2 background model (44 MB per camera at 768×576,
// first touched at the camera's first frame) takes 22 huge pages instead of 11 000
// page faults (at 128 cameras those were 44 % of the machine's CPU, docs/benchmarks.md).
#pragma once

#include <cstddef>

#include "vision/detail/image_pool.hpp"

namespace troupe::vision {

// Below this, glibc's heaps serve images as they serve anything small.
constexpr size_t pooled_from_bytes = size_t(128) << 10;

// Once per process; images allocated before keep their memory until freed.
void use_pooled_image_memory();

// The process's pool, for reports and tests.
const detail::image_pool& image_memory();

}  // namespace troupe::vision
