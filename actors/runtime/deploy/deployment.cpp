#include "actors/runtime/deploy/deployment.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "actors/runtime/emulation/clock.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/kind_registry.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/deploy/die_with_parent.hpp"
#include "actors/runtime/deploy/nats_server.hpp"
#include "actors/runtime/metrics/endpoint.hpp"
#include "actors/runtime/metrics/node_metrics.hpp"
#include "actors/runtime/node.hpp"
#include "troupe/messages/runtime.pb.h"

namespace troupe {

namespace {

std::atomic<bool> stop_flag{false};

void on_stop_signal(int) {
  stop_flag = true;
}

using steady = std::chrono::steady_clock;

double seconds_since(steady::time_point start) {
  return std::chrono::duration<double>(steady::now() - start).count();
}

link_model model_of(const link_spec& l) {
  if (!l.bandwidth_trace.empty())
    return link_model(load_bandwidth_trace(l.bandwidth_trace), l.latency_ms, l.trace_offset_s);
  double mbps = l.bandwidth_mbps > 0 ? l.bandwidth_mbps : std::numeric_limits<double>::infinity();  // latency only
  return link_model(mbps, l.latency_ms);
}

std::optional<token_bucket> shaped(const std::optional<interface_spec>& i) {
  if (!i)
    return std::nullopt;
  return token_bucket(i->tbf,
                      i->bandwidth_trace.empty() ? std::vector<bandwidth_sample>{} : load_bandwidth_trace(i->bandwidth_trace),
                      i->trace_offset_s);
}

// A shaped interface's line: what went through, what its queue bound dropped.
void print_interface(const std::string& node, const char* which, uint64_t messages, double bytes, uint64_t dropped) {
  auto line = fmt::format("node {} {}: {} messages ({:.2f} MB) through, {} dropped at its queue bound", node, which,
                          messages, bytes / 1e6, dropped);
  if (dropped > 0)
    spdlog::warn("{}", line);
  else
    spdlog::info("{}", line);
}

// "refused 3 (forged sender 2, not a controller 1)", or "refused 0".
std::string refusals(const node_stats& s) {
  uint64_t total = 0;
  std::string causes;
  for (size_t i = 0; i < refusal_kinds; ++i) {
    if (s.refused[i] == 0)
      continue;
    total += s.refused[i];
    causes += fmt::format("{}{} {}", causes.empty() ? "" : ", ", to_string(static_cast<refusal>(i)), s.refused[i]);
  }
  return fmt::format("refused {}{}", total, causes.empty() ? "" : " (" + causes + ")");
}

std::string denied_problem(const std::string& node, int64_t denied) {
  return "node " + node + ": " + std::to_string(denied) +
         " publishes or subscriptions denied by the server's permissions (lost; the first is logged)";
}

void print_stats(const node& n) {
  for (auto& r : n.restarts())
    log::result(r);
  auto s = n.stats();
  if (s.uplink_shaped)
    print_interface(n.name(), "uplink", s.uplink_messages, s.uplink_bytes, s.uplink_dropped);
  if (s.downlink_shaped)
    print_interface(n.name(), "downlink", s.downlink_messages, s.downlink_bytes, s.downlink_dropped);
  if (s.link_cuts > 0)
    spdlog::warn("node {}: {} sends ({:.2f} MB) cut at their deadline on its links", n.name(), s.link_cuts,
                 s.link_cut_bytes / 1e6);
  spdlog::info("node {}: sent {} local + {} remote ({:.2f} MB), received {} ({:.2f} MB), "
               "dropped {} (garbage {}, wrong version {}, unknown type {}, bad payload {}, "
               "oversized {}, for exited actors {}), {}, denied by the server's permissions {}, to unknown actors {}, "
               "slow-consumer drops {}, publish errors {}, nodes suspected {}, nodes declared down {}, "
               "own heartbeats late by up to {} ms",
               n.name(), s.sent_local, s.sent_remote, s.bytes_sent / 1e6, s.received, s.bytes_received / 1e6,
               s.dropped_total() + s.undeliverable, s.dropped_garbage, s.dropped_wrong_version, s.dropped_unknown_type,
               s.dropped_bad_payload, s.dropped_oversized, s.undeliverable, refusals(s), s.permission_denied,
               s.unknown_receiver,
               s.slow_consumer_drops, s.publish_errors, s.nodes_suspected, s.nodes_declared_down,
               s.liveness_lag_max_ms);
}

using node_counts = std::vector<std::pair<std::string, node_stats>>;

// A node's end: its line printed, its counters kept, and what went wrong on the node
// itself (messages the server's permissions refused) added to `problems`.
void finish(const node& n, node_counts& counts, std::vector<std::string>& problems) {
  print_stats(n);
  auto s = n.stats();
  counts.emplace_back(n.name(), s);
  if (s.permission_denied > 0)
    problems.push_back(denied_problem(n.name(), s.permission_denied));
}

void spawn_actors(node& n, const topology& topo) {
  for (auto& a : topo.actors_on(n.name())) {
    auto result = n.spawn(a.name, a.kind, a.args, a.restart);
    if (!result)
      spdlog::error("{}:{}:{}: {}", topo.file, a.pos.line, a.pos.column, describe(result.error()));
  }
}

// Where each identity's secret comes from in this run: made for the embedded server
// (and written to a private folder when child processes need them), or the files of
// `troupe credentials` for a server of one's own. None: the topology's shared ones.
class run_identities {
 public:
  run_identities() = default;
  explicit run_identities(deployment_credentials made) : made_(std::move(made)) {}
  explicit run_identities(std::string dir) : dir_(std::move(dir)) {}
  ~run_identities() {
    for (auto& f : written_)
      ::unlink(f.c_str());
    if (!written_.empty())
      ::rmdir(dir_.c_str());
  }
  run_identities(const run_identities&) = delete;
  run_identities& operator=(const run_identities&) = delete;

