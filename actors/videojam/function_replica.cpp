#include "actors/videojam/function_replica.hpp"

#include <chrono>
#include <fstream>
#include <map>
#include <set>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/common/decision_metrics.hpp"
#include "actors/common/item_ledger.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/videojam/function_worker.hpp"
#include "actors/videojam/message_checks.hpp"
#include "actors/runtime/node.hpp"
#include "actors/common/pipeline_names.hpp"
#include "actors/runtime/choice.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/videojam/core/balancer.hpp"
#include "actors/videojam/core/link_delays.hpp"
#include "actors/videojam/core/table.hpp"
#include "troupe/messages/runtime.pb.h"
#include "troupe/messages/videojam.pb.h"
#include "vision/percentile.hpp"

namespace troupe {

namespace {

using videojam::balancer_kind;

const choice<balancer_kind> balancers("balancer", {{"videojam", balancer_kind::videojam},
                                                   {"none", balancer_kind::none},
                                                   {"wrr", balancer_kind::wrr},
                                                   {"distream", balancer_kind::distream},
                                                   {"distream-ss", balancer_kind::distream_semi},
                                                   {"plan", balancer_kind::plan}});

struct balancer_settings {
  std::string function, type;       // type: the neighbourhood (default: the function)
  balancer_kind balancer = balancer_kind::videojam;
  videojam::balancer_settings rules;
  std::vector<std::string> next;    // replicas of the next function, in order of preference
  int64_t slot_ms = 1000;           // Δ (Table 3.1)
  int64_t refresh_windows = 2;      // r: rows older than this many windows are asked for again
  size_t queue_capacity = 30;
  double initial_rate = 10;         // items per second assumed before one is measured
  std::string load_trace;           // CSV of arrivals per slot, for train-forecaster
  size_t max_offload_bytes = 256 * 1024;  // one DataOffload message at most; more items go in several
  std::string scheduler;            // balancer plan: the only sender whose plans it follows
  int64_t probe_s = 0;              // LinkProbes to the plan's `probe` list this often; 0: none
  size_t probe_bytes = 1024;
};

// Where a replica's outputs go: the first replica of the next function that is up, or
// the sink once the pipeline ends. Shared with the worker thread.
struct router {
  context ctx;
  std::vector<std::string> next;
  std::shared_ptr<item_ledger> items;  // the replica's part of the item books
  std::atomic<uint64_t> emitted{0}, unrouted{0}, objects{0}, link_dropped{0};

  // An input's outputs, booked: the first carries the input on, the others are produced
  // here (objects cut from a frame); none ends it; a failure drops it.
  void emit(const msg::WorkItem& in, const std::optional<std::vector<msg::WorkItem>>& out) {
    if (!out)
      return items->dropped(in.camera(), "function failed");
    if (out->empty())
      return items->ended(in.camera(), "no output (nothing found)");
    if (out->size() > 1)
      items->produced(in.camera(), out->size() - 1);
    for (auto& item : *out) {
      auto target = next.empty() ? item.sink() : first_up(ctx, next);
      auto err = target.empty() ? make_error(errc::no_such_actor, "no replica up")
                 : next.empty()  ? ctx.send(target, result_of(item, uint32_t(out->size())))
                                 : ctx.send(target, item);
      items->handed_on(in.camera(), target, err);
      if (err) {
        ++(is(err, errc::link_dropped) ? link_dropped : unrouted);
        continue;
      }
      ++emitted;
      objects += item.objects();
    }
  }

