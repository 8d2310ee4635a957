// A closed set of named choices (a system's modes, baselines, policies): read from a
// topology's string once, then acted on as a type, never compared as a string.
#pragma once

#include <initializer_list>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace troupe {

template <class E>
class choice {
 public:
  choice(std::string what, std::initializer_list<std::pair<const char*, E>> names) : what_(std::move(what)), names_(names) {}

  // Throws std::runtime_error naming every choice when `name` is none of them.
  E parse(const std::string& name) const {
    for (auto& [n, value] : names_)
      if (name == n)
        return value;
    std::string known;
    for (auto& [n, value] : names_)
      known += (known.empty() ? "" : ", ") + std::string(n);
    throw std::runtime_error(what_ + " '" + name + "' is not one of " + known);
  }

  const char* name(E value) const {
    for (auto& [n, v] : names_)
      if (v == value)
        return n;
    return "?";
  }

 private:
  std::string what_;
  std::vector<std::pair<const char*, E>> names_;
};

}  // namespace troupe
