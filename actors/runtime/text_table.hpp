// A table for the terminal: columns as wide as their widest cell, measured in what the
// eye sees (UTF-8 characters, not bytes), numbers right-aligned, text left-aligned.
#pragma once

#include <string>
#include <vector>

namespace troupe {

class text_table {
 public:
  explicit text_table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string str() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

// `v` with `decimals` digits after the point, as tables and progress lines show numbers.
std::string fixed(double v, int decimals = 1);

// Characters a terminal shows for `s` (each UTF-8 sequence counts one).
size_t display_width(const std::string& s);

}  // namespace troupe
