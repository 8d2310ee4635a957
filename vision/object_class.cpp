#include "vision/object_class.hpp"

#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace troupe::vision {

const std::vector<std::string>& object_class_names() {
  static const std::vector<std::string> names = {"person", "car", "bike"};
  return names;
}

std::string class_name(int id) {
  auto& names = object_class_names();
  return id >= 0 && size_t(id) < names.size() ? names[size_t(id)] : std::to_string(id);
}

int class_id(const std::string& name) {
  auto& names = object_class_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name)
      return int(i);
  char* end = nullptr;
  long id = std::strtol(name.c_str(), &end, 10);
  return !name.empty() && *end == '\0' && id >= 0 ? int(id) : -1;
}

std::vector<double> parse_class_mix(const std::string& text) {
  std::vector<double> mix;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    auto colon = item.find(':');
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(' '));
      s.erase(s.find_last_not_of(' ') + 1);
      return s;
    };
    auto name = trim(item.substr(0, colon));
    int id = class_id(name);
    if (id < 0 || size_t(id) >= object_class_names().size())
      throw std::invalid_argument("class '" + name + "' is not one of person, car, bike");
    double share = 1;
    if (colon != std::string::npos) {
      auto number = trim(item.substr(colon + 1));
      char* end = nullptr;
      share = std::strtod(number.c_str(), &end);
      if (number.empty() || *end != '\0' || share < 0)
        throw std::invalid_argument("class '" + name + "': share '" + number + "' is not a number >= 0");
    }
    if (mix.size() <= size_t(id))
      mix.resize(size_t(id) + 1, 0);
    mix[size_t(id)] = share;
  }
  double total = 0;
  for (double s : mix)
    total += s;
  if (total <= 0)
    throw std::invalid_argument("classes '" + text + "': no class with a share above 0");
  return mix;
}

}  // namespace troupe::vision
