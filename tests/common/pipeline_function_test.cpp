// The emulated pipeline function: no pixel work, a cost in pixels the device profile
// times (objects × px_per_object, or the frame), items that carry their objects on.
#include <gtest/gtest.h>

#include "actors/common/pipeline_function.hpp"

namespace troupe {
namespace {

msg::WorkItem frame_with(uint32_t objects) {
  msg::WorkItem w;
  w.set_camera("c1");
  w.set_width(1280);
  w.set_height(720);
  w.set_objects(objects);
  w.set_offloads(2);
  return w;
}

TEST(EmulatedFunction, CostsItsObjectsAtAHundredthOfAMegapixelEach) {
  auto f = make_pipeline_function(params::from_yaml("{function: emulated, model: reid}"));
  EXPECT_TRUE(f->emulated());
  EXPECT_EQ(f->model(), "reid");
  EXPECT_DOUBLE_EQ(f->work_px(frame_with(3)), 30000);
  EXPECT_DOUBLE_EQ(f->work_px(frame_with(0)), 0);
}

TEST(EmulatedFunction, CostsTheFrameWhenAskedTo) {
  auto f = make_pipeline_function(params::from_yaml("{function: emulated, model: det, work: frame}"));
  EXPECT_DOUBLE_EQ(f->work_px(frame_with(3)), 1280.0 * 720);
}

TEST(EmulatedFunction, PassesOnItemsThatCarryObjectsWithFillerOfAnImagesSize) {
  auto f = make_pipeline_function(params::from_yaml("{function: emulated, model: det, item_bytes: 1000}"));
  EXPECT_TRUE(f->run(frame_with(0)).empty());
  auto out = f->run(frame_with(4));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].objects(), 4u);
  EXPECT_EQ(out[0].filler().size(), 1000u);
  EXPECT_EQ(out[0].offloads(), 0u);  // a new stage's item: no balancer moved it yet
  EXPECT_EQ(out[0].camera(), "c1");
}

TEST(EmulatedFunction, RefusesSettingsThatCannotWork) {
  EXPECT_THROW(make_pipeline_function(params::from_yaml("{function: emulated}")), std::runtime_error);
  EXPECT_THROW(make_pipeline_function(params::from_yaml("{function: emulated, model: m, px_per_object: 0}")),
               std::runtime_error);
  EXPECT_THROW(make_pipeline_function(params::from_yaml("{function: emulated, model: m, work: pixels}")),
               std::runtime_error);
  EXPECT_THROW(make_pipeline_function(params::from_yaml("{function: emulate}")), std::runtime_error);
}

TEST(RealFunction, CostsItsImagesPixels) {
  auto f = make_pipeline_function(params::from_yaml("{function: ocr}"));
  EXPECT_FALSE(f->emulated());
  EXPECT_DOUBLE_EQ(f->work_px(frame_with(3)), 1280.0 * 720);
}

}  // namespace
}  // namespace troupe
