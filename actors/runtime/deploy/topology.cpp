#include "actors/runtime/deploy/topology.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "actors/runtime/kind_registry.hpp"
#include "actors/runtime/emulation/link_model.hpp"
#include "actors/runtime/bus/subjects.hpp"
#include "actors/runtime/deploy/permissions.hpp"
#include "actors/runtime/deploy/yaml_checker.hpp"
#include "actors/runtime/trace/trace_format.hpp"

namespace troupe {

const char* to_string(timeline_event::action a) {
  switch (a) {
    case timeline_event::action::spawn: return "spawn";
    case timeline_event::action::stop: return "stop";
    case timeline_event::action::kill_node: return "kill_node";
    case timeline_event::action::restore_node: return "restore_node";
  }
  return "?";
}

const node_spec* topology::find_node(const std::string& name) const {
  for (auto& n : nodes)
    if (n.name == name)
      return &n;
  return nullptr;
}

std::vector<const actor_spec*> every_actor(const topology& t) {
  std::vector<const actor_spec*> out;
  for (auto& a : t.actors)
    out.push_back(&a);
  for (auto& e : t.timeline)
    if (e.what == timeline_event::action::spawn)
      out.push_back(&e.actor);
  return out;
}

std::optional<spawn_plan> planned_spawns(const actor_spec& a, const kind_registry& kinds) {
  auto* spec = kinds.find(a.kind);
  if (spec == nullptr || !spec->spawns)
    return std::nullopt;
  try {
    return spec->spawns(a.args);
  } catch (const std::exception&) {
    return std::nullopt;  // its spawn fails and says why
  }
}

std::vector<actor_spec> topology::actors_on(const std::string& node) const {
  std::vector<actor_spec> out;
  for (auto& a : actors)
    if (a.node == node)
      out.push_back(a);
  return out;
}

namespace {

// More scheduler threads than this is a typo, not a deployment (100 000 once started
// 32 039 threads before the machine refused more).
constexpr int max_workers = 1024;

// Walks the YAML tree, collecting every problem instead of stopping at the first.
class checker : public yaml_checker {
 public:
  checker(std::string file, const kind_registry& kinds, input_files files)
      : yaml_checker(std::move(file)), kinds_(kinds), files_(files) {}

  void nats(const YAML::Node& n, nats_settings& out) {
    if (n.IsScalar()) {
      out.url = n.Scalar();
      return;
    }
    if (!keys(n, "nats", {"url", "auth", "user", "password", "token", "server_binary", "tls"}))
      return;
    std::string auth = "identities";
    text(n, "auth", "nats", auth, false);
    if (auth == "none")
      out.auth = nats_settings::auth_mode::none;
    else if (auth != "identities")
      fail(n["auth"], "nats auth must be 'identities' (default) or 'none'");
    text(n, "url", "nats", out.url, false);
    text(n, "user", "nats", out.user, false);
    text(n, "password", "nats", out.password, false);
    text(n, "token", "nats", out.token, false);
    text(n, "server_binary", "nats", out.server_binary, false);
    if (!out.user.empty() && !out.token.empty())
      fail(n, "nats: give either user/password or token, not both");
    if (out.url != "embedded" && out.url.rfind("nats://", 0) != 0 && out.url.rfind("tls://", 0) != 0)
      fail(n["url"] ? n["url"] : n, "nats url must be 'embedded' or start with nats:// or tls://");
    tls(n["tls"], out);
  }

  // `tls: true`, or a map naming the CA file and the server's name.
  void tls(const YAML::Node& n, nats_settings& out) {
    if (!n)
      return;
    if (n.IsScalar()) {
      if (!YAML::convert<bool>::decode(n, out.tls.on))
        fail(n, "nats tls must be true, false or a map with 'ca' and 'hostname'");
    } else if (keys(n, "nats tls", {"ca", "hostname"})) {
      out.tls.on = true;
      text(n, "ca", "nats tls", out.tls.ca, false);
      text(n, "hostname", "nats tls", out.tls.hostname, false);
    }
    bool embedded_ids = out.url == "embedded" && out.auth == nats_settings::auth_mode::identities &&
                        out.user.empty() && out.token.empty();
    if (out.tls.on && out.url == "embedded" && !embedded_ids)
      fail(n, "nats tls with the embedded server needs per-node identities (auth: identities, no shared "
              "user or token): each identity carries its client certificate");
  }

