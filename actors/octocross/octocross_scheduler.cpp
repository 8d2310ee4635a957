#include "actors/octocross/octocross_scheduler.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <optional>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/octocross/core/adaptation.hpp"
#include "actors/octocross/core/cluster_recording.hpp"
#include "actors/octocross/core/cluster_views.hpp"
#include "actors/octocross/core/offload_model.hpp"
#include "actors/octocross/core/offload_projection.hpp"
#include "actors/runtime/atoms.hpp"
#include "actors/runtime/choice.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/runtime/node.hpp"
#include "actors/common/decision_metrics.hpp"
#include "actors/common/pipeline_names.hpp"
#include "actors/videojam/message_checks.hpp"
#include "troupe/messages/runtime.pb.h"
#include "troupe/messages/videojam.pb.h"
#include "vision/percentile.hpp"

namespace troupe {

namespace {

// The plan's size for the metrics: node pairs (i ≠ j) that M sends a share between.
size_t offloading_pairs(const octocross::matrix& m) {
  size_t n = 0;
  for (size_t i = 0; i < m.size(); ++i)
    for (size_t j = 0; j < m[i].size(); ++j)
      n += i != j && m[i][j] > 0 ? 1 : 0;
  return n;
}

// How M is decided: none keeps every item where it arrives (the scheduler still
// samples and probes); greedy is VideoJam's offload policy on the last sample of each
// node (the model-free scheduler); the others are learned models (model_variant):
// octocross's own M, or the greedy offloads on the forecast of a model without a head.
enum class offload_policy { none, greedy, octocross, temp_abl, spat_abl, gnn_lstm };

const choice<offload_policy> policies("policy", {{"none", offload_policy::none},
                                                 {"greedy", offload_policy::greedy},
                                                 {"octocross", offload_policy::octocross},
                                                 {"temp_abl", offload_policy::temp_abl},
                                                 {"spat_abl", offload_policy::spat_abl},
                                                 {"gnn_lstm", offload_policy::gnn_lstm}});

bool learned(offload_policy p) {
  return p != offload_policy::none && p != offload_policy::greedy;
}

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
  std::string model;               // weights (policy octocross)
  octocross::model_shape shape;    // what they must be
  int finetune_epochs = 1000;
  int retrain_epochs = 3000;       // GNN_LSTM's retraining from scratch: as long as its first training
  double keep_s = 900;             // seconds of samples kept for finetuning
  std::string trace;               // CSV of every node's samples, for training
  std::string report;              // PREFIX-scheduler.json at exit
};

// A new node's collection lasts at least the 2τ samples a window with labels needs.
octocross::adaptation_settings collecting_two_tau(const scheduler_settings& s) {
  auto a = s.adaptation;
  a.collect_s = std::max(a.collect_s, 2 * double(s.tau) * double(s.sample_ms) / 1000);
  return a;
}

const char* event_name(octocross::adaptation_event::what kind) {
  using what = octocross::adaptation_event::what;
  switch (kind) {
    case what::joined: return "joined";
    case what::masked: return "masked";
    case what::unmasked: return "unmasked";
    case what::finetune_lost: return "finetune_lost";
    case what::finetune_joined: return "finetune_joined";
  }
  return "?";
}

struct node_now {
  double objects = 0, mu = 0, busy = 0, queue_s = 0;
  int64_t at_ns = 0;
  std::map<size_t, double> delay_ms;
};

struct decision_log {
  std::vector<double> decide_ms, offloaded_share, finetune_s;
  uint64_t decisions = 0, on_overload = 0, plans_sent = 0, ignored_stats = 0, finetunes_failed = 0, warming = 0;
  uint64_t not_finite = 0;  // decisions with a NaN or infinite load or share: not sent, the last plans kept
  std::map<std::string, uint64_t> events;
  nlohmann::json event_log = nlohmann::json::array();  // {t_s, event, node}, in order
};

// The learned model and its finetuning, which runs on a thread of its own: decisions
// go on with the old weights until the new ones are swapped in whole.
class model_holder {
 public:
  model_holder(const scheduler_settings& cfg, const std::string& who) : who_(who) {
    if (!learned(cfg.policy))
      return;
    model_ = octocross::load_model(cfg.model, cfg.shape)->placed();
    nodes_ = cfg.nodes;
    n_max_ = cfg.shape.n_max;
    slots_ = octocross::assign_slots(model_->known_nodes(), nodes_, n_max_);
    spdlog::info("{}: {} model {} (trained with {} nodes)", who_, octocross::variant_name(cfg.shape.variant),
                 model_->describe(), model_->known_nodes().size());
    auto placed = std::count_if(slots_.begin(), slots_.end(), [&](size_t s) { return s < n_max_; });
    if (placed < long(nodes_.size()))
      spdlog::warn("{}: {} nodes, the model places {} (N_max {}): the others are never balanced", who_, nodes_.size(),
                   placed, n_max_);
  }

