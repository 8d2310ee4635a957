// ROOMIE's placement on an emulated shared GPU, measured: two heavy and two light
// detector replicas on a node with two Xavier GPUs, fed at the same rate. ROOMIE (Alg. 3)
// keeps the heavy ones apart; stacking them makes them slow each other (thesis §4.4.2),
// and the measured p50 shows it.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include "actors/roomie/core/placement.hpp"
#include "actors/runtime/deploy/nats_server.hpp"
#include "actors/runtime/emulation/clock.hpp"
#include "actors/runtime/node.hpp"
#include "actors/runtime/params.hpp"
#include "actors/systems.hpp"
#include "gpu/model/gpu_arch.hpp"
#include "gpu/model/kernel_trace.hpp"
#include "test_support.hpp"
#include "troupe/messages/roomie.pb.h"
#include "troupe/messages/vision.pb.h"
#include "vision/jpeg_codec.hpp"
#include "vision/percentile.hpp"

using namespace troupe;
using namespace troupe::testing;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> replicas = {"heavy-a", "heavy-b", "light-a", "light-b"};
std::string trace_of(const std::string& replica) {
  return replica.rfind("heavy", 0) == 0 ? "detector-m-i640" : "detector-n-i320";
}

std::string profile(const std::string& memory_gb = "8") {
  return write_temp("roomie_gpu_profile-" + memory_gb + ".yaml",
                    "devices:\n  - name: xavier\n    busy_power_w: 15\n    gpu: { arch: sm_72, memory_gb: " + memory_gb +
                    ", count: 2, "
                    "traces: " + source_dir() + "/topologies/kernels/derived/sm_72, arch_limits: " + source_dir() +
                    "/gpu/arch_limits.yaml }\n");
}

// ROOMIE's GPU for each replica, arriving in the order above on two empty GPUs.
std::map<std::string, int> roomie_placement() {
  auto archs = gpu::load_gpu_archs(source_dir() + "/gpu/arch_limits.yaml");
  auto& sm72 = gpu::find_arch(archs, "sm_72");
  std::map<std::string, roomie::model_profile> models;
  std::vector<const roomie::model_profile*> catalogue;
  for (auto trace : {"detector-m-i640", "detector-n-i320"}) {
    auto file = source_dir() + "/topologies/kernels/derived/sm_72/" + trace + "-b1.csv";
    catalogue.push_back(&models.emplace(trace, roomie::profile_of(gpu::read_kernel_trace(file), sm72)).first->second);
  }
  roomie::delay_cache cache;
  auto policy = roomie::make_placement_policy(roomie::placement_kind::roomie, 0.5, catalogue, cache);
  std::vector<roomie::gpu_slot> cluster{{"n", 0, 8192, {}}, {"n", 1, 8192, {}}};
  std::map<std::string, int> out;
  for (auto& r : replicas) {
    auto& m = models.at(trace_of(r));
    auto p = policy->place(cluster, m);
    EXPECT_TRUE(p.gpu) << r << " deferred";
    cluster[*p.gpu].hosted.push_back(&m);
    out[r] = int(*p.gpu);
  }
  return out;
}

struct measured {
  std::map<std::string, double> total_p50_ms;  // per replica
  std::map<int, msg::GpuStats> gpus;           // the latest of each
};

// Every replica gets a 96 px region 12 times a wall second (120/s in deployment time at
// scale 10: the heavy model's 5.3 ms trace keeps a GPU 64 % busy) for 3 s.
measured run(const std::string& node_name, const std::map<std::string, int>& gpu_of) {
  nats_server server;
  auto cfg = config_for(node_name, server.url());
  cfg.time = make_clock(10, make_real_clock()->now_ns());
  cfg.kinds = &builtin_kinds();
  node n(cfg);
  caf::scoped_actor self(n.system());
  EXPECT_TRUE(n.spawn_function("probe", probe, caf::actor{self}));
  EXPECT_FALSE(n.subscribe("gpu-stats", caf::actor{self}));
  auto file = profile();
  for (auto& r : replicas) {
    auto spawned = n.spawn(r, "detector",
                           params::from_yaml("{ model: mog2, device: xavier, profile: " + file + ", gpu: " +
                                             std::to_string(gpu_of.at(r)) + ", trace: " + trace_of(r) +
                                             ", stats_interval_ms: 50, max_age_ms: 100000 }"));
    EXPECT_TRUE(spawned) << caf::to_string(spawned.error());
  }
  auto jpeg = vision::encode_jpeg(cv::Mat(96, 96, CV_8UC3, cv::Scalar(90, 120, 150)), 80);
  auto ctx = n.make_context("t");
  for (uint64_t i = 0; i < 36; ++i) {
    for (auto& r : replicas) {
      msg::Region region;
      region.set_camera("cam-" + r);
      region.set_frame_index(i);
      region.set_capture_time_unix_ns(ctx.now_ns());
      region.set_width(96);
      region.set_height(96);
      region.set_jpeg(jpeg);
      region.set_reply_to("probe");
      EXPECT_FALSE(n.send(r, region));
    }
    std::this_thread::sleep_for(83ms);
  }
  measured out;
  std::map<std::string, std::vector<double>> totals;
  size_t results = 0;  // until all are in or none came for 2 s (the stacked queues drop some)
  for (auto last = std::chrono::steady_clock::now(); results < 4 * 36 && std::chrono::steady_clock::now() < last + 2s;) {
    auto got = next_letter(self, 500ms);
    if (!got)
      continue;
    if (auto d = got->as<msg::Detections>()) {
      totals[d->replica()].push_back(d->total_us() / 1e3);
      ++results;
      last = std::chrono::steady_clock::now();
    } else if (auto g = got->as<msg::GpuStats>()) {
      out.gpus[int(g->index())] = *g;
    }
  }
  for (auto& [r, t] : totals)
    out.total_p50_ms[r] = vision::percentile(t, 50);
  return out;
}