  msg::videojam::PipelineResult result_of(const msg::WorkItem& item, uint32_t objects) const {
    msg::videojam::PipelineResult r;
    r.set_camera(item.camera());
    r.set_frame_index(item.frame_index());
    r.set_capture_time_unix_ns(item.capture_time_unix_ns());
    r.set_object(item.object());
    r.set_label(item.label());
    r.set_replica(ctx.name());
    r.set_offloads(item.offloads());
    r.set_objects_in_frame(objects);
    r.set_objects(item.objects());
    return r;
  }
};

msg::videojam::LoadRow to_message(const videojam::load_row& r) {
  msg::videojam::LoadRow m;
  m.set_replica(r.replica);
  m.set_mu(r.mu);
  for (double v : r.history)
    m.add_history(v);
  m.set_queue(r.queue);
  m.set_exchanged(r.exchanged);
  m.set_at_unix_ns(r.at_ns);
  m.set_window(r.window);
  m.set_partition(r.partition);
  return m;
}

videojam::load_row from_message(const msg::videojam::LoadRow& m) {
  return {m.replica(), m.mu(), {m.history().begin(), m.history().end()}, m.queue(), m.exchanged(),
          m.at_unix_ns(), m.window(), m.partition()};
}

std::vector<videojam::load_row> rows_of(const msg::videojam::LoadTable& t) {
  std::vector<videojam::load_row> out;
  for (auto& r : t.rows())
    out.push_back(from_message(r));
  return out;
}

// The mechanics every balancer shares: the state table and its messages (§3.4.2), the
// monitoring slots (§3.4.3), offloads and the counters. The rules that differ are the
// strategy's (videojam::balancer); this class carries out what it decides.
class load_balancer {
 public:
  load_balancer(caf::event_based_actor* self, context ctx, balancer_settings cfg,
                std::shared_ptr<function_worker> worker, std::shared_ptr<router> out)
      : self_(self), ctx_(std::move(ctx)), cfg_(std::move(cfg)), worker_(std::move(worker)), router_(std::move(out)),
        table_(ctx_.name()), rules_(videojam::make_balancer(cfg_.balancer, cfg_.rules)) {
    table_.own().mu = cfg_.initial_rate * cfg_.slot_ms / 1000.0;
    table_.own().at_ns = ctx_.now_ns();
    if (!cfg_.load_trace.empty()) {  // a trace that cannot be written fails the spawn, not the training later
      if (auto why = make_parent_folder(cfg_.load_trace); !why.empty())
        throw std::runtime_error(why);
      trace_.open(cfg_.load_trace);
      if (!(trace_ << "slot,items\n"))
        throw std::runtime_error("cannot write load_trace " + cfg_.load_trace);
    }
  }

  std::string topic() const { return "videojam/" + cfg_.type; }

  // Bootstrap (§3.4.2): announce the own state, ask the neighbourhood for theirs.
  void bootstrap() {
    if (!rules_->exchanges_state())
      return;
    if (auto err = ctx_.subscribe(topic(), caf::actor_cast<caf::actor>(self_)))
      throw std::runtime_error(caf::to_string(err));
    bootstrap_again();
  }

  void bootstrap_again() {
    publish_update("bootstrap");
    msg::videojam::InformationRequest ask;
    *ask.mutable_table() = own_table();
    ctx_.publish(topic(), ask);
    ++control_;
  }

  // An item from the previous function.
  void on_item(const letter& in, msg::WorkItem item) {
    if (auto why = videojam::check_item(item, run_window()))
      return ctx_.refuse(in, *why);
    ++arrivals_slot_;
    objects_slot_ += item.objects();
    ++arrived_;
    auto target = rules_->route(table_);
    if (target.empty())
      keep(std::move(item));
    else
      offload(target, {std::move(item)});
  }

  void on_offload(const letter& in, const msg::videojam::DataOffload& d) {
    if (auto why = videojam::check_offload(d, run_window()))
      return ctx_.refuse(in, *why, std::to_string(d.items_size()) + " items");
    received_ += uint64_t(d.items_size());
    exchanged_ += d.items_size();
    if (d.has_table())
      learn(in.sender, rows_of(d.table()));
    answer(in.sender, uint32_t(d.items_size()));
    for (auto& item : d.items())
      keep(item);
  }

  void on_request(const letter& in, const msg::videojam::InformationRequest& r) {
    if (in.sender == ctx_.name())
      return;
    if (auto why = videojam::check_table(r.table(), run_window()))
      return ctx_.refuse(in, *why);
    learn(in.sender, rows_of(r.table()));
    msg::videojam::StateUpdate u;
    *u.mutable_table() = own_table();
    u.set_reason("request");
    ctx_.send(in.sender, u);
    ++control_;
  }