  void runtime(const YAML::Node& n, runtime_settings& out) {
    if (!keys(n, "runtime", {"heartbeat_ms", "heartbeat_misses", "suspicion_ms", "heartbeat_delay_window_ms",
                             "request_timeout_ms",
                             "control_retries", "max_envelope_bytes", "bus_coalesce_us", "bus_batch_bytes", "bus_queue_bytes", "trace_file",
                             "trace_sample", "scheduler", "workers", "worker_nice", "source_nice", "source_idle", "output_dir", "duration_s", "time_scale", "drain_ms",
                             "startup_ms", "metrics_port", "metrics_address", "record_dir"}))
      return;
    const std::string w = "runtime";
    integer(n, "heartbeat_ms", w, out.heartbeat_ms, 10);
    integer(n, "heartbeat_misses", w, out.heartbeat_misses, 1);
    integer(n, "suspicion_ms", w, out.suspicion_ms, 0);
    integer(n, "heartbeat_delay_window_ms", w, out.heartbeat_delay_window_ms, 0, 3600000);
    integer(n, "request_timeout_ms", w, out.request_timeout_ms, 1);
    integer(n, "control_retries", w, out.control_retries, 1);
    integer(n, "max_envelope_bytes", w, out.max_envelope_bytes, 0);
    integer(n, "bus_coalesce_us", w, out.bus_coalesce_us, 0, 1000000);
    integer(n, "bus_batch_bytes", w, out.bus_batch_bytes, 1024, 64 << 20);
    integer(n, "bus_queue_bytes", w, out.bus_queue_bytes, 1024, 1 << 30);
    integer(n, "workers", w, out.workers, 0, max_workers);  // CAF's scheduler threads per node
    integer(n, "worker_nice", w, out.worker_nice, 0, 19);
    integer(n, "source_nice", w, out.source_nice, 0, 19);
    scalar(n, "source_idle", w, "true or false", out.source_idle, false);
    integer(n, "drain_ms", w, out.drain_ms, 0);
    integer(n, "startup_ms", w, out.startup_ms, 0);
    integer(n, "metrics_port", w, out.metrics_port, 0, 65535);
    text(n, "metrics_address", w, out.metrics_address, false);
    text(n, "record_dir", w, out.record_dir, false);
    if (text(n, "trace_file", w, out.trace_file, false) && !trace_format_of(out.trace_file))
      fail(n["trace_file"], "'trace_file' must end in .trace (binary records) or .jsonl (JSON lines)");
    text(n, "output_dir", w, out.output_dir, false);
    if (number(n, "trace_sample", w, out.trace_sample, false) && out.trace_sample > 1)
      fail(n["trace_sample"], "'trace_sample' must be between 0 and 1");
    number(n, "duration_s", w, out.duration_s, false);
    if (number(n, "time_scale", w, out.time_scale, false) && out.time_scale <= 0)
      fail(n["time_scale"], "'time_scale' must be positive");
    if (text(n, "scheduler", w, out.scheduler, false) && out.scheduler != "sharing" &&
        out.scheduler != "stealing")
      fail(n["scheduler"], "'scheduler' must be 'sharing' or 'stealing'");
  }

  void actor(const YAML::Node& n, actor_spec& out, const std::string& what) {
    out.pos = pos(n);
    if (!keys(n, what, {"name", "kind", "node", "params", "restart"}))
      return;
    name(n, what, out.name);
    restart(n["restart"], what + " '" + out.name + "'", out.restart);
    text(n, "node", what + " '" + out.name + "'", out.node, true);
    if (!text(n, "kind", what + " '" + out.name + "'", out.kind, true))
      return;
    const kind_spec* spec = kinds_.find(out.kind);
    if (spec == nullptr) {
      std::string known;
      for (auto& k : kinds_.names())
        known += (known.empty() ? "" : ", ") + k;
      fail(n["kind"], "unknown kind '" + out.kind + "' (known kinds: " + known + ")");
      return;
    }
    auto p = n["params"];
    for (auto& problem : check_params(*spec, p ? p : YAML::Node(YAML::NodeType::Map), files_)) {
      auto at = problem.mark.is_null() ? out.pos : pos(problem.mark);
      errors.push_back({at, "actor '" + out.name + "': " + problem.message});
    }
    out.args = params(p ? YAML::Clone(p) : YAML::Node(YAML::NodeType::Map));
    if (p && p.IsMap())
      for (auto kv : p)
        out.param_pos[kv.first.Scalar()] = pos(kv.second.Mark());
  }

