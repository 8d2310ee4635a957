#include "actors/octocross/cli/site_runs.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include "actors/common/cli/bench_support.hpp"
#include "actors/common/pipeline_names.hpp"
#include "actors/octocross/core/cluster_views.hpp"

namespace troupe {

namespace {

const char* scheduler_kind = "octocross-scheduler";

std::string join(const std::vector<std::string>& names, const char* sep) {
  std::string out;
  for (auto& n : names)
    out += (out.empty() ? "" : sep) + n;
  return out;
}

// The scheduler plans only for the replicas left, along the edges between them.
void trim_scheduler(actor_spec& s, const std::set<std::string>& gone_actors) {
  auto nodes = split_names(s.args.get_string("nodes"));
  auto edges = octocross::parse_edges(s.args.get_string("edges"), nodes);
  std::vector<std::string> kept, kept_edges;
  for (auto& n : nodes)
    if (!gone_actors.count(n))
      kept.push_back(n);
  for (auto [a, b] : edges)
    if (!gone_actors.count(nodes[a]) && !gone_actors.count(nodes[b]))
      kept_edges.push_back(nodes[a] + "-" + nodes[b]);
  set_param(s, "nodes", join(kept, ", "));
  set_param(s, "edges", join(kept_edges, ", "));
}

}  // namespace

const choice<site_policy> site_policies("policy", {{"none", site_policy::none},
                                                     {"distream", site_policy::distream},
                                                     {"greedy", site_policy::greedy},
                                                     {"octocross", site_policy::octocross},
                                                     {"temp_abl", site_policy::temp_abl},
                                                     {"spat_abl", site_policy::spat_abl},
                                                     {"gnn_lstm", site_policy::gnn_lstm}});

bool learned(site_policy p) {
  return p != site_policy::none && p != site_policy::distream && p != site_policy::greedy;
}

std::string weights_for(const std::string& models, site_policy p, const topology& t) {
  return models + "/" + site_policies.name(p) + "-" + std::filesystem::path(t.file).stem().string() +
         (p == site_policy::distream ? ".txt" : ".pt");
}

// The camera nodes in file order: nodes that host a pipeline camera.
std::vector<std::string> camera_nodes(const topology& t) {
  std::vector<std::string> out;
  for (auto& n : t.nodes)
    for (auto& a : t.actors)
      if (a.node == n.name && a.kind == "videojam-camera") {
        out.push_back(n.name);
        break;
      }
  return out;
}

// The first `size` camera nodes, their actors, and every node without a camera.
void keep_cameras(topology& t, int size) {
  auto cams = camera_nodes(t);
  if (size > int(cams.size()))
    throw std::runtime_error(t.file + " has " + std::to_string(cams.size()) + " camera nodes, fewer than " +
                             std::to_string(size));
  std::set<std::string> gone_nodes(cams.begin() + size, cams.end()), gone_actors;
  for (auto& a : t.actors)
    if (gone_nodes.count(a.node))
      gone_actors.insert(a.name);
  t.actors.erase(std::remove_if(t.actors.begin(), t.actors.end(), [&](auto& a) { return gone_nodes.count(a.node) > 0; }),
                 t.actors.end());
  t.nodes.erase(std::remove_if(t.nodes.begin(), t.nodes.end(), [&](auto& n) { return gone_nodes.count(n.name) > 0; }),
                t.nodes.end());
  t.links.erase(std::remove_if(t.links.begin(), t.links.end(),
                               [&](auto& l) { return gone_nodes.count(l.from) || gone_nodes.count(l.to); }),
                t.links.end());
  for (auto* s : actors_of_kind(t, scheduler_kind))
    trim_scheduler(*s, gone_actors);
}

namespace {

// The replicas the scheduler plans for.
std::vector<actor_spec*> planned_replicas(topology& t) {
  std::vector<actor_spec*> out;
  for (auto& a : t.actors)
    if (a.kind == "videojam-function" && a.args.get_string("balancer") == "plan")
      out.push_back(&a);
  return out;
}

// Distream (§5.1): the server's replica is the Edge, the cameras' are Ends; every End
// forecasts its next window with the LSTM and balances with the other Ends whose
// probed delay (every 5 s, as OctoCross's probes) leaves slack under the sink's SLO.
void make_distream(topology& t, const std::string& forecaster) {
  auto cams = camera_nodes(t);
  std::string edge;
  for (auto* a : planned_replicas(t))
    if (std::find(cams.begin(), cams.end(), a->node) == cams.end())
      edge = a->name;
  if (edge.empty())
    throw std::runtime_error(t.file + ": no planned replica off the cameras' nodes to be Distream's Edge");
  double slo_ms = 200;
  for (auto& a : t.actors)
    if (a.kind == "videojam-sink" && a.args.has("slo_ms"))
      slo_ms = a.args.get_double("slo_ms");
  for (auto* a : planned_replicas(t)) {
    set_param(*a, "balancer", "distream");
    set_param(*a, "forecaster", forecaster);
    set_param(*a, "probe_s", int64_t(5));
    set_param(*a, "slo_ms", slo_ms);
    if (a->name != edge)
      set_param(*a, "edge", edge);
  }
}

}  // namespace

topology with_policy(topology t, site_policy policy, const site_settings& o) {
  bool schedules = policy != site_policy::distream && (policy != site_policy::none || o.traces);
  if (!schedules) {
    t.actors.erase(std::remove_if(t.actors.begin(), t.actors.end(), [](auto& a) { return a.kind == scheduler_kind; }),
                   t.actors.end());
    if (policy == site_policy::distream)
      make_distream(t, weights_for(o.models, policy, t));
    else
      for (auto* a : planned_replicas(t))
        set_param(*a, "balancer", "none");
  } else {
    for (auto* s : actors_of_kind(t, scheduler_kind)) {
      set_param(*s, "policy", site_policies.name(policy));
      if (learned(policy))
        set_param(*s, "model", weights_for(o.models, policy, t));
    }
  }
  t.deployment += "-" + std::string(site_policies.name(policy));
  return t;
}

void record_traces(topology& t, const std::string& prefix) {
  for (auto* s : actors_of_kind(t, scheduler_kind))
    set_param(*s, "trace", prefix + "-trace.csv");
  for (auto& a : t.actors)  // arrivals per slot, the Distream forecaster's training data
    if (a.kind == "videojam-function" && a.args.has("scheduler"))
      set_param(a, "load_trace", prefix + "-load-" + a.name + ".csv");
}

}  // namespace troupe
