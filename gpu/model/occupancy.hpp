// A kernel's theoretical occupancy on one SM (thesis §4.4.1, Eq. 4.1), what it holds
// there (φ), whether kernels together exceed the SM (Eq. 4.2), and how many blocks each
// gets when they do (§4.4.2's adjusted occupancy, under a sharing policy).
#pragma once

#include <cstdint>
#include <vector>

#include "gpu/model/gpu_arch.hpp"
#include "gpu/model/kernel_trace.hpp"

namespace troupe::gpu {

// Per-SM amounts: φ of a kernel at b blocks, or Φ, an SM's capacity.
struct sm_resources {
  int64_t warps = 0, blocks = 0, regs = 0, smem = 0;

  sm_resources& operator+=(const sm_resources& o);
  sm_resources& operator-=(const sm_resources& o);
  bool within(const sm_resources& capacity) const;  // no component above
};

sm_resources capacity(const gpu_arch& a);  // Φ

// One block's demands on an SM.
struct block_shape {
  int warps = 0;            // W_b
  int64_t regs_per_warp = 0; // rounded up to the arch's unit
  int64_t smem = 0;          // rounded up, with the runtime's reservation
};

// Throws std::runtime_error "file:line: message" when the kernel's block cannot run on
// the arch at all (regs per thread above its maximum, shared memory above a block's).
block_shape shape_of(const kernel& k, const gpu_arch& a, const std::string& file = "");

// b: the most blocks that fit in `room` (the smallest of the warp, block, register and
// shared-memory limits); `room` = capacity(a) gives the kernel's standalone b.
int blocks_within(const block_shape& s, const sm_resources& room, const gpu_arch& a);

sm_resources footprint(const block_shape& s, int blocks);              // φ at b
double occupancy(const block_shape& s, int blocks, const gpu_arch& a);  // Eq. 4.1: W_b·b / W

// A kernel as the estimator and the simulator use it: shape, standalone b and o, d.
struct kernel_cost {
  block_shape shape;
  int blocks = 0;
  double occupancy = 0, duration_us = 0;
  sm_resources footprint;
};

// Every kernel of `t` on `a`; throws "file:line: message" for a kernel with b = 0.
std::vector<kernel_cost> costs_of(const kernel_trace& t, const gpu_arch& a);

// How co-resident kernels share an SM when their φ together exceed Φ (⚑ the thesis
// names the three, the GPU's own policy being undocumented).
enum class share_policy {
  equal,     // blocks dealt one to each kernel in turn (in `order`) while the next fits, up to its b
  fcfs,      // in `order`: each keeps its b while it fits, later ones get what is left
  priority,  // as fcfs, `order` being by priority
};

share_policy parse_share_policy(const std::string& name);  // throws naming the three

// b̃ of each kernel in `active`, listed in start or priority order: b itself when the φ
// fit together (Eq. 4.2); under `policy` otherwise. A kernel given 0 blocks waits; the
// first always gets its first block, so something runs.
std::vector<int> adjusted_blocks(const std::vector<const kernel_cost*>& active, share_policy policy,
                                 const gpu_arch& a);

}  // namespace troupe::gpu
