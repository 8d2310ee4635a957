// Maps each topology `kind:` to the code that spawns it and the parameters it takes.
// Adding a kind means adding one entry (see builtin_kinds.cpp); validation, `troupe run`
// and SpawnRequests all read from here.
#pragma once

#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor.hpp>

#include "actors/runtime/params.hpp"

namespace troupe {

class node;
class context;

// `path`: a string that, when it reads as a path (it has a '/' or an extension and is
// no URL), names a file or folder that must exist and be readable; other values are
// the kind's own words (hog, naive, synthetic, rtsp://...).
// `output`: a file (or a file prefix) the actor writes. A node spawning on request
// keeps it inside its output folder (runtime.output_dir).
enum class param_type { string, integer, number, boolean, integer_list, path, output };
const char* to_string(param_type t);

// Whether a `path` value names something on disk.
bool names_path(const std::string& value);

// Files a topology names that the project can make (trained models, fitted weights):
// a regex on the path, and the command that makes it, $1.. and {} (the path) filled in.
void register_file_maker(const std::string& pattern, const std::string& command);
// The command that makes `path`, or empty.
std::string how_to_make(const std::string& path);

struct param_spec {
  std::string key;
  param_type type;
  bool required;
  std::string help;  // includes the default when there is one
  // Non-empty: the value names actors of the topology (comma-separated when several;
  // "none" names nobody), each of one of these kinds. Validation checks each name, and
  // the references are the topology's connections that NATS permissions follow.
  std::vector<std::string> refers_to = {};
  // Numbers and integers: the values validation accepts (a rate, a size, a share...).
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
};

// "between 0 and 1", "at least 1", "at most 9", or "" for a parameter without bounds.
std::string range_of(const param_spec& p);

// `p` accepting only values from lo to hi: in_range({"fps", param_type::number, ...}, 0.01, 1000).
inline param_spec in_range(param_spec p, double lo, double hi) {
  p.min = lo;
  p.max = hi;
  return p;
}

struct param_problem {
  YAML::Mark mark;  // where in the file; unset for parameters not read from a file
  std::string message;
};

// At the end of a run actors stop stage by stage so that work in flight drains and is
// counted: producers (cameras) first, then what serves them, then what reports on them.
enum class stop_stage { producer, server, reporter };

// What a kind that spawns at run time will spawn, as far as its parameters say. Its node
// may send spawn and stop requests; the named actors (of `kind`) may be referenced by the
// topology; what it spawns talks to the topology's parts its spawner and the spawner's
// neighbours on its node belong to.
struct spawn_plan {
  std::vector<std::string> nodes;  // where it may spawn
  std::vector<std::string> names;  // the actors it spawns for sure (more may follow)
  std::string kind;
};

struct kind_spec {
  std::string name;
  std::string summary;
  std::vector<param_spec> parameters;
  // Spawns the actor; the node names, registers and announces it.
  std::function<caf::actor(node&, context, const params&)> spawn;
  stop_stage stops = stop_stage::server;
  // What the parameters' declarations cannot say (a device the profile lacks, a model
  // name no loader knows); run by validation and at spawn, after the declared checks pass.
  std::function<std::vector<param_problem>(const YAML::Node& params)> check = {};
  // Set for kinds that spawn actors at run time (ROOMIE's placement): see spawn_plan.
  std::function<spawn_plan(const params&)> spawns = {};
  // Set for kinds whose actors find each other at run time (VideoJam's replicas of one
  // function type): actors of the kind with the same neighbourhood are connected.
  std::function<std::string(const params&)> neighbourhood = {};
  // The letter types (full protobuf names) its actors act on; the node refuses and
  // counts any other type arriving for one of them (`unhandled type`). Not set: any
  // (kinds made by hand); empty: none.
  std::optional<std::vector<std::string>> accepts = std::nullopt;
};

// The full names of message types, for kind_spec::accepts: types_of<msg::Region>().
template <class... Ts>
std::vector<std::string> types_of() {
  return {Ts::descriptor()->full_name()...};
}

// `k` acting on `types` only (kind_spec::accepts), set where the kind is registered.
inline kind_spec accepting(kind_spec k, std::vector<std::string> types) {
  k.accepts = std::move(types);
  return k;
}

class kind_registry {
 public:
  void add(kind_spec spec);
  const kind_spec* find(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, kind_spec> kinds_;
};

// The actor names a reference parameter's value gives ("a, b" -> {a, b}; "none" -> {}).
std::vector<std::string> referenced_names(const std::string& value);

// Whether a `path` parameter's file must exist when a topology is checked. A bench that
// sets its own files on the topology it loads takes `checked_at_spawn`: the files, and
// the kind's own checks of its parameters together (which may open them), wait for the
// spawn, which checks every parameter again.
enum class input_files { must_exist, checked_at_spawn };

// Checks one value against its declared type; empty string when it fits.
std::string check_param(const param_spec& spec, const YAML::Node& value,
                        input_files files = input_files::must_exist);

}  // namespace troupe

namespace troupe {

// Unknown keys, missing required keys and mistyped values.
std::vector<param_problem> check_params(const kind_spec& spec, const YAML::Node& params,
                                        input_files files = input_files::must_exist);

}  // namespace troupe