double mean_p50(const measured& m, const std::string& prefix) {
  double sum = 0;
  int n = 0;
  for (auto& [r, p50] : m.total_p50_ms)
    if (r.rfind(prefix, 0) == 0) {
      sum += p50;
      ++n;
    }
  return n ? sum / n : 0;
}

}  // namespace

TEST(RoomieGpu, KeepingHeavyReplicasApartBeatsStackingThemInMeasuredP50) {
  auto roomie = roomie_placement();
  EXPECT_NE(roomie["heavy-a"], roomie["heavy-b"]);
  EXPECT_NE(roomie["light-a"], roomie["light-b"]);
  auto placed = run("roomie", roomie);
  auto stacked = run("stacked", {{"heavy-a", 0}, {"heavy-b", 0}, {"light-a", 1}, {"light-b", 1}});
  for (auto* m : {&placed, &stacked}) {
    ASSERT_EQ(m->total_p50_ms.size(), 4u);
    ASSERT_EQ(m->gpus.size(), 2u);  // both GPUs reported on gpu-stats
    EXPECT_EQ(m->gpus[0].replicas() + m->gpus[1].replicas(), 4u);
  }
  auto both = [](const measured& m) { return (mean_p50(m, "heavy") + mean_p50(m, "light")) / 2; };
  std::printf("total p50, ms: heavy %.1f (ROOMIE) vs %.1f (stacked), light %.2f vs %.2f\n", mean_p50(placed, "heavy"),
              mean_p50(stacked, "heavy"), mean_p50(placed, "light"), mean_p50(stacked, "light"));
  EXPECT_LT(mean_p50(placed, "heavy"), mean_p50(stacked, "heavy"));
  EXPECT_LT(both(placed), 0.8 * both(stacked)) << "ROOMIE " << both(placed) << " ms, stacked " << both(stacked) << " ms";
  // Stacked, one GPU carries both heavy models: busier than either of ROOMIE's.
  EXPECT_GT(stacked.gpus[0].busy_ms(), std::max(placed.gpus[0].busy_ms(), placed.gpus[1].busy_ms()));
}

namespace {

std::vector<msg::roomie::PlaceReply> placements(caf::scoped_actor& self, size_t n) {
  std::vector<msg::roomie::PlaceReply> out;
  while (out.size() < n)
    if (auto got = next_letter(self, 10s); !got)
      break;
    else if (auto r = got->as<msg::roomie::PlaceReply>())
      out.push_back(*r);
  return out;
}

}  // namespace

