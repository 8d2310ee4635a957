#include "actors/common/pipeline_function.hpp"

#include <map>

#include "actors/runtime/choice.hpp"
#include <stdexcept>

#include "vision/background_blob_detector.hpp"
#include "vision/detector.hpp"
#include "vision/jpeg_codec.hpp"
#include "vision/text_reader.hpp"

namespace troupe {

namespace {

cv::Mat image_of(const msg::WorkItem& in) {
  auto image = vision::decode_jpeg(in.jpeg());
  if (image.empty())
    throw std::runtime_error("cannot decode the JPEG of " + in.camera() + " frame " + std::to_string(in.frame_index()));
  return image;
}

// Object `index` of `in`: the part `box` (in the item's pixels), placed in frame pixels.
msg::WorkItem cut(const msg::WorkItem& in, const cv::Mat& image, cv::Rect box, uint32_t index,
                  const std::string& label, int quality) {
  box &= cv::Rect(0, 0, image.cols, image.rows);
  msg::WorkItem out = in;
  out.set_object(index);
  out.set_x(in.x() + box.x);
  out.set_y(in.y() + box.y);
  out.set_width(box.width);
  out.set_height(box.height);
  out.set_jpeg(vision::encode_jpeg(image(box), quality));
  out.set_label(label);
  out.set_offloads(0);
  return out;
}

std::string class_name(const vision::detection& d) {
  return "class-" + std::to_string(d.label);
}

// Boxes grown by `pad` of their size on each side: objects keep some context.
cv::Rect padded(const vision::detection& d, double pad) {
  auto b = d.box;
  return cv::Rect(cv::Point(int(b.x - pad * b.width), int(b.y - pad * b.height)),
                  cv::Size(int(b.width * (1 + 2 * pad)), int(b.height * (1 + 2 * pad))));
}

// MOG2 per camera: a background model learns one camera's frame sequence, so items of
// several cameras never share one.
class background_subtraction final : public pipeline_function {
 public:
  background_subtraction(vision::blob_settings s, int quality) : settings_(s), quality_(quality) {}
  std::vector<msg::WorkItem> run(const msg::WorkItem& in) override {
    auto& model = models_[in.camera()];
    if (!model)
      model = std::make_unique<vision::background_blob_detector>(settings_);
    auto image = image_of(in);
    std::vector<msg::WorkItem> out;
    for (auto& d : model->detect(image))
      out.push_back(cut(in, image, padded(d, 0.1), uint32_t(out.size() + 1), "blob", quality_));
    return out;
  }
  const std::string& model() const override { return name_; }

 private:
  vision::blob_settings settings_;
  int quality_;
  std::map<std::string, std::unique_ptr<vision::detector>> models_;
  std::string name_ = "mog2";
};

// A detector on a whole frame (mobile cameras: one object per box) or on a blob (fixed
// cameras: the blob goes on, labelled, when the detector confirms an object in it).
class object_detection final : public pipeline_function {
 public:
  object_detection(std::unique_ptr<vision::detector> model, int quality) : model_(std::move(model)), quality_(quality) {}
  std::vector<msg::WorkItem> run(const msg::WorkItem& in) override {
    auto image = image_of(in);
    auto found = model_->detect(image);
    std::vector<msg::WorkItem> out;
    if (in.object() != 0) {
      if (!found.empty())
        out.push_back(cut(in, image, cv::Rect(0, 0, image.cols, image.rows), in.object(), class_name(found.front()), quality_));
      return out;
    }
    for (auto& d : found)
      out.push_back(cut(in, image, padded(d, 0.05), uint32_t(out.size() + 1), class_name(d), quality_));
    return out;
  }
  const std::string& model() const override { return model_->model(); }

 private:
  std::unique_ptr<vision::detector> model_;
  int quality_;
};

// Tesseract on the object: its text joins the item's label; the image goes no further.
class text_recognition final : public pipeline_function {
 public:
  explicit text_recognition(vision::text_reader_settings s) : reader_(std::move(s)) {}
  std::vector<msg::WorkItem> run(const msg::WorkItem& in) override {
    auto text = reader_.read(image_of(in));
    msg::WorkItem out = in;
    out.clear_jpeg();
    out.set_label(in.label() + (text.empty() ? "" : ":" + text));
    return {out};
  }
  const std::string& model() const override { return name_; }

