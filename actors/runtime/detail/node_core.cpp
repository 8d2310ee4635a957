#include "actors/runtime/detail/node_core.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <random>
#include <thread>
#include <tuple>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/errors.hpp"
#include "actors/runtime/kind_registry.hpp"
#include "actors/runtime/bus/announcement_check.hpp"
#include "actors/runtime/bus/announcement_effect.hpp"
#include "actors/runtime/bus/subjects.hpp"
#include "troupe/messages/runtime.pb.h"

namespace troupe {

namespace {

uint64_t random_incarnation() {
  std::random_device rd;
  uint64_t x = (static_cast<uint64_t>(rd()) << 32) | rd();
  return x == 0 ? 1 : x;
}

std::string exit_reason_text(const caf::error& reason) {
  if (!reason)
    return "normal";
  if (reason == caf::exit_reason::user_shutdown)
    return "stopped";
  return "crash: " + describe(reason);
}

}  // namespace

node_core::node_core(node_config config, caf::actor_system& system)
    : cfg(std::move(config)),
      incarnation(random_incarnation()),
      sys(system),
      time(cfg.time ? cfg.time : make_real_clock()),
      dir(cfg.name) {}

node_core::~node_core() {
  {
    std::lock_guard<std::mutex> lock(liveness_mtx_);
    running_ = false;
  }
  liveness_cv_.notify_all();
  if (liveness_.joinable())  // a node whose construction failed after start()
    liveness_.join();
  if (recorder_)
    recorder_->flush();
}

void node_core::start() {
  auto options = cfg.bus;
  if (options.client_name.empty())
    options.client_name = cfg.deployment + "/" + cfg.name;
  bus_ = std::make_unique<bus_connection>(options);
  auto server_max = static_cast<size_t>(bus_->max_payload());
  max_bytes_ = cfg.max_envelope_bytes == 0 ? server_max
                                           : std::min(cfg.max_envelope_bytes, server_max);
  auto coalescing = cfg.outbox;
  coalescing.batch_bytes = std::min(coalescing.batch_bytes, server_max);  // a batch is one NATS message
  // A queued letter was counted as sent when queued; its failure counts here too.
  out_ = std::make_unique<outbox>(*bus_, coalescing, [this](const std::string& why) {
    if (counts.publish_errors++ == 0)
      spdlog::warn("node {}: {} (further failures of queued letters are only counted)", cfg.name, why);
  });
  if (!cfg.trace_file.empty())
    recorder_ = trace_recorder::open(cfg.trace_file, cfg.trace_sample);
  if (!cfg.record_dir.empty())
    inputs_ = std::make_unique<input_log>(cfg.record_dir + "/" + cfg.name + ".inputs");
  if (!cfg.links.empty() || cfg.uplink || cfg.downlink) {
    auto links = std::make_shared<link_shaper>(time, cfg.epoch_unix_ns != 0 ? cfg.epoch_unix_ns : time->now_ns());
    for (auto& [peer, model] : cfg.links)
      links->add(peer, model);
    if (cfg.uplink)
      links->set_uplink(*cfg.uplink);
    if (cfg.downlink)
      links->set_downlink(*cfg.downlink);
    std::atomic_store(&links_, links);
    shaped_ = true;  // before any bus thread of this node runs
  }
  std::weak_ptr<node_core> weak = shared_from_this();
  reply_subject_ = reply_subject(cfg.deployment, cfg.name, incarnation);
  bus_->subscribe(reply_subject_, [weak](const char*, const char* data, int size) {
    if (auto self = weak.lock())
      self->on_reply_subject(data, size);
  });
  auto live = options;
  live.client_name += "/liveness";
  liveness_bus_ = std::make_unique<bus_connection>(live);
  std::vector<std::string> prefixes;  // made once: every announcement passes through the check
  for (auto* what : liveness_announcements)
    prefixes.push_back(sys_subject(cfg.deployment, what, ""));
  auto on_liveness = [prefixes](const char* subject) {
    return std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& prefix) {
      return std::strncmp(subject, prefix.data(), prefix.size()) == 0;
    });
  };
  bus_->subscribe(sys_wildcard(cfg.deployment), [weak, on_liveness](const char* subject, const char* data, int size) {
    if (on_liveness(subject))
      return;  // heard on the liveness connection
    if (auto self = weak.lock())
      self->on_sys_subject(subject, data, size);
  });
  for (auto* what : liveness_announcements)
    liveness_bus_->subscribe(sys_subject(cfg.deployment, what, "*"), [weak](const char* subject, const char* data, int size) {
      if (auto self = weak.lock())
        self->on_sys_subject(subject, data, size);
    });
  watch_connection(*bus_, true);
  watch_connection(*liveness_bus_, false);
  running_ = true;
  own_heard_sent_ns_ = time->now_ns();
  say_hello(true);
  liveness_ = std::thread([this] { liveness_loop(); });
}

