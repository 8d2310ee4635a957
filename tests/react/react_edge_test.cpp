// REACT's edge manager without actors (react.txt, §3.1–3.4): detection cadence and
// the change detector's gate, fusion of current results, late cloud results carried
// to the present by fast-tracking, the chase when frames keep coming, results too old
// for the buffer, decay, and the every-frame-edge baseline. Detectors are replaced by
// the synthetic scene's exact truth so that every expectation is known.
#include <gtest/gtest.h>

#include "actors/react/react_edge.hpp"
#include "vision/metrics.hpp"
#include "vision/synthetic_scene.hpp"

using namespace troupe;
using react::source;

namespace {

vision::synthetic_scene walking_scene() {
  vision::scene_config c;
  c.width = 320;
  c.height = 240;
  c.seed = 9;
  c.schedule = {{0, 1.0}};
  vision::synthetic_scene scene(c);
  for (int i = 0; i < 30; ++i)  // people already in view
    scene.next();
  return scene;
}

react_settings settings(react_mode mode = react_mode::react) {
  react_settings s;
  s.mode = mode;
  s.tracker = "flow";  // CSRT is the paper's; flow is quicker for tests and follows these scenes as well
  return s;
}

// Detections as a detector that finds everything would give them.
std::vector<vision::detection> confident(std::vector<vision::detection> truth, float score = 0.9f) {
  for (auto& d : truth)
    d.score = score;
  return truth;
}

}  // namespace

TEST(ReactEdge, EdgeEveryKCloudEveryMFramesWhileTheSceneMoves) {
  auto scene = walking_scene();
  react_edge edge(settings());
  std::vector<uint64_t> edge_frames, cloud_frames;
  for (int i = 0; i < 61; ++i) {
    auto f = scene.next();
    auto plan = edge.on_frame(f.index, f.image);
    if (i > 0) {
      EXPECT_GT(plan.motion, edge.settings().motion_threshold) << "frame " << i;
    }
    if (plan.to_edge)
      edge_frames.push_back(uint64_t(i));
    if (plan.to_cloud)
      cloud_frames.push_back(uint64_t(i));
  }
  EXPECT_EQ(edge_frames.size(), 13u);  // 0, 5, …, 60
  EXPECT_EQ(edge_frames[1], 5u);
  EXPECT_EQ(cloud_frames, (std::vector<uint64_t>{0, 30, 60}));
  EXPECT_EQ(edge.counters().still_skips, 0u);
}

TEST(ReactEdge, AStillSceneAsksForNothingAfterTheFirstFrame) {
  auto frame = walking_scene().next();
  react_edge edge(settings());
  int asked = 0;
  for (uint64_t i = 0; i < 31; ++i) {
    cv::Mat same = frame.image.clone();
    auto plan = edge.on_frame(i, same);
    asked += plan.to_edge + plan.to_cloud;
    if (i > 0) {
      EXPECT_LT(plan.motion, edge.settings().motion_threshold);
    }
  }
  EXPECT_EQ(asked, 2);                           // frame 0 to both
  EXPECT_EQ(edge.counters().still_skips, 7u);    // edge at 5, 10, …, 30 and the cloud at 30
}

TEST(ReactEdge, ResultsForTheNewestFrameAreFusedAtOnce) {
  auto scene = walking_scene();
  react_edge edge(settings());
  auto f = scene.next();
  edge.on_frame(f.index, f.image);
  EXPECT_FALSE(edge.on_detections(source::edge, f.index, confident(f.truth)).next.has_value());
  ASSERT_EQ(edge.objects().size(), f.truth.size());
  EXPECT_EQ(edge.objects()[0].last_source, source::edge);
  EXPECT_EQ(edge.counters().edge_fusions, 1u);
}

TEST(ReactEdge, LateCloudResultsAreCarriedToThePresentThenFused) {
  auto scene = walking_scene();
  react_edge edge(settings(react_mode::cloud_only));
  auto sent = scene.next();  // the frame that went to the cloud
  edge.on_frame(sent.index, sent.image);
  vision::synthetic_frame now;
  for (int i = 0; i < 8; ++i) {  // frames go on while the cloud works
    now = scene.next();
    edge.on_frame(now.index, now.image);
  }
  auto job = edge.on_detections(source::cloud, sent.index, confident(sent.truth)).next;
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->frames.front().index, sent.index);
  EXPECT_EQ(job->frames.back().index, now.index);
  EXPECT_TRUE(edge.objects().empty());  // nothing fused before the catch-up ends
  auto done = run_catch_up(*job);
  EXPECT_EQ(done.origin, sent.index);
  EXPECT_EQ(done.reached, now.index);
  EXPECT_FALSE(edge.on_caught_up(done).next.has_value());
  auto fused = edge.output();
  // The tracked boxes sit on the present frame's people (but those who entered since),
  // where the cloud's boxes as they came find almost none of them.
  EXPECT_GT(vision::match_frame(fused, now.truth).f1(), 0.55);
  EXPECT_LT(vision::match_frame(confident(sent.truth), now.truth).f1(), 0.2);
  EXPECT_EQ(edge.counters().cloud_fusions, 1u);
  EXPECT_DOUBLE_EQ(edge.counters().cloud_age_frames, 8);
}

