#include "actors/octocross/core/offload_model.hpp"

#include <algorithm>
#include <mutex>
#include <stdexcept>

namespace troupe::octocross {

namespace {

std::mutex loader_lock;
model_loader& registered() {
  static model_loader loader;
  return loader;
}

const char* names[] = {"octocross", "temp_abl", "spat_abl", "gnn_lstm"};

}  // namespace

const char* variant_name(model_variant v) {
  return names[int(v)];
}

model_variant parse_variant(const std::string& name) {
  for (int v = 0; v < 4; ++v)
    if (name == names[v])
      return model_variant(v);
  throw std::runtime_error("model '" + name + "' is none of octocross, temp_abl, spat_abl, gnn_lstm");
}

std::vector<size_t> assign_slots(const std::vector<std::string>& known, const std::vector<std::string>& names,
                                 size_t n_max) {
  std::vector<size_t> out;
  size_t next = known.size();
  for (auto& name : names) {
    auto it = std::find(known.begin(), known.end(), name);
    out.push_back(it != known.end() ? size_t(it - known.begin()) : next < n_max ? next++ : n_max);
  }
  return out;
}

void register_model_loader(model_loader loader) {
  std::lock_guard<std::mutex> hold(loader_lock);
  registered() = std::move(loader);
}

std::shared_ptr<const offload_model> load_model(const std::string& path, const model_shape& expected) {
  model_loader loader;
  {
    std::lock_guard<std::mutex> hold(loader_lock);
    loader = registered();
  }
  if (!loader)
    throw std::runtime_error(path + ": this program cannot open OctoCross models (no learning plugin registered)");
  return loader(path, expected);
}

}  // namespace troupe::octocross
