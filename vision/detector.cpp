#include "vision/detector.hpp"

#include <map>
#include <stdexcept>

#include "vision/background_blob_detector.hpp"
#include "vision/cascade_detector.hpp"
#include "vision/hog_people_detector.hpp"

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

}  // namespace

std::vector<std::string> detector_models() {
  std::vector<std::string> out = {"hog", "mog2"};
  for (auto& [name, file] : cascades())
    out.push_back(name);
  return out;
}

std::unique_ptr<detector> make_detector(const std::string& model, const detector_options& options) {
  if (model == "hog")
    return std::make_unique<hog_people_detector>(options.hog);
  if (model == "mog2")
    return std::make_unique<background_blob_detector>(options.blob);
  auto cascade = cascades().find(model);
  if (cascade != cascades().end())
    return std::make_unique<cascade_detector>(model, options.cascade_dir + "/" + cascade->second);
  std::string known;
  for (auto& m : detector_models())
    known += (known.empty() ? "" : ", ") + m;
  throw std::runtime_error("unknown model '" + model + "' (known: " + known + ")");
}

}  // namespace troupe::vision
