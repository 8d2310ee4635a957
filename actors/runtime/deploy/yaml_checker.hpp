// Checks YAML documents the way a user needs: every problem at once, each as
// `file:line:column: message`. Topology files and device profiles build on it.
#pragma once

#include <initializer_list>
#include <optional>
#include <limits>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace troupe {

struct source_pos {
  std::string file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based
};

struct file_error {
  source_pos pos;
  std::string message;
  std::string to_string() const;  // file:line:column: message
};

// The text of a file, or nullopt with "cannot read the file" added to errors.
std::optional<std::string> read_text_file(const std::string& path, std::vector<file_error>& errors);
// The document's root, or nullopt with the YAML syntax error, or "empty <what>", added.
std::optional<YAML::Node> parse_yaml(const std::string& text, const std::string& file,
                                     const std::string& what, std::vector<file_error>& errors);

class yaml_checker {
 public:
  explicit yaml_checker(std::string file) : file_(std::move(file)) {}

  std::vector<file_error> errors;

  source_pos pos(const YAML::Mark& m) const { return {file_, m.line + 1, m.column + 1}; }
  source_pos pos(const YAML::Node& n) const { return pos(n.Mark()); }
  void fail(const YAML::Node& at, std::string message) { errors.push_back({pos(at), std::move(message)}); }

  // Reports keys not in `allowed` and keys given twice; false if `n` is not a map.
  bool keys(const YAML::Node& n, const std::string& what, std::initializer_list<const char*> allowed);

  // Each reads parent[key] into out; false when absent (an error if required) or mistyped.
  bool text(const YAML::Node& p, const char* key, const std::string& what, std::string& out, bool required);
  bool integer(const YAML::Node& p, const char* key, const std::string& what, int& out, int min,
               int max = std::numeric_limits<int>::max());
  bool number(const YAML::Node& p, const char* key, const std::string& what, double& out, bool required);
  // The "name" key, which must be a valid actor/node name.
  bool name(const YAML::Node& p, const std::string& what, std::string& out);

  template <class T>
  bool scalar(const YAML::Node& parent, const char* key, const std::string& what, const char* type_name,
              T& out, bool required) {
    auto v = parent[key];
    if (!v) {
      if (required)
        fail(parent, what + " needs '" + key + "'");
      return false;
    }
    if (!v.IsScalar() || !YAML::convert<T>::decode(v, out)) {
      fail(v, "'" + std::string(key) + "' in " + what + " must be " + type_name);
      return false;
    }
    return true;
  }

  // Calls each(item, out.emplace_back()) for every item of the list parent[key].
  template <class T, class F>
  void list(const YAML::Node& parent, const char* key, const std::string& what, std::vector<T>& out,
            F each, bool required) {
    auto n = parent[key];
    if (!n) {
      if (required)
        fail(parent, what + " needs '" + key + "'");
      return;
    }
    if (!n.IsSequence()) {
      fail(n, std::string("'") + key + "' must be a list");
      return;
    }
    for (auto item : n) {
      out.emplace_back();
      each(item, out.back());
    }
  }

 protected:
  std::string file_;
};

}  // namespace troupe
