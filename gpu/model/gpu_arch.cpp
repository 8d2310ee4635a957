#include "gpu/model/gpu_arch.hpp"

#include <set>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

namespace troupe::gpu {

namespace {

std::string where(const std::string& file, const YAML::Mark& m) {
  return file + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": ";
}

template <typename T>
void read(const std::string& file, const YAML::Node& entry, const char* key, T& out, std::set<std::string>& seen) {
  seen.insert(key);
  auto v = entry[key];
  if (!v)
    throw std::runtime_error(where(file, entry.Mark()) + "'" + key + "' is missing");
  T value{};
  if (!YAML::convert<T>::decode(v, value) || !(value > 0))
    throw std::runtime_error(where(file, v.Mark()) + "'" + key + "' must be a positive number");
  out = value;
}

gpu_arch arch_of(const std::string& file, const YAML::Node& e) {
  if (!e.IsMap())
    throw std::runtime_error(where(file, e.Mark()) + "an arch is a mapping");
  gpu_arch a;
  std::set<std::string> keys{"arch", "smem_reserved"};
  if (!e["arch"] || !e["arch"].IsScalar())
    throw std::runtime_error(where(file, e.Mark()) + "'arch' is missing");
  a.arch = e["arch"].as<std::string>();
  read(file, e, "sms", a.sms, keys);
  read(file, e, "max_warps", a.max_warps, keys);
  read(file, e, "max_blocks", a.max_blocks, keys);
  read(file, e, "regs", a.regs, keys);
  read(file, e, "reg_unit", a.reg_unit, keys);
  read(file, e, "max_regs_per_thread", a.max_regs_per_thread, keys);
  read(file, e, "warp_granule", a.warp_granule, keys);
  read(file, e, "smem", a.smem, keys);
  read(file, e, "smem_granule", a.smem_granule, keys);
  read(file, e, "smem_per_block", a.smem_per_block, keys);
  read(file, e, "peak_tflops", a.peak_tflops, keys);
  read(file, e, "bandwidth_gbs", a.bandwidth_gbs, keys);
  if (auto r = e["smem_reserved"]; r && (!YAML::convert<int>::decode(r, a.smem_reserved) || a.smem_reserved < 0))
    throw std::runtime_error(where(file, r.Mark()) + "'smem_reserved' must be a whole number of bytes, 0 or more");
  for (auto& kv : e)
    if (!keys.count(kv.first.as<std::string>()))
      throw std::runtime_error(where(file, kv.first.Mark()) + "unknown key '" + kv.first.as<std::string>() + "'");
  return a;
}

}  // namespace

std::vector<gpu_arch> load_gpu_archs(const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::BadFile&) {
    throw std::runtime_error(file + ": cannot read");
  } catch (const YAML::ParserException& e) {
    throw std::runtime_error(where(file, e.mark) + e.msg);
  }
  auto list = root["archs"];
  if (!list || !list.IsSequence() || list.size() == 0)
    throw std::runtime_error(where(file, root.Mark()) + "'archs' must be a list of at least one arch");
  std::vector<gpu_arch> out;
  for (auto e : list) {
    out.push_back(arch_of(file, e));
    for (size_t i = 0; i + 1 < out.size(); ++i)
      if (out[i].arch == out.back().arch)
        throw std::runtime_error(where(file, e.Mark()) + "arch '" + out.back().arch + "' is listed twice");
  }
  return out;
}

const gpu_arch& find_arch(const std::vector<gpu_arch>& archs, const std::string& name) {
  std::string known;
  for (auto& a : archs) {
    if (a.arch == name)
      return a;
    known += (known.empty() ? "" : ", ") + a.arch;
  }
  throw std::runtime_error("no GPU arch '" + name + "' (known: " + known + ")");
}

}  // namespace troupe::gpu
