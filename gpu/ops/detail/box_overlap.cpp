#include "gpu/ops/detail/box_overlap.hpp"

namespace troupe::gpu::detail {

std::vector<int> reduce_mask(const std::vector<uint64_t>& mask, int n) {
  int words = mask_words(n);
  std::vector<uint64_t> removed(words, 0);
  std::vector<int> keep;
  for (int i = 0; i < n; ++i) {
    if (removed[i / mask_bits] >> (i % mask_bits) & 1)
      continue;
    keep.push_back(i);
    const uint64_t* row = mask.data() + size_t(i) * words;
    for (int w = i / mask_bits; w < words; ++w)
      removed[w] |= row[w];
  }
  return keep;
}

std::vector<uint64_t> overlap_mask_on_host(const std::vector<box>& boxes, float iou_threshold) {
  int n = int(boxes.size()), words = mask_words(n);
  std::vector<uint64_t> mask(size_t(n) * words, 0);
  for (int i = 0; i < n; ++i)
    for (int w = i / mask_bits; w < words; ++w)
      mask[size_t(i) * words + w] = mask_word(boxes.data(), n, i, w, iou_threshold);
  return mask;
}

}  // namespace troupe::gpu::detail
