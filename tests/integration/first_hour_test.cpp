// A newcomer's first hour: the README's first command and its scenarios run as
// written, and every failure says so: missing files before anything starts, actors
// that fail or give up in a non-zero exit, usage errors with 2, one log format.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/systems.hpp"
#include "actors/runtime/deploy/deployment.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/progress_bar.hpp"
#include "test_support.hpp"

using namespace troupe;
using namespace troupe::testing;

namespace {

const std::string vtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The README's first command, as a newcomer copies it: the first line of its first
// ```sh block, without the comment.
std::string readme_first_command() {
  auto readme = read_file(source_dir() + "/README.md");
  auto block = readme.find("```sh\n");
  if (block == std::string::npos)
    return {};
  auto line = readme.substr(block + 6, readme.find('\n', block + 6) - block - 6);
  return line.substr(0, line.find('#'));
}

// Runs a shell command from the checkout.
command_result shell(const std::string& command) {
  return run_command("cd " + source_dir() + " && " + command);
}

// The JSON reports a run's sinks say they wrote (a scheduler's own file is no sink report).
std::vector<nlohmann::json> reports_written(const std::string& output) {
  std::vector<nlohmann::json> out;
  std::regex wrote(R"(wrote (\S+\.json))");
  for (std::sregex_iterator i(output.begin(), output.end(), wrote), end; i != end; ++i) {
    auto path = (*i)[1].str();
    if (path[0] != '/')
      path = source_dir() + "/" + path;
    std::ifstream in(path);
    EXPECT_TRUE(in) << path << " was claimed but is not there";
    if (!in)
      continue;
    auto j = nlohmann::json::parse(in);
    if (j.contains("overall") && j["overall"].is_object())
      out.push_back(j);
  }
  return out;
}

uint64_t frames_in(const nlohmann::json& report) {
  auto& all = report["overall"];
  return all.value("frames", uint64_t(0)) + all.value("results", uint64_t(0));
}

bool built_in_checkout() {
  return std::filesystem::equivalent(binary_dir(), source_dir() + "/build");
}

}  // namespace

// The README's first command, exactly as written, with a short duration added.
TEST(FirstHour, ReadmeFirstCommandRunsTheDemo) {
  if (!built_in_checkout())
    GTEST_SKIP() << "the README's command builds into build/; this tree is elsewhere";
  auto command = readme_first_command();
  ASSERT_NE(command.find("scripts/"), std::string::npos) << "no command at the top of README.md";
  auto r = shell(command + " --duration 5");
  ASSERT_EQ(r.status, 0) << command << "\n" << r.output;
  EXPECT_NE(r.output.find("run ok"), std::string::npos) << r.output;
  auto reports = reports_written(r.output);
  ASSERT_FALSE(reports.empty()) << "the demo names no report it wrote\n" << r.output;
  EXPECT_GT(frames_in(reports[0]), 0u) << r.output;
  uint64_t boxes = 0;
  for (auto& [name, camera] : reports[0]["cameras"].items())
    boxes += camera["detections"].get<uint64_t>();
  EXPECT_GT(boxes, 0u) << "vtest.avi is full of people\n" << r.output;
}

namespace {

// The topologies the README's scenario table lists, in its order.
std::vector<std::string> readme_scenarios() {
  auto readme = read_file(source_dir() + "/README.md");
  std::regex row(R"(\| `(topologies/[^`]+\.yaml)` \|)");
  std::vector<std::string> out;
  for (std::sregex_iterator i(readme.begin(), readme.end(), row), end; i != end; ++i)
    out.push_back((*i)[1].str());
  return out;
}

}  // namespace

// Every scenario the README lists runs when it needs no training (frames detected),
// and is otherwise refused only for models not trained yet, each with its command.
// One test per scenario: each has its own time limit and they run side by side.
class ReadmeScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(ReadmeScenario, RunsOrNamesWhatToTrain) {
  if (!built_in_checkout())
    GTEST_SKIP() << "scenarios write into build/reports of the checkout";
  auto file = GetParam();
  auto v = shell("build/cli/troupe validate " + file);
  if (v.status != 0) {
    std::regex problem(R"(\d+:\d+: (.*))");
    for (std::sregex_iterator p(v.output.begin(), v.output.end(), problem), end; p != end; ++p)
      EXPECT_NE((*p)[1].str().find("does not exist; make it with: "), std::string::npos) << file << ": " << (*p)[0];
    return;
  }
  auto r = shell("build/cli/troupe run " + file + " --duration 4");
  EXPECT_EQ(r.status, 0) << file << "\n" << r.output;
  auto reports = reports_written(r.output);
  ASSERT_FALSE(reports.empty()) << file << " wrote no report\n" << r.output;
  EXPECT_GT(frames_in(reports[0]), 0u) << file << "\n" << r.output;
}

