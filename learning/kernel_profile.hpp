// `troupe derive-traces`: kernel traces of the project's models derived from what their
// CPU forward passes run (libtorch's profiler: each top-level operation's input shapes
// and FLOPs), one trace per model, input, batch and GPU arch — labelled derived, not
// measured. Plain C++: callers need no libtorch.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "gpu/model/trace_derivation.hpp"
#include "learning/training_progress.hpp"

namespace troupe::learning {

struct derive_traces_options {
  std::string archs = "gpu/arch_limits.yaml";
  std::vector<std::string> arch_names = {"sm_72", "sm_80", "sm_90"};
  std::vector<std::string> detectors = {"n", "s", "m"};
  std::vector<int> inputs = {320, 640};
  std::vector<int> detector_batches = {1, 8};
  std::vector<int> forecaster_batches = {1, 64};  // OctoCross's model at 16 nodes
  std::string output = "topologies/kernels/derived";  // written under OUTPUT/<arch>/
};

struct derived_file {
  std::string path;
  size_t kernels = 0;
  double total_us = 0, mem_mb = 0;
};

std::vector<derived_file> derive_traces(const derive_traces_options& options, const progress_callback& progress = {});

// The operations of one function's run under libtorch's profiler, top level only (an
// op inside another is part of its kernel), views and metadata left out.
std::vector<gpu::op_shape> profile_ops(const std::function<void()>& forward);

}  // namespace troupe::learning