  bool any() const { return made_ || !dir_.empty(); }
  const deployment_credentials* made() const { return made_ ? &*made_ : nullptr; }
  std::optional<credential> of(const std::string& identity) const {
    if (made_) {
      auto* c = made_->find(identity);
      return c ? std::optional<credential>(*c) : std::nullopt;
    }
    if (dir_.empty())
      return std::nullopt;
    return read_credential(credential_file(dir_, identity));
  }
  // A file for a child process; made ones are written (0600, private folder) first.
  std::string file_of(const std::string& identity) {
    if (made_ && dir_.empty()) {
      char dir[] = "/tmp/troupe-run-XXXXXX";
      if (::mkdtemp(dir) == nullptr)
        throw std::runtime_error("cannot make a private folder for the nodes' credentials");
      dir_ = dir;
      written_ = write_credentials(*made_, dir_);
    }
    return dir_.empty() ? std::string() : credential_file(dir_, identity);
  }

 private:
  std::optional<deployment_credentials> made_;
  std::string dir_;
  std::vector<std::string> written_;
};

// Node i of the topology serves its metrics on base + 1 + i when it runs a process of
// its own (the run's own process on base); 0: none.
int node_metrics_port(const topology& topo, const std::string& node_name, int base) {
  if (base <= 0)
    return 0;
  for (size_t i = 0; i < topo.nodes.size(); ++i)
    if (topo.nodes[i].name == node_name)
      return base + 1 + int(i);
  return 0;
}

// Serves the roster's metrics on `port` (0: none); the address is the topology's.
std::unique_ptr<metrics::endpoint> serve_metrics(const topology& topo, int port, const metrics::node_roster& roster,
                                                 const std::string& what) {
  if (port <= 0)
    return nullptr;
  auto e = std::make_unique<metrics::endpoint>(topo.runtime.metrics_address, port, [&roster] { return roster.scrape(); });
  spdlog::info("metrics of {}: {}", what, e->url());
  return e;
}

// `troupe replay DIR` reads the run's topology beside its inputs.
void keep_topology_for_replay(const topology& topo) {
  std::error_code ec;
  std::filesystem::create_directories(topo.runtime.record_dir, ec);
  std::filesystem::copy_file(topo.file, topo.runtime.record_dir + "/topology.yaml",
                             std::filesystem::copy_options::overwrite_existing, ec);
  if (ec)
    throw std::runtime_error("record: cannot keep " + topo.file + " in " + topo.runtime.record_dir + ": " + ec.message());
  spdlog::info("recording every actor's inputs in {} (troupe replay {} --only NAME)", topo.runtime.record_dir,
               topo.runtime.record_dir);
}

// Where the nodes run: in this process, or as child processes.
class node_host {
 public:
  virtual ~node_host() = default;
  virtual void start(const std::string& name) = 0;
  virtual void kill(const std::string& name) = 0;
  // Stops every node; returns what went wrong on the nodes themselves. Nodes in this
  // process leave their counters in `stats`.
  virtual std::vector<std::string> stop_all(node_counts& stats) = 0;
  // Called often while the run goes on: notices nodes that ended and restarts them as
  // their policy says. t_s: seconds since the run began.
  virtual void supervise(double /*t_s*/) {}
  // One line per restart, for the report.
  virtual std::vector<std::string> restarts() const { return {}; }
  // Whether a node waits for its restart (the run is not over while one does).
  virtual bool restarting() const { return false; }
};

class in_process_host final : public node_host {
 public:
  in_process_host(const topology& topo, std::string url, int64_t epoch, const kind_registry& kinds,
                  const run_identities& ids, metrics::node_roster& served)
      : topo_(topo), url_(std::move(url)), epoch_(epoch), kinds_(kinds), ids_(ids), served_(served) {}
  ~in_process_host() override {
    for (auto& [name, n] : nodes_)
      served_.remove(*n);
  }