// While either connection is down, and for one silence limit after it is back, silence
// is ours, not the others' death. The main connection's return also asks for hellos:
// announcements may have been missed there.
void node_core::watch_connection(bus_connection& bus, bool main) {
  std::weak_ptr<node_core> weak = shared_from_this();
  bus.on_reconnected([weak, main] {
    if (auto self = weak.lock()) {
      spdlog::info("node {}: reconnected to NATS{}", self->cfg.name, main ? "" : " (liveness)");
      auto now = self->time->now_ns();
      self->quiet_until_ns_ = now + self->silence_limit_ns();
      self->dir.forgive(now);
      if (main)
        self->say_hello(true);
    }
  });
  bus.on_disconnected([weak] {
    if (auto self = weak.lock()) {
      self->quiet_until_ns_ = std::numeric_limits<int64_t>::max();
      spdlog::warn("node {}: disconnected from NATS, reconnecting", self->cfg.name);
    }
  });
}

// Heartbeats and silence checks run on a thread of their own: on CAF's scheduler they
// waited behind the actors' work, and an overloaded node looked dead (issue 20). Four
// checks per heartbeat interval, so a silent node is suspected soon after its limit.
void node_core::liveness_loop() {
  constexpr int checks_per_heartbeat = 4;
  auto period = time->to_wall(cfg.heartbeat_interval) / checks_per_heartbeat;
  auto period_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(cfg.heartbeat_interval).count() /
                   checks_per_heartbeat;
  std::unique_lock<std::mutex> lock(liveness_mtx_);
  // The first heartbeat one interval after the hello: sent at once, on the liveness
  // connection, it overtook the hello and every node asked for hellos again.
  auto due = time->now_ns();
  for (uint64_t tick = 1; running_; ++tick) {
    lock.unlock();
    auto now = time->now_ns();
    {
      std::lock_guard<std::mutex> echoes(echo_mtx_);
      echoes_.ran_late(now, due);  // this thread starved: a peer's may have been too
    }
    due = now + period_ns;
    if (tick % checks_per_heartbeat == 0)
      heartbeat();
    check_liveness();
    lock.lock();
    liveness_cv_.wait_for(lock, period, [this] { return !running_; });
  }
}

node_core::network_counts node_core::network() const {
  auto shaper = links();
  return shaper ? network_counts{shaper->uplink(), shaper->downlink(), shaper->cuts()} : network_at_stop_;
}

interface_rates node_core::offered_rates() const {
  auto shaper = links();
  return shaper ? shaper->offered_rates() : interface_rates{};
}

