#include "actors/runtime/deploy/yaml_checker.hpp"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "actors/runtime/bus/subjects.hpp"

namespace troupe {

std::string file_error::to_string() const {
  std::ostringstream out;
  out << pos.file << ":" << pos.line << ":" << pos.column << ": " << message;
  return out.str();
}

std::optional<std::string> read_text_file(const std::string& path, std::vector<file_error>& errors) {
  std::ifstream in(path);
  if (!in) {
    errors.push_back({{path, 0, 0}, "cannot read the file"});
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::optional<YAML::Node> parse_yaml(const std::string& text, const std::string& file,
                                     const std::string& what, std::vector<file_error>& errors) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    errors.push_back({{file, e.mark.line + 1, e.mark.column + 1}, e.msg});
    return std::nullopt;
  }
  if (!root || root.IsNull()) {
    errors.push_back({{file, 1, 1}, "empty " + what});
    return std::nullopt;
  }
  return root;
}

bool yaml_checker::keys(const YAML::Node& n, const std::string& what,
                        std::initializer_list<const char*> allowed) {
  if (!n.IsMap()) {
    fail(n, what + " must be a mapping");
    return false;
  }
  std::set<std::string> seen;
  for (auto kv : n) {
    auto key = kv.first.Scalar();
    if (!seen.insert(key).second)
      fail(kv.first, "duplicate key '" + key + "' in " + what);
    bool known = false;
    for (auto* a : allowed)
      known = known || key == a;
    if (!known) {
      std::string list;
      for (auto* a : allowed)
        list += std::string(list.empty() ? "" : ", ") + a;
      fail(kv.first, "unknown key '" + key + "' in " + what + " (expected one of: " + list + ")");
    }
  }
  return true;
}

bool yaml_checker::text(const YAML::Node& p, const char* key, const std::string& what,
                        std::string& out, bool required) {
  return scalar(p, key, what, "a string", out, required);
}

bool yaml_checker::integer(const YAML::Node& p, const char* key, const std::string& what, int& out,
                           int min, int max) {
  if (!scalar(p, key, what, "an integer", out, false))
    return false;
  if (out < min)
    fail(p[key], "'" + std::string(key) + "' must be at least " + std::to_string(min));
  else if (out > max)
    fail(p[key], "'" + std::string(key) + "' must be at most " + std::to_string(max));
  return true;
}

bool yaml_checker::number(const YAML::Node& p, const char* key, const std::string& what,
                          double& out, bool required) {
  if (!scalar(p, key, what, "a number", out, required))
    return false;
  if (!std::isfinite(out)) {
    fail(p[key], "'" + std::string(key) + "' must be a finite number");
    return false;
  }
  if (out < 0)
    fail(p[key], "'" + std::string(key) + "' must not be negative");
  return true;
}

bool yaml_checker::name(const YAML::Node& p, const std::string& what, std::string& out) {
  if (!text(p, "name", what, out, true))
    return false;
  if (!is_valid_name(out)) {
    fail(p["name"], "invalid name '" + out + "' (letters, digits and -_/:@ only)");
    return false;
  }
  return true;
}

}  // namespace troupe