TEST(ReactEdge, WithoutFastTrackingLateResultsAreFusedAsTheyCome) {
  auto scene = walking_scene();
  auto s = settings(react_mode::cloud_only);
  s.fast_tracking = false;  // the paper's cloud-only thin client
  react_edge edge(s);
  auto sent = scene.next();
  edge.on_frame(sent.index, sent.image);
  for (int i = 0; i < 8; ++i) {
    auto now = scene.next();
    edge.on_frame(now.index, now.image);
  }
  EXPECT_FALSE(edge.on_detections(source::cloud, sent.index, confident(sent.truth)).next.has_value());  // no catch-up
  EXPECT_EQ(edge.objects().size(), sent.truth.size());  // fused at once, where the frame that went had them
  EXPECT_EQ(edge.counters().cloud_fusions, 1u);
  EXPECT_DOUBLE_EQ(edge.counters().cloud_age_frames, 8);
}

TEST(ReactEdge, ACatchUpOvertakenByNewFramesChasesThem) {
  auto scene = walking_scene();
  react_edge edge(settings(react_mode::cloud_only));
  auto sent = scene.next();
  edge.on_frame(sent.index, sent.image);
  for (int i = 0; i < 8; ++i) {
    auto f = scene.next();
    edge.on_frame(f.index, f.image);
  }
  auto job = edge.on_detections(source::cloud, sent.index, confident(sent.truth)).next;
  ASSERT_TRUE(job);
  uint64_t reached = job->frames.back().index;
  auto newer = scene.next();  // a frame came while the fast tracker ran
  edge.on_frame(newer.index, newer.image);
  auto again = edge.on_caught_up({source::cloud, sent.index, sent.index, reached, job->boxes, false}).next;
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->origin, sent.index);
  EXPECT_EQ(again->frames.front().index, reached);
  EXPECT_EQ(again->frames.back().index, newer.index);
  // Keeping pace (one frame covered, one new): chased again.
  auto next = scene.next();
  edge.on_frame(next.index, next.image);
  auto paced = edge.on_caught_up({source::cloud, sent.index, reached, newer.index, job->boxes, false}).next;
  ASSERT_TRUE(paced.has_value());
  EXPECT_EQ(paced->frames.front().index, newer.index);
  EXPECT_EQ(paced->frames.back().index, next.index);
  // Losing ground (more new frames than the catch-up covered): dropped, never fused
  // with objects on another frame.
  for (int i = 0; i < 2; ++i) {
    auto f = scene.next();
    edge.on_frame(f.index, f.image);
  }
  EXPECT_FALSE(edge.on_caught_up({source::cloud, sent.index, newer.index, next.index, job->boxes, false}).next.has_value());
  EXPECT_EQ(edge.counters().fell_behind, 1u);
  EXPECT_EQ(edge.counters().cloud_fusions, 0u);
  EXPECT_TRUE(edge.objects().empty());
}

TEST(ReactEdge, AnOlderResultNeverReplacesANewerOneOfItsSource) {
  auto scene = walking_scene();
  react_edge edge(settings(react_mode::cloud_only));
  auto older = scene.next(), newer = scene.next(), now = scene.next();
  for (auto* f : {&older, &newer, &now})
    edge.on_frame(f->index, f->image);
  // The newer frame's catch-up finished first and was fused ...
  auto second = edge.on_detections(source::cloud, newer.index, confident(newer.truth)).next;
  ASSERT_TRUE(second);
  EXPECT_FALSE(edge.on_caught_up(run_catch_up(*second)).next.has_value());
  ASSERT_EQ(edge.counters().cloud_fusions, 1u);
  // ... so the older frame's result, arriving or caught up later, is dropped.
  EXPECT_FALSE(edge.on_detections(source::cloud, older.index, {}).next.has_value());
  EXPECT_EQ(edge.counters().superseded, 1u);
  EXPECT_FALSE(edge.on_caught_up({source::cloud, older.index, older.index, now.index, {}, false}).next.has_value());
  EXPECT_EQ(edge.counters().superseded, 2u);
  EXPECT_EQ(edge.counters().cloud_fusions, 1u);
  EXPECT_FALSE(edge.objects().empty());
}