  // `restart: permanent|transient|never`, or a map with the policy and its limits.
  void restart(const YAML::Node& n, const std::string& owner, restart_spec& out) {
    if (!n)
      return;
    const std::string what = owner + " restart";
    if (n.IsMap() && !keys(n, what, {"policy", "max_restarts", "period_s", "backoff_ms", "max_backoff_ms"}))
      return;
    const YAML::Node word = n.IsMap() ? n["policy"] : n;
    using P = restart_spec::policy;
    std::string policy = to_string(out.when);
    if (word)
      policy = word.IsScalar() ? word.Scalar() : "";
    if (policy == "permanent" || policy == "transient" || policy == "never")
      out.when = policy == "permanent" ? P::permanent : policy == "transient" ? P::transient : P::never;
    else
      fail(word ? word : n, what + " must be permanent, transient or never");
    if (!n.IsMap())
      return;
    integer(n, "max_restarts", what, out.max_restarts, 0, 1000);
    integer(n, "backoff_ms", what, out.backoff_ms, 0, 3600000);
    integer(n, "max_backoff_ms", what, out.max_backoff_ms, 0, 3600000);
    if (number(n, "period_s", what, out.period_s, false) && out.period_s <= 0)
      fail(n["period_s"], what + " period_s must be positive");
  }

  void link(const YAML::Node& n, link_spec& out) {
    out.pos = pos(n);
    if (!keys(n, "link", {"from", "to", "bandwidth_mbps", "latency_ms", "bandwidth_trace", "trace_offset_s"}))
      return;
    text(n, "from", "link", out.from, true);
    text(n, "to", "link", out.to, true);
    number(n, "bandwidth_mbps", "link", out.bandwidth_mbps, false);
    number(n, "latency_ms", "link", out.latency_ms, false);
    trace(n, "link", out.bandwidth_trace, out.trace_offset_s);
    if (!n["bandwidth_mbps"] && !n["bandwidth_trace"] && !n["latency_ms"])
      fail(n, "a link needs bandwidth_mbps, bandwidth_trace or latency_ms");
  }

  // `bandwidth_trace`, when there: a file the emulation can read; `trace_offset_s` only with it.
  void trace(const YAML::Node& n, const std::string& what, std::string& out, double& offset_s) {
    number(n, "trace_offset_s", what, offset_s, false);  // (refuses negative numbers)
    if (n["trace_offset_s"] && !n["bandwidth_trace"])
      fail(n["trace_offset_s"], what + " trace_offset_s needs a bandwidth_trace");
    if (!text(n, "bandwidth_trace", what, out, false) || out.empty())
      return;
    try {
      load_bandwidth_trace(out);
    } catch (const std::exception& e) {
      fail(n["bandwidth_trace"], what + " bandwidth_trace: " + e.what());
    }
  }

  // A node's uplink or downlink: tc tbf's words, or { tbf: WORDS, bandwidth_trace: FILE }.
  void interface(const YAML::Node& n, const std::string& what, std::optional<interface_spec>& out) {
    if (!n)
      return;
    interface_spec spec;
    if (n.IsMap()) {
      if (!keys(n, what, {"tbf", "bandwidth_trace", "trace_offset_s"}))
        return;
      trace(n, what, spec.bandwidth_trace, spec.trace_offset_s);
    }
    const YAML::Node words = n.IsMap() ? n["tbf"] : n;  // (assigning a YAML::Node would overwrite n)
    if (!words || !words.IsScalar()) {
      fail(n, what + " needs tc tbf's words, e.g. \"rate 80mbit burst 32kbit latency 50ms\"");
      return;
    }
    try {
      spec.tbf = parse_tbf(words.as<std::string>());
      out = spec;
    } catch (const std::exception& e) {
      fail(words, what + ": " + e.what());
    }
  }

