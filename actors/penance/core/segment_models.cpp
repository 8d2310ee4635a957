#include "actors/penance/core/segment_models.hpp"

#include <mutex>
#include <stdexcept>

namespace troupe::penance {

namespace {

std::mutex loaders_mtx;
model_loaders registered;

template <class Loader>
auto open_with(Loader model_loaders::*which, const std::string& path, const char* what) {
  auto loader = [&] {
    std::lock_guard<std::mutex> lock(loaders_mtx);
    return registered.*which;
  }();
  if (!loader)
    throw std::runtime_error(std::string("no loader for Penance's ") + what + " (" + path +
                             "): this program opens no learning plugin");
  return loader(path);
}

}  // namespace

void register_model_loaders(model_loaders loaders) {
  std::lock_guard<std::mutex> lock(loaders_mtx);
  registered = std::move(loaders);
}

std::shared_ptr<const bitrate_estimator> load_estimator(const std::string& path) {
  return open_with(&model_loaders::estimator, path, "bitrate estimator");
}

std::shared_ptr<const adapter_policy> load_adapter(const std::string& path) {
  return open_with(&model_loaders::adapter, path, "adapter");
}

std::shared_ptr<const edge_model> load_edge_model(const std::string& path) {
  return open_with(&model_loaders::edge, path, "edge model");
}

std::shared_ptr<const performance_encoder> load_performance_encoder(const std::string& adapter_path) {
  return open_with(&model_loaders::performance, adapter_path, "performance encoder");
}

std::shared_ptr<const accuracy_predictor> load_accuracy_predictor(const std::string& path) {
  return open_with(&model_loaders::accuracy, path, "accuracy predictor");
}

}  // namespace troupe::penance
