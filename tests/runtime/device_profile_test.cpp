#include <gtest/gtest.h>

#include "actors/runtime/emulation/device_profile.hpp"

using namespace troupe;

namespace {

const char* good = R"(devices:
  - name: jetson-nano
    busy_power_w: 12
    idle_power_w: 2
    models:
      - { model: yolov8n, fixed_ms: 12, ms_per_megapixel: 95 }
      - { model: hog, fixed_ms: 5, ms_per_megapixel: 300 }
  - name: rtx3090
    busy_power_w: 350
    concurrency: 4
    models:
      - { model: yolov8l, fixed_ms: 8, ms_per_megapixel: 20 }
)";

std::string first_error(const std::string& text) {
  auto r = parse_device_profiles(text, "d.yaml");
  return r.errors.empty() ? "" : r.errors[0].to_string();
}

}  // namespace

TEST(DeviceProfile, LinearInferenceTimeAndEnergy) {
  auto r = parse_device_profiles(good, "d.yaml");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].to_string();
  auto* nano = r.profiles->find("jetson-nano");
  ASSERT_NE(nano, nullptr);
  EXPECT_EQ(nano->concurrency, 1);
  // 768×576 = 0.442368 Mpx: 12 + 95 × 0.442368 ms.
  EXPECT_NEAR(*nano->inference_ms("yolov8n", 768 * 576), 12 + 95 * 0.442368, 1e-9);
  EXPECT_NEAR(*nano->inference_ms("yolov8n", 0), 12, 1e-12);
  EXPECT_FALSE(nano->inference_ms("yolov8l", 1000));
  // 0.25 s busy of 1 s: 12 W × 0.25 + 2 W × 0.75 = 4.5 J.
  EXPECT_NEAR(nano->energy_j(0.25, 1.0), 4.5, 1e-12);
  EXPECT_EQ(r.profiles->find("rtx3090")->concurrency, 4);
  EXPECT_EQ(r.profiles->find("tpu"), nullptr);
}

TEST(DeviceUnits, BatchesFillConcurrentUnits) {
  // One unit: the batch takes the sum.
  EXPECT_NEAR(device_units(1).schedule({28, 18, 8}, 0), 54, 1e-9);
  // Four units: five inputs of 28 ms, the fifth waits for a free unit.
  EXPECT_NEAR(device_units(4).schedule({28, 28, 28, 28, 28}, 0), 56, 1e-9);
  EXPECT_NEAR(device_units(4).schedule({28, 28}, 100), 128, 1e-9);
}

TEST(DeviceUnits, WorkersShareTheUnits) {
  device_units two(2);
  EXPECT_NEAR(two.schedule({30, 30}, 0), 30, 1e-9);  // one worker's batch takes both units
  EXPECT_NEAR(two.schedule({30}, 10), 60, 1e-9);     // another's, ready at 10, waits for one
  EXPECT_NEAR(two.schedule({5}, 100), 105, 1e-9);    // an idle device starts at once
}

TEST(DeviceProfile, ProblemsHaveFileLineColumn) {
  EXPECT_EQ(first_error("devices:\n  - { name: a, busy_power_w: hot, models: [] }\n"),
            "d.yaml:2:30: 'busy_power_w' in device 'a' must be a number");
  EXPECT_EQ(first_error("devices:\n  - { name: a, busy_power_w: 1, colour: red, models: [] }\n"),
            "d.yaml:2:33: unknown key 'colour' in device (expected one of: name, busy_power_w, idle_power_w, "
            "concurrency, models, gpu)");
  EXPECT_EQ(first_error("devices:\n  - { name: a, busy_power_w: 1 }\n"), "d.yaml:2:5: device 'a' needs 'models'");
  EXPECT_EQ(first_error("devices:\n  - { name: a, busy_power_w: 1, models: [ { model: m, fixed_ms: 1 } ] }\n"),
            "d.yaml:2:43: device 'a' model 'm' needs 'ms_per_megapixel'");
  EXPECT_EQ(first_error("nodes: []\n"), "d.yaml:1:1: unknown key 'nodes' in the device profile file (expected one of: devices)");
  EXPECT_EQ(first_error(""), "d.yaml:1:1: empty device profile file");
}

TEST(DeviceProfile, DuplicatesAreRefused) {
  auto twice = "devices:\n  - { name: a, busy_power_w: 1, models: [] }\n  - { name: a, busy_power_w: 2, models: [] }\n";
  EXPECT_EQ(first_error(twice), "d.yaml:3:5: duplicate device name 'a'");
  auto model_twice = "devices:\n  - { name: a, busy_power_w: 1, models: [ { model: m, fixed_ms: 1, ms_per_megapixel: 1 },"
                     " { model: m, fixed_ms: 2, ms_per_megapixel: 2 } ] }\n";
  EXPECT_EQ(first_error(model_twice).substr(0, 8), "d.yaml:2");
  EXPECT_NE(first_error(model_twice).find("lists model 'm' twice"), std::string::npos);
  EXPECT_EQ(load_device_profiles("/nonexistent.yaml").errors[0].to_string(), "/nonexistent.yaml:0:0: cannot read the file");
}
