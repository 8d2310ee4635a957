#include <unistd.h>

#include <fstream>

#include "fuzz/harness.hpp"

namespace troupe::fuzz {

std::string as_file(const uint8_t* data, size_t size, const std::string& suffix) {
  auto path = "/dev/shm/troupe-fuzz-" + std::to_string(::getpid()) + suffix;
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data),
                                                                 static_cast<std::streamsize>(size));
  return path;
}

}  // namespace troupe::fuzz
