// Large images on transparent huge pages. A MOG2 background model is 44 MB per camera
// at 768×576 (5 Gaussians × 5 floats a pixel), first touched at the camera's first
// frame: on 4 KB pages that is 11 000 page faults a model, and at 128 cameras page
// faults and zeroing were 44 % of the machine's CPU (docs/benchmarks.md, the load
// sweep). The kernel here hands out huge pages only where asked (THP "madvise"); this
// asks for them for every image of 8 MB or more that OpenCV allocates from then on.
// Where THP is off the advice is ignored and nothing changes.
#pragma once

namespace troupe::vision {

// Once per process; images allocated before keep their pages.
void back_large_images_with_huge_pages();

}  // namespace troupe::vision
