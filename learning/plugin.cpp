// libtroupe_learning_plugin.so: the learning/ entry points for programs that load
// libtorch only when they need it (the troupe CLI starts in milliseconds instead of
// paying libtorch's load time on every run). Loaded with dlopen, never unloaded.
#include "learning/plugin_api.hpp"

#include "learning/detector_export.hpp"
#include "learning/detector_training.hpp"
#include "learning/forecaster_training.hpp"
#include "learning/octocross_model.hpp"
#include "learning/onnx_export.hpp"
#include "learning/adapter_training.hpp"
#include "learning/dao_training.hpp"
#include "learning/estimator_training.hpp"
#include "learning/penance_dataset.hpp"
#include "learning/penance_runtime.hpp"
#include "learning/segmenter_training.hpp"
#include "learning/torchscript_detector.hpp"

extern "C" {

troupe::vision::detector* troupe_plugin_load_torchscript(const std::string& path,
                                                         const troupe::vision::network_settings& settings) {
  return troupe::learning::load_torchscript_detector(path, settings).release();
}

std::vector<troupe::learning::training_result> troupe_plugin_train(const troupe::learning::training_options& options,
                                                      const troupe::learning::progress_callback& progress) {
  return troupe::learning::train_detectors(options, progress);
}

troupe::learning::forecaster_result troupe_plugin_train_forecaster(
    const troupe::learning::forecaster_options& options, const troupe::learning::progress_callback& progress) {
  return troupe::learning::train_forecaster(options, progress);
}

troupe::learning::octocross_result troupe_plugin_train_octocross(const troupe::learning::octocross_options& options,
                                                                 const troupe::learning::progress_callback& progress) {
  return troupe::learning::train_octocross(options, progress);
}

std::shared_ptr<const troupe::octocross::offload_model> troupe_plugin_load_octocross(
    const std::string& path, const troupe::octocross::model_shape& expected) {
  return troupe::learning::load_octocross_model(path, expected);
}

troupe::learning::dao_result troupe_plugin_train_dao(const troupe::learning::dao_options& options,
                                                    const troupe::learning::progress_callback& progress) {
  return troupe::learning::train_dao(options, progress);
}

troupe::penance::model_loaders troupe_plugin_penance_loaders() {
  return troupe::learning::penance_model_loaders();
}

std::vector<troupe::learning::segmenter_result> troupe_plugin_train_segmenters(
    const troupe::learning::segmenter_options& options, const troupe::learning::progress_callback& progress) {
  return troupe::learning::train_segmenters(options, progress);
}

troupe::learning::penance_dataset_result troupe_plugin_build_penance_dataset(
    const troupe::learning::penance_dataset_options& options, const troupe::learning::progress_callback& progress) {
  return troupe::learning::build_penance_dataset(options, progress);
}

troupe::learning::estimator_result troupe_plugin_train_estimator(
    const troupe::learning::estimator_options& options, const troupe::learning::progress_callback& progress) {
  return troupe::learning::train_estimator(options, progress);
}

troupe::learning::adapter_result troupe_plugin_train_adapter(const troupe::learning::adapter_options& options,
                                                             const troupe::learning::progress_callback& progress) {
  return troupe::learning::train_adapter(options, progress);
}

std::vector<troupe::learning::derived_file> troupe_plugin_derive_traces(
    const troupe::learning::derive_traces_options& options, const troupe::learning::progress_callback& progress) {
  return troupe::learning::derive_traces(options, progress);
}

void troupe_plugin_export_onnx(const std::string& torchscript_path, const std::string& onnx_path) {
  troupe::learning::export_onnx(torchscript_path, onnx_path);
}

void troupe_plugin_export_plan(const std::string& torchscript_path, const std::string& plan_path) {
  troupe::gpu::save_plan(troupe::learning::detector_plan_of(torchscript_path), plan_path);
}

}
