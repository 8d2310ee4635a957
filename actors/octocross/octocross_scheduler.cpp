#include "actors/octocross/octocross_scheduler.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <optional>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/octocross/core/adaptation.hpp"
#include "actors/octocross/core/cluster_views.hpp"
#include "actors/octocross/core/offload_projection.hpp"
#include "actors/runtime/atoms.hpp"
#include "actors/runtime/choice.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/runtime/node.hpp"
#include "actors/common/pipeline_names.hpp"
#include "troupe/messages/runtime.pb.h"
#include "troupe/messages/videojam.pb.h"
#include "vision/percentile.hpp"

namespace troupe {

namespace {

// How M is decided: none keeps every item where it arrives (the scheduler still
// samples and probes); greedy is VideoJam's offload policy on the last sample of each
// node (the model-free scheduler, GNN_LSTM's ⚑).
enum class offload_policy { none, greedy };

const choice<offload_policy> policies("policy", {{"none", offload_policy::none}, {"greedy", offload_policy::greedy}});

struct scheduler_settings {
  offload_policy policy = offload_policy::greedy;
  std::vector<std::string> nodes;  // the replicas it plans for, in slot order
  std::vector<std::pair<size_t, size_t>> edges;
  std::string function;            // the offloadable function's type; others' stats are not read
  int64_t sample_ms = 1000;        // Alg. 1 line 2
  double period_s = 15;            // line 7
  size_t tau = 32;                 // samples of history per node
  double slo_ms = 200;
  double stale_s = 3;              // stats older than this: the node is masked
  double overload_queue_s = 0.1;   // ⚑ "overloaded now": a queue of this many seconds of work, or λ > μ
  octocross::projection_settings projection;
  octocross::adaptation_settings adaptation;
  std::string trace;               // CSV of every node's samples, for training
  std::string report;              // PREFIX-scheduler.json at exit
};

struct node_now {
  double objects = 0, mu = 0, busy = 0, queue_s = 0;
  int64_t at_ns = 0;
  std::map<size_t, double> delay_ms;
};

struct decision_log {
  std::vector<double> decide_ms, offloaded_share;
  uint64_t decisions = 0, on_overload = 0, plans_sent = 0, ignored_stats = 0;
  std::map<std::string, uint64_t> events;
};

class scheduler {
 public:
  scheduler(context ctx, scheduler_settings cfg)
      : ctx_(std::move(ctx)), cfg_(std::move(cfg)), now_(cfg_.nodes.size()),
        adapt_(std::vector<bool>(cfg_.nodes.size(), true), cfg_.adaptation), history_(cfg_.nodes.size()) {
    start_ns_ = ctx_.now_ns();
    for (size_t i = 0; i < cfg_.nodes.size(); ++i)
      slots_[cfg_.nodes[i]] = i;
    if (!cfg_.trace.empty()) {
      if (auto why = make_parent_folder(cfg_.trace); !why.empty())
        throw std::runtime_error(why);
      trace_.open(cfg_.trace);
      if (!(trace_ << "t_s,node,objects,mu,busy,queue_s,up\n"))
        throw std::runtime_error("cannot write trace " + cfg_.trace);
    }
  }

  void on_stats(const letter& in, const msg::videojam::FunctionStats& s, caf::event_based_actor* self) {
    if (s.function() != cfg_.function)
      return;
    auto i = slot_of(s.replica());
    if (!i || in.sender != s.replica() || !ctx_.knows(s.replica())) {  // only a listed replica speaks for itself
      ++log_.ignored_stats;
      return;
    }
    auto& n = now_[*i];
    n.objects = double(s.slot_objects());
    n.mu = s.mu_objects();
    n.busy = s.busy_fraction();
    n.queue_s = s.mu() > 0 ? s.queue_length() / s.mu() * (cfg_.sample_ms / 1000.0) : 0;
    n.at_ns = ctx_.now_ns();
    n.delay_ms.clear();
    for (auto& d : s.link_delays())
      if (auto j = slot_of(d.to()))
        n.delay_ms[*j] = d.ms();
    if (!adapt_.up(*i))
      ctx_.monitor(s.replica(), caf::actor_cast<caf::actor>(self));
    act(adapt_.seen(*i, t_s()));
  }