  void start(const std::string& name) override {
    auto who = ids_.of(name);
    auto n = std::make_unique<node>(node_config_for(topo_, name, url_, epoch_, kinds_, who ? &*who : nullptr));
    spawn_actors(*n, topo_);
    served_.add(*n);
    nodes_[name] = std::move(n);
  }
  void kill(const std::string& name) override {
    auto i = nodes_.find(name);
    if (i == nodes_.end())
      return;
    served_.remove(*i->second);
    i->second->crash();
    nodes_.erase(i);
  }
  std::vector<std::string> stop_all(node_counts& stats) override {
    std::vector<std::string> problems;
    for (auto& [name, n] : nodes_) {
      finish(*n, stats, problems);
      served_.remove(*n);
    }
    nodes_.clear();
    return problems;
  }

 private:
  const topology& topo_;
  std::string url_;
  int64_t epoch_;
  const kind_registry& kinds_;
  const run_identities& ids_;
  metrics::node_roster& served_;
  std::map<std::string, std::unique_ptr<node>> nodes_;
};

class process_host final : public node_host {
 public:
  // metrics_port: the run's own; node i serves metrics_port + 1 + i (0: no metrics).
  process_host(const topology& topo, std::string url, int64_t epoch, std::string exe, run_identities& ids,
               int metrics_port)
      : topo_(topo), url_(std::move(url)), epoch_(epoch), exe_(std::move(exe)), ids_(ids),
        metrics_port_(metrics_port) {}
  ~process_host() override {
    node_counts ignored;
    stop_all(ignored);
  }

