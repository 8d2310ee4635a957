// The placement kind's lists, read the same by the kind and by `troupe bench roomie`:
// its cluster "node:device:count, ..." and its initial replicas "model:count, ...".
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace troupe::roomie {

struct cluster_member {
  std::string node, device;
  int count = 0;  // GPUs of the device it uses, 0 to count − 1
};

// Throw std::runtime_error naming the item that is not node:device:count (or
// model:count), a count that is not a whole number of at least 1, or an empty cluster.
std::vector<cluster_member> parse_cluster(const std::string& list);
std::vector<std::pair<std::string, int>> parse_initial(const std::string& list);

}  // namespace troupe::roomie