void node_core::shutdown(bool graceful) {
  {
    std::lock_guard<std::mutex> lock(liveness_mtx_);
    if (!running_.exchange(false))
      return;
  }
  liveness_cv_.notify_all();
  if (liveness_.joinable())
    liveness_.join();
  if (liveness_bus_)
    liveness_bus_->close();  // no heartbeat may follow the node's goodbye
  announce_exits_ = graceful;
  stop_locals();
  network_at_stop_ = network();
  // What is still on an emulated link arrives now, once no call holds the shaper (its
  // destructor joins its own thread, so it must not end in a call it delivers).
  if (auto shaper = std::atomic_exchange(&links_, std::shared_ptr<link_shaper>())) {
    for (int i = 0; i < 1000 && shaper.use_count() > 1; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (graceful) {
    // Give exiting actors a moment to announce themselves down.
    for (int i = 0; i < 100 && !local_names().empty(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    auto bye = std::make_shared<msg::NodeDown>();
    bye->set_node(cfg.name);
    bye->set_reason("shutdown");
    announce(bye, "node_down");
    out_->flush(1000);
  }
  std::vector<uint64_t> open;
  {
    std::lock_guard<std::mutex> lock(pending_mtx_);
    for (auto& [id, cb] : pending_)
      open.push_back(id);
  }
  for (auto id : open)
    complete(id, make_error(errc::not_running, "node " + cfg.name + " stopped"));
  if (recorder_)
    recorder_->flush();
  {
    std::lock_guard<std::mutex> roster(roster_mtx_);
    bus_open_ = false;
  }
  out_->close();
  bus_->close();
}

void node_core::stop_locals() {
  std::vector<caf::actor> actors;
  {
    std::lock_guard<std::mutex> lock(mtx_);
    for (auto& [name, a] : locals_)
      if (a.handle)
        actors.push_back(a.handle);
  }
  for (auto& a : actors)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

// -- messaging ------------------------------------------------------------------

letter node_core::make_letter(const std::string& sender, message_ptr body, const letter* cause,
                              std::atomic<uint64_t>& sequence) const {
  letter l;
  l.type = body->GetTypeName();
  l.sender = sender;
  l.sender_node = cfg.name;
  l.trace = cause != nullptr && cause->trace.valid() ? cause->trace.child() : trace_context::root();
  l.send_time_ns = time->now_ns();
  l.sequence = ++sequence;
  l.body = std::move(body);
  return l;
}

caf::error node_core::dispatch(letter l) {
  if (!running_)
    return make_error(errc::not_running, "node " + cfg.name + " stopped");
  if (!l.topic.empty())
    return publish_letter(topic_subject(cfg.deployment, l.topic), l, std::string());
  if (auto a = local(l.receiver)) {
    ++counts.sent_local;
    if (cfg.flow_metrics)
      flows_.count(l.sender, l.receiver, 0);
    record(trace_event::send, l, 0);
    record(trace_event::recv, l, 0);
    if (inputs_)
      inputs_->received(l.receiver, l, time->now_ns());
    caf::anon_send(a, std::move(l));
    return {};
  }
  // The receiving node only matters to an emulated link; else that it is known.
  auto host = shaped_ ? dir.host_of(l.receiver) : dir.knows(l.receiver) ? std::optional<std::string>("") : std::nullopt;
  if (!host && l.reply_subject.empty()) {
    // NATS would drop it without a word: refuse and count instead. (Requests wait for
    // the receiver until their timeout.)
    ++counts.unknown_receiver;
    return make_error(errc::no_such_actor, "no actor '" + l.receiver + "' is known in deployment '" +
                                             cfg.deployment + "'");
  }
  return publish_letter(actor_subject(cfg.deployment, l.receiver), l, host);
}

caf::error node_core::publish_letter(const std::string& subject, const letter& l,
                                     const std::optional<std::string>& peer, bus_connection* via) {
  thread_local std::string bytes;
  encode_envelope(l, bytes);
  if (bytes.size() > max_bytes_) {
    ++counts.publish_errors;
    return make_error(errc::payload_too_large,
                      "envelope of " + std::to_string(bytes.size()) + " bytes (" + l.type +
                        " from '" + l.sender + "' to '" + subject + "') exceeds the limit of " +
                        std::to_string(max_bytes_) + " bytes");
  }
  auto shaper = links();
  if (shaper && peer && shaper->shapes(*peer)) {
    auto sent = shaper->send(
        *peer, bytes.size(),
        [this, subject, copy = bytes] {
          if (!out_->publish(subject, copy).empty())
            ++counts.publish_errors;
        },
        l.deadline_ns);
    if (sent == link_shaper::outcome::dropped)
      return make_error(errc::link_dropped, "node " + cfg.name + "'s uplink dropped " + l.type + " from '" + l.sender +
                                              "' (" + std::to_string(bytes.size()) + " bytes beyond its queue bound)");
    if (sent == link_shaper::outcome::cut)
      return make_error(errc::link_cut, l.type + " from '" + l.sender + "' to node " + *peer + " (" +
                                          std::to_string(bytes.size()) + " bytes) cut: it would arrive after its deadline");
  } else if (auto failure = via != nullptr ? via->publish(subject, bytes) : out_->publish(subject, bytes);
             !failure.empty()) {
    ++counts.publish_errors;
    return make_error(errc::bus_failure, failure);
  }
  ++counts.sent_remote;
  counts.bytes_sent += bytes.size();
  if (cfg.flow_metrics)
    flows_.count(l.sender, l.topic.empty() ? l.receiver : "topic:" + l.topic, bytes.size());
  record(trace_event::send, l, bytes.size());
  return {};
}

void node_core::request(letter l, reply_callback cb) {
  auto id = l.correlation_id;
  {
    std::lock_guard<std::mutex> lock(pending_mtx_);
    pending_.emplace(id, std::move(cb));
  }
  l.reply_subject = reply_subject_;  // reply() completes locally when it is ours
  if (auto err = dispatch(std::move(l)))
    complete(id, err);
}

caf::error node_core::reply(const letter& request, const std::string& sender,
                            message_ptr body, std::atomic<uint64_t>& sequence) {
  auto r = make_letter(sender, std::move(body), &request, sequence);
  r.receiver = request.sender;
  r.correlation_id = request.correlation_id;
  if (request.reply_subject != reply_subject_)
    return publish_letter(request.reply_subject, r, request.sender_node);
  ++counts.sent_local;
  record(trace_event::send, r, 0);
  complete(r.correlation_id, std::move(r));
  return {};
}

void node_core::forget(uint64_t correlation_id, caf::error why) {
  complete(correlation_id, std::move(why));
}

void node_core::complete(uint64_t correlation_id, caf::expected<letter> result) {
  reply_callback cb;
  {
    std::lock_guard<std::mutex> lock(pending_mtx_);
    auto i = pending_.find(correlation_id);
    if (i == pending_.end())
      return;  // expired or answered twice
    cb = std::move(i->second);
    pending_.erase(i);
  }
  if (result) {
    if (auto e = result->as<msg::Error>()) {
      auto code = e->code() == msg::Error::NO_SUCH_ACTOR ? errc::no_such_actor : errc::remote_error;
      result = make_error(code, e->message());
    }
  }
  cb(std::move(result));
}

std::optional<letter> node_core::decode(const char* data, int size) {
  auto result = decode_envelope(data, static_cast<size_t>(size), max_bytes_);
  if (auto* l = std::get_if<letter>(&result)) {
    ++counts.received;
    counts.bytes_received += size;
    record(trace_event::recv, *l, size);
    return std::move(*l);
  }
  dropped(std::get<decode_failure>(result), size);
  return std::nullopt;
}

template <class Each>
void node_core::decode_each(const char* data, int size, Each each) {
  bool whole = for_each_envelope(data, size_t(size), [&](const char* envelope, size_t n) {
    if (auto l = decode(envelope, int(n)))
      each(std::move(*l), int(n));
  });
  if (!whole)
    dropped(decode_failure::garbage, size);
}

void node_core::dropped(decode_failure kind, int size) {
  auto index = static_cast<size_t>(kind);
  ++counts.dropped[index];
  std::lock_guard<std::mutex> lock(warned_mtx_);
  if (!warned_[index]) {
    warned_[index] = true;
    spdlog::warn("node {}: dropped a message of {} bytes: {} (further drops of this kind "
                 "are only counted)", cfg.name, size, to_string(kind));
  }
}

// What comes from another node crosses this node's downlink first, when it has one
// (what the downlink drops is counted there), after what the batch holds; the rest is
// held in the batch.
template <class Deliver>
void node_core::arrived(letter l, int size, detail::arrival_batch& batch, Deliver deliver) {
  auto shaper = links();
  if (shaper && l.sender_node != cfg.name && shaper->shapes_arrivals()) {
    batch.hand_on(deliver);
    auto held = std::make_shared<letter>(std::move(l));
    shaper->arrive(size_t(size), [held, deliver] { deliver(held.get(), 1, nullptr); });
  } else if (batch.hold(std::move(l))) {
    batch.hand_on(deliver);
  }
}

// An actor's or a topic's subscription: letters decoded on its delivery thread, held in
// its batch while more are queued behind them, and handed on to `deliver`.
template <class Deliver>
uint64_t node_core::subscribe_arrivals(const std::string& subject, Deliver deliver) {
  std::weak_ptr<node_core> weak = shared_from_this();
  auto batch = std::make_shared<detail::arrival_batch>(sys, cfg.worker_nice);
  auto hand_to = [weak, deliver](letter* first, size_t n, detail::delivery_unit* unit) {
    if (auto self = weak.lock())
      deliver(*self, first, n, unit);
  };
  return bus_->subscribe(
      subject,
      [weak, batch, hand_to](const char*, const char* data, int size) {
        if (auto self = weak.lock())
          self->decode_each(data, size, [&](letter l, int bytes) { self->arrived(std::move(l), bytes, *batch, hand_to); });
      },
      [batch, hand_to] { batch->hand_on(hand_to); });
}

void node_core::deliver_to_actor(const std::string& name, letter* first, size_t n, detail::delivery_unit* unit) {
  caf::actor to;
  const type_list* accepts = nullptr;
  {
    std::lock_guard<std::mutex> lock(mtx_);
    if (auto i = locals_.find(name); i != locals_.end()) {
      to = i->second.handle;
      accepts = i->second.accepts;
    }
  }
  for (auto* l = first; l != first + n; ++l) {
    if (to && admits(accepts, l->type)) {
      if (inputs_)
        inputs_->received(name, *l, time->now_ns());
      if (unit != nullptr)
        unit->enqueue(to, std::move(*l));
      else
        caf::anon_send(to, std::move(*l));
      continue;
    }
    if (to)
      refuse(refusal::unhandled_type, *l, "for " + name);
    else
      ++counts.undeliverable;
    if (l->is_request()) {
      auto e = std::make_shared<msg::Error>();
      e->set_code(to ? msg::Error::BAD_REQUEST : msg::Error::NO_SUCH_ACTOR);
      e->set_message(to ? "actor '" + name + "' does not handle " + l->type
                        : "no actor '" + name + "' on node " + cfg.name);
      reply(*l, "node/" + cfg.name, e, sys_sequence_);
    }
  }
}

bool node_core::admits(const type_list* accepts, const std::string& type) {
  return accepts == nullptr || std::find(accepts->begin(), accepts->end(), type) != accepts->end();
}

void node_core::deliver_to_topic(const std::string& topic, const letter* first, size_t n,
                                 detail::delivery_unit* unit) {
  std::vector<subscriber> subscribers;
  {
    std::lock_guard<std::mutex> lock(mtx_);
    auto i = topics_.find(topic);
    if (i != topics_.end())
      subscribers = i->second.subscribers;
  }
  for (auto* l = first; l != first + n; ++l)
    for (auto& s : subscribers) {
      if (admits(s.accepts, l->type)) {
        if (inputs_ && !s.name.empty())
          inputs_->received(s.name, *l, time->now_ns());
        if (unit != nullptr)
          unit->enqueue(s.handle, *l);
        else
          caf::anon_send(s.handle, *l);
      } else
        refuse(refusal::unhandled_type, *l, "on topic " + topic);
    }
}

void node_core::on_reply_subject(const char* data, int size) {
  decode_each(data, size, [&](letter l, int) { complete(l.correlation_id, std::move(l)); });
}

// A send is timed by the stamp its letter got when it was made here (a clock read less
// per letter: a traced flood pays for every one); a delivery by the clock.
void node_core::record(trace_event event, const letter& l, size_t bytes) {
  if (recorder_)
    recorder_->record(event, cfg.name, l, bytes, event == trace_event::send ? l.send_time_ns : time->now_ns());
}

// -- names ------------------------------------------------------------------------

caf::error node_core::reserve(const std::string& name) {
  if (!running_)
    return make_error(errc::not_running, "node " + cfg.name + " stopped; '" + name + "' not spawned");
  if (!is_valid_name(name))
    return make_error(errc::bad_params, "invalid actor name '" + name +
                                          "' (letters, digits and -_/:@ only)");
  if (auto host = dir.host_of(name))
    return make_error(errc::name_taken, "actor '" + name + "' already runs on node " + *host);
  std::lock_guard<std::mutex> lock(mtx_);
  if (!locals_.emplace(name, local_actor{}).second)
    return make_error(errc::name_taken, "actor '" + name + "' already runs on node " + cfg.name);
  return {};
}

void node_core::release(const std::string& name) {
  std::lock_guard<std::mutex> lock(mtx_);
  locals_.erase(name);
}

void node_core::adopt(const std::string& name, const std::string& kind, caf::actor a) {
  {
    // The handle goes in first: letters arriving once the subscription is live find it.
    std::lock_guard<std::mutex> lock(mtx_);
    const kind_spec* spec = cfg.kinds != nullptr ? cfg.kinds->find(kind) : nullptr;
    locals_[name] = local_actor{a, kind, 0, spec != nullptr && spec->accepts ? &*spec->accepts : nullptr};
  }
  auto sub = subscribe_arrivals(actor_subject(cfg.deployment, name),
                                [name](node_core& self, letter* first, size_t n, detail::delivery_unit* unit) {
                                  self.deliver_to_actor(name, first, n, unit);
                                });
  {
    std::lock_guard<std::mutex> lock(mtx_);
    auto i = locals_.find(name);
    if (i == locals_.end() || i->second.handle != a) {
      bus_->unsubscribe(sub);  // it exited while we subscribed
      return;
    }
    i->second.subscription = sub;
  }
  auto up = std::make_shared<msg::ActorUp>();
  up->set_actor(name);
  up->set_node(cfg.name);
  up->set_kind(kind);
  {
    std::lock_guard<std::mutex> roster(roster_mtx_);
    announce(up, "actor_up");
  }
  std::weak_ptr<node_core> weak = shared_from_this();
  a->attach_functor([weak, name](const caf::error& reason) {
    if (auto self = weak.lock())
      self->local_exit(name, reason);
  });
}

void node_core::local_exit(const std::string& name, const caf::error& reason) {
  uint64_t sub = 0;
  {
    std::lock_guard<std::mutex> lock(mtx_);
    auto i = locals_.find(name);
    if (i == locals_.end())
      return;
    sub = i->second.subscription;
    auto gone = i->second.handle;
    locals_.erase(i);
    for (auto& [topic, t] : topics_)
      t.subscribers.erase(std::remove_if(t.subscribers.begin(), t.subscribers.end(),
                                         [&](const subscriber& s) { return s.handle == gone; }),
                          t.subscribers.end());
    for (auto& [watched, list] : watchers_)
      list.erase(std::remove(list.begin(), list.end(), gone), list.end());
  }
  if (sub != 0)
    bus_->unsubscribe(sub);
  if (!announce_exits_)
    return;  // a crashed node says nothing: the others find out by its silence
  auto why = exit_reason_text(reason);
  std::optional<int> restart_in_ms;
  if (running_ && reason != caf::exit_reason::user_shutdown)
    std::tie(why, restart_in_ms) = supervised_exit(name, why);
  actor_loss loss{name, cfg.name, why};
  if (is_crash(loss.reason))
    record_failure({name, cfg.name, "", loss.reason});
  auto down = std::make_shared<msg::ActorDown>();
  down->set_actor(name);
  down->set_node(cfg.name);
  down->set_reason(loss.reason);
  {
    std::lock_guard<std::mutex> roster(roster_mtx_);
    if (bus_open_)
      announce(down, "actor_down");
  }
  tell_watchers(loss);
  // Only now: the new actor's up must follow the old one's down, and its watchers
  // must not be told of the old one's end.
  if (restart_in_ms && respawn)
    respawn(name, *restart_in_ms);
}

void node_core::supervise(const std::string& name, const restart_spec& spec) {
  std::lock_guard<std::mutex> lock(supervision_mtx_);
  supervised_.try_emplace(name, spec);
}

void node_core::unsupervise(const std::string& name) {
  std::lock_guard<std::mutex> lock(supervision_mtx_);
  supervised_.erase(name);
}

std::pair<std::string, std::optional<int>> node_core::supervised_exit(const std::string& name,
                                                                      const std::string& reason) {
  using A = restart_tracker::decision::action;
  restart_tracker::decision d;
  {
    std::lock_guard<std::mutex> lock(supervision_mtx_);
    auto i = supervised_.find(name);
    if (i == supervised_.end())
      return {reason, std::nullopt};
    d = i->second.on_end(is_crash(reason), time->now_ns() / 1e9);
    if (d.what == A::restart)
      restarts_.push_back(fmt::format("actor {} on node {}: {} after {}", name, cfg.name, d.why, reason));
    else
      supervised_.erase(i);  // a later actor of this name starts with a fresh policy
  }
  if (d.what == A::leave)
    return {reason, std::nullopt};
  if (d.what == A::give_up)
    return {reason + " (" + d.why + ")", std::nullopt};
  spdlog::warn("node {}: actor {} ended ({}): {} in {} ms", cfg.name, name, reason, d.why, d.delay_ms);
  return {"restarting after " + reason, d.delay_ms};  // not a crash of the run: its policy handled it
}

std::vector<std::string> node_core::restarts() const {
  std::lock_guard<std::mutex> lock(supervision_mtx_);
  return restarts_;
}

caf::actor node_core::local(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mtx_);
  auto i = locals_.find(name);
  return i == locals_.end() ? caf::actor{} : i->second.handle;
}

std::vector<std::string> node_core::local_names() const {
  std::lock_guard<std::mutex> lock(mtx_);
  std::vector<std::string> out;
  for (auto& [name, a] : locals_)
    if (a.handle)
      out.push_back(name);
  return out;
}

caf::error node_core::subscribe(const std::string& topic, caf::actor actor) {
  // Subscribing waits for the server; mtx_ guards every send, so it is not held then.
  std::lock_guard<std::mutex> creating(topic_creation_mtx_);
  {
    std::lock_guard<std::mutex> lock(mtx_);
    auto local = std::find_if(locals_.begin(), locals_.end(), [&](auto& kv) { return kv.second.handle == actor; });
    auto& t = topics_[topic];
    if (local == locals_.end())
      t.subscribers.push_back({actor, nullptr, {}});
    else
      t.subscribers.push_back({actor, local->second.accepts, local->first});
    if (t.subscription != 0)
      return {};
  }
  try {
    auto id = subscribe_arrivals(topic_subject(cfg.deployment, topic),
                                 [topic](node_core& self, letter* first, size_t n, detail::delivery_unit* unit) {
                                   self.deliver_to_topic(topic, first, n, unit);
                                 });
    std::lock_guard<std::mutex> lock(mtx_);
    topics_[topic].subscription = id;
    return {};
  } catch (const std::exception& e) {
    std::lock_guard<std::mutex> lock(mtx_);
    topics_.erase(topic);
    return make_error(errc::bus_failure, e.what());
  }
}

void node_core::monitor(const std::string& actor, caf::actor watcher) {
  {
    std::lock_guard<std::mutex> lock(mtx_);
    if (locals_.count(actor) != 0 || dir.host_of(actor)) {
      watchers_[actor].push_back(std::move(watcher));
      return;
    }
  }
  // Like CAF's monitor on a dead actor: the down notification comes at once.
  caf::anon_send(watcher, down_letter({actor, "", "unknown actor"}));
}

letter node_core::down_letter(const actor_loss& loss) const {
  auto down = std::make_shared<msg::ActorDown>();
  down->set_actor(loss.actor);
  down->set_node(loss.node);
  down->set_reason(loss.reason);
  letter l;
  l.type = down->GetTypeName();
  l.sender = loss.actor;
  l.sender_node = loss.node;
  l.send_time_ns = time->now_ns();
  l.trace = trace_context::root();
  l.body = down;
  return l;
}

void node_core::tell_watchers(const actor_loss& loss) {
  std::vector<caf::actor> watchers;
  {
    std::lock_guard<std::mutex> lock(mtx_);
    auto i = watchers_.find(loss.actor);
    if (i == watchers_.end())
      return;
    watchers.swap(i->second);
    watchers_.erase(i);
  }
  auto l = down_letter(loss);
  for (auto& w : watchers)
    caf::anon_send(w, l);
}

// -- membership and liveness ------------------------------------------------------

void node_core::announce(message_ptr body, const std::string& what) {
  auto l = make_letter("node/" + cfg.name, std::move(body), nullptr, sys_sequence_);
  l.topic = "sys." + what;
  bool live = std::find(std::begin(liveness_announcements), std::end(liveness_announcements), what) !=
              std::end(liveness_announcements);
  auto* via = live ? liveness_bus_.get() : nullptr;
  if (auto err = publish_letter(sys_subject(cfg.deployment, what, cfg.name), l, std::nullopt, via))
    spdlog::warn("node {}: cannot announce {}: {}", cfg.name, what, describe(err));
}

void node_core::say_hello(bool want_reply) {
  auto hello = std::make_shared<msg::NodeHello>();
  hello->set_node(cfg.name);
  hello->set_incarnation(incarnation);
  std::lock_guard<std::mutex> roster(roster_mtx_);
  for (auto& name : local_names())
    hello->add_actors(name);
  hello->set_want_reply(want_reply);
  announce(hello, "hello");
}

void node_core::heartbeat() {
  auto hb = std::make_shared<msg::NodeHeartbeat>();
  hb->set_node(cfg.name);
  hb->set_incarnation(incarnation);
  hb->set_actor_count(static_cast<uint32_t>(local_names().size()));
  announce(hb, "heartbeat");
  ++counts.heartbeats_sent;
}

int64_t node_core::silence_limit_ns() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(cfg.heartbeat_interval *
                                                              cfg.heartbeat_misses).count();
}

void node_core::check_liveness() {
  auto now = time->now_ns();
  // While disconnected, and for one silence limit after reconnecting, the silence
  // was ours, not the others' death.
  if (!running_ || !bus_->connected() || !liveness_bus_->connected() || now < quiet_until_ns_)
    return;
  auto timeout = silence_limit_ns();
  auto suspicion = std::chrono::duration_cast<std::chrono::nanoseconds>(cfg.suspicion).count();
  auto reason = "no heartbeat for " + std::to_string((timeout + suspicion) / 1000000) + " ms";
  auto interval = std::chrono::duration_cast<std::chrono::nanoseconds>(cfg.heartbeat_interval).count();
  int64_t delay = 0;
  {
    std::lock_guard<std::mutex> lock(echo_mtx_);
    delay = echoes_.recent_max(now);
  }
  auto horizon = silence_horizon(now, own_heard_sent_ns_, interval, delay);
  if (now - horizon > counts.liveness_lag_max_ns)
    counts.liveness_lag_max_ns = now - horizon;  // one writer: the liveness thread
  auto silent = dir.expire(horizon, timeout, suspicion, reason);
  if (!silent.suspected.empty()) {
    // A probe: every node answers a hello that wants replies from its bus thread, which
    // an overloaded node's work does not hold up.
    counts.nodes_suspected += silent.suspected.size();
    for (auto& name : silent.suspected)
      spdlog::info("node {}: node {} silent for {} ms, suspected: probing", cfg.name, name, timeout / 1000000);
    say_hello(true);
  }
  for (auto& [name, losses] : silent.down) {
    ++counts.nodes_declared_down;
    spdlog::warn("node {}: node {} declared down ({}), {} actors lost", cfg.name, name, reason,
                 losses.size());
    auto down = std::make_shared<msg::NodeDown>();
    down->set_node(name);
    down->set_reason(reason);
    announce(down, "node_down");
    for (auto& loss : losses)
      tell_watchers(loss);
  }
}

void node_core::on_sys_subject(const char* subject, const char* data, int size) {
  decode_each(data, size, [&](letter l, int) { on_announcement(subject, std::move(l)); });
}

void node_core::on_announcement(const char* subject, const letter& l) {
  if (l.sender_node == cfg.name) {
    auto* own = l.as<msg::NodeHeartbeat>();
    if (own && own->incarnation() == incarnation && sys_publisher(cfg.deployment, subject) == cfg.name) {
      own_heard_sent_ns_ = std::max(own_heard_sent_ns_.load(), l.send_time_ns);
      std::lock_guard<std::mutex> lock(echo_mtx_);
      echoes_.heard(time->now_ns(), l.send_time_ns);
    }
    return;
  }
  auto now = time->now_ns();
  auto publisher = sys_publisher(cfg.deployment, subject);
  auto suspicion = std::chrono::duration_cast<std::chrono::nanoseconds>(2 * cfg.heartbeat_interval).count();
  if (auto why = check_announcement(l, publisher, dir, now, suspicion)) {
    refuse(*why, l, "on " + std::string(subject));
    return;
  }
  if (l.as<msg::NodeHeartbeat>())
    ++counts.heartbeats_heard;
  auto effect = apply_announcement(l, dir, cfg.name, now);
  if (effect.failure)
    record_failure(std::move(*effect.failure));
  for (auto& loss : effect.losses)
    tell_watchers(loss);
  if (effect.say != announcement_effect::hello::none)
    say_hello(effect.say == announcement_effect::hello::ask);
}

void node_core::refuse(refusal why, const letter& l, const std::string& detail) {
  auto index = static_cast<size_t>(why);
  ++counts.refused[index];
  std::lock_guard<std::mutex> lock(warned_mtx_);
  if (!warned_refusal_[index]) {
    warned_refusal_[index] = true;
    spdlog::warn("node {}: refused {} from '{}' (node {}) {}: {} (further refusals of this kind are only counted)",
                 cfg.name, l.type, l.sender, l.sender_node, detail, to_string(why));
  }
}

bool node_core::may_control(const std::string& node) const {
  return cfg.controllers.empty() ||
         std::find(cfg.controllers.begin(), cfg.controllers.end(), node) != cfg.controllers.end();
}

void node_core::spawn_failed(const std::string& actor, const std::string& kind, const std::string& reason) {
  record_failure({actor, cfg.name, kind, "spawn: " + reason});
  auto failed = std::make_shared<msg::ActorFailed>();
  failed->set_actor(actor);
  failed->set_node(cfg.name);
  failed->set_kind(kind);
  failed->set_reason("spawn: " + reason);
  announce(failed, "actor_failed");
}

void node_core::record_failure(actor_failure f) {
  std::lock_guard<std::mutex> lock(failures_mtx_);
  failures_.push_back(std::move(f));
}

std::vector<actor_failure> node_core::failures() const {
  std::lock_guard<std::mutex> lock(failures_mtx_);
  return failures_;
}

}  // namespace troupe
