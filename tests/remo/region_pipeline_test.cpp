// A region camera's mechanics without actors: frame 0 of a slot to the server, a
// triggered region to the replica the plan names, fusion of detected and tracked
// boxes by ABN, late results, and the slot report the scheduler decides from.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "actors/remo/region_pipeline.hpp"

using namespace troupe;

namespace {

region_pipeline_settings two_regions() {
  region_pipeline_settings s;
  s.regions = {cv::Rect(0, 0, 160, 240), cv::Rect(160, 0, 160, 240)};
  s.frames_per_slot = 4;
  s.trigger.q_base = 0.5;
  s.trigger.q_per_backlog = 0;
  s.own_detector = "own";
  s.server_detector = "server";
  s.accuracy = 0.8;
  return s;
}

// A still, faintly textured floor; `walker` puts someone into the right-hand region.
vision::source_frame frame(uint64_t index, bool walker) {
  vision::source_frame f;
  f.index = index;
  f.image = cv::Mat(240, 320, CV_8UC3);
  cv::RNG rng(3);
  rng.fill(f.image, cv::RNG::UNIFORM, 100, 110);
  if (walker)
    cv::rectangle(f.image, cv::Rect(200, 60, 40, 100), cv::Scalar::all(250), cv::FILLED);
  return f;
}

msg::Detections result(uint64_t index, uint32_t region, std::vector<cv::Rect2f> boxes) {
  msg::Detections d;
  d.set_frame_index(index);
  d.set_region(region);
  for (auto& box : boxes) {
    auto* b = d.add_boxes();
    b->set_x(box.x);
    b->set_y(box.y);
    b->set_width(box.width);
    b->set_height(box.height);
    b->set_score(0.9f);
  }
  return d;
}

// Slot 0's plan: region `region` (0-based) of frame `frame` to `detector`.
msg::remo::SlotPlan plan_for(uint32_t frame, uint32_t region, const std::string& detector) {
  msg::remo::SlotPlan plan;
  plan.set_slot(0);
  auto* a = plan.add_assignments();
  a->set_frame(frame);
  a->set_region(region);
  a->set_detector(detector);
  return plan;
}

}  // namespace

TEST(RegionPipeline, SlotStartsAtTheServerAndATriggeredRegionGoesWhereThePlanSays) {
  region_pipeline p("cam", two_regions());
  auto s0 = p.on_frame(frame(0, false), 0.1);
  ASSERT_EQ(s0.jobs.size(), 1u);
  EXPECT_EQ(s0.jobs[0].detector, "server");
  EXPECT_EQ(s0.jobs[0].area, cv::Rect(0, 0, 320, 240));
  EXPECT_FALSE(p.dispatched(0, 0, s0.jobs, 1000, 0));  // waits for the server
  auto out = p.on_result(result(0, 0, {{20, 20, 30, 60}}));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->boxes.size(), 1u);

  auto s1 = p.on_frame(frame(1, false), 0.1);  // nothing changed: tracked only
  EXPECT_TRUE(s1.jobs.empty());
  auto tracked = p.dispatched(1, 100'000'000, s1.jobs, 0, 0);
  ASSERT_TRUE(tracked);  // output at once, with the tracked box

  EXPECT_FALSE(p.on_plan(plan_for(2, 1, "other")));
  auto s2 = p.on_frame(frame(2, true), 0.1);  // someone walks into the right-hand region
  ASSERT_EQ(s2.jobs.size(), 1u);
  EXPECT_EQ(s2.jobs[0].region, 2u);           // 1-based on the wire
  EXPECT_EQ(s2.jobs[0].detector, "other");    // as planned
  EXPECT_TRUE(s2.jobs[0].area.contains({161, 10}));
  EXPECT_LT(s2.jobs[0].area.x, 160);          // PPA padded the shared edge ...
  EXPECT_GE(s2.jobs[0].area.x, 120);          // ... by less than a quarter of the width
  EXPECT_EQ(s2.jobs[0].area.x + s2.jobs[0].area.width, 320);  // and not the frame's border
}

TEST(RegionPipeline, FusionKeepsTheLargestBoxAndLateFramesAreCounted) {
  auto settings = two_regions();
  settings.result_timeout_ms = 100;
  region_pipeline p("cam", settings);
  auto s0 = p.on_frame(frame(0, false), 0.1);
  p.dispatched(0, 0, s0.jobs, 1000, 0);
  p.on_result(result(0, 0, {{200, 80, 60, 80}, {20, 20, 30, 60}}));
  p.on_frame(frame(1, false), 0.1);
  auto s2 = p.on_frame(frame(2, true), 0.1);
  ASSERT_EQ(s2.jobs.size(), 1u);
  p.dispatched(2, 200'000'000, s2.jobs, 500, 0);
  // The region's detection replaces tracking in its area (the left box stays tracked);
  // of its two boxes of one object, ABN keeps the larger.
  auto out = p.on_result(result(2, 2, {{205, 85, 40, 60}, {198, 78, 64, 84}}));
  ASSERT_TRUE(out);
  ASSERT_EQ(out->boxes.size(), 2u);
  EXPECT_FLOAT_EQ(out->boxes[0].box.width, 64);
  EXPECT_FLOAT_EQ(out->boxes[1].box.width, 30);

  p.on_frame(frame(3, false), 0.1);
  p.dispatched(3, 300'000'000, {{cv::Rect(0, 0, 160, 240), "own", 1}}, 100, 0);
  EXPECT_TRUE(p.expire(350'000'000).empty());  // still within its 100 ms
  auto late = p.expire(450'000'000);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(p.counters().late, 1u);
  bool left_kept = false;  // the unanswered area's tracked box is not wiped
  for (auto& b : late[0].boxes)
    left_kept = left_kept || (b.box.x < 60 && b.box.width < 40);
  EXPECT_TRUE(left_kept);
  EXPECT_FALSE(p.on_result(result(3, 1, {})));  // its result, after the frame was output: counted
  EXPECT_EQ(p.counters().results_after_output, 1u);

  auto s4 = p.on_frame(frame(4, false), 0.1);  // slot 1 begins: slot 0's report
  ASSERT_TRUE(s4.report);
  EXPECT_EQ(s4.report->slot(), 0u);
  EXPECT_EQ(s4.report->frames(), 4u);
  ASSERT_EQ(s4.report->demands_size(), 1);
  EXPECT_EQ(s4.report->demands(0).frame(), 2u);
  EXPECT_EQ(s4.report->demands(0).region(), 1u);
  EXPECT_EQ(s4.report->region_megapixels_size(), 2);
  EXPECT_DOUBLE_EQ(s4.report->accuracy(), 0.8);
  EXPECT_GT(s4.report->megabytes_per_megapixel(), 0);
}

