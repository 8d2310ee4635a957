// What a sink takes as a real result: forged ones once put a nameless camera and a
// latency of 1.8e12 ms in a report.
#include <gtest/gtest.h>

#include <limits>

#include "actors/common/detections_check.hpp"

using namespace troupe;

namespace {

constexpr int64_t s = 1'000'000'000;
constexpr int64_t t0 = 1'764'000'000 * s;  // a deployment's clock: unix time

msg::Detections result(const std::string& camera, int64_t capture_ns) {
  msg::Detections d;
  d.set_camera(camera);
  d.set_capture_time_unix_ns(capture_ns);
  auto* b = d.add_boxes();
  b->set_width(10);
  b->set_height(20);
  return d;
}

}  // namespace

TEST(DetectionsCheck, AResultNeedsACameraAPlausibleCaptureTimeAndFiniteBoxes) {
  auto bounds = window_since(t0 + 100 * s, t0 + 200 * s);
  EXPECT_FALSE(check_detections(result("cam-1", t0 + 150 * s), bounds));
  EXPECT_FALSE(check_detections(result("cam-1", t0 + 99 * s), bounds));  // sent before the sink started
  EXPECT_FALSE(check_detections(result("cam-1", t0 + 200 * s + s / 2), bounds));  // another host's clock, ahead
  EXPECT_EQ(check_detections(result("", t0 + 150 * s), bounds), refusal::missing_field);
  EXPECT_EQ(check_detections(result("cam-1", 0), bounds), refusal::out_of_range);  // 1.8e12 ms of "latency"
  EXPECT_EQ(check_detections(result("cam-1", t0 + 205 * s), bounds), refusal::out_of_range);  // from the future
  auto nan = result("cam-1", t0 + 150 * s);
  nan.mutable_boxes(0)->set_x(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(check_detections(nan, bounds), refusal::out_of_range);
  auto fused = result("cam-1", t0 + 150 * s);
  fused.set_items(0);  // a frame tracking alone made closes none
  EXPECT_FALSE(check_detections(fused, bounds));
  fused.set_items(max_items_per_output + 1);  // would inflate the books' delivered
  EXPECT_EQ(check_detections(fused, bounds), refusal::out_of_range);
}

TEST(Plausible, NamesAreShortPrintableAndNoPaths) {
  EXPECT_TRUE(plausible_name("detector-n-i320"));
  EXPECT_TRUE(plausible_name("cam 1"));
  for (std::string bad : {std::string(), std::string(129, 'a'), std::string("../etc/passwd"), std::string("a/b"),
                          std::string("a\\b"), std::string("tab\there"), std::string("a..b")})
    EXPECT_FALSE(plausible_name(bad)) << bad;
  EXPECT_TRUE(finite_in(0.5, 0, 1));
  EXPECT_FALSE(finite_in(std::numeric_limits<double>::quiet_NaN(), 0, 1));
  EXPECT_FALSE(finite_in(std::numeric_limits<double>::infinity(), 0, 1e300));
  EXPECT_FALSE(finite_in(-1e-9, 0, 1));
}
