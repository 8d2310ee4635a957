// Device profiles for the emulated clock: how long each model takes on a device as a
// function of its input area (the linear fit s(M) = fixed + slope·M of the ReMO
// paper's delay model, eq. 3), how many tasks it runs at once, and its power; or the
// GPUs it has, whose replicas are timed kernel by kernel (shared_gpu.hpp).
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "actors/runtime/kind_registry.hpp"
#include "actors/runtime/deploy/yaml_checker.hpp"
#include "gpu/model/occupancy.hpp"

namespace troupe {

struct model_timing {
  std::string model;
  double fixed_ms = 0;           // b: time of an empty input
  double ms_per_megapixel = 0;   // a: added per million input pixels
};

// A device's GPUs, emulated: a replica placed on one is timed by its model's kernel
// trace against every inference in flight there (thesis §4.4.2).
struct gpu_spec {
  std::string arch;                                // a name in `arch_limits`: sm_72, sm_80, sm_90
  double memory_gb = 0;                            // each GPU's
  int count = 1;
  std::string traces;                              // folder of <model>-b<batch>.csv (troupe derive-traces)
  std::string arch_limits = "gpu/arch_limits.yaml";
  gpu::share_policy share = gpu::share_policy::equal;  // how co-resident kernels share an SM
};

struct device_profile {
  std::string name;
  double busy_power_w = 0;
  double idle_power_w = 0;
  int concurrency = 1;  // tasks computed at once
  std::vector<model_timing> models;
  std::optional<gpu_spec> gpu;

  const model_timing* find(const std::string& model) const;
  // Inference time of `model` on an input of `area_px` pixels; nullopt if the
  // device does not run that model.
  std::optional<double> inference_ms(const std::string& model, double area_px) const;
  // Energy over a period of `period_s` of which `busy_s` computing.
  double energy_j(double busy_s, double period_s) const;
};

// A device's units over time, shared by everything that computes on it (a replica's
// workers): each input starts on the unit that frees first. Times in deployment ms.
class device_units {
 public:
  explicit device_units(int concurrency) : free_at_ms_(size_t(std::max(1, concurrency)), 0.0) {}
  // Inputs taking `input_ms` each, ready at `start_ms`; returns when the last is done.
  double schedule(const std::vector<double>& input_ms, double start_ms);

 private:
  std::vector<double> free_at_ms_;
};

struct device_profiles {
  std::vector<device_profile> devices;
  const device_profile* find(const std::string& name) const;
};

struct device_profiles_result {
  std::optional<device_profiles> profiles;  // set only when errors is empty
  std::vector<file_error> errors;
};

device_profiles_result load_device_profiles(const std::string& path);
device_profiles_result parse_device_profiles(const std::string& text, const std::string& file);
// One device of a profile file; throws std::runtime_error naming the file's first
// problem or the missing device.
device_profile load_device(const std::string& file, const std::string& device);

// A kind's `device` and `profile` parameters: both or neither, and the profile holds
// the device (and, when `model` is given, the device's timing of that model).
std::vector<param_problem> check_device_params(const YAML::Node& params, const std::string& model = "");

}  // namespace troupe
