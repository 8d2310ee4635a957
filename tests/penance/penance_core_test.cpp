// Penance's pure parts pinned by hand-computed cases: the configuration space and cost
// (§3.4.1), eqs. 2–3, the self-competition reward (eqs. 7–8), the replay's live timing,
// chunked uploads, Table 1's AR(1) baseline and the adapter's state (eq. 4).
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>

#include <unistd.h>

#include <gtest/gtest.h>

#include "actors/penance/core/adapter_state.hpp"
#include "actors/penance/core/baselines.hpp"
#include "actors/penance/core/bitrate_baseline.hpp"
#include "actors/penance/core/chunking.hpp"
#include "actors/penance/core/config_space.hpp"
#include "actors/penance/core/cost.hpp"
#include "actors/penance/core/dataset_stats.hpp"
#include "actors/penance/core/metrics.hpp"
#include "actors/penance/core/problem.hpp"
#include "actors/penance/core/recorded_conditions.hpp"
#include "actors/penance/core/replay.hpp"
#include "actors/penance/core/reward.hpp"
#include "actors/penance/core/segment_books.hpp"
#include "actors/penance/core/segment_table.hpp"
#include "actors/penance/core/segmenter_graph.hpp"
#include "actors/penance/message_checks.hpp"

using namespace troupe::penance;

namespace {

// Two settings (scale 1 and 0.5 at QP 20) × two models: configurations 0–3.
config_space small_space() { return config_space({{1.0, 0.5}, {20}, 2}); }

std::vector<double> small_cost() {
  return cost_table(small_space(), {{100, 25}, {50, 12.5}}).per_config();  // {1, 0.5, 0.25, 0.125}
}

}  // namespace

TEST(ConfigSpace, TheDefaultIsEighteenSettingsTimesFiveModels) {
  config_space s;
  EXPECT_EQ(s.settings(), 18u);
  EXPECT_EQ(s.configs(), 90u);
  EXPECT_EQ(s.config_at(0).setting, 0u);
  EXPECT_EQ(s.config_at(89).setting, 17u);
  EXPECT_EQ(s.config_at(89).model, 4);
  EXPECT_EQ(s.setting_at(17).scale, 0.5);
  EXPECT_EQ(s.setting_at(17).qp, 30);
  EXPECT_EQ(s.setting_at(7).scale, 0.75);
  EXPECT_EQ(s.setting_at(7).qp, 22);
  EXPECT_EQ(s.scale_index(7), 1u);
  for (size_t a = 0; a < s.configs(); ++a)
    EXPECT_EQ(s.index(s.config_at(a)), a);
  EXPECT_THROW(s.config_at(90), std::out_of_range);
  EXPECT_THROW(s.index({0, 5}), std::out_of_range);
}

TEST(ConfigSpace, BadValuesAreRefusedNamingThem) {
  EXPECT_THROW(config_space({{1.0}, {52}, 5}), std::invalid_argument);
  EXPECT_THROW(config_space({{1.0}, {-1}, 5}), std::invalid_argument);
  EXPECT_THROW(config_space({{0.0}, {20}, 5}), std::invalid_argument);
  EXPECT_THROW(config_space({{1.0, 1.0}, {20}, 5}), std::invalid_argument);
  EXPECT_THROW(config_space({{1.0}, {20}, 0}), std::invalid_argument);
  EXPECT_EQ(scaled_size(640, 360, 0.75), (std::pair<int, int>{480, 270}));
  EXPECT_EQ(scaled_size(1280, 720, 0.5), (std::pair<int, int>{640, 360}));
  try {
    scaled_size(100, 60, 0.75);  // 75x45
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("75x45"), std::string::npos) << e.what();
  }
  EXPECT_EQ(frames_per_segment(15, 1), 15);
  EXPECT_EQ(frames_per_segment(15, 2), 30);
  EXPECT_THROW(frames_per_segment(15, 0.5), std::invalid_argument);
}

TEST(Cost, IsModelMacsAtTheScaleOverModelZeroAtTheLargest) {
  EXPECT_EQ(small_cost(), (std::vector<double>{1, 0.5, 0.25, 0.125}));
  // The reference is the largest scale wherever it is listed.
  cost_table reversed(config_space({{0.5, 1.0}, {20, 30}, 1}), {{25, 100}});
  EXPECT_EQ(reversed.per_config(), (std::vector<double>{0.25, 0.25, 1, 1}));
  EXPECT_EQ(reversed.reference_macs(), 100);
  EXPECT_THROW(cost_table(small_space(), {{100, 25}}), std::invalid_argument);
  EXPECT_THROW(cost_table(small_space(), {{100, 25}, {50}}), std::invalid_argument);
  EXPECT_THROW(cost_table(small_space(), {{100, 25}, {50, 0}}), std::invalid_argument);
}