  void start(const std::string& name) override {
    auto credentials = ids_.file_of(name);  // written here, before the fork, and removed at the end
    pid_t parent = ::getpid();
    bool armed = detail::forking_from_main_thread();
    pid_t pid = ::fork();
    if (pid < 0)
      throw std::runtime_error("cannot fork a process for node " + name);
    if (pid == 0) {
      detail::die_with_parent(parent, armed);
      std::vector<std::string> args = {exe_,  "node",  topo_.file, "--node", name, "--nats", url_,
                                       "--epoch-ns", std::to_string(epoch_)};
      if (!credentials.empty())
        args.insert(args.end(), {"--credentials", credentials});
      args.insert(args.end(), {"--metrics-port", std::to_string(node_metrics_port(topo_, name, metrics_port_))});
      if (!topo_.runtime.record_dir.empty())
        args.insert(args.end(), {"--record", topo_.runtime.record_dir});
      std::vector<char*> argv;
      for (auto& a : args)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(exe_.c_str(), argv.data());
      std::perror("exec troupe node");
      ::_exit(127);
    }
    children_[name] = pid;
    spdlog::info("node {}: process {}", name, pid);
  }
  void kill(const std::string& name) override {  // the timeline's: never restarted
    pending_.erase(name);
    auto i = children_.find(name);
    if (i == children_.end())
      return;
    ::kill(i->second, SIGKILL);
    ::waitpid(i->second, nullptr, 0);
    children_.erase(i);
  }
  std::vector<std::string> stop_all(node_counts&) override {
    auto problems = problems_;
    for (auto& [name, pid] : children_)
      if (auto why = stop_child(name, pid); !why.empty())
        problems.push_back("node " + name + ": " + why);
    children_.clear();
    pending_.clear();
    problems_.clear();
    return problems;
  }
  void supervise(double t_s) override {
    for (auto i = children_.begin(); i != children_.end();) {
      int status = 0;
      if (::waitpid(i->second, &status, WNOHANG) != i->second) {
        ++i;
        continue;
      }
      ended(i->first, status, t_s);
      i = children_.erase(i);
    }
    for (auto i = pending_.begin(); i != pending_.end();) {
      if (i->second > t_s) {
        ++i;
        continue;
      }
      auto name = i->first;
      i = pending_.erase(i);
      start(name);
      restarts_.push_back(fmt::format("node {} restarted at t={:.1f} s", name, t_s));
      spdlog::warn("{}", restarts_.back());
    }
  }
  std::vector<std::string> restarts() const override { return restarts_; }
  bool restarting() const override { return !pending_.empty(); }

