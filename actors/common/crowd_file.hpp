// A crowd (actors/common/core/crowd.hpp) from its YAML file, checked like a topology:
// every problem at once, each as file:line:column: message.
//
//   seed: 1
//   cameras:
//     - {name: yard-1, entry_rate: 0.3}   # objects/s entering here; absent: not an entrance
//     - {name: lobby}
//   edges: [[yard-1, lobby]]              # walkable both ways
//   dwell_s: [5, 20]                      # in one camera's view, uniform
//   lag_s: [10, 40]                       # walking between two cameras, uniform
//   exit_probability: 0.3                 # after each view, the object leaves the site
//   bursts: {every_s: 120, length_s: 30, factor: 3}
//   max_views: 50
//   start_s: 120                          # the first frame shows the crowd this far in
#pragma once

#include <string>
#include <vector>

#include "actors/common/core/crowd.hpp"
#include "actors/runtime/deploy/yaml_checker.hpp"

namespace troupe {

struct crowd_file_result {
  crowd_config crowd;               // meaningful only when errors is empty
  std::vector<file_error> errors;
};

crowd_file_result parse_crowd(const std::string& text, const std::string& file);
crowd_file_result load_crowd(const std::string& path);

}  // namespace troupe