  void on_update(const letter& in, const msg::videojam::StateUpdate& u) {
    if (in.sender == ctx_.name())
      return;
    if (auto why = videojam::check_table(u.table(), run_window()))
      return ctx_.refuse(in, *why);
    learn(in.sender, rows_of(u.table()));
  }

  // The receiver will not take more: stop sending it load this window, ask its state.
  void on_congestion(const letter& in) {
    ++congestion_signals_;
    rules_->congested(in.sender);
    ask(in.sender);
  }

  // A plan (balancer plan): followed when its sender is the replica's scheduler and it
  // passes check_plan; otherwise counted and the last plan kept.
  void on_plan(const letter& in, const msg::videojam::OffloadPlan& p) {
    if (in.sender != cfg_.scheduler)
      return refuse_plan(in.sender + " is not its scheduler '" + cfg_.scheduler + "'");
    std::vector<videojam::offload_share> shares;
    for (auto& s : p.shares())
      shares.push_back({s.target(), s.fraction()});
    auto verdict = videojam::check_plan(shares, ctx_.name(), [this](const std::string& r) { return ctx_.knows(r); });
    if (verdict == videojam::plan_verdict::applied && !rules_->follow(shares))
      verdict = videojam::plan_verdict::not_followed;
    if (verdict != videojam::plan_verdict::applied)
      return refuse_plan(std::string("it has ") + videojam::to_string(verdict));
    ++plans_applied_;
    for (auto& s : shares)
      watch(s.target);
    probe_targets_.assign(p.probe().begin(), p.probe().end());
  }

  // Link delays (OctoCross's network view): a probe is echoed to its sender, an echo
  // measures the link as half its round trip.
  void on_probe(const letter& in, const msg::videojam::LinkProbe& probe) {
    if (!probe.echo()) {
      auto answer = probe;
      answer.set_echo(true);
      ctx_.send(in.sender, answer);
      return;
    }
    if (auto why = videojam::check_echo(probe, run_window(), ctx_.now_ns()))
      return ctx_.refuse(in, *why);
    links_.echoed(in.sender, probe.sent_at_unix_ns(), ctx_.now_ns());
  }

  void on_down(const std::string& replica, const std::string& reason) {
    monitored_.erase(replica);
    if (reason == "unknown actor")  // learnt of before the directory announced it: watch it again next slot
      return;
    rules_->lost(replica);  // a plan's target is in no table
    if (!table_.find(replica))
      return;
    auto level = reason == "stopped" || reason == "normal" ? spdlog::level::debug : spdlog::level::info;
    spdlog::log(level, "balancer {}: neighbour {} lost ({}), out of the policy until it returns", ctx_.name(), replica,
                reason);
    table_.exclude(replica);
  }

  // Its last figures and the last part of the books (what it still holds for its edge
  // is in flight at the end), once the worker has handed on what was queued.
  void publish_final() {
    ctx_.publish("function-stats", stats());
    std::map<std::string, uint64_t> held;
    for (auto& item : held_for_edge_)
      ++held[item.camera()];
    ctx_.publish("item-books", items_->report(true, held));
  }

