#include "actors/runtime/emulation/tbf.hpp"

#include <cstdlib>
#include <map>
#include <sstream>
#include <stdexcept>

namespace troupe {

namespace {

// The number in `word` and the multiplier of its unit in `units`; throws for others.
double scaled(const std::string& key, const std::string& word, const std::map<std::string, double>& units) {
  char* end = nullptr;
  double value = std::strtod(word.c_str(), &end);
  if (end == word.c_str() || !(value >= 0))
    throw std::runtime_error("tbf " + key + " '" + word + "' is not a non-negative number with a unit");
  auto unit = units.find(end);
  if (unit == units.end()) {
    std::string known;
    for (auto& [name, factor] : units)
      known += (known.empty() ? "" : ", ") + (name.empty() ? std::string("(none)") : name);
    throw std::runtime_error("tbf " + key + " '" + word + "': unknown unit '" + std::string(end) + "' (" + known + ")");
  }
  return value * unit->second;
}

// tc's units, reduced to bytes per second, bytes and seconds.
const std::map<std::string, double> rate_units = {
  {"", 1.0 / 8},      {"bit", 1.0 / 8},   {"kbit", 1e3 / 8}, {"mbit", 1e6 / 8}, {"gbit", 1e9 / 8},
  {"tbit", 1e12 / 8}, {"bps", 1},         {"kbps", 1e3},     {"mbps", 1e6},     {"gbps", 1e9},
};
const std::map<std::string, double> size_units = {
  {"", 1},    {"b", 1},        {"k", 1024},       {"kb", 1024},          {"m", 1 << 20},
  {"mb", 1 << 20}, {"g", 1 << 30}, {"gb", 1 << 30}, {"kbit", 1024.0 / 8}, {"mbit", (1 << 20) / 8.0},
  {"gbit", (1 << 30) / 8.0},
};
const std::map<std::string, double> time_units = {
  {"", 1e-6}, {"s", 1}, {"sec", 1}, {"secs", 1}, {"ms", 1e-3}, {"msec", 1e-3}, {"msecs", 1e-3},
  {"us", 1e-6}, {"usec", 1e-6}, {"usecs", 1e-6},
};

}  // namespace

double tbf_settings::limit_at(double rate) const {
  return limit_bytes >= 0 ? limit_bytes : rate * latency_s + burst_bytes;
}

tbf_settings parse_tbf(const std::string& text) {
  tbf_settings t;
  std::istringstream words(text);
  std::map<std::string, std::string> given;
  for (std::string key, value; words >> key;) {
    if (key != "rate" && key != "burst" && key != "buffer" && key != "maxburst" && key != "latency" && key != "limit")
      throw std::runtime_error("tbf: unknown word '" + key + "' (rate, burst, latency, limit)");
    if (!(words >> value))
      throw std::runtime_error("tbf: '" + key + "' needs a value");
    key = key == "buffer" || key == "maxburst" ? "burst" : key;  // tc's synonyms
    if (!given.emplace(key, value).second)
      throw std::runtime_error("tbf: '" + key + "' given twice");
  }
  for (auto* required : {"rate", "burst"})
    if (given.count(required) == 0)
      throw std::runtime_error(std::string("tbf: '") + required + "' is required");
  if (given.count("latency") + given.count("limit") != 1)
    throw std::runtime_error("tbf: exactly one of 'latency' and 'limit' is required");
  t.rate_bytes_s = scaled("rate", given["rate"], rate_units);
  t.burst_bytes = scaled("burst", given["burst"], size_units);
  if (given.count("latency"))
    t.latency_s = scaled("latency", given["latency"], time_units);
  else
    t.limit_bytes = scaled("limit", given["limit"], size_units);
  if (!(t.rate_bytes_s > 0) || !(t.burst_bytes > 0))
    throw std::runtime_error("tbf: rate and burst must be positive");
  return t;
}

}  // namespace troupe