  void on_down(const std::string& replica) {
    if (auto i = slot_of(replica))
      act(adapt_.lost(*i, t_s()));
  }

  // Alg. 1 lines 2–9: sample, then decide every period or when a node is overloaded now.
  void on_sample() {
    for (size_t i = 0; i < now_.size(); ++i)
      if (adapt_.up(i) && ctx_.now_ns() - now_[i].at_ns > int64_t(cfg_.stale_s * 1e9))
        act(adapt_.lost(i, t_s()));
    act(adapt_.tick(t_s()));
    record_sample();
    bool due = t_s() - last_decision_s_ >= cfg_.period_s;
    bool overloaded = overloaded_now() && t_s() - last_decision_s_ >= 1;
    if (due || overloaded) {
      log_.on_overload += due ? 0 : 1;
      decide();
    }
  }

  void finish() const {
    nlohmann::json j = summary();
    spdlog::info("{} ({}): {} decisions ({} on overload), decision p50 {:.2f} ms p95 {:.2f} ms, {} plans sent, "
                 "{} stats ignored", ctx_.name(), policies.name(cfg_.policy), log_.decisions, log_.on_overload,
                 vision::percentile(log_.decide_ms, 50), vision::percentile(log_.decide_ms, 95), log_.plans_sent,
                 log_.ignored_stats);
    if (!cfg_.report.empty())
      write_and_say(cfg_.report + "-scheduler.json", j.dump(2) + "\n", ctx_.name());
  }

 private:
  double t_s() const { return double(ctx_.now_ns() - start_ns_) / 1e9; }

  std::optional<size_t> slot_of(const std::string& replica) const {
    auto it = slots_.find(replica);
    return it == slots_.end() ? std::nullopt : std::optional<size_t>(it->second);
  }

  void act(const std::vector<octocross::adaptation_event>& events) {
    using what = octocross::adaptation_event::what;
    for (auto& e : events) {
      auto& name = cfg_.nodes[e.node];
      switch (e.kind) {
        case what::joined:
          ++log_.events["joined"];
          send_plan(e.node, {});  // its probe list: delays are measured before the first decision
          break;
        case what::masked:
          ++log_.events["masked"];
          spdlog::info("{}: {} is away, masked; {:.0f} s of grace", ctx_.name(), name, cfg_.adaptation.grace_s);
          decide();  // nobody keeps sending to it
          break;
        case what::unmasked:
          ++log_.events["unmasked"];
          send_plan(e.node, {});
          break;
        case what::finetune_lost:
        case what::finetune_joined:
          ++log_.events[e.kind == what::finetune_lost ? "finetune_lost" : "finetune_joined"];
          break;  // the model-free policies have nothing to finetune
      }
    }
  }

  void record_sample() {
    for (size_t i = 0; i < now_.size(); ++i) {
      auto& h = history_[i];
      h.push_back(adapt_.up(i) ? now_[i].objects : 0.0);
      if (h.size() > cfg_.tau)
        h.erase(h.begin());
      if (trace_.is_open())
        trace_ << t_s() << "," << cfg_.nodes[i] << "," << now_[i].objects << "," << now_[i].mu << "," << now_[i].busy
               << "," << now_[i].queue_s << "," << (adapt_.up(i) ? 1 : 0) << "\n";
    }
  }

  bool overloaded_now() const {
    for (size_t i = 0; i < now_.size(); ++i)
      if (adapt_.up(i) && (now_[i].queue_s > cfg_.overload_queue_s || (now_[i].mu > 0 && now_[i].objects > now_[i].mu)))
        return true;
    return false;
  }

  std::vector<octocross::node_outlook> outlook() const {
    std::vector<octocross::node_outlook> out;
    for (size_t i = 0; i < now_.size(); ++i)
      out.push_back({history_[i].empty() ? 0.0 : history_[i].back(), now_[i].mu});
    return out;
  }