TEST(Problem, CheapestFeasibleElseMostAccurateThatFitsElseSmallest) {
  auto space = small_space();
  auto cost = small_cost();
  segment_view v{{1000, 400}, {0.9, 0.7, 0.6, 0.5}};
  auto d = solve(space, cost, v, 0.65, 1000);  // eq. 2: configs 0 and 1 meet 0.65 and fit
  EXPECT_EQ(d.config, 1u);
  EXPECT_EQ(d.by, solved_by::cheapest);
  d = solve(space, cost, v, 0.65, 500);  // only setting 1 fits, none meets 0.65: eq. 3
  EXPECT_EQ(d.config, 2u);
  EXPECT_EQ(d.by, solved_by::most_accurate);
  d = solve(space, cost, v, 0.65, 300);  // nothing fits
  EXPECT_EQ(d.config, 2u);
  EXPECT_EQ(d.by, solved_by::smallest);
  d = solve(space, cost, {{1000, 400}, {0.9, 0.9, 0.9, 0.9}}, 0.65, 1000);  // model 1 at scale 0.5 is cheapest
  EXPECT_EQ(d.config, 3u);
  EXPECT_THROW(solve(space, cost, {{1000}, {0.9, 0.7, 0.6, 0.5}}, 0.65, 1000), std::invalid_argument);
}

TEST(Reward, SelfCompetitionBeatsItsOwnAverageOnlyWhileConstraintsHold) {
  self_competition r;  // α 0.2, ξ on violations
  auto s = r.step({-0.1, -0.2, 0.5});
  EXPECT_EQ(s.value, 0);  // the first step starts the EMAs: no cost term
  EXPECT_TRUE(s.delta);
  s = r.step({-0.05, -0.1, 0.3});  // cheaper than C_EMA 0.5, constraints hold: +1
  EXPECT_EQ(s.value, 1);
  s = r.step({0.1, -0.1, 0.2});  // accuracy missed: −1 however cheap
  EXPECT_EQ(s.value, -1);
  EXPECT_FALSE(s.delta);
  EXPECT_TRUE(s.xi);
  // EMAs now U −0.052, O −0.164, C 0.408 (α 0.2 each step): dearer than C_EMA is −1.
  s = r.step({-0.1, -0.1, 0.5});
  EXPECT_EQ(s.value, -1);
  EXPECT_TRUE(s.delta);
  s = r.step({-0.1, 0.01, 0.1});  // bandwidth overrun: −1
  EXPECT_EQ(s.value, -1);
  EXPECT_FALSE(s.delta);
  r.reset();
  EXPECT_EQ(r.step({-0.1, -0.2, 0.9}).value, 0);
}

TEST(Reward, LiteralXiAlsoPunishesAShrinkingMargin) {
  self_competition r({0.2, xi_mode::literal});
  EXPECT_EQ(r.step({-0.1, -0.2, 0.5}).value, 0);  // the first step has nothing to compete with
  auto s = r.step({-0.05, -0.1, 0.3});  // both margins shrank though both hold: 1 − 1
  EXPECT_TRUE(s.delta);
  EXPECT_TRUE(s.xi);
  EXPECT_EQ(s.value, 0);
  s = r.step({-0.2, -0.3, 0.3});  // both grew: ξ 0
  EXPECT_FALSE(s.xi);
}