  // Monitor (§3.4.3): one slot's arrivals into the history; every k slots, the window
  // closes and the Dispatcher runs.
  void on_slot() {
    auto& own = table_.own();
    own.history.push_back(arrivals_slot_);
    if (own.history.size() > cfg_.rules.history_slots)
      own.history.erase(own.history.begin());
    if (trace_.is_open())
      trace_ << slot_ << "," << arrivals_slot_ << std::endl;
    auto arrived = std::exchange(arrivals_slot_, 0);
    ++slot_;
    measure_slot();
    delays_ms_ = links_.now(ctx_.now_ns(), 3 * cfg_.probe_s * 1'000'000'000);  // an echo outlives two lost ones
    if (cfg_.probe_s > 0 && slot_ % uint64_t(std::max<int64_t>(1, cfg_.probe_s * 1000 / cfg_.slot_ms)) == 0)
      send_probes();
    for (auto& r : table_.rows())
      watch(r.replica);
    if (slot_ % cfg_.rules.window_slots == 0) {
      close_window();
      if (rules_->exchanges_state() && table_.rows().size() == 1)  // neighbours that started with it missed its bootstrap
        bootstrap_again();
    } else {
      auto started = std::chrono::steady_clock::now();
      if (auto plan = rules_->slot_closed(arrived, now())) {
        decisions_.decided(started, double(plan->send_queued.size()));
        carry_out(std::move(*plan));
      }
    }
    ctx_.publish("function-stats", stats());
    ctx_.publish("item-books", items_->report(false));
  }

 private:
  videojam::replica_now now() const { return {table_, double(worker_->queue_length()), &delays_ms_}; }

  void keep(msg::WorkItem item) {
    auto camera = item.camera();
    if (!worker_->offer(std::move(item))) {
      ++dropped_full_;
      items_->dropped(camera, "queue full");
    }
  }

  // Sends `items` to `replica`, with the own table on the first offload of a window.
  // Items for a replica the strategy waits for (Distream's Edge) are held until it returns.
  void offload(const std::string& replica, std::vector<msg::WorkItem> items) {
    if (!ctx_.knows(replica)) {
      away(replica, std::move(items));
      return;
    }
    msg::videojam::DataOffload d;
    if (tabled_.insert(replica).second)
      *d.mutable_table() = own_table();
    for (auto& item : items) {
      item.set_offloads(item.offloads() + 1);
      if (d.items_size() > 0 && d.ByteSizeLong() + item.ByteSizeLong() > cfg_.max_offload_bytes)
        send_offload(replica, std::exchange(d, {}));  // within the bus's payload limit
      *d.add_items() = std::move(item);
    }
    send_offload(replica, std::move(d));
  }

  void send_offload(const std::string& replica, msg::videojam::DataOffload d) {
    rules_->sent(replica, size_t(d.items_size()));
    offload_bytes_ += d.ByteSizeLong();
    offloaded_ += uint64_t(d.items_size());
    exchanged_ -= d.items_size();
    std::map<std::string, uint64_t> by_camera;
    for (auto& item : d.items())
      ++by_camera[item.camera()];
    auto err = ctx_.send(replica, d);
    for (auto& [camera, n] : by_camera)
      items_->handed_on(camera, replica, err, n);
    if (err)
      (is(err, errc::link_dropped) ? dropped_link_ : dropped_lost_) += uint64_t(d.items_size());
  }

  // The last slot's work: its share of the slot computing, and objects per busy second.
  void measure_slot() {
    auto c = worker_->counters();
    double busy_ms = c.busy_ms - last_counters_.busy_ms;
    busy_fraction_ = std::min(1.0, busy_ms / double(cfg_.slot_ms));
    if (busy_ms > 0 && c.objects > last_counters_.objects)
      mu_objects_ = double(c.objects - last_counters_.objects) / (busy_ms / 1000);
    else if (mu_objects_ == 0 && worker_->ms_per_object())  // idle from the start: the profile's word
      mu_objects_ = 1000 / *worker_->ms_per_object();
    last_counters_ = c;
    slot_objects_ = std::exchange(objects_slot_, 0);
  }

  void send_probes() {
    msg::videojam::LinkProbe probe;
    probe.set_sent_at_unix_ns(ctx_.now_ns());
    probe.set_padding(std::string(cfg_.probe_bytes, '\0'));
    auto send = [&](const std::string& replica) {
      if (replica == ctx_.name())
        return;
      links_.sent(replica, probe.sent_at_unix_ns());
      ctx_.send(replica, probe);
    };
    if (!probe_targets_.empty()) {
      for (auto& replica : probe_targets_)  // the plan's
        send(replica);
    } else {
      for (auto& row : table_.rows())  // the neighbours it balances with (distream's Ends)
        send(row.replica);
    }
  }

  // Counted, the last plan kept; each reason said once (a rogue sender repeats itself).
  // The times a message from the bus may carry (message_checks.hpp).
  time_window run_window() const { return window_since(started_ns_, ctx_.now_ns()); }

  void refuse_plan(const std::string& why) {
    ++plans_rejected_;
    auto level = refusals_said_.insert(why).second ? spdlog::level::warn : spdlog::level::debug;
    spdlog::log(level, "balancer {}: plan refused, the last one kept: {}", ctx_.name(), why);
  }

  void away(const std::string& replica, std::vector<msg::WorkItem> items) {
    switch (rules_->when_away(replica)) {
      case videojam::away_policy::hold:
        for (auto& item : items)
          hold_for_edge(std::move(item));
        return;
      case videojam::away_policy::keep:
        kept_for_down_ += items.size();
        for (auto& item : items)
          keep(std::move(item));
        return;
      case videojam::away_policy::lose:
        dropped_lost_ += items.size();
        for (auto& item : items)
          items_->lost(item.camera(), "its neighbour " + replica + " was away");
        return;
    }
  }

  void hold_for_edge(msg::WorkItem item) {
    if (held_for_edge_.size() >= cfg_.queue_capacity) {
      ++dropped_full_;
      items_->dropped(item.camera(), "queue full");
      return;
    }
    held_for_edge_.push_back(std::move(item));
  }

  // Rows from a neighbour: its own row brings it (back) into the policy; the rest
  // refresh older rows.
  void learn(const std::string& sender, std::vector<videojam::load_row> rows) {
    for (auto& r : rows)
      if (r.replica == sender) {
        table_.update_from_owner(r);
        watch(sender);
      }
    table_.merge(rows);
    for (auto& r : table_.rows())
      watch(r.replica);
  }

  void watch(const std::string& replica) {
    if (replica != ctx_.name() && monitored_.insert(replica).second)
      ctx_.monitor(replica, caf::actor_cast<caf::actor>(self_));
  }

  // The strategy's verdict on an offload (§3.4.2), sent back to its sender.
  void answer(const std::string& sender, uint32_t items) {
    auto verdict = rules_->received(sender, items, now());
    if (verdict == videojam::offload_verdict::congestion_risk) {
      msg::videojam::CongestionRisk c;
      c.set_replica(ctx_.name());
      c.set_items(items);
      ctx_.send(sender, c);
      ++control_;
    } else if (verdict == videojam::offload_verdict::state_update) {
      msg::videojam::StateUpdate u;
      *u.mutable_table() = own_table();
      u.set_reason("prediction-error");
      ctx_.send(sender, u);
      ++control_;
      ++prediction_errors_;
    }
  }

  void close_window() {
    auto& own = table_.own();
    own.queue = queue_at_window_start_;
    own.exchanged = exchanged_;
    own.mu = measured_mu();
    own.at_ns = ctx_.now_ns();
    own.window = ++window_;
    queue_at_window_start_ = double(worker_->queue_length());
    exchanged_ = 0;
    tabled_.clear();
    auto started = std::chrono::steady_clock::now();
    auto plan = rules_->close_window(now());
    decisions_.decided(started, double(plan.send_queued.size()));
    carry_out(std::move(plan));
    refresh_stale();
  }

  void carry_out(videojam::window_plan plan) {
    if (plan.partition) {
      table_.own().partition = *plan.partition;
      publish_update("partition");
    }
    if (!plan.release_held_to.empty() && ctx_.knows(plan.release_held_to) && !held_for_edge_.empty())
      offload(plan.release_held_to, std::exchange(held_for_edge_, {}));
    for (auto& [replica, items] : plan.send_queued) {
      auto queued = worker_->take_newest(items);
      if (!queued.empty())
        offload(replica, std::move(queued));
    }
  }

  // Rows older than r windows: an information request to their owner (§3.4.3).
  void refresh_stale() {
    auto max_age = int64_t(cfg_.refresh_windows) * int64_t(cfg_.rules.window_slots) * cfg_.slot_ms * 1'000'000;
    for (auto& replica : table_.stale(ctx_.now_ns(), max_age))
      ask(replica);
  }

  void ask(const std::string& replica) {
    msg::videojam::InformationRequest r;
    *r.mutable_table() = own_table();
    ctx_.send(replica, r);
    ++control_;
  }

  void publish_update(const std::string& reason) {
    msg::videojam::StateUpdate u;
    *u.mutable_table() = own_table();
    u.set_reason(reason);
    ctx_.publish(topic(), u);
    ++control_;
  }

  double measured_mu() {
    auto c = worker_->counters();
    return c.service_ms > 0 ? double(cfg_.slot_ms) / c.service_ms : table_.own().mu;
  }

  msg::videojam::LoadTable own_table() {
    table_.own().mu = measured_mu();
    msg::videojam::LoadTable t;
    for (auto& r : table_.rows())
      *t.add_rows() = to_message(r);
    return t;
  }

  msg::videojam::FunctionStats stats() {
    auto c = worker_->counters();
    msg::videojam::FunctionStats s;
    s.set_replica(ctx_.name());
    s.set_function(cfg_.type);
    s.set_balancer(balancers.name(cfg_.balancer));
    s.set_arrived(arrived_);
    s.set_received(received_);
    s.set_processed(c.processed);
    s.set_dropped_full(dropped_full_);
    s.set_dropped_unrouted(router_->unrouted);
    s.set_dropped_lost(dropped_lost_);
    s.set_offloaded(offloaded_);
    s.set_offload_bytes(offload_bytes_);
    s.set_queue_length(uint32_t(worker_->queue_length() + held_for_edge_.size()));
    s.set_mu(table_.own().mu);
    s.set_windows(window_);
    s.set_dispatch_us_p50(vision::percentile(rules_->time_spent().dispatch_us, 50));
    s.set_forecast_us_p50(vision::percentile(rules_->time_spent().forecast_us, 50));
    s.set_monitor_reactions(rules_->time_spent().reactions);
    s.set_control_messages(control_);
    s.set_congestion_signals(congestion_signals_);
    s.set_prediction_errors(prediction_errors_);
    s.set_emitted(router_->emitted);
    s.set_objects_emitted(router_->objects);
    s.set_overruns(c.overruns);
    s.set_dropped_failed(c.failed);
    s.set_plans_applied(plans_applied_);
    s.set_plans_rejected(plans_rejected_);
    s.set_kept_for_down(kept_for_down_);
    for (auto& [to, ms] : delays_ms_) {
      auto* d = s.add_link_delays();
      d->set_to(to);
      d->set_ms(ms);
    }
    s.set_slot_objects(slot_objects_);
    s.set_busy_fraction(busy_fraction_);
    s.set_mu_objects(mu_objects_);
    s.set_slot_s(double(cfg_.slot_ms) / 1000.0);
    s.set_dropped_link(dropped_link_ + router_->link_dropped);
    return s;
  }

  caf::event_based_actor* self_;
  context ctx_;
  int64_t started_ns_ = ctx_.now_ns();
  balancer_settings cfg_;
  std::shared_ptr<function_worker> worker_;
  std::shared_ptr<router> router_;
  std::shared_ptr<item_ledger> items_ = router_->items;
  videojam::state_table table_;
  std::unique_ptr<videojam::balancer> rules_;
  decision_metrics decisions_{ctx_.metrics(), "videojam", ctx_.name()};  // plan size: neighbours sent items
  std::ofstream trace_;
  uint64_t slot_ = 0, window_ = 0;
  double arrivals_slot_ = 0, exchanged_ = 0, queue_at_window_start_ = 0;
  std::set<std::string> tabled_, monitored_;
  std::vector<msg::WorkItem> held_for_edge_;
  uint64_t arrived_ = 0, received_ = 0, dropped_full_ = 0, dropped_lost_ = 0, offloaded_ = 0, offload_bytes_ = 0;
  uint64_t control_ = 0, congestion_signals_ = 0, prediction_errors_ = 0;
  uint64_t plans_applied_ = 0, plans_rejected_ = 0, kept_for_down_ = 0, dropped_link_ = 0;
  uint64_t objects_slot_ = 0, slot_objects_ = 0;
  double busy_fraction_ = 0, mu_objects_ = 0;
  worker_counters last_counters_;
  std::vector<std::string> probe_targets_;
  videojam::link_delays links_;
  std::map<std::string, double> delays_ms_;  // links_ as of this slot
  std::set<std::string> refusals_said_;
};

caf::behavior function_replica(caf::event_based_actor* self, context ctx, std::shared_ptr<load_balancer> lb,
                               int64_t slot_ms) {
  lb->bootstrap();
  auto slot = std::chrono::milliseconds(slot_ms);
  ctx.after(self, slot, tick_atom::value);
  return {
    [=](const letter& in) {
      if (auto item = in.as<msg::WorkItem>())
        lb->on_item(in, *item);
      else if (auto d = in.as<msg::videojam::DataOffload>())
        lb->on_offload(in, *d);
      else if (auto r = in.as<msg::videojam::InformationRequest>())
        lb->on_request(in, *r);
      else if (auto u = in.as<msg::videojam::StateUpdate>())
        lb->on_update(in, *u);
      else if (in.is<msg::videojam::CongestionRisk>())
        lb->on_congestion(in);
      else if (auto plan = in.as<msg::videojam::OffloadPlan>())
        lb->on_plan(in, *plan);
      else if (auto probe = in.as<msg::videojam::LinkProbe>())
        lb->on_probe(in, *probe);
      else if (auto down = in.as<msg::ActorDown>())
        lb->on_down(down->actor(), down->reason());
    },
    [=](tick_atom) {
      lb->on_slot();
      ctx.after(self, slot, tick_atom::value);
    },
  };
}

balancer_settings read_settings(const params& p) {
  balancer_settings s;
  s.function = p.get_string("function");
  s.type = p.get_string("type", s.function);
  s.balancer = balancers.parse(p.get_string("balancer", balancers.name(s.balancer)));
  s.next = split_names(p.get_string("next"));
  s.slot_ms = p.get_int("slot_ms", s.slot_ms);
  auto& r = s.rules;
  r.window_slots = size_t(p.get_int("window_slots", int64_t(r.window_slots)));
  r.history_slots = size_t(p.get_int("history_slots", int64_t(r.history_slots)));
  r.error_threshold = p.get_double("error_threshold", r.error_threshold);
  r.forecaster = p.get_string("forecaster");
  r.slo_ms = p.get_double("slo_ms", r.slo_ms);
  r.edge = p.get_string("edge");
  r.seed = uint64_t(p.get_int("seed", int64_t(r.seed)));
  r.stage = size_t(p.get_int("stage", int64_t(r.stage)));
  r.stages = size_t(p.get_int("stages", int64_t(r.stages)));
  s.refresh_windows = p.get_int("refresh_windows", s.refresh_windows);
  s.queue_capacity = size_t(p.get_int("queue_capacity", int64_t(s.queue_capacity)));
  s.initial_rate = p.get_double("initial_rate", s.initial_rate);
  s.load_trace = p.get_string("load_trace");
  s.max_offload_bytes = size_t(p.get_int("max_offload_bytes", int64_t(s.max_offload_bytes)));
  s.scheduler = p.get_string("scheduler");
  s.probe_s = p.get_int("probe_s", s.balancer == balancer_kind::plan ? 5 : 0);
  s.probe_bytes = size_t(p.get_int("probe_bytes", int64_t(s.probe_bytes)));
  if (s.balancer == balancer_kind::plan && s.scheduler.empty())
    throw std::runtime_error("balancer plan needs `scheduler`: the actor whose plans it follows");
  if (s.balancer == balancer_kind::distream_semi && !(r.stages >= 1 && r.stage < r.stages))
    throw std::runtime_error("distream-ss needs stage < stages: the function's place in its pipeline");
  if (s.slot_ms < 1 || r.window_slots < 1 || r.history_slots < r.window_slots || s.queue_capacity < 1)
    throw std::runtime_error("need slot_ms >= 1, window_slots >= 1, history_slots >= window_slots, queue_capacity >= 1");
  return s;
}

std::vector<param_spec> balancer_params() {
  return {
    {"type", param_type::string, false, "function type: replicas of one type are neighbours; default the function"},
    {"next", param_type::string, false, "replicas of the next function, comma-separated, first that is up; empty: results to the sink", {"videojam-function"}},
    {"balancer", param_type::string, false, "videojam (default), none, wrr, distream (full-stochastic), distream-ss (semi-stochastic) or plan (follows its scheduler's OffloadPlan)"},
    {"scheduler", param_type::string, false, "plan: the actor whose OffloadPlans it follows (plans from any other are refused)", {"octocross-scheduler"}},
    in_range({"probe_s", param_type::integer, false, "LinkProbes to the replicas its plan names (or, without a plan, its neighbours) this often (seconds); default 5 with balancer plan, else 0"}, 0, 86400),
    in_range({"slo_ms", param_type::number, false, "distream: an End whose probed delay reaches this takes nothing; default 0 (off)"}, 0, 3600000),
    in_range({"probe_bytes", param_type::integer, false, "a LinkProbe's size, default 1024"}, 0, 1048576),
    in_range({"slot_ms", param_type::integer, false, "Δ, the monitoring slot, default 1000"}, 1, 3600000),
    in_range({"window_slots", param_type::integer, false, "k, slots per window (and forecast), default 10"}, 1, 100000),
    in_range({"history_slots", param_type::integer, false, "h, slots of history the forecaster reads, default 50"}, 1, 100000),
    in_range({"refresh_windows", param_type::integer, false, "r: neighbour rows older than r windows are asked for again, default 2"}, 1, 100000),
    in_range({"error_threshold", param_type::number, false, "received beyond expected by this share: state update, default 0.5"}, 0, 1000),
    in_range({"queue_capacity", param_type::integer, false, "items waiting at most; more are dropped and counted, default 30"}, 1, 1000000),
    in_range({"initial_rate", param_type::number, false, "items per second assumed until measured, default 10"}, 0, 100000),
    {"forecaster", param_type::path, false, "naive (default) or a weight file (dense or LSTM) from train-forecaster; distream given one balances its Ends on forecasts too"},
    {"load_trace", param_type::output, false, "write arrivals per slot to this CSV (train-forecaster's input)"},
    {"edge", param_type::string, false, "distream: the Edge's replica of this function; empty on the Edge itself", {"videojam-function"}},
    in_range({"seed", param_type::integer, false, "distream's random partition draws, default 1"}, 0, 9007199254740992),
    in_range({"stage", param_type::integer, false, "distream-ss: the function's place in its pipeline, from 0 (default 0)"}, 0, 1000),
    in_range({"stages", param_type::integer, false, "distream-ss: functions in the pipeline (default 1)"}, 1, 1000),
    in_range({"max_offload_bytes", param_type::integer, false, "offloaded items travel in messages of at most this size, default 262144"}, 1024, 1048576),
    {"device", param_type::string, false, "emulated device: each item paced to its profile's timing of the function"},
    {"profile", param_type::path, false, "device profile file (YAML) that holds `device`"},
  };
}

}  // namespace

kind_spec function_replica_kind() {
  auto parameters = pipeline_function_params();
  for (auto& p : balancer_params())
    parameters.push_back(p);
  return {
    "videojam-function",
    "a pipeline function's replica (bgsub, detect, ocr, emulated) behind its load balancer (videojam, none, wrr, distream, distream-ss, plan)",
    parameters,
    [](node& n, context ctx, const params& p) {
      auto cfg = read_settings(p);
      std::optional<device_profile> device;
      if (p.has("device"))
        device = load_device(p.get_string("profile"), p.get_string("device"));
      auto out = std::make_shared<router>();
      out->ctx = ctx;
      out->next = cfg.next;
      out->items = std::make_shared<item_ledger>(ctx.name(), &ctx.metrics());
      auto worker = std::make_shared<function_worker>(
          ctx, make_pipeline_function(p), cfg.queue_capacity, device,
          [out](const msg::WorkItem& in, std::optional<std::vector<msg::WorkItem>> items) { out->emit(in, items); });
      auto slot_ms = cfg.slot_ms;
      return n.system().spawn([ctx, cfg, worker, out, slot_ms](caf::event_based_actor* self) mutable {
        auto lb = std::make_shared<load_balancer>(self, ctx, cfg, worker, out);
        // Asked to stop, it computes what is queued and hands it on, tells the sink its
        // final figures and books, and only then exits: the run's drain waits for its exit.
        self->set_exit_handler([self, worker, lb](caf::exit_msg& m) {
          worker->stop();
          lb->publish_final();
          self->quit(m.reason);
        });
        self->attach_functor([worker]() mutable { worker.reset(); });
        return function_replica(self, ctx, lb, slot_ms);
      });
    },
    stop_stage::server,
    [](const YAML::Node& p) { return check_device_params(p); },
    {},
    [](const params& p) { return p.get_string("type", p.get_string("function")); },  // neighbours balance together
  };
}

}  // namespace troupe
