// The way to libtorch for programs that do not link it (the troupe CLI and the
// commands systems add to it): learning/'s plugin, opened on first use, so runs that
// serve no TorchScript model never load libtorch. Plain C++, no torch includes.
#pragma once

#include <functional>
#include <string>

#include "learning/detector_training.hpp"
#include "learning/forecaster_training.hpp"
#include "learning/octocross_model.hpp"
#include "learning/adapter_training.hpp"
#include "learning/dao_training.hpp"
#include "learning/estimator_training.hpp"
#include "learning/kernel_profile.hpp"
#include "learning/penance_dataset.hpp"
#include "learning/segmenter_training.hpp"

namespace troupe {

// Makes vision::make_detector load "*.pt" / "*.torchscript", and OctoCross's scheduler
// its weights, through the plugin.
void register_plugin_models();
std::vector<learning::training_result> plugin_train_detectors(const learning::training_options& options,
                                                const troupe::learning::progress_callback& progress);
learning::forecaster_result plugin_train_forecaster(const learning::forecaster_options& options,
                                                   const troupe::learning::progress_callback& progress);
learning::octocross_result plugin_train_octocross(const learning::octocross_options& options,
                                                 const troupe::learning::progress_callback& progress);
std::vector<learning::segmenter_result> plugin_train_segmenters(const learning::segmenter_options& options,
                                                                const troupe::learning::progress_callback& progress);
learning::penance_dataset_result plugin_build_penance_dataset(const learning::penance_dataset_options& options,
                                                             const troupe::learning::progress_callback& progress);
learning::estimator_result plugin_train_estimator(const learning::estimator_options& options,
                                                 const troupe::learning::progress_callback& progress);
learning::adapter_result plugin_train_adapter(const learning::adapter_options& options,
                                             const troupe::learning::progress_callback& progress);
learning::dao_result plugin_train_dao(const learning::dao_options& options,
                                      const troupe::learning::progress_callback& progress);
std::vector<learning::derived_file> plugin_derive_traces(const learning::derive_traces_options& options,
                                                        const troupe::learning::progress_callback& progress);
void plugin_export_onnx(const std::string& torchscript_path, const std::string& onnx_path);
// The network as the CUDA runner's plan (gpu/runner/detector_plan.hpp).
void plugin_export_plan(const std::string& torchscript_path, const std::string& plan_path);

}  // namespace troupe
