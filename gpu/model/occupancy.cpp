#include "gpu/model/occupancy.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace troupe::gpu {

sm_resources& sm_resources::operator+=(const sm_resources& o) {
  warps += o.warps, blocks += o.blocks, regs += o.regs, smem += o.smem;
  return *this;
}

sm_resources& sm_resources::operator-=(const sm_resources& o) {
  warps -= o.warps, blocks -= o.blocks, regs -= o.regs, smem -= o.smem;
  return *this;
}

bool sm_resources::within(const sm_resources& c) const {
  return warps <= c.warps && blocks <= c.blocks && regs <= c.regs && smem <= c.smem;
}

sm_resources capacity(const gpu_arch& a) { return {a.max_warps, a.max_blocks, a.regs, a.smem}; }

namespace {

int64_t round_up(int64_t v, int64_t unit) { return (v + unit - 1) / unit * unit; }

}  // namespace

block_shape shape_of(const kernel& k, const gpu_arch& a, const std::string& file) {
  auto fail = [&](const std::string& m) {
    throw std::runtime_error((file.empty() ? "" : file + ":" + std::to_string(k.line) + ": ") + "kernel " + k.name +
                             ": " + m + " on " + a.arch);
  };
  if (k.regs > a.max_regs_per_thread)
    fail(std::to_string(k.regs) + " registers per thread, at most " + std::to_string(a.max_regs_per_thread));
  if (k.smem() > a.smem_per_block)
    fail(std::to_string(k.smem()) + " B of shared memory per block, at most " + std::to_string(a.smem_per_block));
  block_shape s;
  s.warps = (k.threads() + 31) / 32;
  s.regs_per_warp = round_up(int64_t(k.regs) * 32, a.reg_unit);
  s.smem = round_up(k.smem() + a.smem_reserved, a.smem_granule);  // the runtime reserves its part for every block
  return s;
}

int blocks_within(const block_shape& s, const sm_resources& room, const gpu_arch& a) {
  int64_t b = std::min(room.warps / s.warps, room.blocks);
  if (s.regs_per_warp > 0) {
    auto warps = room.regs / s.regs_per_warp / a.warp_granule * a.warp_granule;
    b = std::min(b, warps / s.warps);
  }
  if (s.smem > 0)
    b = std::min(b, room.smem / s.smem);
  return int(std::max<int64_t>(b, 0));
}

sm_resources footprint(const block_shape& s, int blocks) {
  return {int64_t(s.warps) * blocks, blocks, s.regs_per_warp * s.warps * blocks, s.smem * blocks};
}

double occupancy(const block_shape& s, int blocks, const gpu_arch& a) {
  return double(s.warps) * blocks / a.max_warps;
}

std::vector<kernel_cost> costs_of(const kernel_trace& t, const gpu_arch& a) {
  std::vector<kernel_cost> out;
  for (auto& k : t.kernels) {
    kernel_cost c;
    c.shape = shape_of(k, a, t.file);
    c.blocks = blocks_within(c.shape, capacity(a), a);
    if (c.blocks == 0)
      throw std::runtime_error(t.file + ":" + std::to_string(k.line) + ": kernel " + k.name +
                               ": no block fits an SM of " + a.arch);
    c.occupancy = occupancy(c.shape, c.blocks, a);
    c.duration_us = k.duration_us;
    c.footprint = footprint(c.shape, c.blocks);
    out.push_back(c);
  }
  return out;
}

share_policy parse_share_policy(const std::string& name) {
  if (name == "equal")
    return share_policy::equal;
  if (name == "fcfs")
    return share_policy::fcfs;
  if (name == "priority")
    return share_policy::priority;
  throw std::runtime_error("share '" + name + "': equal, fcfs or priority");
}

namespace {

// In order, each takes what it can of what the earlier ones left.
std::vector<int> first_come(const std::vector<const kernel_cost*>& active, const gpu_arch& a) {
  std::vector<int> out;
  auto room = capacity(a);
  for (auto* k : active) {
    out.push_back(std::min(k->blocks, blocks_within(k->shape, room, a)));
    room -= footprint(k->shape, out.back());
  }
  return out;
}

// Equal parts in blocks: one block to each kernel in turn while its next block fits,
// up to its b. Dealing by blocks, not by an equal split of Φ, no kernel waits whose
// one block fits beside the others' first ones (an even split of the registers can
// hold no block of a 256-thread, 128-register kernel among three).
std::vector<int> dealt(const std::vector<const kernel_cost*>& active, const gpu_arch& a) {
  std::vector<int> out(active.size(), 0);
  auto room = capacity(a);
  for (bool dealt_one = true; dealt_one;) {
    dealt_one = false;
    for (size_t i = 0; i < active.size(); ++i) {
      auto block = footprint(active[i]->shape, 1);
      if (out[i] < active[i]->blocks && block.within(room)) {
        ++out[i];
        room -= block;
        dealt_one = true;
      }
    }
  }
  return out;
}

}  // namespace

std::vector<int> adjusted_blocks(const std::vector<const kernel_cost*>& active, share_policy policy,
                                 const gpu_arch& a) {
  sm_resources total;
  for (auto* k : active)
    total += k->footprint;
  if (total.within(capacity(a))) {
    std::vector<int> out;
    for (auto* k : active)
      out.push_back(k->blocks);
    return out;
  }
  return policy == share_policy::equal ? dealt(active, a) : first_come(active, a);
}

}  // namespace troupe::gpu
