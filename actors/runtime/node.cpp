#include "actors/runtime/node.hpp"

#include <future>

#include <caf/all.hpp>

#include "actors/runtime/errors.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/runtime/heap_reuse.hpp"
#include "actors/runtime/thread_nice.hpp"
#include "actors/runtime/kind_registry.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/detail/node_controller.hpp"
#include "actors/runtime/detail/node_core.hpp"
#include "actors/runtime/detail/request_bridge.hpp"

namespace troupe {

uint64_t node_stats::dropped_total() const {
  return dropped_garbage + dropped_wrong_version + dropped_unknown_type + dropped_bad_payload +
         dropped_oversized;
}

namespace {

// Every thread CAF starts runs `nice` nicer than the node's liveness and NATS threads:
// a heartbeat must not wait behind hundreds of busy camera threads (issue 20).
class nicer_threads final : public caf::thread_hook {
 public:
  explicit nicer_threads(int nice) : nice_(nice) {}
  void init(caf::actor_system&) override {}
  void thread_started() override { nicer_this_thread(nice_); }
  void thread_terminates() override {}

 private:
  int nice_;
};

std::unique_ptr<caf::actor_system_config> make_system_config(const node_config& cfg) {
  auto sys_cfg = std::make_unique<caf::actor_system_config>();
  if (cfg.worker_nice > 0)
    sys_cfg->add_thread_hook<nicer_threads>(cfg.worker_nice);
  sys_cfg->set("scheduler.policy", caf::atom_from_string(cfg.scheduler));
  if (cfg.workers > 0)
    sys_cfg->set("scheduler.max-threads", cfg.workers);
  sys_cfg->set("logger.file-verbosity", caf::atom("quiet"));
  sys_cfg->set("logger.console-verbosity", caf::atom("quiet"));
  sys_cfg->add_error_category(caf::atom("troupe"),
                              [](uint8_t code, caf::atom_value, const caf::message& ctx) {
                                return describe(caf::error(code, caf::atom("troupe"), ctx));
                              });
  return sys_cfg;
}

using respawn_atom = caf::atom_constant<caf::atom("respawn")>;

// Respawns an actor (once its backoff has passed), on the node's own scheduler.
caf::behavior supervisor(caf::event_based_actor*, std::function<void(const std::string&)> respawn) {
  return {
    [=](respawn_atom, const std::string& name) { respawn(name); },
  };
}

}  // namespace

node::node(node_config cfg)
    : sys_cfg_(make_system_config(cfg)),
      sys_(std::make_unique<caf::actor_system>(*sys_cfg_)),
      core_(std::make_shared<node_core>(std::move(cfg), *sys_)) {
  log::ensure_setup();  // before any actor or bus thread of ours logs
  keep_freed_blocks_for_reuse();  // letters and payloads: no brk per burst
  core_->start();
  self_ = make_context("node/" + core_->cfg.name);
  core_->bridge = sys_->spawn(request_bridge, std::weak_ptr<node_core>(core_));
  system_actors_.push_back(core_->bridge);
  auto sup = sys_->spawn(supervisor, [this](const std::string& name) { respawn(name); });
  system_actors_.push_back(sup);
  core_->respawn = [sup](const std::string& name, int delay_ms) {
    caf::delayed_anon_send(sup, std::chrono::milliseconds(delay_ms), respawn_atom::value, name);
  };
  auto ctl_name = "node/" + core_->cfg.name;
  if (auto err = reserve(ctl_name))
    throw std::runtime_error(describe(err));
  auto ctl = sys_->spawn(node_controller, make_context(ctl_name), this);
  if (auto err = adopt(ctl_name, "node-controller", ctl))
    throw std::runtime_error(describe(err));
}

node::~node() {
  core_->shutdown(true);
  core_->stop_locals();  // a spawn that raced with the shutdown
  for (auto& a : system_actors_)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  system_actors_.clear();
  self_ = context{};
  sys_.reset();  // waits for every actor to finish
}

void node::crash() {
  core_->shutdown(false);
}

bool node::running() const {
  return core_->running();
}

const std::string& node::name() const {
  return core_->cfg.name;
}

const std::string& node::deployment() const {
  return core_->cfg.deployment;
}

context node::make_context(const std::string& actor_name) {
  return context(core_, actor_name);
}

caf::error node::reserve(const std::string& name) {
  return core_->reserve(name);
}

caf::error node::adopt(const std::string& name, const std::string& kind, const caf::actor& a) {
  try {
    core_->adopt(name, kind, a);
    return {};
  } catch (const std::exception& e) {
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    core_->release(name);
    return make_error(errc::bus_failure, "actor '" + name + "': " + e.what());
  }
}

caf::expected<caf::actor> node::spawn(const std::string& name, const std::string& kind,
                                      const params& p, const restart_spec& restart) {
  if (restart.when != restart_spec::policy::never) {
    core_->supervise(name, restart);  // before it runs: it may end at once
    std::lock_guard<std::mutex> lock(recipes_mtx_);
    recipes_[name] = spawn_recipe{kind, p};
  }
  auto a = try_spawn(name, kind, p);
  if (!a)
    core_->spawn_failed(name, kind, describe(a.error()));
  return a;
}

std::string node::outside_output(const std::string& kind, const params& p) const {
  const auto* spec = core_->cfg.kinds ? core_->cfg.kinds->find(kind) : nullptr;
  if (spec == nullptr)
    return {};  // spawning says what is wrong with an unknown kind
  for (auto& param : spec->parameters) {
    if (param.type != param_type::output || !p.has(param.key))
      continue;
    auto value = p.yaml()[param.key];
    if (!value.IsScalar())  // not a file name at all: spawning says so
      continue;
    if (!inside_folder(value.Scalar(), core_->cfg.output_dir))
      return "parameter '" + param.key + "' names '" + value.Scalar() + "', outside the output folder '" +
             core_->cfg.output_dir + "'";
  }
  return {};
}

void node::respawn(const std::string& name) {
  spawn_recipe r;
  {
    std::lock_guard<std::mutex> lock(recipes_mtx_);
    auto i = recipes_.find(name);
    if (i == recipes_.end())
      return;  // stopped during its backoff
    r = i->second;
  }
  auto a = try_spawn(name, r.kind, r.args);
  if (!a && core_->running())  // one that raced with the node's shutdown is no failure
    core_->spawn_failed(name, r.kind, describe(a.error()));
}

std::vector<std::string> node::restarts() const {
  return core_->restarts();
}

caf::expected<caf::actor> node::try_spawn(const std::string& name, const std::string& kind,
                                          const params& p) {
  const auto* registry = core_->cfg.kinds;
  const kind_spec* spec = registry ? registry->find(kind) : nullptr;
  if (spec == nullptr)
    return make_error(errc::unknown_kind, "no kind '" + kind + "' for actor '" + name + "'");
  auto problems = check_params(*spec, p.yaml());
  if (!problems.empty())
    return make_error(errc::bad_params, "actor '" + name + "': " + problems.front().message);
  if (auto err = reserve(name))
    return err;
  caf::actor a;
  try {
    a = spec->spawn(*this, make_context(name), p);
  } catch (const std::exception& e) {
    core_->release(name);
    return make_error(errc::spawn_failed, "actor '" + name + "' (" + kind + "): " + e.what());
  }
  if (auto err = adopt(name, kind, a))
    return err;
  return a;
}

bool node::stop(const std::string& actor_name) {
  core_->unsupervise(actor_name);
  bool supervised = false;  // and not running: between a crash and its restart, which this cancels
  {
    std::lock_guard<std::mutex> lock(recipes_mtx_);
    supervised = recipes_.erase(actor_name) > 0;
  }
  auto a = core_->local(actor_name);
  if (a)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  return a || supervised;
}

std::vector<std::string> node::local_actors() const {
  return core_->local_names();
}

message_ptr node::copy(const google::protobuf::Message& m) const {
  std::shared_ptr<google::protobuf::Message> out(m.New());
  out->CopyFrom(m);
  return out;
}

caf::error node::send(const std::string& to, const google::protobuf::Message& m) {
  return self_.send(to, copy(m));
}

caf::error node::send(const std::string& to, message_ptr m) {
  return self_.send(to, std::move(m));
}

caf::error node::publish(const std::string& topic, const google::protobuf::Message& m) {
  return self_.publish(topic, copy(m));
}

caf::expected<letter> node::request(const std::string& to, const google::protobuf::Message& m,
                                    std::chrono::milliseconds timeout) {
  if (timeout.count() == 0)
    timeout = core_->cfg.request_timeout;
  auto l = self_.prepare(to, copy(m));
  l.correlation_id = core_->next_correlation_id();
  auto id = l.correlation_id;
  auto done = std::make_shared<std::promise<caf::expected<letter>>>();
  auto result = done->get_future();
  core_->request(std::move(l), [done](caf::expected<letter> r) { done->set_value(std::move(r)); });
  if (result.wait_for(core_->time->to_wall(timeout)) != std::future_status::ready)
    core_->forget(id, make_error(errc::request_timeout,
                                 "no reply from '" + to + "' within " +
                                   std::to_string(timeout.count()) + " ms"));
  return result.get();
}

caf::error node::subscribe(const std::string& topic, const caf::actor& subscriber) {
  return self_.subscribe(topic, subscriber);
}

void node::monitor(const std::string& actor_name, const caf::actor& watcher) {
  core_->monitor(actor_name, watcher);
}

std::optional<std::string> node::host_of(const std::string& actor_name) const {
  if (core_->local(actor_name))
    return core_->cfg.name;
  return core_->dir.host_of(actor_name);
}

std::vector<actor_failure> node::failures() const {
  return core_->failures();
}

std::vector<std::string> node::live_nodes() const {
  return core_->dir.live_nodes();
}

std::map<std::string, std::vector<std::string>> node::actors_by_node() const {
  return core_->dir.actors_by_node();
}

std::vector<std::pair<std::string, std::string>> node::down_nodes() const {
  return core_->dir.down_nodes();
}

bool node::connected() const {
  return core_->bus()->connected();
}

void node::inject(const std::string& name, letter l) {
  core_->inject(name, std::move(l));
}

metrics::registry& node::metrics() const {
  return core_->metrics;
}

node_stats node::stats() const {
  auto& c = core_->counts;
  node_stats s;
  s.sent_local = c.sent_local;
  s.sent_remote = c.sent_remote;
  s.received = c.received;
  s.bytes_sent = c.bytes_sent;
  s.bytes_received = c.bytes_received;
  s.publish_errors = c.publish_errors;
  if (auto* out = core_->bus_outbox()) {
    s.bus_batches = out->batches();
    s.bus_batched_letters = out->batched_letters();
  }
  s.dropped_garbage = c.dropped[static_cast<size_t>(decode_failure::garbage)];
  s.dropped_wrong_version = c.dropped[static_cast<size_t>(decode_failure::wrong_version)];
  s.dropped_unknown_type = c.dropped[static_cast<size_t>(decode_failure::unknown_type)];
  s.dropped_bad_payload = c.dropped[static_cast<size_t>(decode_failure::bad_payload)];
  s.dropped_oversized = c.dropped[static_cast<size_t>(decode_failure::oversized)];
  s.slow_consumer_drops = core_->bus()->slow_consumer_drops() + core_->liveness_bus()->slow_consumer_drops();
  s.nodes_declared_down = c.nodes_declared_down;
  s.nodes_suspected = c.nodes_suspected;
  s.heartbeats_sent = c.heartbeats_sent;
  s.heartbeats_heard = c.heartbeats_heard;
  s.liveness_lag_max_ms = c.liveness_lag_max_ns / 1000000;
  s.undeliverable = c.undeliverable;
  s.unknown_receiver = c.unknown_receiver;
  for (size_t i = 0; i < refusal_kinds; ++i)
    s.refused[i] = c.refused[i];
  s.permission_denied = core_->bus()->permission_denied() + core_->liveness_bus()->permission_denied();
  auto net = core_->network();
  s.uplink_shaped = net.uplink.shaped;
  s.uplink_messages = net.uplink.counts.messages;
  s.uplink_dropped = net.uplink.counts.dropped;
  s.uplink_bytes = net.uplink.counts.bytes;
  s.uplink_backlog_s = net.uplink.backlog_s;
  s.downlink_shaped = net.downlink.shaped;
  s.downlink_messages = net.downlink.counts.messages;
  s.downlink_dropped = net.downlink.counts.dropped;
  s.downlink_bytes = net.downlink.counts.bytes;
  s.downlink_backlog_s = net.downlink.backlog_s;
  s.link_cuts = net.cuts.sends;
  s.link_cut_bytes = net.cuts.bytes;
  return s;
}

}  // namespace troupe