 private:
  vision::text_reader reader_;
  std::string name_ = "tesseract";
};

// Work that only costs time: an item stands for a frame or for the objects it carries
// (0.01 MP each by default), travels with filler bytes of an image's size, and goes
// on as long as it carries an object.
class emulated_work final : public pipeline_function {
 public:
  enum class cost { objects, frame };
  emulated_work(std::string model, cost c, double px_per_object, size_t item_bytes)
      : model_(std::move(model)), cost_(c), px_per_object_(px_per_object), item_bytes_(item_bytes) {}
  std::vector<msg::WorkItem> run(const msg::WorkItem& in) override {
    if (in.objects() == 0)
      return {};
    msg::WorkItem out = in;
    out.set_filler(std::string(item_bytes_, '\0'));
    out.set_offloads(0);
    return {out};
  }
  const std::string& model() const override { return model_; }
  double work_px(const msg::WorkItem& in) const override {
    return cost_ == cost::frame ? pipeline_function::work_px(in) : in.objects() * px_per_object_;
  }
  bool emulated() const override { return true; }

 private:
  std::string model_;
  cost cost_;
  double px_per_object_;
  size_t item_bytes_;
};

const choice<emulated_work::cost> emulated_costs("work", {{"objects", emulated_work::cost::objects},
                                                         {"frame", emulated_work::cost::frame}});

std::unique_ptr<pipeline_function> make_emulated(const params& p) {
  if (!p.has("model"))
    throw std::runtime_error("function emulated needs `model`: the name its device profile times it by");
  auto px = p.get_double("px_per_object", 10000);
  auto bytes = p.get_int("item_bytes", 20 * 1024);
  if (!(px > 0) || bytes < 0)
    throw std::runtime_error("function emulated needs px_per_object > 0 and item_bytes >= 0");
  return std::make_unique<emulated_work>(p.get_string("model"), emulated_costs.parse(p.get_string("work", "objects")),
                                         px, size_t(bytes));
}

}  // namespace

std::unique_ptr<pipeline_function> make_pipeline_function(const params& p) {
  auto function = p.get_string("function");
  int quality = int(p.get_int("jpeg_quality", 90));
  if (function == "bgsub") {
    vision::blob_settings s;
    s.min_area_px = int(p.get_int("min_area_px", s.min_area_px));
    s.var_threshold = p.get_double("var_threshold", s.var_threshold);
    return std::make_unique<background_subtraction>(s, quality);
  }
  if (function == "detect") {
    vision::detector_options o;
    o.hog.min_score = p.get_double("min_score", o.hog.min_score);
    o.network.min_score = float(p.get_double("min_score", o.network.min_score));
    o.network.frame_width = int(p.get_int("frame_width", o.network.frame_width));
    return std::make_unique<object_detection>(vision::make_detector(p.get_string("model", "hog"), o), quality);
  }
  if (function == "ocr") {
    vision::text_reader_settings s;
    s.language = p.get_string("language", s.language);
    s.page_mode = int(p.get_int("page_mode", s.page_mode));
    return std::make_unique<text_recognition>(s);
  }
  if (function == "emulated")
    return make_emulated(p);
  throw std::runtime_error("function '" + function + "' is not bgsub, detect, ocr or emulated");
}

std::vector<param_spec> pipeline_function_params() {
  return {
    {"function", param_type::string, true, "bgsub (MOG2 blobs of a fixed camera), detect (objects), ocr (Tesseract) or emulated (a device profile's time, no pixels)"},
    {"model", param_type::path, false, "detect: hog, haar-*, or a model file (*.pt, *.onnx); default hog. emulated: the name the device profile times"},
    {"work", param_type::string, false, "emulated: what an item costs, objects (default: objects x px_per_object) or frame (its width x height)"},
    in_range({"px_per_object", param_type::number, false, "emulated: pixels one object costs, default 10000 (0.01 MP)"}, 0, 100000000),
    in_range({"item_bytes", param_type::integer, false, "emulated: filler bytes an item carries on, default 20480"}, 0, 1048576),
    in_range({"min_score", param_type::number, false, "detect: weaker boxes are dropped; default the model's"}, 0, 1),
    in_range({"frame_width", param_type::integer, false, "detect, networks: frames this wide (regions scaled as their frame)"}, 0, 16384),
    in_range({"min_area_px", param_type::integer, false, "bgsub: smaller blobs are noise, default 150"}, 0, 100000000),
    in_range({"var_threshold", param_type::number, false, "bgsub: MOG2 foreground threshold, default 16"}, 0, 100000),
    {"language", param_type::string, false, "ocr: Tesseract language, default eng"},
    in_range({"page_mode", param_type::integer, false, "ocr: Tesseract page segmentation, default 7 (one line)"}, 0, 13),
    in_range({"jpeg_quality", param_type::integer, false, "objects passed on are JPEG at this quality, default 90"}, 0, 100),
  };
}

}  // namespace troupe
