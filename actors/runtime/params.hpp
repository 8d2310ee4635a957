// An actor's parameters from the topology (or a SpawnRequest), with typed getters.
// Validation against the kind's declared parameters happens before spawning, so
// getters here can assume the types are right.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace troupe {

class params {
 public:
  params() : node_(YAML::NodeType::Map) {}
  explicit params(YAML::Node node) : node_(std::move(node)) {}
  params(const params&) = default;  // shares the node: parameters are read, not written
  // Rebinds; YAML::Node's own assignment would write through into the shared node
  // and change every other params (and topology) holding it.
  params& operator=(const params& other) {
    node_.reset(other.node_);
    return *this;
  }
  static params from_yaml(const std::string& text);

  bool has(const std::string& key) const;
  std::string get_string(const std::string& key, const std::string& fallback = {}) const;
  int64_t get_int(const std::string& key, int64_t fallback = 0) const;
  double get_double(const std::string& key, double fallback = 0) const;
  bool get_bool(const std::string& key, bool fallback = false) const;
  std::vector<int64_t> get_ints(const std::string& key) const;

  std::string to_yaml() const;
  const YAML::Node& yaml() const { return node_; }

 private:
  YAML::Node node_;
};

}  // namespace troupe