  void event(const YAML::Node& n, timeline_event& out) {
    out.pos = pos(n);
    if (!keys(n, "timeline event", {"at_s", "spawn", "stop", "kill_node", "restore_node"}))
      return;
    number(n, "at_s", "timeline event", out.at_s, true);
    int actions = 0;
    if (n["spawn"]) {
      ++actions;
      out.what = timeline_event::action::spawn;
      actor(n["spawn"], out.actor, "spawned actor");
      out.target = out.actor.name;
      if (n["spawn"].IsMap() && n["spawn"]["restart"])  // a SpawnRequest carries no policy
        fail(n["spawn"]["restart"], "restart: only actors of the topology are supervised, not those the timeline spawns");
    }
    for (auto [key, a] : {std::pair{"stop", timeline_event::action::stop},
                          std::pair{"kill_node", timeline_event::action::kill_node},
                          std::pair{"restore_node", timeline_event::action::restore_node}}) {
      if (n[key]) {
        ++actions;
        out.what = a;
        text(n, key, "timeline event", out.target, true);
      }
    }
    if (actions != 1)
      fail(n, "a timeline event needs exactly one of spawn, stop, kill_node, restore_node");
  }

  void cross_check(const topology& t, const YAML::Node& root) {
    std::map<std::string, source_pos> nodes, actors;
    auto duplicate = [&](std::map<std::string, source_pos>& seen, const std::string& name,
                         const source_pos& at, const char* what) {
      auto [it, fresh] = seen.emplace(name, at);
      if (!fresh)
        errors.push_back({at, std::string("duplicate ") + what + " name '" + name +
                                "' (first defined at line " + std::to_string(it->second.line) + ")"});
    };
    for (auto& n : t.nodes) {
      duplicate(nodes, n.name, n.pos, "node");
      if (n.name == controller_identity || n.name == operator_identity || n.name == monitor_identity)
        errors.push_back({n.pos, "node name '" + n.name + "' is reserved for troupe's own identities"});
    }
    auto needs_node = [&](const std::string& node, const source_pos& at, const std::string& who) {
      if (!node.empty() && nodes.count(node) == 0)
        errors.push_back({at, who + " names unknown node '" + node + "'"});
    };
    for (auto& a : t.actors) {
      duplicate(actors, a.name, a.pos, "actor");
      needs_node(a.node, a.pos, "actor '" + a.name + "'");
    }
    for (auto& l : t.links) {
      needs_node(l.from, l.pos, "link");
      needs_node(l.to, l.pos, "link");
    }
    for (auto& e : t.timeline) {
      using A = timeline_event::action;
      if (e.what == A::spawn) {
        duplicate(actors, e.actor.name, e.actor.pos, "actor");
        needs_node(e.actor.node, e.actor.pos, "spawned actor '" + e.actor.name + "'");
      } else if (e.what == A::stop) {
        if (actors.count(e.target) == 0)
          errors.push_back({e.pos, "stop names unknown actor '" + e.target + "'"});
      } else {
        needs_node(e.target, e.pos, std::string(to_string(e.what)));
      }
    }
    node_states(t);
    references(t);
    if (t.nodes.empty() && root["nodes"])
      fail(root["nodes"], "the topology needs at least one node");
  }

  // A reference parameter names actors of the topology of the kinds it expects
  // (`detector: cam-1` would send results round a cycle).
  void references(const topology& t) {
    std::map<std::string, std::string> kind_of;
    for (auto* a : every_actor(t)) {
      kind_of.emplace(a->name, a->kind);
      if (auto plan = planned_spawns(*a, kinds_))
        for (auto& name : plan->names)
          kind_of.emplace(name, plan->kind);
    }
    for (auto* a : every_actor(t)) {
      auto* spec = kinds_.find(a->kind);
      if (spec == nullptr)
        continue;
      for (auto& p : spec->parameters) {
        // (A value that is no name at all was reported by the parameter checks.)
        if (p.refers_to.empty() || !a->args.has(p.key) || !a->args.yaml()[p.key].IsScalar())
          continue;
        auto where = a->param_pos.find(p.key);
        auto at = where == a->param_pos.end() ? a->pos : where->second;
        for (auto& name : referenced_names(a->args.get_string(p.key))) {
          auto k = kind_of.find(name);
          if (k == kind_of.end())
            errors.push_back({at, "actor '" + a->name + "': " + p.key + " names unknown actor '" + name + "'"});
          else if (std::find(p.refers_to.begin(), p.refers_to.end(), k->second) == p.refers_to.end())
            errors.push_back({at, "actor '" + a->name + "': " + p.key + " '" + name + "' is a " + k->second +
                                    ", not " + one_of(p.refers_to)});
        }
      }
    }
  }

