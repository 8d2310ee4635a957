// A weight file appears whole or not at all: written beside its name, then renamed.
#pragma once

#include <filesystem>
#include <string>

#include <unistd.h>

#include <torch/script.h>

namespace troupe::learning::detail {

inline void save_atomically(const torch::jit::Module& m, const std::string& path) {
  auto temp = path + ".tmp-" + std::to_string(::getpid());
  try {
    m.save(temp);
    std::filesystem::rename(temp, path);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    throw;
  }
}

}  // namespace troupe::learning::detail
