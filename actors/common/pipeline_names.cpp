#include "actors/common/pipeline_names.hpp"

#include <sstream>

namespace troupe {

std::vector<std::string> split_names(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string name; std::getline(in, name, ',');) {
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    if (!name.empty())
      out.push_back(name);
  }
  return out;
}

std::string first_up(const context& ctx, const std::vector<std::string>& names) {
  for (auto& n : names)
    if (ctx.knows(n))
      return n;
  return {};
}

}  // namespace troupe