INSTANTIATE_TEST_SUITE_P(FirstHour, ReadmeScenario, ::testing::ValuesIn(readme_scenarios()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           auto name = info.param.substr(info.param.find('/') + 1);
                           name = name.substr(0, name.rfind('.'));
                           for (auto& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c)))
                               c = '_';
                           return name;
                         });

// The table lists every scenario, and a newcomer can run some before training anything.
TEST(FirstHour, ReadmeListsScenariosSomeNeedingNoTraining) {
  auto files = readme_scenarios();
  EXPECT_GE(files.size(), 10u);
  for (auto* untrained : {"topologies/demo.yaml", "topologies/vtest-cameras.yaml", "topologies/remo/remo-vtest.yaml"}) {
    EXPECT_NE(std::find(files.begin(), files.end(), untrained), files.end()) << untrained;
    auto text = read_file(source_dir() + "/" + untrained);
    EXPECT_EQ(text.find("build/models/"), std::string::npos) << untrained << " needs a trained model";
  }
}

// The scripts a newcomer runs name topologies by path; a path a move left behind
// breaks them only when run (train-forecaster.sh's default did, once).
TEST(FirstHour, EveryTopologyAScriptOrTheReadmeNamesExists) {
  std::vector<std::string> files = {source_dir() + "/README.md"};
  for (auto& entry : std::filesystem::directory_iterator(source_dir() + "/scripts"))
    files.push_back(entry.path().string());
  // Real paths are lower case; usage lines write the argument as TOPOLOGY or FILE.
  std::regex named(R"(topologies/[a-z0-9_/.-]+\.yaml)");
  int checked = 0;
  for (auto& file : files) {
    auto text = read_file(file);
    for (std::sregex_iterator m(text.begin(), text.end(), named), end; m != end; ++m, ++checked)
      EXPECT_TRUE(std::filesystem::exists(source_dir() + "/" + m->str())) << file << " names " << m->str();
  }
  EXPECT_GE(checked, 5);
}

TEST(FirstHour, MissingModelStopsTheRunBeforeItStarts) {
  auto topo = write_temp("missing_model.yaml",
                         "deployment: mm\nnodes: [ { name: a } ]\nactors:\n"
                         "  - { name: det, kind: detector, node: a, params: { model: /tmp/no-such/detector-s.pt } }\n");
  auto r = troupe_cli("run " + topo);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find(topo + ":4:60: actor 'det': parameter 'model': /tmp/no-such/detector-s.pt does not exist; "
                          "make it with: build/cli/troupe train-detector --size s -o /tmp/no-such/detector-s.pt"),
            std::string::npos)
    << r.output;
  EXPECT_EQ(r.output.find("embedded nats-server"), std::string::npos) << "started despite a missing model";
}

// Detectors named by size, input and classes as scripts/train-models.sh names them
// (detector-n160, detector-m-street, detector-n160-street) are made that way.
TEST(FirstHour, MissingModelsNamedByInputAndClassesSayHowToMakeThem) {
  auto topo = write_temp("missing_named.yaml",
                         "deployment: mm\nnodes: [ { name: a } ]\nactors:\n"
                         "  - { name: d1, kind: detector, node: a, params: { model: /tmp/no-such/detector-n160.pt } }\n"
                         "  - { name: d2, kind: detector, node: a, params: { model: /tmp/no-such/detector-m-street.pt } }\n"
                         "  - { name: d3, kind: detector, node: a, params: { model: /tmp/no-such/detector-n160-street.pt } }\n");
  auto r = troupe_cli("validate " + topo);
  EXPECT_EQ(r.status, 1) << r.output;
  for (auto make : {"train-detector --size n --input 160 -o /tmp/no-such/detector-n160.pt",
                    "train-detector --size m --classes person car bike -o /tmp/no-such/detector-m-street.pt",
                    "train-detector --size n --input 160 --classes person car bike -o /tmp/no-such/detector-n160-street.pt"})
    EXPECT_NE(r.output.find(std::string("make it with: build/cli/troupe ") + make), std::string::npos) << r.output;
}

