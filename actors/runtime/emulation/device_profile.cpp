#include "actors/runtime/emulation/device_profile.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include "gpu/model/gpu_arch.hpp"

namespace troupe {

const model_timing* device_profile::find(const std::string& model) const {
  for (auto& m : models)
    if (m.model == model)
      return &m;
  return nullptr;
}

std::optional<double> device_profile::inference_ms(const std::string& model, double area_px) const {
  auto* m = find(model);
  if (m == nullptr)
    return std::nullopt;
  return m->fixed_ms + m->ms_per_megapixel * area_px / 1e6;  // ReMO eq. 3, one region
}

double device_units::schedule(const std::vector<double>& input_ms, double start_ms) {
  double done = start_ms;
  for (double ms : input_ms) {
    auto unit = std::min_element(free_at_ms_.begin(), free_at_ms_.end());
    *unit = std::max(*unit, start_ms) + ms;
    done = std::max(done, *unit);
  }
  return done;
}

double device_profile::energy_j(double busy_s, double period_s) const {
  return busy_power_w * busy_s + idle_power_w * std::max(0.0, period_s - busy_s);
}

const device_profile* device_profiles::find(const std::string& name) const {
  for (auto& d : devices)
    if (d.name == name)
      return &d;
  return nullptr;
}

namespace {

class profile_checker : public yaml_checker {
 public:
  explicit profile_checker(std::string file) : yaml_checker(std::move(file)) {}

  void device(const YAML::Node& n, device_profile& out) {
    if (!keys(n, "device", {"name", "busy_power_w", "idle_power_w", "concurrency", "models", "gpu"}))
      return;
    name(n, "device", out.name);
    auto what = "device '" + out.name + "'";
    number(n, "busy_power_w", what, out.busy_power_w, true);
    number(n, "idle_power_w", what, out.idle_power_w, false);
    integer(n, "concurrency", what, out.concurrency, 1);
    if (n["gpu"])
      gpu(n["gpu"], out.gpu.emplace(), what);
    list(n, "models", what, out.models, [&](const YAML::Node& m, model_timing& t) { model(m, t, what); },
         !out.gpu);  // a GPU times its replicas by their traces
    std::map<std::string, int> seen;
    auto models = n["models"];
    for (size_t i = 0; i < out.models.size(); ++i)
      if (++seen[out.models[i].model] == 2)
        fail(models[i], what + " lists model '" + out.models[i].model + "' twice");
  }

  void gpu(const YAML::Node& n, gpu_spec& out, const std::string& device) {
    auto what = device + "'s gpu";
    if (!keys(n, what, {"arch", "memory_gb", "count", "traces", "arch_limits", "share"}))
      return;
    number(n, "memory_gb", what, out.memory_gb, true);
    if (n["memory_gb"] && !(out.memory_gb > 0))
      fail(n["memory_gb"], "'memory_gb' in " + what + " must be positive");
    integer(n, "count", what, out.count, 1);
    if (text(n, "traces", what, out.traces, true) && !std::filesystem::is_directory(out.traces))
      fail(n["traces"], "no folder of kernel traces '" + out.traces + "' (troupe derive-traces writes them)");
    text(n, "arch_limits", what, out.arch_limits, false);
    std::string share = "equal";
    if (text(n, "share", what, share, false))
      try {
        out.share = gpu::parse_share_policy(share);
      } catch (const std::exception& ex) {
        fail(n["share"], ex.what());
      }
    if (!text(n, "arch", what, out.arch, true))
      return;
    std::vector<gpu::gpu_arch> archs;
    try {
      archs = gpu::load_gpu_archs(out.arch_limits);
    } catch (const std::exception& ex) {
      return fail(n["arch_limits"] ? n["arch_limits"] : n, ex.what());
    }
    try {
      gpu::find_arch(archs, out.arch);
    } catch (const std::exception& ex) {
      fail(n["arch"], std::string(ex.what()) + " in " + out.arch_limits);
    }
  }

  void model(const YAML::Node& n, model_timing& out, const std::string& device) {
    if (!keys(n, "model timing", {"model", "fixed_ms", "ms_per_megapixel"}))
      return;
    text(n, "model", device, out.model, true);
    number(n, "fixed_ms", device + " model '" + out.model + "'", out.fixed_ms, true);
    number(n, "ms_per_megapixel", device + " model '" + out.model + "'", out.ms_per_megapixel, true);
  }
};

}  // namespace

device_profiles_result parse_device_profiles(const std::string& text, const std::string& file) {
  device_profiles_result result;
  auto parsed = parse_yaml(text, file, "device profile file", result.errors);
  if (!parsed)
    return result;
  auto& root = *parsed;
  profile_checker c(file);
  device_profiles p;
  if (!c.keys(root, "the device profile file", {"devices"})) {
    result.errors = c.errors;
    return result;
  }
  c.list(root, "devices", "the device profile file", p.devices, [&](const YAML::Node& n, device_profile& d) { c.device(n, d); }, true);
  std::map<std::string, int> seen;
  for (size_t i = 0; i < p.devices.size(); ++i)
    if (++seen[p.devices[i].name] == 2)
      c.fail(root["devices"][i], "duplicate device name '" + p.devices[i].name + "'");
  result.errors = std::move(c.errors);
  if (result.errors.empty())
    result.profiles = std::move(p);
  return result;
}

device_profiles_result load_device_profiles(const std::string& path) {
  device_profiles_result result;
  auto text = read_text_file(path, result.errors);
  return text ? parse_device_profiles(*text, path) : result;
}

std::vector<param_problem> check_device_params(const YAML::Node& params, const std::string& model) {
  auto device = params["device"], profile = params["profile"];
  if (!device && !profile)
    return {};
  if (!device || !profile)
    return {{(device ? device : profile).Mark(), "device and profile come together: the device's name and its profile file"}};
  auto loaded = load_device_profiles(profile.Scalar());
  if (!loaded.errors.empty())
    return {{profile.Mark(), loaded.errors.front().to_string()}};
  auto* d = loaded.profiles->find(device.Scalar());
  if (d == nullptr) {
    std::string known;
    for (auto& x : loaded.profiles->devices)
      known += (known.empty() ? "" : ", ") + x.name;
    return {{device.Mark(), "no device '" + device.Scalar() + "' in " + profile.Scalar() + " (it has " + known + ")"}};
  }
  if (!model.empty() && d->find(model) == nullptr)
    return {{device.Mark(), "device '" + d->name + "' in " + profile.Scalar() + " has no timing for model '" + model + "'"}};
  return {};
}

device_profile load_device(const std::string& file, const std::string& device) {
  auto loaded = load_device_profiles(file);
  if (!loaded.errors.empty())
    throw std::runtime_error(loaded.errors.front().to_string());
  auto* d = loaded.profiles->find(device);
  if (d == nullptr)
    throw std::runtime_error(file + ": no device '" + device + "'");
  return *d;
}

}  // namespace troupe
