// The functions libtroupe_learning_plugin.so exports (C names, C++ types: the plugin
// and its host are built together). Exceptions cross the boundary as usual.
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
#include "actors/penance/core/segment_models.hpp"
#include "vision/detector.hpp"

extern "C" {
using troupe_plugin_load_torchscript_fn = troupe::vision::detector* (*)(const std::string&,
                                                                         const troupe::vision::network_settings&);
using troupe_plugin_train_fn = std::vector<troupe::learning::training_result> (*)(const troupe::learning::training_options&,
                                                                     const troupe::learning::progress_callback&);
using troupe_plugin_train_forecaster_fn = troupe::learning::forecaster_result (*)(
    const troupe::learning::forecaster_options&, const troupe::learning::progress_callback&);
using troupe_plugin_train_octocross_fn = troupe::learning::octocross_result (*)(
    const troupe::learning::octocross_options&, const troupe::learning::progress_callback&);
using troupe_plugin_load_octocross_fn = std::shared_ptr<const troupe::octocross::offload_model> (*)(
    const std::string&, const troupe::octocross::model_shape&);
using troupe_plugin_train_segmenters_fn = std::vector<troupe::learning::segmenter_result> (*)(
    const troupe::learning::segmenter_options&, const troupe::learning::progress_callback&);
using troupe_plugin_build_penance_dataset_fn = troupe::learning::penance_dataset_result (*)(
    const troupe::learning::penance_dataset_options&, const troupe::learning::progress_callback&);
using troupe_plugin_train_estimator_fn = troupe::learning::estimator_result (*)(
    const troupe::learning::estimator_options&, const troupe::learning::progress_callback&);
using troupe_plugin_train_adapter_fn = troupe::learning::adapter_result (*)(
    const troupe::learning::adapter_options&, const troupe::learning::progress_callback&);
using troupe_plugin_train_dao_fn = troupe::learning::dao_result (*)(const troupe::learning::dao_options&,
                                                                    const troupe::learning::progress_callback&);
using troupe_plugin_penance_loaders_fn = troupe::penance::model_loaders (*)();
using troupe_plugin_derive_traces_fn = std::vector<troupe::learning::derived_file> (*)(
    const troupe::learning::derive_traces_options&, const troupe::learning::progress_callback&);
using troupe_plugin_export_onnx_fn = void (*)(const std::string&, const std::string&);
using troupe_plugin_export_plan_fn = void (*)(const std::string&, const std::string&);
}
