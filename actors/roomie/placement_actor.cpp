#include "actors/roomie/placement_actor.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <memory>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include "actors/common/decision_metrics.hpp"
#include "actors/common/stats_check.hpp"
#include "actors/roomie/core/placement_book.hpp"
#include "actors/roomie/core/placement_params.hpp"
#include "actors/roomie/message_checks.hpp"
#include "actors/runtime/choice.hpp"
#include "actors/runtime/emulation/device_profile.hpp"
#include "actors/runtime/node.hpp"
#include "gpu/model/gpu_arch.hpp"
#include "gpu/model/kernel_trace.hpp"
#include "troupe/messages/roomie.pb.h"
#include "troupe/messages/runtime.pb.h"
#include "troupe/messages/vision.pb.h"

namespace troupe {

namespace {

using roomie::placement_decision;
using decision_kind = placement_decision::kind;

std::string replica_name(const std::string& model, int i) {
  return model + "-" + std::to_string(i);
}

struct placement_actor_settings {
  roomie::placement_kind policy = roomie::placement_kind::roomie;
  std::vector<roomie::cluster_member> cluster;
  std::string profile;
  roomie::placement_settings book;
  std::vector<std::pair<std::string, int>> initial;  // model, replicas
  std::string replica_yaml = "{}";                   // the initial and added replicas' own parameters
  std::string replica_kind = "detector";
  int64_t retry_ms = 1000;
  int64_t spawn_timeout_ms = 5000;
};

// The cluster's GPUs and the models they may host: every <model>-b1.csv of the (one)
// arch's traces folder (⚑ a model is judged at batch 1).
struct cluster_view {
  std::vector<roomie::gpu_slot> gpus;
  std::vector<const device_profile*> device_of;  // per GPU
  std::map<std::string, roomie::model_profile> models;  // handed to the book
  device_profiles profiles;
};

cluster_view load_cluster(const placement_actor_settings& s) {
  cluster_view v;
  auto loaded = load_device_profiles(s.profile);
  if (!loaded.errors.empty())
    throw std::runtime_error(loaded.errors.front().to_string());
  v.profiles = std::move(*loaded.profiles);
  const gpu_spec* first = nullptr;
  for (auto& m : s.cluster) {
    auto* d = v.profiles.find(m.device);
    if (d == nullptr || !d->gpu)
      throw std::runtime_error(s.profile + ": no device '" + m.device + "' with a gpu");
    if (first && (d->gpu->arch != first->arch || d->gpu->traces != first->traces))
      throw std::runtime_error("cluster: every device of one arch and traces folder (" + m.device + " differs)");
    first = first ? first : &*d->gpu;
    if (m.count > d->gpu->count)
      throw std::runtime_error("cluster '" + m.node + ":" + m.device + "': the device has " +
                               std::to_string(d->gpu->count) + " GPUs");
    for (int i = 0; i < m.count; ++i) {
      v.gpus.push_back({m.node, i, d->gpu->memory_gb * 1024, {}});
      v.device_of.push_back(d);
    }
  }
  auto archs = gpu::load_gpu_archs(first->arch_limits);
  auto& arch = gpu::find_arch(archs, first->arch);
  for (auto& e : std::filesystem::directory_iterator(first->traces)) {
    auto name = e.path().filename().string();
    if (name.size() > 7 && name.compare(name.size() - 7, 7, "-b1.csv") == 0)
      v.models.emplace(name.substr(0, name.size() - 7), roomie::profile_of(gpu::read_kernel_trace(e.path().string()), arch));
  }
  return v;
}

class placement_state {
 public:
  placement_state(context ctx, placement_actor_settings s)
      : ctx_(std::move(ctx)), s_(std::move(s)), view_(load_cluster(s_)),
        book_(view_.gpus, std::move(view_.models), s_.policy, s_.book),  // the book keeps the models
        metrics_(ctx_.metrics(), "roomie", ctx_.name()) {}

  void start(caf::event_based_actor* self) {
    self_ = self;
    for (auto& [model, count] : s_.initial)
      for (int i = 1; i <= count; ++i)
        act(place({replica_name(model, i), model, s_.replica_yaml}), nullptr);
  }

