#include "actors/runtime/params.hpp"

namespace troupe {

params params::from_yaml(const std::string& text) {
  auto node = YAML::Load(text);
  return node.IsMap() ? params(node) : params();
}

bool params::has(const std::string& key) const {
  return node_.IsMap() && node_[key] && !node_[key].IsNull();
}

std::string params::get_string(const std::string& key, const std::string& fallback) const {
  return has(key) ? node_[key].as<std::string>() : fallback;
}

int64_t params::get_int(const std::string& key, int64_t fallback) const {
  return has(key) ? node_[key].as<int64_t>() : fallback;
}

double params::get_double(const std::string& key, double fallback) const {
  return has(key) ? node_[key].as<double>() : fallback;
}

bool params::get_bool(const std::string& key, bool fallback) const {
  return has(key) ? node_[key].as<bool>() : fallback;
}

std::vector<int64_t> params::get_ints(const std::string& key) const {
  return has(key) ? node_[key].as<std::vector<int64_t>>() : std::vector<int64_t>{};
}

std::string params::to_yaml() const {
  YAML::Emitter out;
  out << YAML::Flow << node_;
  return out.c_str();
}

}  // namespace troupe