// The placement actor on a node with two 0.7 GB Xavier GPUs: its four initial replicas
// spawned there by ROOMIE (heavy ones apart), a fifth deferred for want of memory and
// spawned once one of them stops, a replica the node cannot spawn reported with the
// node's reason.
TEST(RoomiePlacement, SpawnsWhereItDecidesAndDefersUntilAGpuFrees) {
  nats_server server;
  auto cfg = config_for("edge", server.url());
  cfg.kinds = &builtin_kinds();
  node n(cfg);
  caf::scoped_actor self(n.system());
  ASSERT_FALSE(n.subscribe("placements", caf::actor{self}));
  auto spawned = n.spawn("placer", "placement",
                         params::from_yaml("{ cluster: 'edge:xavier:2', profile: " + profile("0.7") +
                                           ", initial: 'detector-m-i640:2, detector-n-i320:2', "
                                           "replica: '{ model: mog2 }', retry_ms: 100 }"));
  ASSERT_TRUE(spawned) << caf::to_string(spawned.error());
  std::map<std::string, msg::roomie::PlaceReply> initial;
  for (auto& r : placements(self, 4))
    initial[r.replica()] = r;
  ASSERT_EQ(initial.size(), 4u);
  for (auto& [name, r] : initial) {
    EXPECT_EQ(r.node(), "edge") << name;
    EXPECT_TRUE(r.error().empty()) << name << ": " << r.error();
    EXPECT_FALSE(r.deferred());
  }
  EXPECT_NE(initial["detector-m-i640-1"].gpu(), initial["detector-m-i640-2"].gpu());
  auto actors = n.local_actors();
  EXPECT_EQ(std::count(actors.begin(), actors.end(), "detector-n-i320-2"), 1);

  msg::roomie::PlaceRequest more;
  more.set_replica("extra");
  more.set_model("detector-n-i320");
  more.set_params_yaml("{ model: mog2 }");
  auto reply = n.request("placer", more, 5s);
  ASSERT_TRUE(reply) << caf::to_string(reply.error());
  ASSERT_NE(reply->as<msg::roomie::PlaceReply>(), nullptr);
  EXPECT_TRUE(reply->as<msg::roomie::PlaceReply>()->deferred());
  placements(self, 1);  // the deferral, published
  EXPECT_TRUE(n.stop("detector-n-i320-2"));
  auto later = placements(self, 1);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].replica(), "extra");
  EXPECT_FALSE(later[0].deferred());
  EXPECT_EQ(later[0].gpu(), initial["detector-n-i320-2"].gpu());  // the room it left
  EXPECT_TRUE(eventually([&] {
    auto a = n.local_actors();
    return std::count(a.begin(), a.end(), "extra") == 1;
  }));

  n.stop("extra");
  more.set_replica("broken");
  more.set_params_yaml("{ model: /nonexistent.pt }");
  reply = n.request("placer", more, 10s);
  ASSERT_TRUE(reply) << caf::to_string(reply.error());
  ASSERT_NE(reply->as<msg::roomie::PlaceReply>(), nullptr);
  auto refused = *reply->as<msg::roomie::PlaceReply>();
  while (refused.deferred() || refused.replica() != "broken") {  // deferred if extra's exit was not yet seen
    auto next = placements(self, 1);
    ASSERT_EQ(next.size(), 1u);
    refused = next[0];
  }
  EXPECT_NE(refused.error().find("nonexistent.pt"), std::string::npos) << refused.error();
}

// The query source, started after the placement actor placed its replicas, learns them
// from its table and feeds them: queries for the more popular model (Zipf, s = 1, two
// models: 2/3 of them) reach its replica about twice as often; its counts reach the sink.
TEST(RoomieQueries, QueriesReachThePlacedReplicasByPopularity) {
  nats_server server;
  auto cfg = config_for("edge", server.url());
  cfg.kinds = &builtin_kinds();
  node n(cfg);
  caf::scoped_actor self(n.system());
  ASSERT_TRUE(n.spawn_function("probe", probe, caf::actor{self}));
  ASSERT_FALSE(n.subscribe("placements", caf::actor{self}));
  ASSERT_TRUE(n.spawn("placer", "placement",
                      params::from_yaml("{ cluster: 'edge:xavier:2', profile: " + profile() +
                                        ", initial: 'detector-n-i320:1, detector-m-i640:1', replica: '{ model: mog2 }', "
                                        "retry_ms: 100 }")));
  ASSERT_EQ(placements(self, 2).size(), 2u);
  auto source = n.spawn("queries", "query-source",
                        params::from_yaml("{ source: /usr/share/doc/opencv-doc/examples/data/vtest.avi, crop: [200, 150, "
                                          "160, 120], frames: 4, models: 'detector-n-i320, detector-m-i640', rate: 60, "
                                          "sink: probe, stats_interval_ms: 500 }"));
  ASSERT_TRUE(source) << caf::to_string(source.error());
  std::map<std::string, int> results;
  std::optional<msg::CameraStats> counts;
  std::optional<msg::ItemBooks> books;
  for (auto until = std::chrono::steady_clock::now() + 3s; std::chrono::steady_clock::now() < until;)
    if (auto got = next_letter(self, 500ms); got && got->as<msg::Detections>())
      ++results[got->as<msg::Detections>()->replica()];
    else if (got && got->as<msg::CameraStats>())
      counts = *got->as<msg::CameraStats>();
    else if (got && got->as<msg::ItemBooks>())
      books = *got->as<msg::ItemBooks>();
  auto light = results["detector-n-i320-1"], heavy = results["detector-m-i640-1"];
  EXPECT_GT(light + heavy, 90);   // 60/s for 3 s, the first table 0.1 s in
  EXPECT_GT(light, heavy);        // 2:1 by popularity
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->kind(), "query-source");
  EXPECT_GT(counts->figures().at("detector-n-i320_queries_frames"), 0);
  EXPECT_EQ(counts->figures().at("detector-m-i640_unsent_frames"), 0);
  // Its part of the books (issue 20, item 5): each query handed to a replica or lost by cause.
  ASSERT_TRUE(books);
  ASSERT_EQ(books->cameras_size(), 1);
  auto& part = books->cameras(0);
  uint64_t handed = 0, lost = 0;
  for (auto& [to, k] : part.sent())
    handed += k;
  for (auto& [cause, k] : part.lost())
    lost += k;
  EXPECT_GT(part.produced(), 90u);
  EXPECT_EQ(part.produced(), handed + lost);
  EXPECT_GT(part.sent().at("detector-n-i320-1"), part.sent().at("detector-m-i640-1"));
}