TEST(FirstHour, ValidateChecksEveryFileATopologyNames) {
  auto topo = write_temp("missing_video.yaml",
                         "deployment: mv\nnodes: [ { name: a } ]\nactors:\n"
                         "  - { name: cam, kind: camera, node: a, params: { source: /nope.avi, detector: d, sink: s } }\n"
                         "  - { name: d, kind: detector, node: a, params: { profile: /nope/devices.yaml, device: x } }\n"
                         "  - { name: s, kind: sink, node: a }\n");
  auto r = troupe_cli("validate " + topo);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find(topo + ":4:59: actor 'cam': parameter 'source': /nope.avi does not exist"), std::string::npos)
    << r.output;
  EXPECT_NE(r.output.find("parameter 'profile': /nope/devices.yaml does not exist"), std::string::npos) << r.output;
  // What parameters mean together: a device its profile lacks, a cascade not installed.
  auto devices = source_dir() + "/topologies/devices.yaml";
  auto meaning = write_temp("bad_device.yaml",
                            "deployment: bd\nnodes: [ { name: a } ]\nactors:\n"
                            "  - { name: d, kind: detector, node: a, params: { profile: " + devices +
                            ", device: no-such-device } }\n"
                            "  - { name: h, kind: detector, node: a, params: { model: haar-face, cascade_dir: /tmp } }\n");
  r = troupe_cli("validate " + meaning);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("no device 'no-such-device' in " + devices + " (it has jetson-nano"), std::string::npos)
    << r.output;
  EXPECT_NE(r.output.find("model 'haar-face': /tmp/haarcascade_frontalface_default.xml is not there"),
            std::string::npos) << r.output;
  // Device profiles are recognised as such, so a glob over topologies/ passes.
  auto profiles = troupe_cli("validate " + source_dir() + "/topologies/devices.yaml");
  EXPECT_EQ(profiles.status, 0) << profiles.output;
  EXPECT_NE(profiles.output.find("valid device profiles"), std::string::npos) << profiles.output;
}

// What validation cannot see (a model file that is not one) fails at spawn, and the run.
TEST(FirstHour, AnActorThatFailsToSpawnFailsTheRun) {
  auto garbage = write_temp("not-a-model.onnx", "these bytes are no network\n");
  auto topo = write_temp("spawn_fails.yaml",
                         "deployment: sf\nnats: embedded\nruntime: { duration_s: 2, heartbeat_ms: 200 }\n"
                         "nodes: [ { name: edge }, { name: server } ]\nactors:\n"
                         "  - { name: cam, kind: camera, node: edge, params: { source: " + vtest +
                         ", fps: 5, detector: hog, sink: sink } }\n"
                         "  - { name: hog, kind: detector, node: server, params: { model: " + garbage + " } }\n"
                         "  - { name: sink, kind: sink, node: edge }\n");
  auto r = troupe_cli("run " + topo);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("run FAILED: 1 problem(s)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("actor hog (detector) on node server: spawn:"), std::string::npos) << r.output;
}

TEST(FirstHour, ASourceThatGivesUpFailsTheRunAndFFmpegSpeaksThroughTheLog) {
  auto topo = write_temp("gives_up.yaml",
                         "deployment: gu\nnats: embedded\nruntime: { duration_s: 6, heartbeat_ms: 200 }\n"
                         "nodes: [ { name: edge } ]\nactors:\n"
                         "  - { name: cam, kind: camera, node: edge, params: { source: 'rtsp://127.0.0.1:9/none', "
                         "open_timeout_ms: 300, max_attempts: 1, detector: hog, sink: sink } }\n"
                         "  - { name: hog, kind: detector, node: edge }\n"
                         "  - { name: sink, kind: sink, node: edge }\n");
  auto r = troupe_cli("run " + topo);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("actor cam on node edge: crash"), std::string::npos) << r.output;
  // FFmpeg's own lines, if it says anything, come through the one log.
  std::istringstream lines(r.output);
  std::regex logged(R"(^\d\d:\d\d:\d\d\.\d\d\d (info|warn|error) )");
  for (std::string line; std::getline(lines, line);) {
    if (line.find(" @ 0x") != std::string::npos) {
      EXPECT_TRUE(std::regex_search(line, logged)) << line;
    }
  }
}