 private:
  // A node process ended while the run goes on: restart it, or say why not.
  void ended(const std::string& name, int status, double t_s) {
    auto how = ending(status);
    auto& tracker = trackers_.try_emplace(name, topo_.find_node(name)->restart).first->second;
    auto d = tracker.on_end(!(WIFEXITED(status) && WEXITSTATUS(status) == 0), t_s);
    using A = restart_tracker::decision::action;
    if (d.what == A::restart) {
      pending_[name] = t_s + d.delay_ms / 1000.0;
      spdlog::warn("node {}: its process {} at t={:.1f} s; {} in {} ms", name, how, t_s, d.why, d.delay_ms);
      return;
    }
    problems_.push_back(fmt::format("node {}: its process {} at t={:.1f} s ({})", name, how, t_s, d.why));
    spdlog::error("{}", problems_.back());
  }
  static std::string ending(int status) {
    return WIFEXITED(status) ? "ended with status " + std::to_string(WEXITSTATUS(status))
                             : "was killed by signal " + std::to_string(WTERMSIG(status));
  }
  // SIGTERM again every 500 ms: one sent between fork and exec is lost with the
  // handler exec resets. A child that ignores 10 s of asking is killed. Returns why
  // the child did not end well, or "".
  static std::string stop_child(const std::string& name, pid_t pid) {
    int status = 0;
    for (int i = 0; i < 1000; ++i) {
      if (i % 50 == 0)
        ::kill(pid, SIGTERM);
      if (::waitpid(pid, &status, WNOHANG) == pid)
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "" : "its process " + ending(status);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    spdlog::error("node {} (pid {}) did not stop within 10 s: killed", name, pid);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return "did not stop within 10 s (killed)";
  }


  const topology& topo_;
  std::string url_;
  int64_t epoch_;
  std::string exe_;
  run_identities& ids_;
  int metrics_port_;
  std::map<std::string, pid_t> children_;
  std::map<std::string, restart_tracker> trackers_;
  std::map<std::string, double> pending_;  // node -> when (t_s) to start it again
  std::vector<std::string> restarts_, problems_;
};

// Control requests are acknowledged; retried when the ack does not come.
void control(node& driver, const std::string& node_name, const google::protobuf::Message& m,
             const runtime_settings& rt) {
  for (int attempt = 1; attempt <= rt.control_retries; ++attempt) {
    auto reply = driver.request("node/" + node_name, m, std::chrono::milliseconds(rt.request_timeout_ms));
    if (reply) {
      auto ack = reply->as<msg::Ack>();
      if (ack != nullptr && !ack->ok())
        spdlog::error("node {} refused {}: {}", node_name, m.GetTypeName(), ack->detail());
      return;
    }
    spdlog::warn("{} to node {} (attempt {}/{}): {}", m.GetTypeName(), node_name, attempt,
                 rt.control_retries, describe(reply.error()));
  }
}

void apply(const timeline_event& e, const topology& topo, node& driver, node_host& host,
           std::map<std::string, const actor_spec*>& placed) {
  using A = timeline_event::action;
  spdlog::info("timeline t={:.1f}s: {} {}", e.at_s, to_string(e.what), e.target);
  switch (e.what) {
    case A::spawn: {
      msg::SpawnRequest req;
      req.set_actor(e.actor.name);
      req.set_kind(e.actor.kind);
      req.set_params_yaml(e.actor.args.to_yaml());
      placed[e.actor.name] = &e.actor;
      control(driver, e.actor.node, req, topo.runtime);
      break;
    }
    case A::stop: {
      msg::StopRequest req;
      req.set_actor(e.target);
      if (auto i = placed.find(e.target); i != placed.end())
        control(driver, i->second->node, req, topo.runtime);
      break;
    }
    case A::kill_node: host.kill(e.target); break;
    case A::restore_node: host.start(e.target); break;
  }
}

bool any_actor_alive(const node& driver, const std::map<std::string, const actor_spec*>& placed) {
  for (auto& [name, spec] : placed)
    if (driver.host_of(name))
      return true;
  return false;
}

// Stops the live actors stage by stage (cameras, then replicas, then sinks), each
// stage given time to finish what it holds, so that what is in flight is counted.
void drain(const topology& topo, node& driver, const std::map<std::string, const actor_spec*>& placed,
           const kind_registry& kinds) {
  for (auto stage : {stop_stage::producer, stop_stage::server, stop_stage::reporter}) {
    std::vector<std::string> stopping;
    for (auto& [name, spec] : placed) {
      auto* kind = kinds.find(spec->kind);
      if (kind == nullptr || kind->stops != stage || !driver.host_of(name))
        continue;
      msg::StopRequest req;
      req.set_actor(name);
      control(driver, spec->node, req, topo.runtime);
      stopping.push_back(name);
    }
    auto deadline = steady::now() + std::chrono::milliseconds(topo.runtime.drain_ms);
    while (steady::now() < deadline &&
           std::any_of(stopping.begin(), stopping.end(), [&](auto& n) { return driver.host_of(n).has_value(); }))
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Nodes the timeline kills and does not restore are expected to be down at the end.
std::set<std::string> expected_down(const topology& topo) {
  auto events = topo.timeline;
  std::stable_sort(events.begin(), events.end(), [](auto& a, auto& b) { return a.at_s < b.at_s; });
  std::set<std::string> down;
  for (auto& e : events) {
    if (e.what == timeline_event::action::kill_node)
      down.insert(e.target);
    else if (e.what == timeline_event::action::restore_node)
      down.erase(e.target);
  }
  return down;
}

// Deployment time 0 is when every node's controller is known: a process that
// starts slowly must not see its first timeline event before it can hear it.
std::vector<std::pair<std::string, std::string>> await_nodes(const topology& topo, const node& driver) {
  auto deadline = steady::now() + std::chrono::milliseconds(topo.runtime.startup_ms);
  auto up = [&](const node_spec& n) { return driver.host_of("node/" + n.name).has_value(); };
  while (!std::all_of(topo.nodes.begin(), topo.nodes.end(), up) && steady::now() < deadline && !stop_requested())
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::vector<std::pair<std::string, std::string>> late;
  for (auto& n : topo.nodes)
    if (!up(n)) {
      late.emplace_back(n.name, fmt::format("did not come up within {} ms", topo.runtime.startup_ms));
      spdlog::error("node {} {}", n.name, late.back().second);
    }
  return late;
}

std::unique_ptr<run_identities> identities_for(const topology& topo, const run_options& options, bool embedded,
                                              const kind_registry& kinds) {
  if (!options.credentials_dir.empty())
    return std::make_unique<run_identities>(options.credentials_dir);
  bool shared = !topo.nats.user.empty() || !topo.nats.token.empty();
  if (embedded && !shared && topo.nats.auth == nats_settings::auth_mode::identities)
    return std::make_unique<run_identities>(make_credentials(topo, kinds));
  return std::make_unique<run_identities>();
}

}  // namespace

run_verdict judge_run(const topology& topo, const std::vector<actor_failure>& failures,
                      const std::vector<std::pair<std::string, std::string>>& down,
                      const std::vector<std::string>& node_problems) {
  auto expected = expected_down(topo);
  std::string lines;
  size_t problems = failures.size() + node_problems.size();
  for (auto& p : node_problems)
    lines += "\n  " + p;
  for (auto& f : failures)
    lines += "\n  actor " + f.actor + (f.kind.empty() ? "" : " (" + f.kind + ")") + " on node " + f.node + ": " +
             f.reason;
  for (auto& [name, why] : down) {
    bool killed = expected.count(name) > 0;
    problems += killed ? 0 : 1;
    lines += "\n  node " + name + " down: " + why + (killed ? " (the timeline killed it)" : "");
  }
  if (problems == 0)
    return {true, "run ok: every actor spawned, none crashed" +
                    std::string(down.empty() ? ", every node up at the end" : "; down as the timeline says:" + lines)};
  return {false, "run FAILED: " + std::to_string(problems) + " problem(s)" + lines};
}

bool stop_requested() {
  return stop_flag;
}

void install_stop_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

namespace {

std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  if (!(in && text << in.rdbuf()))
    throw std::runtime_error("cannot read " + path);
  return text.str();
}

}  // namespace

bus_options bus_for(const nats_settings& nats, const std::string& url, const credential* who) {
  bus_options bus;
  bus.url = url;
  bus.user = nats.user;
  bus.password = nats.password;
  bus.token = nats.token;
  bus.tls = nats.tls.on || url.rfind("tls://", 0) == 0;
  if (!nats.tls.ca.empty())
    bus.tls_ca = read_text_file(nats.tls.ca);
  if (who != nullptr)
    connect_as(bus, *who);
  bus.tls_hostname = nats.tls.hostname;
  return bus;
}

node_config node_config_for(const topology& topo, const std::string& node_name,
                            const std::string& nats_url, int64_t epoch_unix_ns,
                            const kind_registry& kinds, const credential* who) {
  node_config cfg;
  cfg.deployment = topo.deployment;
  cfg.name = node_name;
  cfg.bus = bus_for(topo.nats, nats_url, who);
  cfg.controllers = controllers_of(topo, kinds);
  cfg.heartbeat_interval = std::chrono::milliseconds(topo.runtime.heartbeat_ms);
  cfg.heartbeat_misses = topo.runtime.heartbeat_misses;
  cfg.suspicion = std::chrono::milliseconds(topo.runtime.suspicion_ms);
  cfg.heartbeat_delay_window = std::chrono::milliseconds(topo.runtime.heartbeat_delay_window_ms);
  cfg.request_timeout = std::chrono::milliseconds(topo.runtime.request_timeout_ms);
  cfg.max_envelope_bytes = static_cast<size_t>(topo.runtime.max_envelope_bytes);
  cfg.outbox.coalesce_us = topo.runtime.bus_coalesce_us;
  cfg.outbox.batch_bytes = static_cast<size_t>(topo.runtime.bus_batch_bytes);
  cfg.outbox.queue_bytes = static_cast<size_t>(topo.runtime.bus_queue_bytes);
  cfg.trace_file = topo.runtime.trace_file;
  cfg.trace_sample = topo.runtime.trace_sample;
  cfg.flow_metrics = topo.runtime.metrics_port > 0;
  cfg.record_dir = topo.runtime.record_dir;
  cfg.scheduler = topo.runtime.scheduler;
  cfg.workers = static_cast<size_t>(topo.runtime.workers);
  cfg.worker_nice = topo.runtime.worker_nice;
  cfg.source_nice = topo.runtime.source_nice;
  cfg.source_idle = topo.runtime.source_idle;
  cfg.output_dir = topo.runtime.output_dir;
  cfg.kinds = &kinds;
  cfg.time = make_clock(topo.runtime.time_scale, epoch_unix_ns);
  cfg.epoch_unix_ns = epoch_unix_ns;
  for (auto& l : topo.links) {  // a link carries both ways, each direction its own queue
    if (l.from != node_name && l.to != node_name)
      continue;
    cfg.links.emplace_back(l.from == node_name ? l.to : l.from, model_of(l));
  }
  if (auto* spec = topo.find_node(node_name)) {
    cfg.uplink = shaped(spec->uplink);
    cfg.downlink = shaped(spec->downlink);
  }
  return cfg;
}

int run_deployment(const topology& topology_file, const run_options& options, const kind_registry& kinds) {
  install_stop_signals();
  auto topo = topology_file;  // with the command line's settings
  if (options.metrics_port >= 0)
    topo.runtime.metrics_port = options.metrics_port;
  if (!options.record_dir.empty())
    topo.runtime.record_dir = options.record_dir;
  if (!topo.runtime.record_dir.empty())
    keep_topology_for_replay(topo);
  std::string url = options.nats_url.empty() ? topo.nats.url : options.nats_url;
  auto ids = identities_for(topo, options, url == "embedded", kinds);
  std::unique_ptr<nats_server> embedded;
  if (url == "embedded") {
    nats_server_options so;
    so.binary = topo.nats.server_binary;
    so.user = topo.nats.user;
    so.password = topo.nats.password;
    so.token = topo.nats.token;
    if (auto* made = ids->made()) {
      so.authorization = authorization_block(*made);
      if (topo.nats.tls.on && !made->identities.empty()) {
        so.tls = made->tls_server;
        so.tls_ca = made->identities.front().tls_ca;
      }
    }
    embedded = std::make_unique<nats_server>(so);
    url = embedded->url();
    spdlog::info("embedded nats-server at {}{}{}", url,
                 ids->any() ? " (an identity per node, each allowed only its part)" : "",
                 topo.nats.tls.on ? ", TLS with a per-run authority" : "");
    if (ids->made()) {  // the operator's and the monitor's identities live as long as the run
      spdlog::info("control it with: troupe ctl {} --nats {} --credentials {} list", topo.file, url,
                   ids->file_of(operator_identity));
      spdlog::info("watch it with: troupe dashboard {} --nats {} --credentials {}", topo.file, url,
                   ids->file_of(monitor_identity));
    }
  }
  if (!ids->any() && topo.nats.user.empty() && topo.nats.token.empty())
    spdlog::warn("the bus is open: any client of {} may read and send anything (docs/security.md)", url);
  double duration = options.duration_s >= 0 ? options.duration_s : topo.runtime.duration_s;
  auto epoch = real_clock().now_ns();
  auto controller = ids->of(controller_identity);
  int metrics_port = topo.runtime.metrics_port;
  if (options.processes && metrics_port > 0 && metrics_port + int(topo.nodes.size()) > 65535)
    throw std::runtime_error("metrics port " + std::to_string(metrics_port) + ": one process per node needs " +
                             std::to_string(topo.nodes.size() + 1) + " ports from it, past 65535");
  metrics::node_roster served;  // outlives the nodes and the endpoint that reads it
  node driver(node_config_for(topo, controller_identity, url, epoch, kinds, controller ? &*controller : nullptr));
  served.add(driver);
  std::unique_ptr<node_host> host;
  if (options.processes)
    host = std::make_unique<process_host>(topo, url, epoch, options.self_exe, *ids, metrics_port);
  else
    host = std::make_unique<in_process_host>(topo, url, epoch, kinds, *ids, served);
  auto serving = serve_metrics(topo, metrics_port, served, options.processes ? "the run's controller" : "every node");
  if (topo.runtime.time_scale != 1)
    spdlog::info("emulated clock: deployment time runs {:.2f}x slower than wall time", topo.runtime.time_scale);
  for (auto& n : topo.nodes)
    host->start(n.name);
  auto never_up = await_nodes(topo, driver);
  auto start = steady::now();
  auto events = topo.timeline;
  std::stable_sort(events.begin(), events.end(),
                   [](auto& a, auto& b) { return a.at_s < b.at_s; });
  std::map<std::string, const actor_spec*> placed;
  for (auto& a : topo.actors)
    placed[a.name] = &a;
  size_t next_event = 0;
  auto settle = std::chrono::milliseconds(3 * topo.runtime.heartbeat_ms);
  auto last_change = start;  // nodes need a few heartbeats to announce their actors
  while (!stop_requested()) {
    double t = seconds_since(start) / topo.runtime.time_scale;  // deployment time
    while (next_event < events.size() && events[next_event].at_s <= t) {
      apply(events[next_event++], topo, driver, *host, placed);
      last_change = steady::now();
    }
    if (duration > 0 && t >= duration)
      break;
    host->supervise(seconds_since(start));
    bool timeline_done = next_event == events.size();
    if (timeline_done && steady::now() - last_change > settle && !host->restarting() &&
        !any_actor_alive(driver, placed)) {
      spdlog::info("every actor has exited");
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  spdlog::info("stopping after {:.1f} s", seconds_since(start));
  auto down = driver.down_nodes();  // before the orderly shutdown adds every node
  down.erase(std::remove_if(down.begin(), down.end(), [&](auto& d) { return !topo.find_node(d.first); }),
             down.end());  // a `troupe ctl` come and gone is no node of the run
  down.insert(down.end(), never_up.begin(), never_up.end());
  drain(topo, driver, placed, kinds);
  for (auto& r : host->restarts())
    log::result(r);
  node_counts stats;
  auto node_problems = host->stop_all(stats);
  finish(driver, stats, node_problems);  // the controller's own counters count too
  serving.reset();
  served.remove(driver);
  auto verdict = judge_run(topo, driver.failures(), down, node_problems);
  log::result(verdict.text);
  if (options.summary)
    *options.summary = run_summary{verdict.ok, verdict.text, host->restarts(), std::move(stats)};
  return verdict.ok ? 0 : 1;
}

int run_node(const topology& topo, const std::string& node_name, const node_run_options& options,
             const kind_registry& kinds) {
  install_stop_signals();
  auto epoch_unix_ns = options.epoch_unix_ns == 0 ? real_clock().now_ns() : options.epoch_unix_ns;
  std::optional<credential> who;
  if (!options.credentials_file.empty())
    who = read_credential(options.credentials_file);
  if (who && who->identity != node_name)
    throw std::runtime_error(options.credentials_file + " is the identity of '" + who->identity + "', not of node '" +
                             node_name + "'");
  int metrics_port =
      options.metrics_port >= 0 ? options.metrics_port : node_metrics_port(topo, node_name, topo.runtime.metrics_port);
  auto cfg = node_config_for(topo, node_name, options.nats_url, epoch_unix_ns, kinds, who ? &*who : nullptr);
  cfg.flow_metrics = metrics_port > 0;
  if (!options.record_dir.empty())
    cfg.record_dir = options.record_dir;
  node n(std::move(cfg));
  metrics::node_roster served;
  served.add(n);
  auto serving = serve_metrics(topo, metrics_port, served, "node " + node_name);
  spawn_actors(n, topo);
  auto start = steady::now();
  auto duration_s = options.duration_s;
  while (!stop_requested() && n.running() &&
         (duration_s <= 0 || seconds_since(start) < duration_s * topo.runtime.time_scale))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (!n.running()) {  // a controller's kill request: the process ends as a killed one would
    spdlog::error("node {} was killed by a control request", node_name);
    return 1;
  }
  node_counts counts;
  std::vector<std::string> problems;
  finish(n, counts, problems);
  for (auto& p : problems)
    spdlog::error("{}", p);
  return n.failures().empty() && problems.empty() ? 0 : 1;
}

}  // namespace troupe
