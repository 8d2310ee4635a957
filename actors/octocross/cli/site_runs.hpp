// A site topology (topologies/octocross/campus.yaml, city.yaml) as OctoCross's benches
// run it: its first N camera nodes, and one policy — no offloading (the paper's "none":
// every replica keeps what arrives; a scheduler that plans nothing only when traces are
// recorded), Distream (the server's replica its Edge, an LSTM forecast), or the
// scheduler with the model-free greedy policy or a learned model.
#pragma once

#include <string>
#include <vector>

#include "actors/runtime/choice.hpp"
#include "actors/runtime/deploy/topology.hpp"

namespace troupe {

enum class site_policy { none, distream, greedy, octocross, temp_abl, spat_abl, gnn_lstm };
extern const choice<site_policy> site_policies;
bool learned(site_policy p);

struct site_settings {
  std::string models;   // MODELS/POLICY-SITE.pt per learned policy, MODELS/distream-SITE.txt
  bool traces = false;  // a run without offloading keeps a scheduler that plans nothing
};

// A learned policy's weights for a site: MODELS/POLICY-SITE.pt (SITE: the file's name);
// Distream's LSTM forecaster: MODELS/distream-SITE.txt.
std::string weights_for(const std::string& models, site_policy p, const topology& t);

// The camera nodes in file order: nodes that host a pipeline camera.
std::vector<std::string> camera_nodes(const topology& t);

// The first `size` camera nodes, their actors, and every node without a camera; the
// scheduler's nodes and edges trimmed to match.
void keep_cameras(topology& t, int size);

// The site under `policy`; its deployment name gains the policy's.
topology with_policy(topology t, site_policy policy, const site_settings& s);

// The scheduler writes PREFIX-trace.csv, each planned replica PREFIX-load-NAME.csv.
void record_traces(topology& t, const std::string& prefix);

}  // namespace troupe
