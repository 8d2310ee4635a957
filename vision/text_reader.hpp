// Reads the text in an image with Tesseract (Debian's tesseract-ocr-eng data): the
// second-stage function of VideoJam's number-plate pipeline, run on each object crop.
// One reader per thread: a Tesseract engine is not shared.
#pragma once

#include <memory>
#include <string>

#include <opencv2/core.hpp>

namespace tesseract {
class TessBaseAPI;
}

namespace troupe::vision {

struct text_reader_settings {
  std::string language = "eng";
  std::string data_dir;     // empty: Tesseract's default (tesseract-ocr-eng installs there)
  int page_mode = 7;        // Tesseract page segmentation: 7 = one line of text, as a plate
  int min_height_px = 32;   // smaller crops are enlarged to this height first
};

class text_reader {
 public:
  // Throws std::runtime_error when Tesseract or its language data cannot load.
  explicit text_reader(text_reader_settings settings = {});
  ~text_reader();
  // The text found, trimmed; empty when none.
  std::string read(const cv::Mat& bgr);

 private:
  text_reader_settings settings_;
  std::unique_ptr<tesseract::TessBaseAPI> api_;
};

}  // namespace troupe::vision