TEST(ReactEdge, AFailedCatchUpIsCountedAndFusesNothing) {
  auto scene = walking_scene();
  react_edge edge(settings(react_mode::cloud_only));
  auto f = scene.next();
  edge.on_frame(f.index, f.image);
  EXPECT_FALSE(edge.on_caught_up({source::cloud, f.index, f.index, f.index, confident(f.truth), true}).next.has_value());
  EXPECT_EQ(edge.counters().tracker_failures, 1u);
  EXPECT_TRUE(edge.objects().empty());
}

TEST(ReactEdge, AsPrintedConfidenceDecaysOnEveryFrameEvenInAStillScene) {
  auto frame = walking_scene().next();
  auto s = settings(react_mode::edge_only);
  s.fusion.decay = 0.9;
  react_edge edge(s);
  edge.on_frame(frame.index, frame.image.clone());
  edge.on_detections(source::edge, frame.index, confident(frame.truth, 0.8f));
  for (uint64_t i = 1; i <= 20; ++i)  // nothing moves: no detection asked for, and 0.8·0.9ⁿ falls below 0.5
    edge.on_frame(frame.index + i, frame.image.clone());
  EXPECT_TRUE(edge.objects().empty());
}

TEST(ReactEdge, DecayingOnlyWhileMovingAStillSceneKeepsItsObjects) {
  // Nothing moves, so nothing is detected again and tracking cannot drift: confidence
  // does not decay and the objects stay.
  auto frame = walking_scene().next();
  auto s = settings(react_mode::edge_only);
  s.fusion.decay = 0.9;
  s.decay_on = decay_rule::while_moving;
  react_edge edge(s);
  edge.on_frame(frame.index, frame.image.clone());
  edge.on_detections(source::edge, frame.index, confident(frame.truth, 0.8f));
  for (uint64_t i = 1; i <= 20; ++i)
    edge.on_frame(frame.index + i, frame.image.clone());
  EXPECT_EQ(edge.objects().size(), frame.truth.size());
  EXPECT_FLOAT_EQ(edge.objects()[0].det.score, 0.8f);
}

TEST(ReactEdge, BadSettingsAreRefusedByName) {
  auto s = settings();
  s.edge_every = 0;
  EXPECT_THROW(react_edge{s}, std::runtime_error);
  s = settings();
  s.tracker = "magic";
  EXPECT_THROW(react_edge{s}, std::runtime_error);
  s = settings();
  s.motion_percentile = 120;
  EXPECT_THROW(check(s), std::runtime_error);
}

TEST(ReactEdge, ResultsOlderThanTheBufferAreCountedAndDropped) {
  auto scene = walking_scene();
  auto s = settings();
  s.buffer_frames = 4;
  react_edge edge(s);
  for (int i = 0; i < 10; ++i) {
    auto f = scene.next();
    edge.on_frame(f.index, f.image);
  }
  EXPECT_FALSE(edge.on_detections(source::cloud, 30, {}).next.has_value());  // the first frame, long gone
  EXPECT_EQ(edge.counters().too_old, 1u);
  EXPECT_EQ(edge.counters().cloud_fusions, 0u);
}

// A catch-up that only keeps pace must not chase forever: once its frame has left the
// buffer it is dropped, as a result that old would be on arrival.
TEST(ReactEdge, AChaseWhoseFrameLeftTheBufferIsDropped) {
  auto scene = walking_scene();
  auto s = settings(react_mode::cloud_only);
  s.buffer_frames = 4;
  react_edge edge(s);
  auto sent = scene.next();
  edge.on_frame(sent.index, sent.image);
  auto f = scene.next();
  edge.on_frame(f.index, f.image);
  auto job = edge.on_detections(source::cloud, sent.index, confident(sent.truth)).next;
  ASSERT_TRUE(job);
  uint64_t started = sent.index, reached = f.index;
  for (int round = 0; round < 3; ++round) {  // one new frame per frame covered: keeping pace
    auto g = scene.next();
    edge.on_frame(g.index, g.image);
    auto chase = edge.on_caught_up({source::cloud, sent.index, started, reached, job->boxes, false}).next;
    if (!chase) {
      EXPECT_LT(sent.index, g.index - 3);  // only once the sent frame left the 4-frame buffer
      EXPECT_EQ(edge.counters().fell_behind, 1u);
      EXPECT_EQ(edge.counters().cloud_fusions, 0u);
      return;
    }
    started = reached;
    reached = g.index;
  }
  FAIL() << "a chase went on after its frame left the buffer";
}