TEST(Replay, UploadsAreCutAtTheirDeadlineAndDecisionsSeeOnlyResultsBack) {
  auto space = small_space();
  auto cost = small_cost();
  replay_timing timing{1.0, 0.2, {0.1, 0.05}, {0.5, 0.3, 0.2, 0.1}};
  segment_truth t{{1000, 400}, {0.9, 0.7, 0.6, 0.5}};
  std::vector<segment_truth> video(3, t);
  segment_replay r(space, cost, timing, video, {2000, 500, 2000});

  EXPECT_DOUBLE_EQ(r.decision_at_s(), 1.2);
  auto s0 = r.step(0);  // 1000 B at 2000 B/s from 1.3 s: ends 1.8, back 2.3
  EXPECT_TRUE(s0.delivered);
  EXPECT_FALSE(s0.stale);
  EXPECT_DOUBLE_EQ(s0.start_s, 1.3);
  EXPECT_DOUBLE_EQ(s0.upload_s, 0.5);
  EXPECT_DOUBLE_EQ(s0.back_s, 2.3);
  EXPECT_EQ(s0.accuracy, 0.9);
  EXPECT_EQ(s0.cost, 1);

  EXPECT_FALSE(r.latest());  // decided at 2.2, segment 0 is back at 2.3
  auto s1 = r.step(1);       // 1000 B at 500 B/s needs 2 s > T: cut at 3.3
  EXPECT_FALSE(s1.delivered);
  EXPECT_TRUE(s1.stale);
  EXPECT_DOUBLE_EQ(s1.start_s, 2.3);
  EXPECT_DOUBLE_EQ(s1.upload_s, 1);
  EXPECT_EQ(s1.accuracy, 0);
  EXPECT_EQ(s1.cost, 0);
  auto terms = terms_of(s1, 0.65, 1);
  EXPECT_DOUBLE_EQ(terms.u, 0.65);
  EXPECT_DOUBLE_EQ(terms.o, 0.0005);

  auto s2 = r.step(3);  // waits for the link the cut held: starts 3.3, not 3.25
  ASSERT_TRUE(s2.seen);
  EXPECT_EQ(s2.seen->segment, 0u);
  EXPECT_EQ(s2.seen->config, 0u);
  EXPECT_TRUE(s2.stale);
  EXPECT_DOUBLE_EQ(s2.start_s, 3.3);
  EXPECT_DOUBLE_EQ(s2.back_s, 3.6);
  EXPECT_TRUE(r.done());
  EXPECT_THROW(r.step(0), std::logic_error);
  EXPECT_THROW(segment_replay(space, cost, timing, video, {1, 2}), std::invalid_argument);
}

TEST(Replay, TheServerSegmentsDeliveredSegmentsInOrder) {
  auto space = small_space();
  auto cost = small_cost();
  replay_timing timing{1.0, 0.0, {0.0, 0.0}, {1.5, 1.5, 1.5, 1.5}};
  std::vector<segment_truth> video(3, segment_truth{{100, 50}, {0.9, 0.8, 0.7, 0.6}});
  segment_replay r(space, cost, timing, video, {1e6, 1e6, 1e6});
  EXPECT_DOUBLE_EQ(r.step(0).back_s, 1.0001 + 1.5);
  auto s1 = r.step(0);  // uploaded at 2.0001, the server is busy until 2.5001
  EXPECT_DOUBLE_EQ(s1.back_s, 2.5001 + 1.5);
  auto s2 = r.step(0);  // decided at 3: segment 0 is back, segment 1 not
  ASSERT_TRUE(s2.seen);
  EXPECT_EQ(s2.seen->segment, 0u);
}

TEST(Chunking, SegmentsSplitIntoChunksAndReassembleOrAreCut) {
  auto c = split_chunks(600, 256);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[2].offset, 512u);
  EXPECT_EQ(c[2].length, 88u);
  EXPECT_EQ(split_chunks(0, 256).size(), 1u);
  EXPECT_THROW(split_chunks(10, 0), std::invalid_argument);

  segment_assembler a;
  EXPECT_TRUE(a.add({5, 0, 2, 5, "abc"}).empty());
  auto done = a.add({5, 1, 2, 5, "de"});
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].outcome, assembly::complete);
  EXPECT_EQ(done[0].bytes, "abcde");

  EXPECT_TRUE(a.add({6, 0, 2, 4, "ab"}).empty());
  done = a.add({7, 0, 1, 1, "x"});  // segment 6's second chunk will never come
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0].segment, 6u);
  EXPECT_EQ(done[0].outcome, assembly::cut);
  EXPECT_EQ(done[1].outcome, assembly::complete);
  EXPECT_TRUE(a.add({6, 1, 2, 4, "cd"}).empty());
  EXPECT_EQ(a.late_chunks(), 1u);

  a.add({8, 0, 2, 4, "ab"});
  done = a.add({8, 0, 2, 4, "ab"});
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].outcome, assembly::corrupt);
  EXPECT_NE(done[0].why.find("twice"), std::string::npos);
  a.add({9, 0, 2, 4, "ab"});
  done = a.add({9, 1, 2, 4, "c"});
  EXPECT_EQ(done.at(0).outcome, assembly::corrupt);
  a.add({10, 0, 2, 4, "ab"});
  EXPECT_EQ(a.add({10, 1, 3, 4, "cd"}).at(0).outcome, assembly::corrupt);
  a.add({11, 0, 2, 4, "ab"});
  EXPECT_EQ(a.finish()->outcome, assembly::cut);
  EXPECT_FALSE(a.finish());
}

