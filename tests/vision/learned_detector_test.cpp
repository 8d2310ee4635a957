// The project's own detector: training on synthetic scenes, TorchScript round trip,
// batching, model files that are not what they claim, and its CUDA runner's plan.
#include <gtest/gtest.h>

#include <filesystem>

#include <torch/script.h>

#include "gpu/ops/device.hpp"
#include "gpu/ops/letterbox_batch.hpp"
#include "gpu/runner/cuda_detector.hpp"
#include "learning/detector_export.hpp"
#include "learning/detector_training.hpp"
#include "learning/onnx_export.hpp"
#include "learning/torchscript_detector.hpp"
#include "test_support.hpp"
#include "vision/metrics.hpp"
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

// The CUDA runner's plan (gpu/runner): exported from the trained network, run by its
// host reference, it computes TorchScript's rows; `backend: cuda` serves on the CPU
// where there is no device; on a device, the runner finds the CPU's boxes.
namespace {

std::vector<cv::Mat> two_frames() {
  auto a = busy_frame(5).image, b = busy_frame(6).image;
  return {a, b(cv::Rect(40, 30, 200, 150)).clone()};
}

}  // namespace

TEST(CudaRunner, ThePlanComputesWhatTorchScriptComputes) {
  auto plan_file = std::string(::testing::TempDir()) + "/detector-n.plan";
  gpu::save_plan(learning::detector_plan_of(trained_model()), plan_file);
  auto plan = gpu::load_plan(plan_file);
  EXPECT_EQ(plan.layers.size(), 6u);
  EXPECT_EQ(plan.stride(), 8);
  auto batch = gpu::letterbox_batch(two_frames(), plan.input);
  auto host = gpu::run_plan_on_host(plan, batch.nchw.data(), batch.images);
  auto module = torch::jit::load(trained_model());
  auto torch_rows = module.forward({torch::from_blob(batch.nchw.data(), {2, 3, plan.input, plan.input})})
                        .toTensor()
                        .contiguous();
  ASSERT_EQ(size_t(torch_rows.numel()), host.size());
  const float* t = torch_rows.data_ptr<float>();
  double worst = 0;
  for (size_t i = 0; i < host.size(); ++i)
    worst = std::max(worst, std::abs(double(host[i]) - t[i]) / std::max(1.0, std::abs(double(t[i]))));
  EXPECT_LT(worst, 1e-4);  // summation order apart, the same arithmetic
}

TEST(CudaRunner, PlansThatAreNotPlansAreNamed) {
  auto bad = write_temp("bad.plan", "TROUPEDX plus nothing");
  EXPECT_THROW(
      try { gpu::load_plan(bad); } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("not a Troupe detector plan"), std::string::npos) << e.what();
        throw;
      },
      std::runtime_error);
  auto plan_file = std::string(::testing::TempDir()) + "/short.plan";
  gpu::save_plan(learning::detector_plan_of(trained_model()), plan_file);
  std::filesystem::resize_file(plan_file, 100);
  EXPECT_THROW(gpu::load_plan(plan_file), std::runtime_error);
  EXPECT_THROW(learning::detector_plan_of(write_temp("not-a-net.pt", "hello")), std::runtime_error);
}

TEST(CudaRunner, WithoutADeviceTheCudaBackendServesOnTheCpu) {
  learning::register_torchscript_models();
  vision::detector_options cuda;
  cuda.network.backend = vision::network_backend::cuda;
  auto on_cuda = vision::make_detector(trained_model(), cuda);
  auto on_cpu = vision::make_detector(trained_model());
  auto frame = busy_frame(77).image;
  auto a = on_cuda->detect(frame), b = on_cpu->detect(frame);
  ASSERT_EQ(a.size(), b.size());
  if (gpu::device_usable())
    GTEST_SKIP() << "a device is usable: the parity test below covers it";
  EXPECT_FALSE(gpu::serves_on_device(*on_cuda));
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(a[i].box, b[i].box);
}

TEST(CudaRunner, OnADeviceTheRunnerFindsTheCpusBoxes) {
  if (!gpu::device_usable())
    GTEST_SKIP() << "no device: " << gpu::cpu_reason();
  learning::register_torchscript_models();
  vision::detector_options cuda;
  cuda.network.backend = vision::network_backend::cuda;
  auto on_cuda = vision::make_detector(trained_model(), cuda);
  ASSERT_TRUE(gpu::serves_on_device(*on_cuda));
  auto on_cpu = vision::make_detector(trained_model());
  auto frames = two_frames();
  auto a = on_cuda->detect_batch(frames), b = on_cpu->detect_batch(frames);
  for (size_t f = 0; f < frames.size(); ++f) {
    ASSERT_EQ(a[f].size(), b[f].size()) << "frame " << f;
    for (size_t i = 0; i < a[f].size(); ++i) {
      EXPECT_GE(vision::iou(a[f][i].box, b[f][i].box), 0.99);
      EXPECT_NEAR(a[f][i].score, b[f][i].score, 1e-3);
    }
  }
  EXPECT_TRUE(gpu::serves_on_device(*on_cuda));
  EXPECT_EQ(gpu::fallbacks(), 0);
}