  octocross::matrix network() const {
    auto n = now_.size();
    auto delay = octocross::zeros(n);
    std::vector<std::vector<bool>> measured(n, std::vector<bool>(n, false));
    for (size_t i = 0; i < n; ++i)
      for (auto [j, ms] : now_[i].delay_ms) {
        delay[i][j] = ms;
        measured[i][j] = true;
      }
    return octocross::network_view(delay, measured, cfg_.slo_ms, adapt_.mask());
  }

  void decide() {
    auto started = std::chrono::steady_clock::now();
    auto up = adapt_.mask();
    auto nodes = outlook();
    auto m = octocross::zeros(nodes.size());
    if (cfg_.policy == offload_policy::greedy)
      m = octocross::greedy_offloads(nodes, up);
    m = octocross::project(m, nodes, octocross::offload_mask(nodes, up, network()), cfg_.projection);
    log_.decide_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
    ++log_.decisions;
    last_decision_s_ = t_s();
    double sent = 0, total = 0;
    for (size_t i = 0; i < m.size(); ++i) {
      if (!up[i])
        continue;
      send_plan(i, m[i]);
      for (double v : m[i])
        sent += v * nodes[i].load;
      total += nodes[i].load;
    }
    log_.offloaded_share.push_back(total > 0 ? sent / total : 0);
  }

  // Row i of M as node i's plan, with the nodes whose links it measures.
  void send_plan(size_t i, const std::vector<double>& row) {
    msg::videojam::OffloadPlan plan;
    plan.set_decision(log_.decisions);
    auto up = adapt_.mask();
    for (size_t j = 0; j < row.size(); ++j)
      if (row[j] > 1e-4) {
        auto* s = plan.add_shares();
        s->set_target(cfg_.nodes[j]);
        s->set_fraction(row[j]);
      }
    for (size_t j = 0; j < cfg_.nodes.size(); ++j)
      if (j != i && up[j])
        plan.add_probe(cfg_.nodes[j]);
    if (!ctx_.send(cfg_.nodes[i], plan))
      ++log_.plans_sent;
  }

  nlohmann::json summary() const {
    return {{"policy", policies.name(cfg_.policy)},
            {"decisions", log_.decisions},
            {"on_overload", log_.on_overload},
            {"decision_ms", {{"p50", vision::percentile(log_.decide_ms, 50)},
                             {"p95", vision::percentile(log_.decide_ms, 95)},
                             {"max", log_.decide_ms.empty() ? 0.0 : *std::max_element(log_.decide_ms.begin(), log_.decide_ms.end())}}},
            {"offloaded_share_mean", vision::mean(log_.offloaded_share)},
            {"plans_sent", log_.plans_sent},
            {"ignored_stats", log_.ignored_stats},
            {"events", log_.events}};
  }

