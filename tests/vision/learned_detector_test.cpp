// The project's own detector: training on synthetic scenes, TorchScript round trip,
// batching, and model files that are not what they claim.
#include <gtest/gtest.h>

#include <torch/script.h>

#include "learning/detector_training.hpp"
#include "learning/onnx_export.hpp"
#include "learning/torchscript_detector.hpp"
#include "test_support.hpp"
#include "vision/onnx_detector.hpp"
#include "vision/synthetic_scene.hpp"

using namespace troupe;
using namespace troupe::testing;

namespace {

std::string trained_model() {
  static const std::string path = [] {
    learning::training_options o;
    o.sizes = {"n"};
    o.steps = 60;
    o.batch = 6;
    o.eval_frames = 30;
    o.output = std::string(::testing::TempDir()) + "/detector-n.pt";
    auto r = learning::train_detectors(o).at(0);
    std::printf("n after 60 steps: loss %.2f -> %.2f, mAP@0.5 %.3f, F1 %.3f, %lld parameters\n", r.first_loss,
                r.final_loss, r.map50, r.f1, (long long) r.parameters);
    EXPECT_LT(r.final_loss, r.first_loss * 0.8);
    EXPECT_GT(r.map50, 0.2);  // synthetic people are easy; an untrained network scores ~0
    EXPECT_GT(r.parameters, 10000);
    return o.output;
  }();
  return path;
}

vision::synthetic_frame busy_frame(uint64_t seed) {
  vision::scene_config c;
  c.seed = seed;
  c.schedule = {{0, 2}};
  vision::synthetic_scene scene(c);
  for (int i = 0; i < 60; ++i)
    scene.next();
  return scene.next();
}

}  // namespace

TEST(LearnedDetector, TrainsSavesAndLoadsThroughMakeDetector) {
  learning::register_torchscript_models();
  auto model = vision::make_detector(trained_model());
  EXPECT_EQ(model->model(), "detector-n");
  auto frame = busy_frame(77);
  ASSERT_FALSE(frame.truth.empty());
  auto found = model->detect(frame.image);
  EXPECT_FALSE(found.empty());
  for (auto& d : found) {  // boxes come back in frame pixels, inside the frame
    EXPECT_GT(d.box.x + d.box.width, 0);
    EXPECT_LT(d.box.x, frame.image.cols);
    EXPECT_GE(d.score, 0.25f);
  }
}

namespace {

// An n network trained for `steps` steps of as many frames from as many scenes, not
// scored, written to TempDir/FILE: for the plumbing, not for accuracy.
learning::training_options toy_training(const std::string& file, int steps) {
  learning::training_options o;
  o.sizes = {"n"};
  o.steps = o.batch = o.scenes = steps;
  o.eval_frames = 0;
  o.output = std::string(::testing::TempDir()) + "/" + file;
  return o;
}

// One step: any network will do for the plumbing, and a low bar gives many boxes.
std::string untrained_model() {
  static const std::string path = [] {
    auto o = toy_training("untrained-n.pt", 1);
    learning::train_detectors(o);
    return o.output;
  }();
  return path;
}

}  // namespace

TEST(LearnedDetector, ABatchGivesWhatSingleImagesGive) {
  auto model = learning::load_torchscript_detector(untrained_model(), {0.001f, 0.45f});
  auto a = busy_frame(5).image, b = busy_frame(6).image;
  auto batch = model->detect_batch({a, b});
  ASSERT_EQ(batch.size(), 2u);
  auto single = model->detect(b);
  ASSERT_FALSE(single.empty());
  ASSERT_EQ(batch[1].size(), single.size());
  for (size_t i = 0; i < single.size(); ++i)
    EXPECT_NEAR(batch[1][i].box.x, single[i].box.x, 1e-2);
}

TEST(LearnedDetector, AFileThatIsNotTorchScriptIsNamed) {
  auto path = write_temp("not-a-model.pt", "hello");
  try {
    learning::load_torchscript_detector(path);
    FAIL() << "loaded a text file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": not a TorchScript file"), std::string::npos) << e.what();
  }
}

