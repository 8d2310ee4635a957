#include "actors/remo/region_scheduler.hpp"

#include <chrono>
#include <map>
#include <random>
#include <set>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/common/decision_metrics.hpp"
#include "actors/runtime/choice.hpp"
#include "actors/runtime/context.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/runtime/node.hpp"
#include "actors/remo/core/baselines.hpp"
#include "actors/remo/core/plan.hpp"
#include "troupe/messages/remo.pb.h"
#include "vision/percentile.hpp"

namespace troupe {

namespace {

using decide_atom = caf::atom_constant<caf::atom("decide")>;

// ReMO's Markov-approximation scheduler or one of the paper's baselines (§6.1); local:
// no scheduling, every camera detects its own regions.
enum class scheduling_policy { remo, bandwidth_prior, model_prior, elf, local };

const choice<scheduling_policy> policies("policy", {{"remo", scheduling_policy::remo},
                                                    {"bandwidth-prior", scheduling_policy::bandwidth_prior},
                                                    {"model-prior", scheduling_policy::model_prior},
                                                    {"elf", scheduling_policy::elf},
                                                    {"local", scheduling_policy::local}});

struct scheduler_settings {
  scheduling_policy policy = scheduling_policy::remo;
  remo::slot_settings slot;
  remo::markov_settings markov;
  int64_t grace_ms = 200;  // after a round's first report, how long the others may take
  uint64_t seed = 1;
  std::string report;  // PREFIX-scheduler.json at exit; empty: the summary line only
};

// What each decision cost and chose, for the run's report.
struct decision_log {
  std::vector<double> decide_ms, delay_s, accuracy, balance, queue_s, iterations;
  uint64_t slots = 0, regions = 0, moved = 0, worse_accepted = 0;
  uint64_t reports_replaced = 0;  // a camera reported twice in one round: the older one went unused
  uint64_t plans_unsent = 0;
  // Planning slot t+1 from slot t's demands against deciding on the demands that came
  // (the paper decides the current slot): modelled objective and delay of both.
  std::vector<double> ahead_g, current_g, ahead_delay_s, current_delay_s;
};

// Cameras' slots are numbered by their own frames and drift apart (start-up, load):
// a round takes each camera's latest report, whatever its slot number, and is decided
// when every camera of the last round has reported, or grace_ms after its first report.
struct scheduler_state {
  explicit scheduler_state(const context& ctx) : metrics(ctx.metrics(), "remo", ctx.name()) {}
  std::map<std::string, msg::remo::SlotReport> round;  // by camera
  uint64_t rounds = 0;            // rounds decided; names the grace timer's round
  std::set<std::string> cameras;  // who reported in the last round, or since
  double q = 0;                   // the virtual delay queue q(t), eq. (10)
  std::map<std::string, remo::named_plan> sent;  // by camera: the plan it follows now
  std::mt19937_64 rng;
  decision_log log;
  decision_metrics metrics;  // plan size: the regions the round placed
};

remo::camera_report plain(const msg::remo::SlotReport& r) {
  remo::camera_report c;
  c.accuracy = r.accuracy();
  c.fixed_s = r.fixed_s();
  c.s_per_megapixel = r.s_per_megapixel();
  c.frame_megapixels = r.frame_megapixels();
  c.region_megapixels.assign(r.region_megapixels().begin(), r.region_megapixels().end());
  c.frames = int(std::max<uint32_t>(1, r.frames()));
  for (auto& d : r.demands())
    c.demands.push_back({int(d.frame()), int(d.region()), d.flag_rise()});
  c.drift = r.drift();
  c.latency_s = r.latency_s();
  c.megabytes_per_megapixel = r.megabytes_per_megapixel();
  c.uplink_mbps = r.uplink_mbps();
  c.downlink_mbps = r.downlink_mbps();
  return c;
}

remo::decision solve(const scheduler_settings& cfg, scheduler_state& st, const remo::slot_model& m,
                     remo::schedule start, const std::vector<remo::movable_region>& movable,
                     const std::vector<remo::camera_report>& reports) {
  remo::decision d;
  switch (cfg.policy) {
    case scheduling_policy::remo:
      return remo::markov_schedule(m, std::move(start), movable, st.q, cfg.markov, st.rng);
    case scheduling_policy::bandwidth_prior:
      d.x = remo::bandwidth_prior(m, std::move(start), movable);
      break;
    case scheduling_policy::model_prior:
      d.x = remo::model_prior(m, std::move(start), movable);
      break;
    case scheduling_policy::elf: {
      std::vector<double> latency(1, 0);
      for (auto& r : reports)
        latency.push_back(r.latency_s);
      d.x = remo::latency_proportional(m, std::move(start), movable, latency);
      break;
    }
    case scheduling_policy::local:
      d.x = std::move(start);
      break;
  }
  d.g = remo::objective(m, d.x, st.q);
  return d;
}

// Each camera's plan is for the slot after the one it reported.
void send_plans(const context& ctx, const scheduler_settings& cfg, const std::vector<const msg::remo::SlotReport*>& from,
                const remo::schedule& x, scheduler_state& st) {
  for (size_t i = 1; i <= from.size(); ++i) {
    msg::remo::SlotPlan plan;
    plan.set_slot(from[i - 1]->slot() + 1);
    plan.set_delay_queue_s(st.q);
    plan.set_policy(policies.name(cfg.policy));
    auto& named = st.sent[from[i - 1]->camera()];
    named.clear();
    for (auto& [cell, j] : remo::plan_of(x, int(i))) {
      auto* a = plan.add_assignments();
      a->set_frame(uint32_t(cell.first));
      a->set_region(uint32_t(cell.second));
      a->set_detector(from[size_t(j) - 1]->detector());  // plans hold cameras only: frame 0 is the server's
      named[cell] = a->detector();
    }
    if (ctx.send(from[i - 1]->camera(), std::move(plan)))
      ++st.log.plans_unsent;
  }
}

// What the plans the cameras followed in this slot (decided a slot ahead) did with the
// demands that came, against the decision on them.
void score_planning_ahead(const std::vector<const msg::remo::SlotReport*>& from, const remo::slot_model& m,
                          const remo::schedule& start, const std::vector<remo::movable_region>& movable,
                          const remo::decision& d, scheduler_state& st) {
  std::vector<remo::named_plan> plans(from.size() + 1);
  std::vector<std::string> detectors(from.size() + 1);
  for (size_t i = 1; i <= from.size(); ++i) {
    detectors[i] = from[i - 1]->detector();
    if (auto p = st.sent.find(from[i - 1]->camera()); p != st.sent.end())
      plans[i] = p->second;
  }
  auto ahead = remo::as_planned_ahead(start, movable, plans, detectors);
  st.log.ahead_g.push_back(remo::objective(m, ahead, st.q));
  st.log.current_g.push_back(d.g);
  st.log.ahead_delay_s.push_back(remo::system_delay(m, ahead));
  st.log.current_delay_s.push_back(remo::system_delay(m, d.x));
}

void decide(const context& ctx, const scheduler_settings& cfg, scheduler_state& st) {
  if (st.round.empty())
    return;
  std::vector<const msg::remo::SlotReport*> from;
  std::vector<remo::camera_report> reports;
  for (auto& [camera, r] : st.round) {
    from.push_back(&r);
    reports.push_back(plain(r));
  }
  auto started = std::chrono::steady_clock::now();
  auto slot = cfg.slot;
  auto server = ctx.offered_rates();
  slot.server_uplink_mbps = server.uplink_mbps;
  slot.server_downlink_mbps = server.downlink_mbps;
  auto m = remo::make_slot_model(reports, slot);
  auto [start, movable] = remo::initial_schedule(m, reports);
  auto d = solve(cfg, st, m, start, movable, reports);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (!st.sent.empty())
    score_planning_ahead(from, m, start, movable, d, st);
  double delay = remo::system_delay(m, d.x);
  st.q = remo::next_queue(st.q, delay, m.t_max);
  auto& log = st.log;
  send_plans(ctx, cfg, from, d.x, st);
  ++log.slots;
  st.metrics.decided(ms / 1e3, double(movable.size()));
  log.decide_ms.push_back(ms);
  log.delay_s.push_back(delay);
  log.accuracy.push_back(remo::system_accuracy(m, d.x));
  log.balance.push_back(remo::load_balance(m, d.x));
  log.queue_s.push_back(st.q);
  log.iterations.push_back(d.iterations);
  log.regions += movable.size();
  for (auto& c : movable)
    log.moved += d.x[c.camera][c.frame][c.region] != c.camera ? 1 : 0;
  log.worse_accepted += uint64_t(d.worse_accepted);
  st.cameras.clear();  // a camera that missed the round is no longer waited for, until it reports
  for (auto& [camera, r] : st.round)
    st.cameras.insert(camera);
  st.round.clear();
  ++st.rounds;
}

nlohmann::json summary(const scheduler_settings& cfg, const decision_log& log) {
  return {{"policy", policies.name(cfg.policy)},
          {"slots", log.slots},
          {"regions_demanded", log.regions},
          {"regions_moved", log.moved},
          {"worse_states_accepted", log.worse_accepted},
          {"reports_replaced", log.reports_replaced},
          {"plans_unsent", log.plans_unsent},
          {"decision_ms", {{"p50", vision::percentile(log.decide_ms, 50)}, {"p95", vision::percentile(log.decide_ms, 95)}}},
          {"mean_iterations", vision::mean(log.iterations)},
          {"model_delay_s", {{"mean", vision::mean(log.delay_s)}, {"p95", vision::percentile(log.delay_s, 95)}}},
          {"model_accuracy", vision::mean(log.accuracy)},
          {"model_load_balance", vision::mean(log.balance)},
          {"delay_queue_s", {{"mean", vision::mean(log.queue_s)}, {"max", vision::percentile(log.queue_s, 100)}}},
          // The paper decides the current slot; here slot t+1 follows slot t's decision.
          {"planned_ahead", {{"slots", log.ahead_g.size()},
                             {"objective_mean", vision::mean(log.ahead_g)},
                             {"objective_current_mean", vision::mean(log.current_g)},
                             {"model_delay_s_mean", vision::mean(log.ahead_delay_s)},
                             {"model_delay_s_current_mean", vision::mean(log.current_delay_s)}}}};
}

void print_summary(const context& ctx, const scheduler_settings& cfg, const decision_log& log) {
  auto j = summary(cfg, log);
  spdlog::info("{} ({}): {} slots, {} of {} demanded regions moved, decision p50 {:.2f} ms p95 {:.2f} ms, "
               "model delay mean {:.3f} s, queue max {:.3f} s, {} reports replaced unused, {} plans unsent",
               ctx.name(), policies.name(cfg.policy), log.slots, log.moved, log.regions, j["decision_ms"]["p50"].get<double>(),
               j["decision_ms"]["p95"].get<double>(), j["model_delay_s"]["mean"].get<double>(),
               j["delay_queue_s"]["max"].get<double>(), log.reports_replaced, log.plans_unsent);
  auto& ahead = j["planned_ahead"];
  if (ahead["slots"].get<size_t>() > 0)
    spdlog::info("{}: planned a slot ahead, the modelled delay was {:.3f} s where deciding on the slot's own demands "
                 "gives {:.3f} s (mean of {} slots)", ctx.name(), ahead["model_delay_s_mean"].get<double>(),
                 ahead["model_delay_s_current_mean"].get<double>(), ahead["slots"].get<size_t>());
  if (!cfg.report.empty())
    write_and_say(cfg.report + "-scheduler.json", j.dump(2) + "\n", ctx.name());
}

caf::behavior region_scheduler(caf::event_based_actor* self, context ctx, scheduler_settings cfg) {
  auto st = std::make_shared<scheduler_state>(ctx);
  st->rng.seed(cfg.seed);
  self->attach_functor([=] { print_summary(ctx, cfg, st->log); });
  return {
    [=](const letter& in) {
      auto r = in.as<msg::remo::SlotReport>();
      if (r == nullptr)
        return;
      bool first = st->round.empty();
      st->log.reports_replaced += st->round.count(r->camera());
      st->round[r->camera()] = *r;
      st->cameras.insert(r->camera());
      // The first round always waits: until then nobody knows how many cameras there are.
      if (st->rounds > 0 && st->round.size() >= st->cameras.size())
        decide(ctx, cfg, *st);
      else if (first)
        ctx.after(self, std::chrono::milliseconds(cfg.grace_ms), decide_atom::value, st->rounds);
    },
    [=](decide_atom, uint64_t round) {
      if (round == st->rounds)  // not decided since the timer was set
        decide(ctx, cfg, *st);
    },
  };
}

scheduler_settings read_settings(const params& p) {
  scheduler_settings s;
  s.policy = policies.parse(p.get_string("policy", policies.name(s.policy)));
  auto& slot = s.slot;
  slot.server_accuracy = p.get_double("server_accuracy", slot.server_accuracy);
  slot.server_mbps = p.get_double("server_mbps", slot.server_mbps);
  slot.peer_mbps = p.get_double("peer_mbps", slot.peer_mbps);
  slot.alpha = p.get_double("alpha", slot.alpha);
  slot.v = p.get_double("v", slot.v);
  slot.omega = p.get_double("omega", slot.omega);
  slot.t_max = p.get_double("t_max", slot.t_max);
  if (slot.server_mbps <= 0 || slot.peer_mbps <= 0)
    throw std::runtime_error("server_mbps and peer_mbps must be positive");
  auto& markov = s.markov;
  markov.tau = p.get_double("tau", markov.tau);
  markov.max_iterations = int(p.get_int("max_iterations", markov.max_iterations));
  markov.stagnation_moves = int(p.get_int("stagnation_moves", markov.stagnation_moves));
  markov.stagnation_delta = p.get_double("stagnation_delta", markov.stagnation_delta);
  if (markov.tau <= 0)
    throw std::runtime_error("tau must be positive");
  s.grace_ms = p.get_int("grace_ms", s.grace_ms);
  s.seed = uint64_t(p.get_int("seed", int64_t(s.seed)));
  s.report = p.get_string("report");
  return s;
}

}  // namespace

kind_spec region_scheduler_kind() {
  return {
    "region-scheduler",
    "ReMO's Region Scheduler: per slot, assigns the regions cameras need detected (Markov approximation or a baseline)",
    {
      {"policy", param_type::string, false, "remo (default), bandwidth-prior, model-prior, elf or local"},
      in_range({"server_accuracy", param_type::number, false, "a_0, accuracy of the server's model, default 0.95"}, 0, 1),
      in_range({"server_mbps", param_type::number, false, "camera → server bandwidth where neither end's interface is shaped (shaped ones are read each slot), default 16 (the paper's)"}, 0, 1000000),
      in_range({"peer_mbps", param_type::number, false, "camera → camera bandwidth where neither end's interface is shaped, default 80 (the paper's)"}, 0, 1000000),
      in_range({"alpha", param_type::number, false, "MB per megapixel of JPEG until cameras observe it, default 0.1"}, 0, 1000),
      in_range({"v", param_type::number, false, "V, weight of utility against delay in (14), default 0.7"}, 0, 1),
      in_range({"omega", param_type::number, false, "ω, weight of load imbalance in the utility, default 0.5"}, 0, 1),
      in_range({"t_max", param_type::number, false, "T_max, long-term bound on the slot's system delay in s, default 1.0"}, 0, 86400),
      in_range({"tau", param_type::number, false, "τ of the acceptance probability η, default 0.1 (the paper's)"}, 0, 100000),
      in_range({"max_iterations", param_type::integer, false, "iteration cap of Algorithm 1, default 200"}, 1, 1000000),
      in_range({"stagnation_moves", param_type::integer, false, "stop after this many moves in a row changing g little, default 10"}, 1, 1000000),
      in_range({"stagnation_delta", param_type::number, false, "a move changing g by less than this is stagnant, default 0.01"}, 0, 1),
      in_range({"grace_ms", param_type::integer, false, "after a round's first report, wait this long for the others, default 200"}, 0, 3600000),
      in_range({"seed", param_type::integer, false, "seed of the Markov chain, default 1"}, 0, 9007199254740992),
      {"report", param_type::output, false, "file prefix: writes PREFIX-scheduler.json at the end"},
    },
    [](node& n, context ctx, const params& p) {
      return n.system().spawn(region_scheduler, std::move(ctx), read_settings(p));
    },
  };
}

}  // namespace troupe