// Offload-Frame (remo.txt VII.A): the same triggers, but what needs detection is the
// whole frame, scheduled as the camera's one region; tracked frames are marked so.
TEST(RegionPipeline, WholeFrameModeDetectsTheFrameWhenARegionNeedsIt) {
  auto s = two_regions();
  s.mode = camera_mode::whole_frame;
  region_pipeline p("cam", s);
  auto s0 = p.on_frame(frame(0, false), 0.1);
  p.dispatched(0, 0, s0.jobs, 1000, 0);
  ASSERT_TRUE(p.on_result(result(0, 0, {})));
  auto s1 = p.on_frame(frame(1, false), 0.1);
  EXPECT_TRUE(s1.jobs.empty());
  auto tracked = p.dispatched(1, 0, s1.jobs, 0, 0);
  ASSERT_TRUE(tracked);
  EXPECT_FALSE(tracked->detected);

  EXPECT_FALSE(p.on_plan(plan_for(2, 0, "other")));
  auto s2 = p.on_frame(frame(2, true), 0.1);  // the right-hand region fires
  ASSERT_EQ(s2.jobs.size(), 1u);
  EXPECT_EQ(s2.jobs[0].area, cv::Rect(0, 0, 320, 240));  // the whole frame
  EXPECT_EQ(s2.jobs[0].detector, "other");               // where the plan puts region 0
  EXPECT_FALSE(p.dispatched(2, 0, s2.jobs, 5000, 0));
  auto out = p.on_result(result(2, 0, {{200, 60, 40, 100}}));
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->detected);

  p.on_frame(frame(3, true), 0.1);
  auto report = *p.on_frame(frame(4, true), 0.1).report;  // slot 0 ends
  ASSERT_EQ(report.region_megapixels_size(), 1);
  EXPECT_DOUBLE_EQ(report.region_megapixels(0), 320 * 240 / 1e6);
  ASSERT_GE(report.demands_size(), 1);
  EXPECT_EQ(report.demands(0).region(), 0u);
}

// A plan that cannot be the scheduler's is refused and the one followed stays: a slot
// far ahead (2^64 - 1 once steered a camera for the rest of a run), frame 0 (the
// server's), a region or frame it does not have, no detector, a negative q(t).
TEST(RegionPipeline, ImplausiblePlansAreRefusedAndTheFollowedPlanStays) {
  region_pipeline p("cam", two_regions());
  auto s0 = p.on_frame(frame(0, false), 0.1);
  p.dispatched(0, 0, s0.jobs, 1000, 0);
  p.on_result(result(0, 0, {{20, 20, 30, 60}}));
  ASSERT_FALSE(p.on_plan(plan_for(2, 1, "other")));
  auto ahead = plan_for(2, 1, "thief");
  ahead.set_slot(UINT64_MAX);
  EXPECT_EQ(p.on_plan(ahead), refusal::out_of_range);
  EXPECT_EQ(p.on_plan(plan_for(0, 1, "thief")), refusal::out_of_range);
  EXPECT_EQ(p.on_plan(plan_for(4, 1, "thief")), refusal::out_of_range);  // F = 4: frames 1..3
  EXPECT_EQ(p.on_plan(plan_for(2, 2, "thief")), refusal::out_of_range);  // two regions: 0, 1
  EXPECT_EQ(p.on_plan(plan_for(2, 1, "")), refusal::missing_field);
  auto negative = plan_for(2, 1, "thief");
  negative.set_delay_queue_s(-1);
  EXPECT_EQ(p.on_plan(negative), refusal::out_of_range);
  auto next = plan_for(2, 1, "next-slot");
  next.set_slot(1);  // the slot after the camera's: plausible
  EXPECT_FALSE(p.on_plan(next));
  auto s1 = p.on_frame(frame(1, false), 0.1);
  p.dispatched(1, 100'000'000, s1.jobs, 0, 0);
  auto s2 = p.on_frame(frame(2, true), 0.1);
  ASSERT_EQ(s2.jobs.size(), 1u);
  EXPECT_EQ(s2.jobs[0].detector, "next-slot");
}