TEST(LearnedDetector, AnOutputThatDoesNotDecodeIsNamed) {
  torch::jit::Module m("flat");
  m.define("def forward(self, x):\n    return x.mean(1).mean(1)\n");  // [batch, W]: not rows of 5 + classes
  auto path = std::string(::testing::TempDir()) + "/flat.pt";
  m.save(path);
  try {
    learning::load_torchscript_detector(path);
    FAIL() << "loaded a model whose output does not decode";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("does not decode"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
  }
}

TEST(LearnedDetector, OnnxExportDetectsWhatTorchScriptDetects) {
  auto onnx = std::string(::testing::TempDir()) + "/untrained-n.onnx";
  learning::export_onnx(untrained_model(), onnx);
  auto torch_model = learning::load_torchscript_detector(untrained_model(), {0.001f, 0.45f});
  auto onnx_model = vision::load_onnx_detector(onnx, {0.001f, 0.45f});
  EXPECT_EQ(onnx_model->model(), "untrained-n");
  auto frame = busy_frame(9).image;
  auto a = torch_model->detect(frame);
  auto b = onnx_model->detect(frame);
  ASSERT_FALSE(a.empty());
  ASSERT_EQ(a.size(), b.size());
  auto by_place = [](auto& x, auto& y) { return std::tie(x.box.x, x.box.y) < std::tie(y.box.x, y.box.y); };
  std::sort(a.begin(), a.end(), by_place);  // near-equal scores may rank differently
  std::sort(b.begin(), b.end(), by_place);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_NEAR(a[i].box.x, b[i].box.x, 0.05);
    EXPECT_NEAR(a[i].box.height, b[i].box.height, 0.05);
    EXPECT_NEAR(a[i].score, b[i].score, 1e-4);
  }
}

TEST(LearnedDetector, FilesThatAreNotOnnxAreNamed) {
  auto text = write_temp("not-a-model.onnx", "hello");
  try {
    vision::make_detector(text);
    FAIL() << "loaded a text file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(text + ": not an ONNX file"), std::string::npos) << e.what();
  }
  try {
    learning::export_onnx(text, text + ".onnx");
    FAIL() << "exported a text file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(text + ": not a network from troupe train-detector"), std::string::npos);
  }
}

// Sizes trained side by side see the very frames each would see alone: the scene
// stream is rendered once for all of them (in parallel), not once per size.
TEST(DetectorTraining, SizesSideBySideSeeTheScenesEachSeesAlone) {
  learning::training_options o;
  o.steps = 3;
  o.batch = 3;
  o.scenes = 2;
  o.eval_frames = 0;
  o.threads = 2;
  o.sizes = {"n", "s"};
  o.output = std::string(::testing::TempDir()) + "/side-{size}.pt";
  auto together = learning::train_detectors(o);
  ASSERT_EQ(together.size(), 2u);
  EXPECT_EQ(together[1].output, std::string(::testing::TempDir()) + "/side-s.pt");
  o.sizes = {"s"};
  o.output = std::string(::testing::TempDir()) + "/alone-s.pt";
  auto alone = learning::train_detectors(o);
  EXPECT_NEAR(together[1].first_loss, alone[0].first_loss, 1e-4);
  EXPECT_NEAR(together[1].final_loss, alone[0].final_loss, 1e-4);
  EXPECT_GT(together[0].per_step.forward_ms, 0);
}

TEST(DetectorTraining, SeveralSizesNeedASizeInTheOutput) {
  learning::training_options o;
  o.sizes = {"n", "s"};
  o.output = "detector.pt";
  EXPECT_THROW(learning::output_for(o, "n"), std::runtime_error);
  o.output = "models/detector-{size}.pt";
  EXPECT_EQ(learning::output_for(o, "m"), "models/detector-m.pt");
}

// A network trained on streets of people, cars and bikes has a score per class, and
// names each box by one of them.
TEST(DetectorTraining, ClassesGiveTheNetworkAScorePerClass) {
  auto o = toy_training("street-n.pt", 2);
  o.classes = {"person", "car", "bike"};
  learning::train_detectors(o);
  auto module = torch::jit::load(o.output);
  auto out = module.forward({torch::zeros({1, 3, 320, 320})}).toTensor();
  EXPECT_EQ(out.size(2), 5 + 3);
  vision::network_settings everything;
  everything.min_score = 0;
  everything.nms_iou = 1;
  vision::scene_config c;
  c.class_mix = {1, 1, 1};
  auto found = learning::load_torchscript_detector(o.output, everything)->detect(vision::synthetic_scene(c).next().image);
  ASSERT_FALSE(found.empty());
  for (auto& d : found)
    EXPECT_TRUE(d.label >= 0 && d.label < 3) << d.label;
  o.classes = {"truck"};
  EXPECT_THROW(learning::train_detectors(o), std::runtime_error);
}