  // The policy's decision for one replica, timed; the plan's size: the replicas booked.
  placement_decision place(const roomie::replica_request& r) {
    auto started = std::chrono::steady_clock::now();
    auto d = book_.place(r);
    metrics_.decided(started, double(book_.bookings().size()));
    return d;
  }

  void on_request(const letter& in, const msg::roomie::PlaceRequest& r) {
    if (auto why = roomie::check_request(r))
      return ctx_.refuse(in, *why, "replica '" + r.replica() + "'");
    act(place({r.replica(), r.model(), r.params_yaml()}), &in);
  }

  void on_down(const std::string& replica) {
    last_busy_.erase(replica);
    up_.erase(replica);
    unwatched_.erase(replica);
    for (auto& d : book_.leave(replica))
      act(d, nullptr);
  }

  void on_retry() {
    watch_new_replicas();
    for (auto& d : book_.retry())
      act(d, nullptr);
    msg::roomie::PlacementTable table;
    for (auto& replica : up_) {
      auto& b = book_.bookings().at(replica);
      placement_decision d;
      d.what = decision_kind::spawn;
      d.request = {replica, b.model, ""};
      d.gpu = b.gpu;
      *table.add_placed() = reply_of(d);
    }
    table.set_deferred(uint32_t(book_.deferred()));
    ctx_.publish("placements", table);
  }

  // A replica's busy share since its previous stats: the autoscaler's input.
  void on_stats(const letter& in, const msg::ReplicaStats& st) {
    auto now_ns = ctx_.now_ns();
    auto& [busy_ms, at_ns] = last_busy_[st.replica()];
    auto why = check_replica_stats(st, in.sender);
    if (!why && at_ns > 0)
      why = roomie::check_busy(st.busy_ms(), busy_ms, (now_ns - at_ns) / 1e6, st.parallel());
    if (why)
      return ctx_.refuse(in, *why, "stats of '" + st.replica() + "'");
    if (at_ns > 0 && now_ns > at_ns)
      if (auto more = book_.load(st.replica(), (st.busy_ms() - busy_ms) / ((now_ns - at_ns) / 1e6), now_ns / 1e9)) {
        spdlog::info("placement: {} busy above {:.2f} for {:.0f} s: adding {}", more->model, s_.book.scale_util,
                     s_.book.scale_after_s, more->replica);
        act(place(*more), nullptr);
      }
    busy_ms = st.busy_ms();
    at_ns = now_ns;
  }

 private:
  msg::roomie::PlaceReply reply_of(const placement_decision& d) const {
    msg::roomie::PlaceReply r;
    r.set_replica(d.request.replica);
    r.set_model(d.request.model);
    r.set_mean_drop(d.mean_drop);
    r.set_deferred(d.what == decision_kind::deferred);
    r.set_error(d.why);
    if (d.what == decision_kind::spawn) {
      r.set_node(view_.gpus[d.gpu].node);
      r.set_device(view_.device_of[d.gpu]->name);
      r.set_gpu(uint32_t(view_.gpus[d.gpu].index));
    }
    return r;
  }

  // Tells the asker (if any) and the `placements` topic; spawns what was booked.
  void act(const placement_decision& d, const letter* asker) {
    if (d.what != decision_kind::spawn) {
      if (d.what == decision_kind::refused)
        spdlog::warn("placement: {} refused: {}", d.request.replica, d.why);
      answer(reply_of(d), asker);
      return;
    }
    std::string params;
    try {
      params = seated_params(d);
    } catch (const std::exception& ex) {
      return failed(d, "params_yaml: " + std::string(ex.what()), asker);
    }
    msg::SpawnRequest req;
    req.set_actor(d.request.replica);
    req.set_kind(s_.replica_kind);
    req.set_params_yaml(params);
    auto node = view_.gpus[d.gpu].node;
    auto asked = asker ? std::make_shared<letter>(*asker) : nullptr;
    ctx_.request(self_, "node/" + node, std::make_shared<msg::SpawnRequest>(req), std::chrono::milliseconds(s_.spawn_timeout_ms))
        .then(
            [this, d, asked](letter& reply) {
              auto ack = reply.as<msg::Ack>();
              if (ack == nullptr || !ack->ok())
                return failed(d, ack ? ack->detail() : "no acknowledgement from the node", asked.get());
              up_.insert(d.request.replica);
              unwatched_[d.request.replica] = 0;  // watched once this node has heard of it
              answer(reply_of(d), asked.get());
            },
            [this, d, asked](caf::error& e) { failed(d, caf::to_string(e), asked.get()); });
  }