TEST(BitrateBaseline, ArOneByLeastSquaresAndMedianRatios) {
  auto m = fit_ar1({{1, 2, 3, 4}});
  EXPECT_NEAR(m.c, 1, 1e-9);
  EXPECT_NEAR(m.phi, 1, 1e-9);
  m = fit_ar1({{5, 5, 5}});
  EXPECT_EQ(m.phi, 0);
  EXPECT_EQ(m.c, 5);
  EXPECT_THROW(fit_ar1({{1}}), std::invalid_argument);

  size_table training = {{{100, 50}, {200, 100}, {300, 150}}};
  bitrate_baseline b(training, 0);
  EXPECT_NEAR(b.base_model().phi, 1, 1e-9);
  EXPECT_NEAR(b.base_model().c, 100, 1e-6);
  EXPECT_EQ(b.ratios(), (std::vector<double>{1, 0.5}));
  auto p = b.predict(300);
  EXPECT_NEAR(p[0], 400, 1e-6);
  EXPECT_NEAR(p[1], 200, 1e-6);
  auto e = baseline_errors(b, {{{100, 50}, {250, 100}}}, 0);  // predicted 200, 100
  ASSERT_EQ(e.size(), 2u);
  EXPECT_NEAR(e[0], 20, 1e-6);
  EXPECT_NEAR(e[1], 0, 1e-6);
}

TEST(AdapterState, PartsAreLaidOutInEquationFourOrder) {
  state_layout l;
  EXPECT_EQ(l.offset(state_part::bitrates), 2u);
  EXPECT_EQ(l.offset(state_part::performance), 20u);
  EXPECT_EQ(l.offset(state_part::last_config), 84u);
  EXPECT_EQ(l.offset(state_part::content), 174u);
  EXPECT_EQ(l.size(), 302u);
  adapter_state s{0.65, 0.6, std::vector<float>(18, 0.1f), std::vector<float>(64, 0.0f), std::nullopt,
                  std::vector<float>(128, 0.5f)};
  auto v = flatten(s, l);
  ASSERT_EQ(v.size(), 302u);
  EXPECT_FLOAT_EQ(v[0], 0.65f);
  EXPECT_FLOAT_EQ(v[1], 0.6f);
  for (size_t k = 84; k < 174; ++k)
    EXPECT_EQ(v[k], 0.0f);  // no configuration before the first segment
  s.last_config = 3;
  EXPECT_EQ(flatten(s, l)[87], 1.0f);
  s.content.pop_back();
  EXPECT_THROW(flatten(s, l), std::invalid_argument);
  s.content.push_back(0);
  s.last_config = 90;
  EXPECT_THROW(flatten(s, l), std::invalid_argument);
}

TEST(SegmenterGraph, ModelZeroCostsUnderAQuarterGmacAndPrunesToItsSparsity) {
  auto g = pyramid_segmenter(8);
  double full = segmenter_macs(g, 360, 640);
  EXPECT_LT(full, 0.25e9);
  EXPECT_GT(full, 0.15e9);
  EXPECT_NEAR(segmenter_macs(g, 180, 320) / full, 0.25, 0.03);  // MACs go with pixels
  for (double s : {0.5, 0.75, 0.875, 0.9375}) {
    double keep = keep_for_sparsity(g, s, 360, 640);
    EXPECT_LT(keep, std::sqrt(1 - s) + 1e-9);  // the first conv's inputs and the classes stay
    double ratio = segmenter_macs(pruned_shape(g, keep), 360, 640) / full;
    EXPECT_NEAR(ratio / (1 - s), 1, 0.15) << "sparsity " << s;
  }
  auto p = pruned_shape(g, 0.5);
  EXPECT_EQ(p.at("c1").out, 6);
  EXPECT_EQ(p.classes(), 8);
  EXPECT_THROW(pruned_shape(g, 0), std::invalid_argument);
}

// The MobileNet-style model 0: wider for the same budget, and it prunes alike.
TEST(SegmenterGraph, TheMobileModelZeroIsWiderUnderTheSameBudget) {
  auto g = mobile_segmenter(8);
  double full = segmenter_macs(g, 360, 640);
  EXPECT_LT(full, 0.25e9);
  EXPECT_GT(full, 0.15e9);
  EXPECT_GT(g.at("b16c").out, pyramid_segmenter(8).at("c6").out);
  EXPECT_TRUE(g.at("b16c_dw").depthwise);
  EXPECT_EQ(g.at("b16c_dw").dilation, 4);
  for (double s : {0.5, 0.9375}) {
    double ratio = segmenter_macs(pruned_shape(g, keep_for_sparsity(g, s, 360, 640)), 360, 640) / full;
    EXPECT_NEAR(ratio / (1 - s), 1, 0.15) << "sparsity " << s;
  }
  EXPECT_EQ(segmenter_graph::parse(g.serialise()).serialise(), g.serialise());
  EXPECT_THROW(mobile_segmenter(8, {16, 32, 64}), std::invalid_argument);
}

