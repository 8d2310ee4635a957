#include "gpu/model/kernel_trace.hpp"

#include <charconv>
#include <cmath>
#include <algorithm>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>

namespace troupe::gpu {

const char* const kernel_columns =
    "name,grid_x,grid_y,grid_z,block_x,block_y,block_z,regs,static_smem,dynamic_smem,duration_us,dram_bytes";

double kernel_trace::total_us() const {
  double t = 0;
  for (auto& k : kernels)
    t += k.duration_us;
  return t;
}

namespace {

struct line_error {
  const std::string& file;
  int line;
  [[noreturn]] void operator()(const std::string& message) const {
    throw std::runtime_error(file + ":" + std::to_string(line) + ": " + message);
  }
};

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  auto e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

template <typename T>
T number(const std::string& text, const char* what, const line_error& fail) {
  T v{};
  auto s = trim(text);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty())
    fail(std::string(what) + " '" + s + "' is not a number");
  return v;
}

double real(const std::string& text, const char* what, const line_error& fail) {
  auto s = trim(text);
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    fail(std::string(what) + " '" + s + "' is not a number");
  }
  if (used != s.size() || !std::isfinite(v))
    fail(std::string(what) + " '" + s + "' is not a number");
  return v;
}

std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  std::string f;
  while (std::getline(in, f, ','))
    out.push_back(f);
  if (!line.empty() && line.back() == ',')
    out.emplace_back();
  return out;
}

kernel kernel_of(const std::vector<std::string>& f, const line_error& fail) {
  if (f.size() != 12)
    fail("expected 12 fields (" + std::string(kernel_columns) + "), got " + std::to_string(f.size()));
  kernel k;
  k.name = trim(f[0]);
  if (k.name.empty())
    fail("a kernel needs a name");
  static const char* dims[] = {"grid_x", "grid_y", "grid_z", "block_x", "block_y", "block_z"};
  for (int i = 0; i < 3; ++i) {
    k.grid[i] = number<int>(f[1 + i], dims[i], fail);
    k.block[i] = number<int>(f[4 + i], dims[3 + i], fail);
    if (k.grid[i] < 1 || k.block[i] < 1)
      fail(std::string(k.grid[i] < 1 ? dims[i] : dims[3 + i]) + " must be at least 1");
  }
  if (int64_t(k.block[0]) * k.block[1] * k.block[2] > 1024)
    fail("a block of " + std::to_string(int64_t(k.block[0]) * k.block[1] * k.block[2]) +
         " threads: at most 1024");
  k.regs = number<int>(f[7], "regs", fail);
  if (k.regs < 0 || k.regs > 255)
    fail("regs " + std::to_string(k.regs) + " per thread: 0 to 255");
  k.static_smem = number<int64_t>(f[8], "static_smem", fail);
  k.dynamic_smem = number<int64_t>(f[9], "dynamic_smem", fail);
  k.duration_us = real(f[10], "duration_us", fail);
  k.dram_bytes = number<int64_t>(f[11], "dram_bytes", fail);
  if (k.static_smem < 0 || k.dynamic_smem < 0 || k.dram_bytes < 0)
    fail("shared memory and DRAM bytes cannot be negative");
  if (!(k.duration_us > 0))
    fail("duration_us must be above 0");
  return k;
}

void set_header(kernel_trace& t, const std::string& key, const std::string& value, const line_error& fail) {
  if (key == "model")
    t.model = value;
  else if (key == "arch")
    t.arch = value;
  else if (key == "source")
    t.source = value;
  else if (key == "assumptions")
    t.assumptions = value;
  else if (key == "input")
    t.input = number<int>(value, "input", fail);
  else if (key == "batch")
    t.batch = number<int>(value, "batch", fail);
  else if (key == "mem_mb")
    t.mem_mb = real(value, "mem_mb", fail);
  else
    fail("unknown header field '" + key + "'");
}

void check_header(const kernel_trace& t, const line_error& fail) {
  for (auto [name, value] : {std::pair{"model", &t.model}, {"arch", &t.arch}, {"source", &t.source},
                             {"assumptions", &t.assumptions}})
    if (value->empty())
      fail(std::string("header field '") + name + "' is missing");
  if (t.source != "derived" && t.source != "cupti")
    fail("source '" + t.source + "': derived or cupti");
  if (t.input < 1 || t.batch < 1 || !(t.mem_mb > 0))
    fail("input, batch and mem_mb must be above 0");
}

}  // namespace

kernel_trace parse_kernel_trace(const std::string& text, const std::string& file) {
  kernel_trace t;
  t.file = file;
  std::stringstream in(text);
  std::string line;
  int at = 0;
  bool columns = false;
  while (std::getline(in, line)) {
    ++at;
    line_error fail{file, at};
    auto s = trim(line);
    if (s.empty())
      continue;
    if (s[0] == '#') {
      auto colon = s.find(':');
      if (columns || colon == std::string::npos)
        fail("a header line is '# key: value', before the columns");
      set_header(t, trim(s.substr(1, colon - 1)), trim(s.substr(colon + 1)), fail);
    } else if (!columns) {
      if (s != kernel_columns)
        fail("expected the columns " + std::string(kernel_columns));
      check_header(t, fail);
      columns = true;
    } else {
      t.kernels.push_back(kernel_of(fields(s), fail));
      t.kernels.back().line = at;
    }
  }
  if (t.kernels.empty())
    line_error{file, at}(columns ? "no kernel" : "no columns line: not a kernel trace");
  return t;
}

kernel_trace read_kernel_trace(const std::string& file) {
  std::ifstream in(file);
  if (!in)
    throw std::runtime_error(file + ": cannot read");
  std::stringstream text;
  text << in.rdbuf();
  return parse_kernel_trace(text.str(), file);
}

std::string kernel_trace_text(const kernel_trace& t) {
  std::ostringstream out;
  out.precision(std::numeric_limits<double>::max_digits10);  // reads back to the same double
  out << "# model: " << t.model << "\n# input: " << t.input << "\n# batch: " << t.batch << "\n# arch: " << t.arch
      << "\n# source: " << t.source << "\n# mem_mb: " << t.mem_mb << "\n# assumptions: " << t.assumptions << "\n"
      << kernel_columns << "\n";
  for (auto& k : t.kernels) {
    auto name = k.name;
    std::replace(name.begin(), name.end(), ',', ';');  // demangled names hold commas
    out << name << "," << k.grid[0] << "," << k.grid[1] << "," << k.grid[2] << "," << k.block[0] << ","
        << k.block[1] << "," << k.block[2] << "," << k.regs << "," << k.static_smem << "," << k.dynamic_smem << ","
        << k.duration_us << "," << k.dram_bytes << "\n";
  }
  return out.str();
}

}  // namespace troupe::gpu
