// Maps each topology `kind:` to the code that spawns it and the parameters it takes.
// Adding a kind means adding one entry (see builtin_kinds.cpp); validation, `troupe run`
// and SpawnRequests all read from here.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <caf/actor.hpp>

#include "actors/params.hpp"

namespace troupe {

class node;
class context;

enum class param_type { string, integer, number, boolean, integer_list };
const char* to_string(param_type t);

struct param_spec {
  std::string key;
  param_type type;
  bool required;
  std::string help;  // includes the default when there is one
};

struct kind_spec {
  std::string name;
  std::string summary;
  std::vector<param_spec> parameters;
  // Spawns the actor; the node names, registers and announces it.
  std::function<caf::actor(node&, context, const params&)> spawn;
};

class kind_registry {
 public:
  void add(kind_spec spec);
  const kind_spec* find(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, kind_spec> kinds_;
};

// Checks one value against its declared type; empty string when it fits.
std::string check_param(const param_spec& spec, const YAML::Node& value);

}  // namespace troupe

namespace troupe {

struct param_problem {
  YAML::Mark mark;  // where in the file; unset for parameters not read from a file
  std::string message;
};

// Unknown keys, missing required keys and mistyped values.
std::vector<param_problem> check_params(const kind_spec& spec, const YAML::Node& params);

}  // namespace troupe