TEST(SegmenterGraph, RoundTripsThroughItsTextAndRefusesBadLines) {
  auto g = pruned_shape(pyramid_segmenter(8), 0.5);
  auto back = segmenter_graph::parse(g.serialise());
  EXPECT_EQ(back.serialise(), g.serialise());
  EXPECT_EQ(back.input_channels(back.at("fuse")), g.input_channels(g.at("fuse")));
  EXPECT_THROW(segmenter_graph::parse("in 3\nc1 nowhere 8 3 1 1 0 - 1\n"), std::invalid_argument);
  EXPECT_THROW(segmenter_graph::parse("in 3\nc1 image 8 2 1 1 0 - 1\n"), std::invalid_argument);  // even kernel
  EXPECT_THROW(segmenter_graph::parse("in 3\nc1 image 8\n"), std::invalid_argument);
  EXPECT_THROW(segmenter_graph::parse("in 3\n"), std::invalid_argument);
}

namespace {

// Scales {1, 0.5} × QPs {20, 30} × 2 models, two scored frames, three segments.
drive_table small_table() {
  drive_table t;
  t.key.scales = {1, 0.5};
  t.key.qps = {20, 30};
  t.key.models = {"aa", "bb"};
  t.key.scored_frames = {0, 1};
  t.key.encoder = "test";
  t.macs = {100, 25, 50, 12.5};
  std::vector<double> acc = {0.9, 0.8, 0.85, 0.75, 0.8, 0.7, 0.7, 0.6};  // (setting × 2 + model)
  for (int i = 0; i < 3; ++i) {
    segment_row r;
    r.bytes = {1000u * (i + 1), 500u * (i + 1), 400u * (i + 1), 100u * (i + 1)};
    for (size_t c = 0; c < acc.size(); ++c)
      for (int f = 0; f < 2; ++f) {
        // The second scored frame is 0.02 under the first; segment 1 is 0.1 harder.
        r.miou.push_back(static_cast<float>(acc[c] - (i == 1 ? 0.1 : 0) - 0.02 * f));
        // Against the costliest configuration's prediction: segment 0's first frame
        // finds configuration 7 poor; its other frame and later segments say otherwise.
        r.miou_ref.push_back(i == 0 && f == 0 ? (c == 7 ? 0.5f : 1.0f) : (i == 0 ? 1.0f : 0.2f));
      }
    r.motion_px = static_cast<float>(i + 1);
    t.segments.push_back(r);
  }
  return t;
}

}  // namespace

