#include "actors/runtime/text_table.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace troupe {

namespace {

// A cell that reads as a number, or "-" (no value) in a column of numbers.
bool right_aligned(const std::string& cell) {
  return !cell.empty() && (std::isdigit(static_cast<unsigned char>(cell[0])) || cell == "-" ||
                           (cell[0] == '-' && cell.size() > 1 && std::isdigit(static_cast<unsigned char>(cell[1]))));
}

}  // namespace

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

size_t display_width(const std::string& s) {
  return size_t(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string text_table::str() const {
  std::vector<size_t> widths;
  std::vector<bool> numeric;  // a column of numbers sits right, header included
  for (size_t r = 0; r < rows_.size(); ++r) {
    auto& row = rows_[r];
    widths.resize(std::max(widths.size(), row.size()), 0);
    numeric.resize(widths.size(), true);
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(row[i]));
      if (r > 0 && !right_aligned(row[i]))
        numeric[i] = false;
    }
  }
  std::string out;
  for (size_t r = 0; r < rows_.size(); ++r) {
    std::string line;
    for (size_t i = 0; i < rows_[r].size(); ++i) {
      auto& cell = rows_[r][i];
      std::string pad(widths[i] - display_width(cell), ' ');
      bool right = i > 0 && numeric[i];
      line += (i ? "  " : "") + (right ? pad + cell : cell + pad);
    }
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace troupe
