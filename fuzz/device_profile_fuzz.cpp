// Any text as a device-profile file.
#include "actors/runtime/emulation/device_profile.hpp"
#include "fuzz/harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  troupe::parse_device_profiles(troupe::fuzz::text_of(data, size), "fuzz.yaml");
  return 0;
}
