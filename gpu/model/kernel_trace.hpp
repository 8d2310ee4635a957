// One model's inference as the GPU runs it: its kernels in launch order, each with its
// launch shape, resources and isolated duration (topologies/kernels/<derived|cupti>/
// <arch>/<model>-i<input>-b<batch>.csv). A `#` header names the model and where the
// numbers came from: `derived` (from operation shapes, not measured) or `cupti`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace troupe::gpu {

struct kernel {
  std::string name;
  int grid[3] = {1, 1, 1}, block[3] = {1, 1, 1};
  int regs = 0;                        // per thread
  int64_t static_smem = 0, dynamic_smem = 0;
  double duration_us = 0;              // alone on the GPU
  int64_t dram_bytes = 0;
  int line = 0;                        // in its file, for errors found later

  int threads() const { return block[0] * block[1] * block[2]; }
  int64_t smem() const { return static_smem + dynamic_smem; }
};

struct kernel_trace {
  std::string file, model, arch, source, assumptions;
  int input = 0, batch = 0;
  double mem_mb = 0;                   // the model's device memory at this batch
  std::vector<kernel> kernels;

  double total_us() const;             // T = Σ d
};

// The CSV's column line.
extern const char* const kernel_columns;

// Reads a trace; throws std::runtime_error "file:line: message" on a missing or bad
// header field, other columns, a duration not above 0, threads 0 or above 1024, regs
// above 255, a negative count, or no kernel.
kernel_trace read_kernel_trace(const std::string& file);
kernel_trace parse_kernel_trace(const std::string& text, const std::string& file);

// The CSV text of a trace (header, columns, rows), as read_kernel_trace reads it.
std::string kernel_trace_text(const kernel_trace& t);

}  // namespace troupe::gpu