  // A replica just spawned may not be in this node's directory yet (its node's
  // announcement is on the way), and watching an unknown actor reports it down at once:
  // each is watched at the first retry after this node knows it, or taken as down
  // after ten retries unheard of.
  void watch_new_replicas() {
    std::vector<std::string> unheard;
    for (auto it = unwatched_.begin(); it != unwatched_.end();) {
      if (ctx_.knows(it->first)) {
        ctx_.monitor(it->first, caf::actor_cast<caf::actor>(self_));
        it = unwatched_.erase(it);
        continue;
      }
      if (++it->second > 10)
        unheard.push_back(it->first);
      ++it;
    }
    for (auto& replica : unheard) {
      spdlog::warn("placement: {} spawned but never announced: taken as down", replica);
      on_down(replica);
    }
  }

  // The replica's own parameters, seated on its GPU.
  std::string seated_params(const placement_decision& d) const {
    auto p = YAML::Load(d.request.params_yaml.empty() ? "{}" : d.request.params_yaml);
    if (!p.IsMap())
      throw std::runtime_error("not a map");
    p["device"] = view_.device_of[d.gpu]->name;
    p["profile"] = s_.profile;
    p["gpu"] = view_.gpus[d.gpu].index;
    p["trace"] = d.request.model;
    YAML::Emitter out;
    out << YAML::Flow << p;
    return out.c_str();
  }

  void failed(const placement_decision& d, const std::string& why, const letter* asker) {
    spdlog::warn("placement: {} on {} not spawned: {}", d.request.replica, view_.gpus[d.gpu].node, why);
    auto r = reply_of(d);
    r.set_error(why);
    answer(r, asker);
    for (auto& next : book_.leave(d.request.replica))
      act(next, nullptr);
  }

  void answer(const msg::roomie::PlaceReply& r, const letter* asker) {
    if (asker && asker->is_request())
      ctx_.reply(*asker, r);
    ctx_.publish("placements", r);
  }

