#include "actors/roomie/core/placement_params.hpp"

#include <sstream>
#include <stdexcept>

namespace troupe::roomie {

namespace {

// "a, b:c" split at `sep`, each part trimmed, empty parts dropped (sep ',') or kept.
std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, sep);) {
    part.erase(0, part.find_first_not_of(' '));
    part.erase(part.find_last_not_of(' ') + 1);
    if (!part.empty() || sep != ',')
      out.push_back(part);
  }
  return out;
}

int positive(const std::string& text, const std::string& item) {
  try {
    size_t used = 0;
    auto n = std::stoi(text, &used);
    if (used == text.size() && n >= 1)
      return n;
  } catch (const std::exception&) {
  }
  throw std::runtime_error("'" + item + "': the count must be a whole number of at least 1");
}

}  // namespace

std::vector<cluster_member> parse_cluster(const std::string& list) {
  std::vector<cluster_member> out;
  for (auto& item : split(list, ',')) {
    auto f = split(item, ':');
    if (f.size() != 3)
      throw std::runtime_error("cluster '" + item + "': node:device:count");
    out.push_back({f[0], f[1], positive(f[2], item)});
  }
  if (out.empty())
    throw std::runtime_error("cluster names no GPU (node:device:count, ...)");
  return out;
}

std::vector<std::pair<std::string, int>> parse_initial(const std::string& list) {
  std::vector<std::pair<std::string, int>> out;
  for (auto& item : split(list, ',')) {
    auto f = split(item, ':');
    if (f.size() != 2)
      throw std::runtime_error("initial '" + item + "': model:count");
    out.emplace_back(f[0], positive(f[1], item));
  }
  return out;
}

}  // namespace troupe::roomie
