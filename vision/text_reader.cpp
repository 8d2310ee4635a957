#include "vision/text_reader.hpp"

#include <stdexcept>

#include <opencv2/imgproc.hpp>
#include <tesseract/baseapi.h>

namespace troupe::vision {

text_reader::text_reader(text_reader_settings settings)
    : settings_(std::move(settings)), api_(std::make_unique<tesseract::TessBaseAPI>()) {
  const char* dir = settings_.data_dir.empty() ? nullptr : settings_.data_dir.c_str();
  if (api_->Init(dir, settings_.language.c_str(), tesseract::OEM_LSTM_ONLY) != 0)
    throw std::runtime_error("tesseract: cannot load language '" + settings_.language +
                             "' (is tesseract-ocr-" + settings_.language + " installed?)");
  api_->SetPageSegMode(tesseract::PageSegMode(settings_.page_mode));
  api_->SetVariable("debug_file", "/dev/null");  // its warnings would flood a run's log
}

text_reader::~text_reader() {
  api_->End();
}

std::string text_reader::read(const cv::Mat& bgr) {
  if (bgr.cols < 8 || bgr.rows < 8)  // no letter fits; Tesseract would only complain
    return {};
  cv::Mat gray = bgr;
  if (bgr.channels() == 3)
    cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  if (gray.rows < settings_.min_height_px) {  // Tesseract reads letters ~20+ px tall
    double f = double(settings_.min_height_px) / gray.rows;
    cv::resize(gray, gray, {}, f, f, cv::INTER_CUBIC);
  }
  api_->SetImage(gray.data, gray.cols, gray.rows, 1, int(gray.step));
  std::unique_ptr<char[]> text(api_->GetUTF8Text());
  std::string out = text ? text.get() : "";
  auto first = out.find_first_not_of(" \t\r\n\f");
  auto last = out.find_last_not_of(" \t\r\n\f");
  return first == std::string::npos ? "" : out.substr(first, last - first + 1);
}

}  // namespace troupe::vision