  context ctx_;
  placement_actor_settings s_;
  cluster_view view_;
  roomie::placement_book book_;
  decision_metrics metrics_;
  caf::event_based_actor* self_ = nullptr;
  std::map<std::string, std::pair<double, int64_t>> last_busy_;  // per replica: busy ms, when
  std::set<std::string> up_;                                      // spawned, not yet down
  std::map<std::string, int> unwatched_;                          // spawned, not yet watched: retries
};

caf::behavior placement_actor(caf::event_based_actor* self, context ctx, std::shared_ptr<placement_state> s,
                              int64_t retry_ms) {
  if (auto err = ctx.subscribe("replica-stats", caf::actor_cast<caf::actor>(self)))
    throw std::runtime_error(caf::to_string(err));
  s->start(self);
  auto retry = std::chrono::milliseconds(retry_ms);
  ctx.after(self, retry, tick_atom::value);
  return {
    [=](const letter& in) {
      if (auto r = in.as<msg::roomie::PlaceRequest>())
        s->on_request(in, *r);
      else if (auto st = in.as<msg::ReplicaStats>())
        s->on_stats(in, *st);
      else if (auto down = in.as<msg::ActorDown>())
        s->on_down(down->actor());
    },
    [=](tick_atom) {
      s->on_retry();
      ctx.after(self, retry, tick_atom::value);
    },
  };
}

const choice<roomie::placement_kind> policies{
    "policy", {{"roomie", roomie::placement_kind::roomie}, {"infaas", roomie::placement_kind::infaas},
               {"usher", roomie::placement_kind::usher}}};

placement_actor_settings read_settings(const params& p) {
  placement_actor_settings s;
  s.policy = policies.parse(p.get_string("policy", "roomie"));
  s.cluster = roomie::parse_cluster(p.get_string("cluster"));
  s.profile = p.get_string("profile");
  s.book.lambda = p.get_double("lambda", s.book.lambda);
  auto max_deferred = p.get_int("max_deferred", int64_t(s.book.max_deferred));
  s.book.scale_util = p.get_double("scale_util", s.book.scale_util);
  s.book.scale_after_s = p.get_double("scale_after_ms", s.book.scale_after_s * 1e3) / 1e3;
  s.book.max_replicas = int(p.get_int("max_replicas", s.book.max_replicas));
  s.initial = roomie::parse_initial(p.get_string("initial"));
  s.replica_yaml = p.get_string("replica", s.replica_yaml);
  s.replica_kind = p.get_string("replica_kind", s.replica_kind);
  s.retry_ms = p.get_int("retry_ms", s.retry_ms);
  s.spawn_timeout_ms = p.get_int("spawn_timeout_ms", s.spawn_timeout_ms);
  if (!(s.book.lambda > 0) || max_deferred < 0 || !(s.book.scale_util > 0) || !(s.book.scale_after_s >= 0) ||
      s.book.max_replicas < 1 || s.retry_ms < 1 || s.spawn_timeout_ms < 1)
    throw std::runtime_error("need lambda > 0, max_deferred >= 0, scale_util > 0, scale_after_ms >= 0, "
                             "max_replicas >= 1, retry_ms >= 1 and spawn_timeout_ms >= 1");
  s.book.max_deferred = size_t(max_deferred);
  return s;
}

}  // namespace

kind_spec placement_actor_kind() {
  return {
    "placement",
    "ROOMIE's placement of model replicas on shared GPUs (roomie, infaas or usher): spawns them where it decides",
    {
      {"cluster", param_type::string, true, "its GPUs: \"node:device:count, ...\" (devices with a gpu in `profile`)"},
      {"profile", param_type::path, true, "the device profile file the devices are in"},
      {"policy", param_type::string, false, "roomie (default, Alg. 3), infaas (interference-blind) or usher (compute/memory classes)"},
      in_range({"lambda", param_type::number, false, "ROOMIE: a GPU's highest mean estimated slowdown μ̄ with the replica, default 0.5"}, 0, 1000),
      {"initial", param_type::string, false, "replicas placed at the start: \"model:count, ...\" (named model-1, model-2, ...)"},
      {"replica", param_type::string, false, "the initial and added replicas' own parameters, YAML, default {}"},
      {"replica_kind", param_type::string, false, "the kind it spawns, default detector"},
      in_range({"retry_ms", param_type::integer, false, "deferred replicas are retried this often (and at every exit), default 1000"}, 1, 3600000),
      in_range({"max_deferred", param_type::integer, false, "replicas waiting at most; beyond, a request is refused; default 64"}, 0, 100000),
      in_range({"scale_util", param_type::number, false, "a model whose replicas are busier than this on average gets one more, default 0.8"}, 0, 1),
      in_range({"scale_after_ms", param_type::integer, false, "…once it stayed so for this long, default 2000"}, 0, 3600000),
      in_range({"max_replicas", param_type::integer, false, "the most replicas of one model the autoscaler makes, default 8"}, 1, 1024),
      in_range({"spawn_timeout_ms", param_type::integer, false, "a node's answer to a spawn, default 5000"}, 1, 3600000),
    },
    [](node& n, context ctx, const params& p) {
      auto cfg = read_settings(p);
      auto retry_ms = cfg.retry_ms;
      auto s = std::make_shared<placement_state>(ctx, std::move(cfg));  // a bad cluster or trace fails here
      return n.system().spawn<caf::detached>(placement_actor, std::move(ctx), s, retry_ms);
    },
    stop_stage::server,
    {},
    [](const params& p) {  // its initial replicas on the nodes of its cluster
      auto s = read_settings(p);
      spawn_plan plan;
      plan.kind = s.replica_kind;
      for (auto& m : s.cluster)
        plan.nodes.push_back(m.node);
      for (auto& [model, count] : s.initial)
        for (int i = 1; i <= count; ++i)
          plan.names.push_back(replica_name(model, i));
      return plan;
    },
  };
}

}  // namespace troupe
