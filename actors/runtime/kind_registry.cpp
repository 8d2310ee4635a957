#include "actors/runtime/kind_registry.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <cerrno>
#include <cstring>
#include <regex>
#include <stdexcept>

namespace troupe {

namespace {

struct file_maker {
  std::regex pattern;
  std::string command;
};

std::vector<file_maker>& makers() {
  static std::vector<file_maker> all;
  return all;
}

}  // namespace

const char* to_string(param_type t) {
  switch (t) {
    case param_type::string: return "a string";
    case param_type::integer: return "an integer";
    case param_type::number: return "a number";
    case param_type::boolean: return "a boolean";
    case param_type::integer_list: return "a list of integers";
    case param_type::path: return "a path";
    case param_type::output: return "a file to write";
  }
  return "?";
}

bool names_path(const std::string& value) {
  if (value.find("://") != std::string::npos)
    return false;
  auto name = value.substr(value.find_last_of('/') + 1);
  return value.find('/') != std::string::npos || name.find('.') != std::string::npos;
}

void register_file_maker(const std::string& pattern, const std::string& command) {
  makers().push_back({std::regex(pattern), command});
}

std::string how_to_make(const std::string& path) {
  for (auto& m : makers()) {
    std::smatch match;
    if (!std::regex_search(path, match, m.pattern))
      continue;
    auto command = match.format(m.command);
    for (size_t at; (at = command.find("{}")) != std::string::npos;)
      command.replace(at, 2, path);
    return command;
  }
  return {};
}

void kind_registry::add(kind_spec spec) {
  auto name = spec.name;
  if (!kinds_.emplace(name, std::move(spec)).second)
    throw std::logic_error("kind '" + name + "' registered twice");
}

const kind_spec* kind_registry::find(const std::string& name) const {
  auto i = kinds_.find(name);
  return i == kinds_.end() ? nullptr : &i->second;
}

std::vector<std::string> kind_registry::names() const {
  std::vector<std::string> out;
  for (auto& [name, spec] : kinds_)
    out.push_back(name);
  return out;
}

namespace {

std::string check_path(const std::string& key, const std::string& path) {
  if (!names_path(path) || ::access(path.c_str(), R_OK) == 0)
    return {};
  std::string why = std::strerror(errno);
  auto make = how_to_make(path);
  if (errno == ENOENT)
    why = "does not exist";
  return "parameter '" + key + "': " + path + " " + why + (make.empty() ? "" : "; make it with: " + make);
}

template <class T>
bool converts(const YAML::Node& v) {
  T out;
  return YAML::convert<T>::decode(v, out);
}

std::string number_text(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

// "" when x is within the parameter's range, else what the range is.
std::string out_of_range(const param_spec& spec, double x) {
  if (x >= spec.min && x <= spec.max)
    return {};
  return "parameter '" + spec.key + "' must be " + range_of(spec) + ", not " + number_text(x);
}

}  // namespace

std::string range_of(const param_spec& p) {
  bool low = !std::isinf(p.min), high = !std::isinf(p.max);
  if (low && high)
    return "between " + number_text(p.min) + " and " + number_text(p.max);
  return low ? "at least " + number_text(p.min) : high ? "at most " + number_text(p.max) : "";
}

std::vector<std::string> referenced_names(const std::string& value) {
  std::vector<std::string> names;
  std::string name;
  std::stringstream items(value);
  while (std::getline(items, name, ',')) {
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    if (!name.empty() && name != "none")
      names.push_back(name);
  }
  return names;
}

std::string check_param(const param_spec& spec, const YAML::Node& value, input_files files) {
  bool ok = false;
  switch (spec.type) {
    case param_type::string:
    case param_type::output: ok = value.IsScalar(); break;
    case param_type::integer: {
      int64_t x = 0;
      ok = value.IsScalar() && YAML::convert<int64_t>::decode(value, x);
      if (ok)
        return out_of_range(spec, static_cast<double>(x));
      break;
    }
    case param_type::number: {
      double x = 0;
      ok = value.IsScalar() && YAML::convert<double>::decode(value, x);
      if (ok && !std::isfinite(x))
        return "parameter '" + spec.key + "' must be a finite number";
      if (ok)
        return out_of_range(spec, x);
      break;
    }
    case param_type::boolean: ok = value.IsScalar() && converts<bool>(value); break;
    case param_type::integer_list:
      ok = value.IsSequence();
      for (auto item : value)
        ok = ok && item.IsScalar() && converts<int64_t>(item);
      break;
    case param_type::path:
      if (!value.IsScalar())
        break;
      return files == input_files::must_exist ? check_path(spec.key, value.Scalar()) : std::string();
  }
  if (ok)
    return {};
  return "parameter '" + spec.key + "' must be " + to_string(spec.type);
}

}  // namespace troupe

namespace troupe {

std::vector<param_problem> check_params(const kind_spec& spec, const YAML::Node& params, input_files files) {
  std::vector<param_problem> problems;
  if (params && !params.IsNull() && !params.IsMap()) {
    problems.push_back({params.Mark(), "params must be a mapping"});
    return problems;
  }
  for (const auto& p : spec.parameters) {
    auto value = params && params.IsMap() ? params[p.key] : YAML::Node();
    if (!value || value.IsNull()) {
      if (p.required)
        problems.push_back({params ? params.Mark() : YAML::Mark::null_mark(),
                            "kind '" + spec.name + "' needs parameter '" + p.key + "' (" +
                              p.help + ")"});
      continue;
    }
    auto problem = check_param(p, value, files);
    if (!problem.empty())
      problems.push_back({value.Mark(), problem});
  }
  if (params && params.IsMap()) {
    for (auto kv : params) {
      if (!kv.first.IsScalar()) {  // `{ [0, 1]: x }` (found by fuzz/topology_fuzz.cpp)
        problems.push_back({kv.first.Mark(), "a parameter's name must be a word, not a list or a mapping"});
        continue;
      }
      auto key = kv.first.Scalar();
      bool known = std::any_of(spec.parameters.begin(), spec.parameters.end(),
                               [&](const param_spec& p) { return p.key == key; });
      if (!known)
        problems.push_back({kv.first.Mark(), "unknown parameter '" + key + "' for kind '" +
                                               spec.name + "'"});
    }
  }
  if (problems.empty() && spec.check && files == input_files::must_exist)  // its checks may open the files
    problems = spec.check(params && params.IsMap() ? params : YAML::Node(YAML::NodeType::Map));
  return problems;
}

}  // namespace troupe
