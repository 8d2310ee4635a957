#include "learning/plugin_host.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "actors/runtime/heap_reuse.hpp"
#include "learning/plugin_api.hpp"

namespace troupe {

namespace {

// TROUPE_LEARNING_PLUGIN overrides where the build put it.
void* plugin() {
  static void* handle = [] {
    keep_freed_blocks_for_reuse();  // libtorch's temporaries
    const char* path = std::getenv("TROUPE_LEARNING_PLUGIN");
    if (path == nullptr)
      path = TROUPE_LEARNING_PLUGIN_PATH;
    void* h = ::dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr)
      throw std::runtime_error(std::string("cannot load the learning plugin: ") + ::dlerror());
    return h;
  }();
  return handle;
}

template <class Fn>
Fn symbol(const char* name) {
  auto* f = reinterpret_cast<Fn>(::dlsym(plugin(), name));
  if (f == nullptr)
    throw std::runtime_error(std::string("the learning plugin lacks ") + name);
  return f;
}

}  // namespace

void register_plugin_models() {
  auto loader = [](const std::string& path, const vision::detector_options& o) {
    auto load = symbol<troupe_plugin_load_torchscript_fn>("troupe_plugin_load_torchscript");
    return std::unique_ptr<vision::detector>(load(path, o.network));
  };
  vision::register_model_format(".pt", loader);
  vision::register_model_format(".torchscript", loader);
  octocross::register_model_loader([](const std::string& path, const octocross::model_shape& expected) {
    return symbol<troupe_plugin_load_octocross_fn>("troupe_plugin_load_octocross")(path, expected);
  });
  // Penance's loaders open the plugin when a kind first opens a weight file.
  auto penance = [] { return symbol<troupe_plugin_penance_loaders_fn>("troupe_plugin_penance_loaders")(); };
  penance::model_loaders lazy;
  lazy.estimator = [penance](const std::string& p) { return penance().estimator(p); };
  lazy.adapter = [penance](const std::string& p) { return penance().adapter(p); };
  lazy.edge = [penance](const std::string& p) { return penance().edge(p); };
  lazy.performance = [penance](const std::string& p) { return penance().performance(p); };
  lazy.accuracy = [penance](const std::string& p) { return penance().accuracy(p); };
  penance::register_model_loaders(std::move(lazy));
}

std::vector<learning::training_result> plugin_train_detectors(const learning::training_options& options,
                                                const troupe::learning::progress_callback& progress) {
  return symbol<troupe_plugin_train_fn>("troupe_plugin_train")(options, progress);
}

learning::forecaster_result plugin_train_forecaster(const learning::forecaster_options& options,
                                                   const troupe::learning::progress_callback& progress) {
  return symbol<troupe_plugin_train_forecaster_fn>("troupe_plugin_train_forecaster")(options, progress);
}

learning::dao_result plugin_train_dao(const learning::dao_options& options,
                                      const troupe::learning::progress_callback& progress) {
  return symbol<troupe_plugin_train_dao_fn>("troupe_plugin_train_dao")(options, progress);
}

learning::octocross_result plugin_train_octocross(const learning::octocross_options& options,
                                                 const troupe::learning::progress_callback& progress) {
  return symbol<troupe_plugin_train_octocross_fn>("troupe_plugin_train_octocross")(options, progress);
}

std::vector<learning::segmenter_result> plugin_train_segmenters(const learning::segmenter_options& options,
                                                                const troupe::learning::progress_callback& progress) {
  return symbol<troupe_plugin_train_segmenters_fn>("troupe_plugin_train_segmenters")(options, progress);
}

learning::penance_dataset_result plugin_build_penance_dataset(const learning::penance_dataset_options& options,
                                                             const troupe::learning::progress_callback& progress) {
  return symbol<troupe_plugin_build_penance_dataset_fn>("troupe_plugin_build_penance_dataset")(options, progress);
}

learning::estimator_result plugin_train_estimator(const learning::estimator_options& options,
                                                 const troupe::learning::progress_callback& progress) {
  return symbol<troupe_plugin_train_estimator_fn>("troupe_plugin_train_estimator")(options, progress);
}

learning::adapter_result plugin_train_adapter(const learning::adapter_options& options,
                                             const troupe::learning::progress_callback& progress) {
  return symbol<troupe_plugin_train_adapter_fn>("troupe_plugin_train_adapter")(options, progress);
}

std::vector<learning::derived_file> plugin_derive_traces(const learning::derive_traces_options& options,
                                                        const troupe::learning::progress_callback& progress) {
  return symbol<troupe_plugin_derive_traces_fn>("troupe_plugin_derive_traces")(options, progress);
}

void plugin_export_onnx(const std::string& torchscript_path, const std::string& onnx_path) {
  symbol<troupe_plugin_export_onnx_fn>("troupe_plugin_export_onnx")(torchscript_path, onnx_path);
}

void plugin_export_plan(const std::string& torchscript_path, const std::string& plan_path) {
  symbol<troupe_plugin_export_plan_fn>("troupe_plugin_export_plan")(torchscript_path, plan_path);
}

}  // namespace troupe