  static std::string one_of(const std::vector<std::string>& kinds) {
    std::string out = kinds.size() > 1 ? "one of " : "a ";
    for (size_t i = 0; i < kinds.size(); ++i)
      out += (i ? ", " : "") + kinds[i];
    return out;
  }

  // In time order, a node is killed only while up and restored only while down.
  void node_states(const topology& t) {
    std::vector<const timeline_event*> events;
    for (auto& e : t.timeline)
      events.push_back(&e);
    std::stable_sort(events.begin(), events.end(),
                     [](auto* a, auto* b) { return a->at_s < b->at_s; });
    std::set<std::string> down;
    for (auto* e : events) {
      using A = timeline_event::action;
      if (e->what == A::kill_node && !down.insert(e->target).second)
        errors.push_back({e->pos, "kill_node '" + e->target + "' at " + std::to_string(e->at_s) +
                                    " s, but it is already down"});
      if (e->what == A::restore_node && down.erase(e->target) == 0)
        errors.push_back({e->pos, "restore_node '" + e->target + "' at " + std::to_string(e->at_s) +
                                    " s, but it is not down"});
    }
  }

 private:
  const kind_registry& kinds_;
  input_files files_;
};

}  // namespace

topology_result parse_topology(const std::string& text, const std::string& file,
                               const kind_registry& kinds, input_files files) {
  topology_result result;
  auto parsed = parse_yaml(text, file, "topology", result.errors);
  if (!parsed)
    return result;
  auto& root = *parsed;
  checker c(file, kinds, files);
  topology t;
  t.file = file;
  if (!c.keys(root, "the topology", {"deployment", "nats", "runtime", "nodes", "actors", "links", "timeline"})) {
    result.errors = c.errors;
    return result;
  }
  if (c.text(root, "deployment", "the topology", t.deployment, true) && !is_valid_name(t.deployment))
    c.fail(root["deployment"], "invalid deployment name '" + t.deployment + "'");
  if (root["nats"])
    c.nats(root["nats"], t.nats);
  if (root["runtime"])
    c.runtime(root["runtime"], t.runtime);
  c.list(root, "nodes", "the topology", t.nodes, [&](const YAML::Node& n, node_spec& out) {
    out.pos = c.pos(n);
    if (!c.keys(n, "node", {"name", "uplink", "downlink", "restart"}))
      return;
    c.name(n, "node", out.name);
    c.restart(n["restart"], "node '" + out.name + "'", out.restart);
    c.interface(n["uplink"], "node '" + out.name + "' uplink", out.uplink);
    c.interface(n["downlink"], "node '" + out.name + "' downlink", out.downlink);
  }, true);
  c.list(root, "actors", "the topology", t.actors, [&](const YAML::Node& n, actor_spec& out) {
    c.actor(n, out, "actor");
  }, false);
  c.list(root, "links", "the topology", t.links, [&](const YAML::Node& n, link_spec& out) { c.link(n, out); }, false);
  c.list(root, "timeline", "the topology", t.timeline, [&](const YAML::Node& n, timeline_event& out) {
    c.event(n, out);
  }, false);
  c.cross_check(t, root);
  result.errors = std::move(c.errors);
  if (result.errors.empty())
    result.topo = std::move(t);
  return result;
}

topology_result load_topology(const std::string& path, const kind_registry& kinds, input_files files) {
  topology_result result;
  auto text = read_text_file(path, result.errors);
  return text ? parse_topology(*text, path, kinds, files) : result;
}

}  // namespace troupe