TEST(ReactEdge, UnconfirmedObjectsDecayAway) {
  auto scene = walking_scene();
  auto s = settings(react_mode::edge_only);
  s.fusion.decay = 0.9;
  react_edge edge(s);
  auto f = scene.next();
  edge.on_frame(f.index, f.image);
  edge.on_detections(source::edge, f.index, confident(f.truth, 0.8f));
  ASSERT_FALSE(edge.objects().empty());
  for (int i = 0; i < 4; ++i) {  // 0.8·0.9⁵ = 0.47 after the fifth frame
    f = scene.next();
    edge.on_frame(f.index, f.image);
  }
  EXPECT_FALSE(edge.objects().empty());
  f = scene.next();
  edge.on_frame(f.index, f.image);
  EXPECT_TRUE(edge.objects().empty());
}

TEST(ReactEdge, EveryFrameEdgeAsksEveryFrameAndNeverTracks) {
  auto scene = walking_scene();
  react_edge edge(settings(react_mode::every_frame_edge));
  auto first = scene.next();
  EXPECT_TRUE(edge.on_frame(first.index, first.image).to_edge);
  auto second = scene.next();
  auto plan = edge.on_frame(second.index, second.image);
  EXPECT_TRUE(plan.to_edge);
  EXPECT_FALSE(plan.to_cloud);
  // A result one frame late replaces the objects as it is: no tracker to carry it.
  EXPECT_FALSE(edge.on_detections(source::edge, first.index, confident(first.truth)).next.has_value());
  auto out = edge.output();
  ASSERT_EQ(out.size(), first.truth.size());
  EXPECT_EQ(out[0].box, first.truth[0].box);
}

TEST(ReactFastTrack, StepsVisitEveryStrideAndEndOnTheNewest) {
  EXPECT_EQ(react::fast_track_steps(7, 2), (std::vector<size_t>{0, 2, 4, 6}));
  EXPECT_EQ(react::fast_track_steps(6, 2), (std::vector<size_t>{0, 2, 4, 5}));
  EXPECT_EQ(react::fast_track_steps(3, 1), (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(react::fast_track_steps(1, 2), (std::vector<size_t>{0}));
}

// A result for a frame not taken yet (one forged envelope with index 2^64 − 1) once was
// fused, and then superseded every real result of its source for the rest of the run.
TEST(ReactEdge, AResultForAFrameNotTakenIsDroppedAndCounted) {
  auto scene = walking_scene();
  react_edge edge(settings(react_mode::cloud_only));
  EXPECT_FALSE(edge.taken(0));  // nothing taken yet
  auto f = scene.next();
  edge.on_frame(f.index, f.image);
  EXPECT_TRUE(edge.taken(f.index));
  EXPECT_FALSE(edge.taken(f.index + 1));
  EXPECT_FALSE(edge.on_detections(source::cloud, UINT64_MAX, confident(f.truth)).next.has_value());
  EXPECT_EQ(edge.counters().not_taken, 1u);
  EXPECT_EQ(edge.counters().cloud_fusions, 0u);
  edge.on_detections(source::cloud, f.index, confident(f.truth));  // the real one still counts
  EXPECT_EQ(edge.counters().cloud_fusions, 1u);
  EXPECT_EQ(edge.counters().superseded, 0u);
}

// The camera's item books end every result one of three ways, as the manager says.
TEST(ReactEdge, EveryResultIsFusedDroppedWithItsCauseOrStillChasing) {
  auto scene = walking_scene();
  react_edge edge(settings(react_mode::cloud_only));
  auto older = scene.next(), newer = scene.next(), now = scene.next();
  for (auto* f : {&older, &newer, &now})
    edge.on_frame(f->index, f->image);
  auto chasing = edge.on_detections(source::cloud, newer.index, confident(newer.truth));
  EXPECT_EQ(chasing.fate, result_fate::chasing);
  ASSERT_TRUE(chasing.next);
  EXPECT_EQ(edge.on_caught_up(run_catch_up(*chasing.next)).fate, result_fate::fused);
  auto late = edge.on_detections(source::cloud, older.index, {});
  EXPECT_EQ(late.fate, result_fate::dropped);
  EXPECT_EQ(late.cause, "superseded by a newer result of its source");
  EXPECT_FALSE(late.next);
  EXPECT_EQ(edge.on_detections(source::cloud, UINT64_MAX, {}).cause, "result for a frame not taken");
  EXPECT_EQ(edge.on_caught_up({source::cloud, now.index, now.index, now.index, {}, true}).cause,
            "its catch-up's tracker failed");
  EXPECT_EQ(edge.counters().superseded + edge.counters().not_taken + edge.counters().tracker_failures, 3u);
}
