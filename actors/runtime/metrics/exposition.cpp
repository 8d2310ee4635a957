#include "actors/runtime/metrics/exposition.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace troupe::metrics {

namespace {

bool name_char(char c, bool first, bool colon) {
  bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
  return letter || (!first && c >= '0' && c <= '9');
}

// [a-zA-Z_:][a-zA-Z0-9_:]* for metrics, without ':' for labels; "__" starts reserved ones.
bool valid_name(const std::string& n, bool metric) {
  if (n.empty() || (!metric && n.rfind("__", 0) == 0))
    return false;
  for (size_t i = 0; i < n.size(); ++i)
    if (!name_char(n[i], i == 0, metric))
      return false;
  return true;
}

std::string escaped(const std::string& v, bool quotes) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && quotes)
      out += "\\\"";
    else
      out += c;
  }
  return out;
}

std::string label_text(const labels& l, const std::string& extra_key = {}, const std::string& extra_value = {}) {
  std::string out;
  auto add = [&](const std::string& k, const std::string& v) {
    out += (out.empty() ? "{" : ",") + k + "=\"" + escaped(v, true) + "\"";
  };
  for (auto& [k, v] : l)
    add(k, v);
  if (!extra_key.empty())
    add(extra_key, extra_value);
  return out.empty() ? out : out + "}";
}

}  // namespace

std::string value_text(double v) {
  if (std::isnan(v))
    return "NaN";
  if (std::isinf(v))
    return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {  // counts and round bounds as integers: "10", not "1e+01"
    std::snprintf(buf, sizeof(buf), "%.0f", v);
    return buf;
  }
  for (int digits = 1; digits <= 17; ++digits) {  // the shortest text that reads back as v
    std::snprintf(buf, sizeof(buf), "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v)
      break;
  }
  return buf;
}

histogram::histogram(std::vector<double> bounds) {
  for (size_t i = 0; i < bounds.size(); ++i)
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1]))
      throw std::invalid_argument("histogram bounds must be finite and strictly rising");
  s_.bounds = std::move(bounds);
  s_.counts.assign(s_.bounds.size() + 1, 0);
}

void histogram::observe(double value) {
  std::lock_guard<std::mutex> lock(mtx_);
  auto at = std::lower_bound(s_.bounds.begin(), s_.bounds.end(), value) - s_.bounds.begin();  // le: value <= bound
  ++s_.counts[static_cast<size_t>(at)];
  s_.sum += value;
  ++s_.count;
}

histogram_snapshot histogram::snapshot() const {
  std::lock_guard<std::mutex> lock(mtx_);
  return s_;
}

std::vector<double> latency_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}

void check_series(const std::string& name, const labels& l) {
  if (!valid_name(name, true))
    throw std::invalid_argument("metric name '" + name + "' is not a Prometheus name");
  for (auto& [k, v] : l)
    if (!valid_name(k, false) || k == "le")
      throw std::invalid_argument("label name '" + k + "' of " + name + " is not allowed");
}

exposition::family& exposition::family_of(const std::string& name, const std::string& type, const std::string& help,
                                          const labels& l) {
  check_series(name, l);
  auto [it, fresh] = families_.emplace(name, family{type, help, {}});
  if (fresh)
    order_.push_back(name);
  else if (it->second.type != type || it->second.help != help)
    throw std::invalid_argument("metric " + name + " written as a " + it->second.type + " before, now as a " + type);
  return it->second;
}

void exposition::counter(const std::string& name, const std::string& help, const labels& l, double value) {
  family_of(name, "counter", help, l).lines.push_back(name + label_text(l) + " " + value_text(value));
}

void exposition::gauge(const std::string& name, const std::string& help, const labels& l, double value) {
  family_of(name, "gauge", help, l).lines.push_back(name + label_text(l) + " " + value_text(value));
}

void exposition::histogram(const std::string& name, const std::string& help, const labels& l,
                           const histogram_snapshot& h) {
  auto& f = family_of(name, "histogram", help, l);
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= h.bounds.size(); ++i) {
    cumulative += i < h.counts.size() ? h.counts[i] : 0;
    auto le = i < h.bounds.size() ? value_text(h.bounds[i]) : "+Inf";
    f.lines.push_back(name + "_bucket" + label_text(l, "le", le) + " " + std::to_string(cumulative));
  }
  f.lines.push_back(name + "_sum" + label_text(l) + " " + value_text(h.sum));
  f.lines.push_back(name + "_count" + label_text(l) + " " + std::to_string(h.count));
}

std::string exposition::text() const {
  std::string out;
  for (auto& name : order_) {
    auto& f = families_.at(name);
    out += "# HELP " + name + " " + escaped(f.help, false) + "\n# TYPE " + name + " " + f.type + "\n";
    for (auto& line : f.lines)
      out += line + "\n";
  }
  return out;
}

}  // namespace troupe::metrics