  context ctx_;
  scheduler_settings cfg_;
  std::map<std::string, size_t> slots_;  // every stats message and link delay is looked up here
  std::vector<node_now> now_;
  octocross::adaptation adapt_;
  std::vector<std::vector<double>> history_;  // H: objects/s per node, the last τ samples
  decision_log log_;
  std::ofstream trace_;
  int64_t start_ns_ = 0;
  double last_decision_s_ = 0;
};

caf::behavior octocross_scheduler(caf::event_based_actor* self, context ctx, std::shared_ptr<scheduler> s,
                                  int64_t sample_ms) {
  if (auto err = ctx.subscribe("function-stats", caf::actor_cast<caf::actor>(self)))
    throw std::runtime_error(caf::to_string(err));
  self->attach_functor([s] { s->finish(); });
  auto sample = std::chrono::milliseconds(sample_ms);
  ctx.after(self, sample, tick_atom::value);
  return {
    [=](const letter& in) {
      if (auto st = in.as<msg::videojam::FunctionStats>())
        s->on_stats(in, *st, self);
      else if (auto down = in.as<msg::ActorDown>())
        s->on_down(down->actor());
    },
    [=](tick_atom) {
      s->on_sample();
      ctx.after(self, sample, tick_atom::value);
    },
  };
}

scheduler_settings read_settings(const params& p) {
  scheduler_settings s;
  s.policy = policies.parse(p.get_string("policy", policies.name(s.policy)));
  s.nodes = split_names(p.get_string("nodes"));
  if (s.nodes.empty())
    throw std::runtime_error("nodes names no replica");
  s.edges = octocross::parse_edges(p.get_string("edges"), s.nodes);
  s.function = p.get_string("function");
  s.sample_ms = p.get_int("sample_ms", s.sample_ms);
  s.period_s = p.get_double("period_s", s.period_s);
  s.tau = size_t(p.get_int("tau", int64_t(s.tau)));
  s.slo_ms = p.get_double("slo_ms", s.slo_ms);
  s.stale_s = p.get_double("stale_s", s.stale_s);
  s.overload_queue_s = p.get_double("overload_queue_s", s.overload_queue_s);
  s.projection.theta = p.get_double("theta", s.projection.theta);
  s.projection.headroom = p.get_double("headroom", s.projection.headroom);
  s.adaptation.grace_s = p.get_double("grace_s", s.adaptation.grace_s);
  s.adaptation.collect_s = p.get_double("collect_s", s.adaptation.collect_s);
  s.trace = p.get_string("trace");
  s.report = p.get_string("report");
  if (s.sample_ms < 1 || s.period_s <= 0 || s.tau < 1 || s.slo_ms <= 0 || s.stale_s <= 0)
    throw std::runtime_error("need sample_ms >= 1, period_s > 0, tau >= 1, slo_ms > 0 and stale_s > 0");
  if (!(s.projection.theta > 0 && s.projection.theta <= 1 && s.projection.headroom > 0 && s.projection.headroom <= 1))
    throw std::runtime_error("theta and headroom must be within (0, 1]");
  return s;
}

}  // namespace

kind_spec octocross_scheduler_kind() {
  return {
    "octocross-scheduler",
    "OctoCross's Offload Scheduler and Adaptor: samples replicas every second, sends each its row of the offloading matrix",
    {
      {"nodes", param_type::string, true, "the replicas (balancer: plan) it plans for, comma-separated, in slot order"},
      {"function", param_type::string, true, "their function type: stats of other functions are not read"},
      {"policy", param_type::string, false, "greedy (default: VideoJam's offload policy on the last sample) or none"},
      {"edges", param_type::string, false, "physical layout, \"a-b, b-c\" between nodes (A_phys)"},
      {"sample_ms", param_type::integer, false, "sampling period, default 1000 (Alg. 1 line 2)"},
      {"period_s", param_type::number, false, "decision period, default 15 (Alg. 1 line 7)"},
      {"tau", param_type::integer, false, "τ, samples of history per node, default 32"},
      {"slo_ms", param_type::number, false, "the SLO the network view is scaled by, default 200"},
      {"stale_s", param_type::number, false, "stats older than this mask their node, default 3"},
      {"overload_queue_s", param_type::number, false, "a node with this much queued work is overloaded now, default 0.1"},
      {"theta", param_type::number, false, "θ, the most of its arrivals a node sends one target, default 0.5"},
      {"headroom", param_type::number, false, "a target takes at most this share of its room, default 0.9"},
      {"grace_s", param_type::number, false, "a lost node's grace period, default 150"},
      {"collect_s", param_type::number, false, "a new node's data collected before finetuning, default 0 (paper: 48 h)"},
      {"trace", param_type::string, false, "write every node's samples to this CSV (training data)"},
      {"report", param_type::string, false, "file prefix: writes PREFIX-scheduler.json at the end"},
    },
    [](node& n, context ctx, const params& p) {
      auto cfg = read_settings(p);
      auto sample_ms = cfg.sample_ms;
      auto s = std::make_shared<scheduler>(ctx, std::move(cfg));
      return n.system().spawn<caf::detached>(octocross_scheduler, std::move(ctx), s, sample_ms);
    },
  };
}

}  // namespace troupe