TEST(SegmentTable, RoundTripsAndRefusesWhatIsNotOne) {
  auto dir = std::filesystem::temp_directory_path() / ("penance-table-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "drive.table").string();
  auto t = small_table();
  write_table(path, t);
  auto back = read_table(path);
  EXPECT_EQ(back.key.text(), t.key.text());
  ASSERT_EQ(back.segments.size(), 3u);
  EXPECT_EQ(back.segments[2].bytes, t.segments[2].bytes);
  EXPECT_NEAR(back.accuracy(1, 3, 1), 0.49, 1e-6);  // the mean of 0.5 and 0.48
  EXPECT_FLOAT_EQ(back.first_frame_accuracy(0, 0, 0, false), 0.9f);
  EXPECT_EQ(read_table_key(path)->text(), t.key.text());
  EXPECT_FALSE(read_table_key((dir / "none.table").string()));

  std::ofstream(path, std::ios::binary | std::ios::trunc) << "troupe-penance-table 1\n" << t.key.text() << "\n";
  try {
    read_table(path);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  std::ofstream(path, std::ios::trunc) << "something else\n";
  EXPECT_THROW(read_table(path), std::runtime_error);

  softmax_writer w(path);
  std::vector<uint8_t> plane(static_cast<size_t>(t.key.classes) * 45 * 80, 7);
  for (int k = 0; k < 8 * 3 - 1; ++k)  // one configuration short
    w.append(plane.data(), plane.size());
  w.finish();
  EXPECT_THROW(softmax_blob(path, t.key, 3), std::runtime_error);
  softmax_writer full(path);
  for (int k = 0; k < 8 * 3; ++k) {
    plane[0] = static_cast<uint8_t>(k);
    full.append(plane.data(), plane.size());
  }
  full.finish();
  softmax_blob blob(path, t.key, 3);
  EXPECT_EQ(blob.at(1, 2, 1)[0], (1 * 4 + 2) * 2 + 1);  // [segment][setting][model]
  EXPECT_THROW(blob.at(3, 0, 0), std::out_of_range);
  std::filesystem::remove_all(dir);
}

TEST(DatasetStats, FiguresTwoThreeFourFromAHandMadeTable) {
  config_space space({{1, 0.5}, {20, 30}, 2});
  EXPECT_EQ(costliest_setting(space), 0u);
  EXPECT_EQ(cheapest_setting(space), 3u);
  auto st = summarise({small_table()}, space, 2);
  EXPECT_EQ(st.segments, 3u);
  EXPECT_NEAR(st.median_size_cv, std::sqrt(2.0 / 3) / 2, 1e-9);  // sizes 1, 2, 3 × a base
  EXPECT_NEAR(st.costliest_median_kb, 2000 / 1024.0, 1e-9);
  EXPECT_NEAR(st.cheapest_p95_kb, 300 / 1024.0, 1e-9);
  EXPECT_NEAR(st.reprofile_mae_median, 0.11, 1e-6);  // segment 1's mean against segment 0's first frame
  EXPECT_EQ(st.qp_beats_resolution, 1);             // 500 B per 0.05 against 600 B per 0.1
  EXPECT_EQ(st.motion_p95_px, 3);
  ASSERT_EQ(st.model_miou.size(), 2u);
  EXPECT_NEAR(st.model_miou[0], (0.9 + 0.8 + 0.9) / 3 - 0.01, 1e-6);
  EXPECT_NEAR(st.cheapest_model_miou, (0.6 + 0.5 + 0.6) / 3 - 0.01, 1e-6);
}

TEST(Baselines, OptimalSolvesWithTheTruthPeriodicProfilingWithItsFirstFrame) {
  config_space space({{1, 0.5}, {20, 30}, 2});
  auto t = small_table();
  cost_table cost(space, {{100, 25}, {50, 12.5}});
  EXPECT_EQ(t.reference_macs(), 100);
  auto optimal = optimal_policy(space, cost.per_config());
  // Segment 0: the cheapest configuration meeting 0.72 within 1000 B is scale 0.5, QP 20, model 0.
  EXPECT_EQ(optimal->choose({&t, 0, 0.72, 1000}), 4u);
  EXPECT_EQ(optimal->choose({&t, 0, 0.72, 300}), 6u);  // only QP 30 at 0.5 fits: its most accurate model
  EXPECT_EQ(optimal->overhead_macs(t), 0);
  // The profile is segment 0's first frame against the costliest configuration's
  // prediction, kept for the video: configuration 7 (0.5) is out, and the cheapest of
  // the rest that fits, 5 (scale 0.5, QP 20, model 1), is chosen for later segments too.
  auto profiling = periodic_profiling_policy(space, cost.per_config());
  EXPECT_EQ(profiling->choose({&t, 0, 0.72, 1000}), 5u);
  EXPECT_EQ(profiling->choose({&t, 2, 0.72, 3000}), 5u);  // segment 2 is three times as large
  EXPECT_DOUBLE_EQ(profiling->overhead_macs(t), 3.75 * 100);  // one frame on all eight configurations
  // DAO-C: a predictor that rates only configuration 3 (scale 1, QP 30, model 1) good
  // enough gets it, where it fits; the search is Optimal's, the accuracies its own.
  auto dao = predicted_accuracy_policy(space, cost.per_config(), [](const drive_table&, size_t) {
    std::vector<double> a(8, 0.1);
    a[3] = 0.9;
    return a;
  });
  EXPECT_EQ(dao->choose({&t, 0, 0.72, 100000}), 3u);
  EXPECT_EQ(dao->overhead_macs(t), 0);  // it predicts on the device, not on the server
}

TEST(Metrics, FailuresIncludeCutsAndMacsIncludeOverheads) {
  metrics_accumulator m(100, 15);
  replay_step good;
  good.delivered = true;
  good.accuracy = 0.8;
  good.cost = 0.25;
  replay_step cut;
  cut.stale = true;
  m.add(good, 0.72);
  m.add(cut, 0.72);
  m.add_overhead(375);
  auto r = m.result();
  EXPECT_EQ(r.segments, 2u);
  EXPECT_EQ(r.fail_pct, 50);
  EXPECT_EQ(r.dropped_pct, 50);
  EXPECT_EQ(r.stale_pct, 50);
  EXPECT_EQ(r.miou_p50, 0);
  EXPECT_DOUBLE_EQ(r.miou_p10, 0);
  EXPECT_DOUBLE_EQ(r.gmacs_per_segment, (0.25 * 100 * 15 + 375) / 2 / 1e9);
}

TEST(SegmenterGraph, DepthwiseConvsCostOneFilterPerChannelAndFollowTheirInputWhenPruned) {
  auto g = segmenter_graph::parse(
      "in 3\n"
      "c1 image 8 3 2 1 0 - 1 0\n"
      "dw c1 8 3 1 1 0 - 1 1\n"
      "pw dw 16 1 1 1 0 - 1 0\n"
      "classes pw 4 1 1 1 0 - 0 0\n");
  EXPECT_EQ(g.groups(g.at("dw")), 8);
  double px = 20 * 32;  // 40×64 at stride 2
  EXPECT_DOUBLE_EQ(segmenter_macs(g, 40, 64), px * (8 * 3 * 9 + 8 * 1 * 9 + 16 * 8 + 4 * 16));
  auto p = pruned_shape(g, 0.5);
  EXPECT_EQ(p.at("c1").out, 4);
  EXPECT_EQ(p.at("dw").out, 4);  // what c1 kept, whatever the share
  EXPECT_EQ(p.at("pw").out, 8);
  EXPECT_THROW(segmenter_graph::parse("in 3\nc1 image 8 3 2 1 0 - 1 0\ndw c1 6 3 1 1 0 - 1 1\n"), std::invalid_argument);
  auto old = segmenter_graph::parse("in 3\nc1 image 8 3 2 1 0 - 1\n");  // written before depthwise convs
  EXPECT_FALSE(old.at("c1").depthwise);
}

// The sink's books: a segment settles when its fate is known, in either order; what
// the server says of a segment the camera cut does not count twice.
namespace {
struct sent_note {
  bool was_cut = false;
  bool cut() const { return was_cut; }
};
}  // namespace

TEST(SegmentBooks, SettleOnceInEitherOrderAndKeepWhatIsInFlight) {
  troupe::penance::segment_books<sent_note, int> books([](const sent_note& s) { return s.cut(); });
  EXPECT_FALSE(books.sent({"cam", 0}, {}));
  auto first = books.labelled({"cam", 0}, 7);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->labels, 7);
  EXPECT_FALSE(books.labelled({"cam", 1}, 8));  // labels before the camera's word
  auto second = books.sent({"cam", 1}, {});
  ASSERT_TRUE(second && second->labels == 8);
  auto cut = books.sent({"cam", 2}, {true});  // the camera's cut settles it at once
  ASSERT_TRUE(cut);
  EXPECT_FALSE(cut->labels);
  EXPECT_FALSE(books.labelled({"cam", 2}, 9));  // the server's "cut" on it: already settled
  EXPECT_FALSE(books.sent({"cam", 3}, {}));
  EXPECT_FALSE(books.labelled({"other", 5}, 1));
  EXPECT_EQ(books.in_flight(), 1u);  // segment 3
  EXPECT_EQ(books.orphans(), 1u);
}

// What Penance's actors take from the bus: a forged or implausible message is refused
// with its cause, never scored (§2.1.2: 1 s segments; 90 configurations).
TEST(PenanceChecks, AChunkComesFromItsCameraWithinItsSegment) {
  troupe::msg::penance::SegmentChunk c;
  c.set_camera("cam");
  c.set_sink("sink");
  c.set_segment(3);
  c.set_index(1);
  c.set_count(2);
  c.set_total_bytes(300 * 1024);
  c.set_data(std::string(1000, 'x'));
  c.set_config(89);
  EXPECT_FALSE(check_chunk(c, "cam", 90));
  EXPECT_EQ(check_chunk(c, "other-cam", 90), troupe::refusal::forged_sender);
  EXPECT_EQ(check_chunk(c, "cam", 89), troupe::refusal::out_of_range);  // configuration 89 of 89
  auto bad = c;
  bad.set_index(2);  // index 2 of 2
  EXPECT_EQ(check_chunk(bad, "cam", 90), troupe::refusal::out_of_range);
  bad = c;
  bad.set_total_bytes(max_segment_bytes + 1);
  EXPECT_EQ(check_chunk(bad, "cam", 90), troupe::refusal::out_of_range);
  bad = c;
  bad.set_count(1000);  // a thousand chunks of a 300 KiB segment
  EXPECT_EQ(check_chunk(bad, "cam", 90), troupe::refusal::out_of_range);
  bad = c;
  bad.clear_sink();
  EXPECT_EQ(check_chunk(bad, "cam", 90), troupe::refusal::missing_field);
}

TEST(PenanceChecks, PIsFiniteOfTheAdaptersSize) {
  troupe::msg::penance::PerformanceCode p;
  p.set_config(5);
  for (int i = 0; i < 64; ++i)
    p.add_p(0.1f);
  EXPECT_FALSE(check_performance(p, 90, 64));
  EXPECT_EQ(check_performance(p, 90, 32), troupe::refusal::out_of_range);
  EXPECT_FALSE(check_performance(p, 90, 0));  // CASVA-C takes no p: any is ignored
  p.set_p(3, std::nanf(""));
  EXPECT_EQ(check_performance(p, 90, 64), troupe::refusal::out_of_range);
}

TEST(PenanceChecks, TheSinkScoresOnlySegmentsThatCouldBeReal) {
  const int64_t s = 1'000'000'000, t0 = 1'764'000'000 * s;
  auto window = troupe::window_since(t0, t0 + 60 * s);
  troupe::msg::penance::SegmentSent sent;
  sent.set_camera("cam");
  sent.set_config(10);
  sent.set_accuracy_target(0.7);
  sent.set_bandwidth_mbps(0.5);
  sent.set_bytes(200'000);
  sent.set_frames(15);
  sent.set_ready_ns(t0 + 10 * s);
  sent.set_decided_ns(t0 + 10 * s);
  sent.set_upload_start_ns(t0 + 10 * s + 1000);
  sent.add_truth()->set_frame(14);
  EXPECT_FALSE(check_sent(sent, "cam", window));
  EXPECT_EQ(check_sent(sent, "intruder", window), troupe::refusal::forged_sender);
  for (auto spoil : std::vector<std::function<void(troupe::msg::penance::SegmentSent&)>>{
           [](auto& m) { m.set_accuracy_target(1.5); }, [](auto& m) { m.set_bandwidth_mbps(-1); },
           [](auto& m) { m.set_bandwidth_mbps(std::nan("")); }, [](auto& m) { m.set_ready_ns(1); },
           [&](auto& m) { m.set_upload_start_ns(t0 + 9 * s); },  // uploaded before it was whole
           [](auto& m) { m.mutable_truth(0)->set_frame(15); }, [](auto& m) { m.set_bytes(1ull << 40); }}) {
    auto bad = sent;
    spoil(bad);
    EXPECT_EQ(check_sent(bad, "cam", window), troupe::refusal::out_of_range) << bad.ShortDebugString();
  }
  troupe::msg::penance::SegmentLabels labels;
  labels.set_camera("cam");
  labels.set_done_ns(t0 + 11 * s);
  labels.set_cost(0.4);
  labels.set_compute_ms(120);
  EXPECT_FALSE(check_labels(labels, window));
  labels.set_cost(std::numeric_limits<double>::infinity());
  EXPECT_EQ(check_labels(labels, window), troupe::refusal::out_of_range);
  labels.set_cost(0.4);
  labels.set_done_ns(t0 + 3600 * s);  // an hour ahead of the sink's clock
  EXPECT_EQ(check_labels(labels, window), troupe::refusal::out_of_range);
  labels.clear_camera();
  EXPECT_EQ(check_labels(labels, window), troupe::refusal::missing_field);
}

// The conditions a recorded run's cameras met: per camera, A_i and B_i in segment order,
// a segment reported twice once; implausible values refused by name.
TEST(RecordedConditions, PerCameraInSegmentOrderEachSegmentOnce) {
  std::vector<sent_segment> sent = {{"cam-b", 1, 0.6, 0.4}, {"cam-a", 2, 0.7, 0.9}, {"cam-a", 0, 0.5, 0.3},
                                    {"cam-a", 1, 0.55, 0.5}, {"cam-a", 1, 0.8, 0.8}, {"cam-b", 0, 0.6, 0.2}};
  auto c = conditions_of(sent);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].camera, "cam-a");
  EXPECT_EQ(c[0].targets, (std::vector<double>{0.5, 0.55, 0.7}));
  EXPECT_EQ(c[0].bandwidth_mbps, (std::vector<double>{0.3, 0.5, 0.9}));
  EXPECT_EQ(c[1].camera, "cam-b");
  EXPECT_EQ(c[1].bandwidth_mbps, (std::vector<double>{0.2, 0.4}));
  for (auto bad : {sent_segment{"cam", 3, 1.5, 0.5}, sent_segment{"cam", 3, 0.5, 0},
                   sent_segment{"cam", 3, 0.5, std::numeric_limits<double>::infinity()},
                   sent_segment{"cam", 3, std::nan(""), 0.5}}) {
    try {
      conditions_of({bad});
      ADD_FAILURE() << "accepted a target of " << bad.target << " at " << bad.bandwidth_mbps << " MB/s";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("camera 'cam', segment 3"), std::string::npos) << e.what();
    }
  }
}