  const octocross::offload_model* get() const { return model_.get(); }

  // Node i's row of P; n_max: it has none (shown to the model as away).
  size_t slot(size_t i) const { return slots_[i]; }

  // The nodes the model knows (all, for the model-free policies). One past N_max counts
  // as known: no finetune can give it a row of P.
  std::vector<bool> trained_on(size_t n) const {
    std::vector<bool> known(n, true);
    for (size_t i = 0; model_ && i < n; ++i)
      known[i] = slots_[i] < model_->known_nodes().size() || slots_[i] >= n_max_;
    return known;
  }

  // One finetune at a time; the changes that come meanwhile wait as one request per
  // kind (lost, new), whose data are taken when it starts (poll).
  void finetune(octocross::finetune_request r) {
    if (!model_)
      return;
    if (running_.valid()) {
      auto same = std::find_if(queued_.begin(), queued_.end(), [&](auto& q) { return q.lost == r.lost; });
      if (same == queued_.end()) {
        queued_.push_back(std::move(r));
        return;
      }
      for (auto node : r.nodes)
        if (std::find(same->nodes.begin(), same->nodes.end(), node) == same->nodes.end())
          same->nodes.push_back(node);
      return;
    }
    spdlog::info("{}: finetuning for {} node {} on {} s of samples", who_, r.lost ? "lost" : "new",
                 r.nodes.empty() ? std::string() : r.data.nodes[r.nodes[0]], r.data.samples.size());
    r.cancel = cancel_;
    running_ = std::async(std::launch::async, [m = model_, r = std::move(r)] {
      auto started = std::chrono::steady_clock::now();
      auto tuned = m->finetuned(r);
      return std::make_pair(tuned, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    });
  }

  // Swaps finetuned weights in when they are ready; starts a queued finetune on what
  // `data` gives then.
  void poll(decision_log& log, double t_s, const std::function<octocross::cluster_recording()>& data) {
    if (!running_.valid() || running_.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
      return;
    try {
      auto [tuned, took] = running_.get();
      model_ = tuned;
      slots_ = octocross::assign_slots(model_->known_nodes(), nodes_, n_max_);  // the known keep theirs
      log.finetune_s.push_back(took);
      log.event_log.push_back({{"t_s", t_s}, {"event", "finetuned"}, {"node", ""}});
      spdlog::info("{}: finetuned in {:.1f} s; {} now decides", who_, took, model_->describe());
    } catch (const std::exception& e) {
      ++log.finetunes_failed;
      spdlog::warn("{}: finetuning failed, the model is kept as it was: {}", who_, e.what());
    }
    if (!queued_.empty()) {
      auto next = std::move(queued_.front());
      queued_.erase(queued_.begin());
      next.data = data();
      finetune(std::move(next));
    }
  }

  // Stops a finetune still running (the actor is exiting) and waits for it to notice.
  void settle() {
    *cancel_ = true;
    if (running_.valid())
      running_.wait();
  }

 private:
  std::string who_;
  std::shared_ptr<const octocross::offload_model> model_;
  std::vector<std::string> nodes_;
  size_t n_max_ = 0;
  std::vector<size_t> slots_;
  std::future<std::pair<std::shared_ptr<const octocross::offload_model>, double>> running_;  // and its seconds
  std::vector<octocross::finetune_request> queued_;
  std::shared_ptr<std::atomic<bool>> cancel_ = std::make_shared<std::atomic<bool>>(false);
};

class scheduler {
 public:
  scheduler(context ctx, scheduler_settings cfg)
      : ctx_(std::move(ctx)), cfg_(std::move(cfg)), now_(cfg_.nodes.size()), model_(cfg_, ctx_.name()),
        adapt_(model_.trained_on(cfg_.nodes.size()), collecting_two_tau(cfg_)) {
    start_ns_ = ctx_.now_ns();
    for (size_t i = 0; i < cfg_.nodes.size(); ++i)
      slots_[cfg_.nodes[i]] = i;
    recording_.nodes = cfg_.nodes;
    recording_.edges = cfg_.edges;
    recording_.slo_ms = cfg_.slo_ms;
    if (!cfg_.trace.empty()) {
      if (auto why = make_parent_folder(cfg_.trace); !why.empty())
        throw std::runtime_error(why);
      trace_.open(cfg_.trace);
      if (!(trace_ << octocross::trace_header(recording_)))
        throw std::runtime_error("cannot write trace " + cfg_.trace);
    }
  }

  void on_stats(const letter& in, const msg::videojam::FunctionStats& s, caf::event_based_actor* self) {
    if (s.function() != cfg_.function)
      return;
    auto i = slot_of(s.replica());
    if (!i || !ctx_.knows(s.replica())) {  // not one of its replicas: not its business
      ++log_.ignored_stats;
      return;
    }
    if (auto why = videojam::check_stats(s, in.sender)) {  // only a listed replica speaks for itself
      ++log_.ignored_stats;
      return ctx_.refuse(in, *why, "stats of '" + s.replica() + "'");
    }
    auto& n = now_[*i];
    auto slot_s = s.slot_s() > 0 ? s.slot_s() : 1.0;  // the replica's slot, not the scheduler's sample
    n.objects = double(s.slot_objects()) / slot_s;
    n.mu = s.mu_objects();
    n.busy = s.busy_fraction();
    n.queue_s = s.mu() > 0 ? s.queue_length() / s.mu() * slot_s : 0;
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
    model_.poll(log_, t_s(), [this] { return kept_for_finetune(); });
    record_sample();
    bool due = t_s() - last_decision_s_ >= cfg_.period_s;
    bool overloaded = overloaded_now() && t_s() - last_decision_s_ >= 1;
    if (due || overloaded) {
      log_.on_overload += due ? 0 : 1;
      decide();
    }
  }

  void finish() {
    model_.settle();
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
      log_.event_log.push_back({{"t_s", t_s()}, {"event", event_name(e.kind)}, {"node", name}});
      switch (e.kind) {
        case what::joined:
          ++log_.events[event_name(e.kind)];
          send_plan(e.node, {});  // its probe list: delays are measured before the first decision
          break;
        case what::masked:
          ++log_.events[event_name(e.kind)];
          spdlog::info("{}: {} is away, masked; {:.0f} s of grace", ctx_.name(), name, cfg_.adaptation.grace_s);
          withdraw(e.node);
          break;
        case what::unmasked:
          ++log_.events[event_name(e.kind)];
          send_plan(e.node, {});
          break;
        case what::finetune_lost:
        case what::finetune_joined: {
          bool lost = e.kind == what::finetune_lost;
          ++log_.events[event_name(e.kind)];
          auto epochs = cfg_.policy == offload_policy::gnn_lstm ? cfg_.retrain_epochs : cfg_.finetune_epochs;
          model_.finetune({kept_for_finetune(), {e.node}, lost, epochs, {}});  // model-free: nothing to do
          break;
        }
      }
    }
  }

  void record_sample() {
    auto n = now_.size();
    auto x = octocross::cluster_sample::empty(n, t_s());
    for (size_t i = 0; i < n; ++i) {
      x.up[i] = adapt_.up(i);
      x.objects[i] = x.up[i] ? now_[i].objects : 0.0;
      x.mu[i] = now_[i].mu;
      x.busy[i] = now_[i].busy;
      x.queue_s[i] = now_[i].queue_s;
      for (auto [j, ms] : now_[i].delay_ms)
        x.delay_ms[i][j] = ms;
    }
    if (trace_.is_open())
      trace_ << octocross::trace_rows(recording_, x);
    auto& kept = recording_.samples;
    kept.push_back(std::move(x));
    auto most = size_t(cfg_.keep_s * 1000 / double(cfg_.sample_ms));
    auto least = std::max(most, 2 * cfg_.tau);  // a finetune needs 2τ
    if (kept.size() > 2 * least)
      kept.erase(kept.begin(), kept.end() - long(least));
  }

  // The last keep_s seconds (at least 2τ samples): what a finetune learns from.
  octocross::cluster_recording kept_for_finetune() const {
    auto most = std::max(size_t(cfg_.keep_s * 1000 / double(cfg_.sample_ms)), 2 * cfg_.tau);
    auto r = recording_;
    if (r.samples.size() > most)
      r.samples.erase(r.samples.begin(), r.samples.end() - long(most));
    return r;
  }

  bool overloaded_now() const {
    for (size_t i = 0; i < now_.size(); ++i)
      if (adapt_.up(i) && (now_[i].queue_s > cfg_.overload_queue_s || (now_[i].mu > 0 && now_[i].objects > now_[i].mu)))
        return true;
    return false;
  }

  // Each node's load as the last sample saw it, or as the model forecasts the decision
  // period (mean Ĥ_i over period_s, §3.1's mask).
  std::vector<octocross::node_outlook> outlook(const octocross::matrix* forecast) const {
    std::vector<octocross::node_outlook> out;
    auto& last = recording_.samples.back();
    auto ahead = std::max<size_t>(1, size_t(cfg_.period_s * 1000 / double(cfg_.sample_ms)));
    for (size_t i = 0; i < now_.size(); ++i) {
      double load = last.objects[i];
      if (forecast) {
        auto& f = (*forecast)[i];
        auto k = std::min(ahead, f.size());
        load = 0;
        for (size_t t = 0; t < k; ++t)
          load += f[t] / double(k);
      }
      out.push_back({load, now_[i].mu});
    }
    return out;
  }

  // The model's state: the last τ samples, each node in its slot; a node without one
  // (past N_max) is shown to it as away.
  octocross::cluster_state model_state() const {
    auto s = octocross::state_before(recording_, recording_.samples.size(), cfg_.tau);
    s.a_net = network();  // probes of this second, not the recorded ones
    std::vector<size_t> slots;
    for (size_t i = 0; i < s.up.size(); ++i)
      slots.push_back(model_.slot(i));
    octocross::mask_unplaced(s, slots, cfg_.shape.n_max);
    return s;
  }

  // M before the mask and projection, and the loads it was decided on.
  std::pair<octocross::matrix, std::vector<octocross::node_outlook>> scores(const std::vector<bool>& up) {
    auto n = now_.size();
    if (learned(cfg_.policy)) {
      if (recording_.samples.size() < cfg_.tau) {
        ++log_.warming;  // fewer than τ samples: nothing to forecast from yet
        return {octocross::zeros(n), outlook(nullptr)};
      }
      auto d = model_.get()->decide(model_state());
      auto nodes = outlook(&d.forecast);
      if (d.offload.empty())
        return {octocross::greedy_offloads(nodes, up), nodes};
      for (size_t i = 0; i < n; ++i)
        d.offload[i][i] = 0;  // M_ii is what i keeps
      return {d.offload, nodes};
    }
    auto nodes = outlook(nullptr);
    if (cfg_.policy == offload_policy::greedy)
      return {octocross::greedy_offloads(nodes, up), nodes};
    return {octocross::zeros(n), nodes};
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
    if (recording_.samples.empty())
      return;  // a node lost before the first sample: nothing to decide on yet
    auto started = std::chrono::steady_clock::now();
    auto up = adapt_.mask();
    if (learned(cfg_.policy))
      for (size_t i = 0; i < up.size(); ++i)
        up[i] = up[i] && model_.slot(i) < cfg_.shape.n_max;  // past N_max: the model cannot place it, so unbalanced
    auto [m, nodes] = scores(up);
    if (!finite(m, nodes)) {
      ++log_.not_finite;
      return;
    }
    m = octocross::project(m, nodes, octocross::offload_mask(nodes, up, network()), cfg_.projection);
    last_m_ = m;
    log_.decide_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
    metrics_.decided(log_.decide_ms.back() / 1e3, double(offloading_pairs(m)));
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

  // A node masked between decisions: every row sending to it keeps that share now,
  // without running the model again (the ≤ 1 run/s of §3.2); the next decision replans.
  void withdraw(size_t node) {
    if (last_m_.size() <= node)
      return;  // no decision yet
    auto up = adapt_.mask();
    for (size_t i = 0; i < last_m_.size(); ++i)
      if (up[i] && last_m_[i][node] > 0) {
        last_m_[i][node] = 0;
        send_plan(i, last_m_[i]);
      }
  }

  static bool finite(const octocross::matrix& m, const std::vector<octocross::node_outlook>& nodes) {
    for (auto& n : nodes)
      if (!std::isfinite(n.load) || !std::isfinite(n.mu))
        return false;
    for (auto& row : m)
      for (double v : row)
        if (!std::isfinite(v))
          return false;
    return true;
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
            {"model", model_.get() ? model_.get()->describe() : std::string()},
            {"warming_decisions", log_.warming},
            {"not_finite_decisions", log_.not_finite},
            {"finetune_s", log_.finetune_s},
            {"finetunes_failed", log_.finetunes_failed},
            {"plans_sent", log_.plans_sent},
            {"ignored_stats", log_.ignored_stats},
            {"events", log_.events},
            {"event_log", log_.event_log}};
  }

  context ctx_;
  scheduler_settings cfg_;
  std::map<std::string, size_t> slots_;  // every stats message and link delay is looked up here
  std::vector<node_now> now_;
  model_holder model_;
  octocross::adaptation adapt_;
  octocross::cluster_recording recording_;  // H and the views, the last keep_s seconds
  octocross::matrix last_m_;                 // the plans last sent, row i to node i
  decision_log log_;
  decision_metrics metrics_{ctx_.metrics(), "octocross", ctx_.name()};  // plan size: the pairs that offload
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
  s.model = p.get_string("model");
  s.shape.tau = s.tau;
  s.shape.d = size_t(p.get_int("d", int64_t(s.shape.d)));
  s.shape.heads = size_t(p.get_int("heads", int64_t(s.shape.heads)));
  s.shape.layers = size_t(p.get_int("layers", int64_t(s.shape.layers)));
  s.shape.n_max = size_t(p.get_int("n_max", int64_t(s.shape.n_max)));
  s.finetune_epochs = int(p.get_int("finetune_epochs", s.finetune_epochs));
  s.retrain_epochs = int(p.get_int("retrain_epochs", s.retrain_epochs));
  s.keep_s = p.get_double("keep_s", s.keep_s);
  s.trace = p.get_string("trace");
  s.report = p.get_string("report");
  if (learned(s.policy))
    s.shape.variant = octocross::parse_variant(policies.name(s.policy));
  if (learned(s.policy) && s.model.empty())
    throw std::runtime_error("policy " + std::string(policies.name(s.policy)) +
                             " needs model: its weights (troupe train-octocross)");
  if (!(s.adaptation.collect_s >= 0) || !(s.adaptation.grace_s >= 0) || !(s.keep_s >= 0) || s.finetune_epochs < 1 ||
      s.retrain_epochs < 1)
    throw std::runtime_error("need collect_s >= 0, grace_s >= 0, keep_s >= 0, finetune_epochs >= 1 and retrain_epochs >= 1");
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
      {"nodes", param_type::string, true, "the replicas (balancer: plan) it plans for, comma-separated, in slot order", {"videojam-function"}},
      {"function", param_type::string, true, "their function type: stats of other functions are not read"},
      {"policy", param_type::string, false, "greedy (default: VideoJam's offload policy on the last sample), none, or a learned model: octocross, temp_abl, spat_abl, gnn_lstm"},
      {"model", param_type::path, false, "weights from train-octocross, of the policy's model (read by the learned policies only)"},
      in_range({"d", param_type::integer, false, "the model's embedding width, default 64"}, 1, 4096),
      in_range({"heads", param_type::integer, false, "the model's attention heads, default 8"}, 1, 256),
      in_range({"layers", param_type::integer, false, "the model's STAttn blocks, default 2"}, 1, 64),
      in_range({"n_max", param_type::integer, false, "the most nodes the model places, default 128"}, 1, 100000),
      in_range({"finetune_epochs", param_type::integer, false, "epochs of a finetune, default 1000"}, 0, 1000000),
      in_range({"retrain_epochs", param_type::integer, false, "epochs of GNN_LSTM's retraining from scratch on a topology change, default 3000"}, 0, 1000000),
      in_range({"keep_s", param_type::number, false, "seconds of samples kept for finetuning, default 900"}, 0, 31536000),
      {"edges", param_type::string, false, "physical layout, \"a-b, b-c\" between nodes (A_phys)"},
      in_range({"sample_ms", param_type::integer, false, "sampling period, default 1000 (Alg. 1 line 2)"}, 1, 3600000),
      in_range({"period_s", param_type::number, false, "decision period, default 15 (Alg. 1 line 7)"}, 0.001, 86400),
      in_range({"tau", param_type::integer, false, "τ, samples of history per node, default 32"}, 0, 100000),
      in_range({"slo_ms", param_type::number, false, "the SLO the network view is scaled by, default 200"}, 0, 3600000),
      in_range({"stale_s", param_type::number, false, "stats older than this mask their node, default 3"}, 0, 86400),
      in_range({"overload_queue_s", param_type::number, false, "a node with this much queued work is overloaded now, default 0.1"}, 0, 86400),
      in_range({"theta", param_type::number, false, "θ, the most of its arrivals a node sends one target, default 0.5"}, 0, 1),
      in_range({"headroom", param_type::number, false, "a target takes at most this share of its room, default 0.9"}, 0, 1),
      in_range({"grace_s", param_type::number, false, "a lost node's grace period, default 150"}, 0, 31536000),
      in_range({"collect_s", param_type::number, false, "a new node's data collected before finetuning, default 172800 (the paper's 48 h; its Fig. 8: 0, which waits the 2τ s a window with labels needs)"}, 0, 31536000),
      {"trace", param_type::output, false, "write every node's samples to this CSV (training data)"},
      {"report", param_type::output, false, "file prefix: writes PREFIX-scheduler.json at the end"},
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
