#include "actors/runtime/deploy/replay.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <caf/all.hpp>
#include <google/protobuf/util/message_differencer.h>
#include <yaml-cpp/yaml.h>
#include <spdlog/spdlog.h>

#include "actors/runtime/deploy/control.hpp"
#include "actors/runtime/deploy/deployment.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/deploy/nats_server.hpp"
#include "actors/runtime/deploy/topology.hpp"
#include "actors/runtime/emulation/clock.hpp"
#include "actors/runtime/kind_registry.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/node.hpp"

namespace troupe {

namespace {

using steady = std::chrono::steady_clock;

std::string destination(const letter& l) {
  return l.topic.empty() ? l.receiver : "topic:" + l.topic;
}

std::string shown(const sent_message& m) {
  return m.what.type + " to " + m.to + (m.what.body ? ": " + m.what.body->ShortDebugString().substr(0, 200) : "");
}

bool same(const sent_message& a, const sent_message& b) {
  if (a.to != b.to || a.what.type != b.what.type)
    return false;
  if (!a.what.body || !b.what.body)
    return !a.what.body && !b.what.body;
  return google::protobuf::util::MessageDifferencer::Equivalent(*a.what.body, *b.what.body);
}

// Deployment time as the recording had it: `origin_ns` when the replay began, running
// `scale` times slower than wall time, and moved on at once to an input's recorded time
// when inputs come faster than that (at most speed): the actors' checks of plausible
// times hold as they did live.
class recorded_time final : public clock {
 public:
  recorded_time(int64_t origin_ns, double scale)
      : origin_ns_(origin_ns), scale_(scale), start_(steady::now()) {}
  int64_t now_ns() const override {
    auto wall = std::chrono::duration<double, std::nano>(steady::now() - start_).count();
    return std::max(origin_ns_ + int64_t(wall / scale_), floor_ns_.load());
  }
  caf::timespan to_wall(caf::timespan d) const override {
    return std::chrono::duration_cast<caf::timespan>(d * scale_);
  }
  void advance_to(int64_t ns) {
    auto now = floor_ns_.load();
    while (now < ns && !floor_ns_.compare_exchange_weak(now, ns)) {
    }
  }
  // When deployment time `ns` comes on the wall clock.
  steady::time_point wall_at(int64_t ns) const {
    return start_ + std::chrono::nanoseconds(int64_t((ns - origin_ns_) * scale_));
  }

 private:
  int64_t origin_ns_;
  double scale_;
  steady::time_point start_;
  std::atomic<int64_t> floor_ns_{0};
};

// Keeps every letter it is sent: a stand-in for an actor that is not replayed.
struct captured {
  std::mutex mtx;
  std::vector<sent_message> sent;

  // What `sender` sent, in its own order.
  std::vector<sent_message> sent_by(const std::string& sender) {
    std::vector<sent_message> out;
    {
      std::lock_guard<std::mutex> lock(mtx);
      for (auto& m : sent)
        if (m.what.sender == sender)
          out.push_back(m);
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.what.sequence < b.what.sequence; });
    return out;
  }
};

caf::behavior stand_in(caf::event_based_actor*, context ctx, std::shared_ptr<captured> into) {
  return {[=](const letter& in) {
    std::lock_guard<std::mutex> lock(into->mtx);
    into->sent.push_back({in.topic.empty() ? ctx.name() : "topic:" + in.topic, in});
  }};
}

std::vector<const actor_spec*> chosen(const topology& topo, const std::vector<std::string>& only) {
  std::vector<const actor_spec*> out;
  for (auto& a : topo.actors)
    if (std::find(only.begin(), only.end(), a.name) != only.end() ||
        std::find(only.begin(), only.end(), a.kind) != only.end())
      out.push_back(&a);
  return out;
}

// What the replayed actors received, in time order.
std::vector<const recorded_input*> inputs_of(const std::vector<recorded_input>& all, const std::set<std::string>& names) {
  std::vector<const recorded_input*> inputs;
  for (auto& r : all)
    if (names.count(r.actor))
      inputs.push_back(&r);
  std::stable_sort(inputs.begin(), inputs.end(), [](auto* a, auto* b) { return a->time_ns < b->time_ns; });
  return inputs;
}

// Every actor of the topology that is not replayed, and a listener on each topic the
// replayed ones published to live, keep what they are sent in `out`. (What one replayed
// actor sends another is that one's input, and left out of the comparison.)
void stand_in_for_the_rest(node& n, const topology& topo, const std::set<std::string>& names,
                           const std::vector<recorded_input>& all, const std::shared_ptr<captured>& out) {
  for (auto& a : topo.actors)
    if (!names.count(a.name))
      n.spawn_function(a.name, stand_in, out);
  std::set<std::string> topics;
  for (auto& name : names)
    for (auto& m : live_outputs(all, name))
      if (!m.what.topic.empty())
        topics.insert(m.what.topic);
  auto listener = n.spawn_function("replay-topics", stand_in, out);
  for (auto& t : topics)
    if (listener)
      n.subscribe(t, *listener);
}

// The actor's parameters, with the replay's own set, and each file it writes moved into
// DIR/replay/: a replay never overwrites what the live run wrote.
params replay_params(const actor_spec& a, const kind_registry& kinds, const replay_options& o) {
  YAML::Node copy = YAML::Clone(a.args.yaml());
  for (auto set : YAML::Load(control::params_yaml(o.params)))
    copy[set.first.as<std::string>()] = set.second;
  const auto& dir = o.dir;
  if (auto* spec = kinds.find(a.kind))
    for (auto& p : spec->parameters)
      if (p.type == param_type::output && copy[p.key])
        copy[p.key] = dir + "/replay/" + std::filesystem::path(copy[p.key].as<std::string>()).filename().string();
  return params(copy);
}

// Feeds the inputs in order; at recorded speed each at its recorded (deployment) time.
void feed(node& n, const std::vector<const recorded_input*>& inputs, recorded_time& time, bool max_speed) {
  for (auto* r : inputs) {
    if (max_speed)
      time.advance_to(r->time_ns);
    else
      std::this_thread::sleep_until(time.wall_at(r->time_ns));
    n.inject(r->actor, r->in);
  }
}

}  // namespace