TEST(FirstHour, ANodeDownAtTheEndFailsTheRunUnlessTheTimelineKilledIt) {
  auto parsed = parse_topology("deployment: d\nnodes: [ { name: a }, { name: b } ]\n"
                               "timeline:\n  - { at_s: 1, kill_node: b }\n",
                               "t.yaml", builtin_kinds());
  ASSERT_TRUE(parsed.topo);
  auto& topo = *parsed.topo;
  EXPECT_TRUE(judge_run(topo, {}, {}).ok);
  auto killed = judge_run(topo, {}, {{"b", "no heartbeat for 2000 ms"}});
  EXPECT_TRUE(killed.ok) << killed.text;
  EXPECT_NE(killed.text.find("(the timeline killed it)"), std::string::npos);
  auto died = judge_run(topo, {}, {{"a", "no heartbeat for 2000 ms"}});
  EXPECT_FALSE(died.ok);
  EXPECT_NE(died.text.find("node a down: no heartbeat"), std::string::npos) << died.text;
  auto crashed = judge_run(topo, {{"cam-1", "a", "camera", "crash: stream gave up"}}, {});
  EXPECT_FALSE(crashed.ok);
  EXPECT_NE(crashed.text.find("actor cam-1 (camera) on node a: crash: stream gave up"), std::string::npos);
}

TEST(FirstHour, UsageErrorsExitTwoAndThereIsAVersion) {
  EXPECT_EQ(troupe_cli("").status, 2);
  EXPECT_EQ(troupe_cli("run --no-such-flag x.yaml").status, 2);
  EXPECT_EQ(troupe_cli("validate").status, 2);
  EXPECT_EQ(troupe_cli("--help").status, 0);
  auto v = troupe_cli("--version");
  EXPECT_EQ(v.status, 0);
  EXPECT_TRUE(std::regex_search(v.output, std::regex(R"(^troupe \d+\.\d+\.\d+)"))) << v.output;
}

TEST(FirstHour, JsonLogIsOneRecordPerLine) {
  auto r = troupe_cli("--log-format json validate " + source_dir() + "/topologies/demo.yaml /nope.yaml");
  EXPECT_EQ(r.status, 1);
  std::istringstream lines(r.output);
  int records = 0;
  for (std::string line; std::getline(lines, line); ++records) {
    auto j = nlohmann::json::parse(line);  // throws, failing the test, on a line that is not JSON
    EXPECT_TRUE(j.contains("time") && j.contains("level") && j.contains("msg")) << line;
  }
  EXPECT_GE(records, 2);
}

TEST(FirstHour, QuietRunKeepsResultsAndProblemsOnly) {
  auto r = troupe_cli("run " + source_dir() + "/topologies/demo.yaml --duration 2 --quiet");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output.find(" info "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("sink run report"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("run ok"), std::string::npos) << r.output;
}

// A warning repeated with other numbers is shown once, then counted.
TEST(Log, FoldsRepeatsThatDifferOnlyInNumbers) {
  ::testing::internal::CaptureStdout();
  log::setup({log::format::text, false, 60});
  for (int frame = 0; frame < 20; ++frame)
    spdlog::warn("camera cam-1: frame {} not sent: no actor 'learned' is known", frame);
  spdlog::warn("another warning");
  log::flush();
  auto out = ::testing::internal::GetCapturedStdout();
  log::setup();
  EXPECT_NE(out.find("frame 0 not sent"), std::string::npos) << out;
  EXPECT_EQ(out.find("frame 1 not sent"), std::string::npos) << out;
  EXPECT_NE(out.find("(19 more like this, the last: camera cam-1: frame 19 not sent"), std::string::npos) << out;
  EXPECT_NE(out.find("another warning"), std::string::npos) << out;
  EXPECT_EQ(log::fold_key("frame 12 of 340"), "frame # of #");
}

TEST(Log, ProgressBarShowsShareElapsedAndEta) {
  EXPECT_EQ(progress_bar::line("train", 100, 400, 30, "loss 1.500"),
            "train [#####---------------] 100/400  25%  0:30 elapsed, ETA 1:30  loss 1.500");
  // Resumed at 90: ten epochs took the 30 s, so 300 more take 15 minutes.
  EXPECT_EQ(progress_bar::line("train", 100, 400, 30, "", 90),
            "train [#####---------------] 100/400  25%  0:30 elapsed, ETA 15:00");
  EXPECT_EQ(clock_text(3725), "1:02:05");
}
