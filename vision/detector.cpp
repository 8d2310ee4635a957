#include "vision/detector.hpp"

#include <cstdio>
#include <map>
#include <mutex>
#include <stdexcept>

#include "vision/background_blob_detector.hpp"
#include "vision/cascade_detector.hpp"
#include "vision/hog_people_detector.hpp"
#include "vision/image_memory.hpp"
#include "vision/onnx_detector.hpp"

namespace troupe::vision {

namespace {

const std::map<std::string, std::string>& cascades() {
  static const std::map<std::string, std::string> files = {
    {"haar-fullbody", "haarcascade_fullbody.xml"},
    {"haar-upperbody", "haarcascade_upperbody.xml"},
    {"haar-face", "haarcascade_frontalface_default.xml"},
  };
  return files;
}

std::map<std::string, model_loader>& formats() {
  static std::map<std::string, model_loader> loaders;
  return loaders;
}

std::mutex formats_mtx;

const model_loader* loader_for(const std::string& model) {
  std::lock_guard<std::mutex> lock(formats_mtx);
  auto dot = model.rfind('.');
  if (dot == std::string::npos)
    return nullptr;
  auto found = formats().find(model.substr(dot));
  return found == formats().end() ? nullptr : &found->second;
}

}  // namespace

void register_model_format(const std::string& extension, model_loader loader) {
  std::lock_guard<std::mutex> lock(formats_mtx);
  formats()[extension] = std::move(loader);
}

std::vector<std::string> detector_models() {
  std::vector<std::string> out = {"hog", "mog2"};
  for (auto& [name, file] : cascades())
    out.push_back(name);
  return out;
}

std::string unknown_model(const std::string& model) {
  std::string known;
  for (auto& m : detector_models())
    known += (known.empty() ? "" : ", ") + m;
  std::string files;
  {
    std::lock_guard<std::mutex> lock(formats_mtx);
    for (auto& [extension, loader] : formats())
      files += (files.empty() ? "" : ", ") + std::string("*") + extension;
  }
  return "unknown model '" + model + "' (known: " + known + "; or a model file *.onnx" +
         (files.empty() ? "" : ", " + files) + ")";
}

std::string model_problem(const std::string& model, const detector_options& options) {
  // A file is for its loader to judge when it opens it (a format may be registered late).
  bool is_file = model.find('/') != std::string::npos || model.find('.') != std::string::npos;
  if (is_file || model == "hog" || model == "mog2")
    return {};
  auto cascade = cascades().find(model);
  if (cascade == cascades().end())
    return unknown_model(model);
  auto file = options.cascade_dir + "/" + cascade->second;
  if (FILE* f = std::fopen(file.c_str(), "r")) {
    std::fclose(f);
    return {};
  }
  return "model '" + model + "': " + file + " is not there (Debian's opencv-data ships it)";
}

std::unique_ptr<detector> make_detector(const std::string& model, const detector_options& options) {
  use_pooled_image_memory();  // frames come and go; a per-camera MOG2 model is 44 MB, touched at once
  if (model.size() > 5 && model.compare(model.size() - 5, 5, ".onnx") == 0)
    return load_onnx_detector(model, options.network);
  if (model == "hog")
    return std::make_unique<hog_people_detector>(options.hog);
  if (model == "mog2")
    return std::make_unique<background_blob_detector>(options.blob);
  if (auto* load = loader_for(model))
    return (*load)(model, options);
  auto cascade = cascades().find(model);
  if (cascade != cascades().end())
    return std::make_unique<cascade_detector>(model, options.cascade_dir + "/" + cascade->second);
  throw std::runtime_error(unknown_model(model));
}

}  // namespace troupe::vision