std::vector<sent_message> live_outputs(const std::vector<recorded_input>& all, const std::string& sender) {
  std::map<uint64_t, sent_message> by_sequence;
  for (auto& r : all)
    if (r.in.sender == sender)
      by_sequence.try_emplace(r.in.sequence, sent_message{destination(r.in), r.in});
  std::vector<sent_message> out;
  for (auto& [seq, m] : by_sequence)
    out.push_back(m);
  return out;
}

output_comparison compare_outputs(const std::vector<sent_message>& live, const std::vector<sent_message>& replayed) {
  output_comparison c{live.size(), replayed.size(), 0, {}};
  while (c.identical < live.size() && c.identical < replayed.size() && same(live[c.identical], replayed[c.identical]))
    ++c.identical;
  if (c.identical < live.size())
    c.first_difference = "#" + std::to_string(c.identical + 1) + ": live " + shown(live[c.identical]) + "; replayed " +
                         (c.identical < replayed.size() ? shown(replayed[c.identical]) : "nothing");
  return c;
}

int replay_recorded(const replay_options& o, const kind_registry& kinds) {
  auto loaded = load_topology(o.dir + "/topology.yaml", kinds);
  for (auto& e : loaded.errors)
    log::problem(e.to_string());
  if (!loaded.topo)
    return 2;
  auto& topo = *loaded.topo;
  auto actors = chosen(topo, o.only);
  if (actors.empty()) {
    log::problem(o.dir + "/topology.yaml: no actor or kind named " + fmt::format("{}", fmt::join(o.only, ", ")));
    return 2;
  }
  std::set<std::string> names;
  for (auto* a : actors)
    names.insert(a->name);
  auto all = read_recording(o.dir);
  auto inputs = inputs_of(all, names);

  nats_server server;
  auto cfg = node_config_for(topo, actors.front()->node, server.url(), 0, kinds);
  cfg.record_dir.clear();  // the recording is read, never written again
  cfg.flow_metrics = false;
  // The actors start a lead before their first input, as they started before it live.
  constexpr int64_t lead_ns = 1'000'000'000;
  auto time = std::make_shared<recorded_time>((inputs.empty() ? 0 : inputs.front()->time_ns) - lead_ns,
                                              topo.runtime.time_scale);
  cfg.time = time;
  node n(std::move(cfg));
  auto out = std::make_shared<captured>();
  stand_in_for_the_rest(n, topo, names, all, out);
  for (auto* a : actors)
    if (auto spawned = n.spawn(a->name, a->kind, replay_params(*a, kinds, o)); !spawned) {
      log::problem("replay: " + a->name + " could not be spawned: " + describe(spawned.error()));
      return 1;
    }
  log::result(fmt::format("replay: {} inputs to {} ({}), {} speed", inputs.size(), fmt::join(names, ", "), o.dir,
                          o.max_speed ? "maximal" : "recorded"));
  feed(n, inputs, *time, o.max_speed);
  std::this_thread::sleep_for(std::chrono::duration<double>(o.settle_s));
  bool all_same = true;
  for (auto& name : names) {
    auto live = live_outputs(all, name);
    live.erase(std::remove_if(live.begin(), live.end(), [&](auto& m) { return names.count(m.to) > 0; }), live.end());
    auto c = compare_outputs(live, out->sent_by(name));
    all_same = all_same && c.same();
    log::result(fmt::format("{}: {} outputs live, {} replayed, {} identical in order{}{}", name, c.live, c.replayed,
                            c.identical, c.same() ? " — the same decisions" : "; first difference ",
                            c.first_difference));
  }
  return all_same ? 0 : 1;
}

}  // namespace troupe
