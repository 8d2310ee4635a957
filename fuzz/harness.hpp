// A fuzz harness is one LLVMFuzzerTestOneInput: built with libFuzzer under clang
// (scripts/fuzz.sh) it explores; built with replay_main.cpp it replays the kept corpus
// in every test run (ctest's fuzz_replay_* tests).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace troupe::fuzz {

inline std::string text_of(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// For readers that take a path: the input as a file in memory-backed /dev/shm.
std::string as_file(const uint8_t* data, size_t size, const std::string& suffix);

}  // namespace troupe::fuzz
