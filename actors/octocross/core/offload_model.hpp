// OctoCross's learned model as the scheduler sees it (octocross.txt §3.1–3.3), in plain
// C++: the network itself lives in learning/ (libtorch) and is opened through a loader
// the program registers (the CLI's opens the learning plugin), so the scheduler's kind
// builds and runs without libtorch until a topology names weights.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/octocross/core/cluster_recording.hpp"

namespace troupe::octocross {

// The learned models the scheduler can run (§3, §5.1): OctoCross itself; its ablations
// of Fig. 9 — Temp-Abl (an LSTM replaces the workload embedding) and Spat-Abl (no
// cluster spatial embedding nor spatial attention; ⚑ "Distream's greedy" places the
// load: the greedy offloads on its forecast); and GNN_LSTM [9] (a 2-layer GCN on
// A_phys + A_net, an LSTM over τ; ⚑ no scheduler given: the greedy offloads too).
enum class model_variant { octocross, temp_abl, spat_abl, gnn_lstm };
const char* variant_name(model_variant v);
model_variant parse_variant(const std::string& name);  // throws naming the ones there are

// The architecture a weight file must match (⚑ the paper gives no L, d or N_max).
struct model_shape {
  model_variant variant = model_variant::octocross;
  size_t tau = 32;      // samples of history in, and forecast out
  size_t d = 64;        // embedding width
  size_t heads = 8;     // of each attention
  size_t layers = 2;    // STAttn blocks, L
  size_t n_max = 128;   // rows of P and columns of w_m: the most nodes it can place
};

struct model_decision {
  matrix forecast;  // Ĥ, N×τ objects/s
  matrix offload;   // M, N×N, rows summing to 1 over up and linked nodes (M_ii: kept); empty: no head
};

// What a finetune trains on and which nodes it concerns (§3.3).
struct finetune_request {
  cluster_recording data;
  std::vector<size_t> nodes;  // indices into data.nodes: the lost node, or the new ones
  bool lost = false;          // lost: the encoder's outputs are cached, only decoder and head train
                              // (GNN_LSTM: retrained from scratch either way)
  int epochs = 1000;
  std::shared_ptr<std::atomic<bool>> cancel;  // set: the finetune stops at its next epoch and throws
};

class offload_model {
 public:
  virtual ~offload_model() = default;
  virtual const model_shape& shape() const = 0;
  // The nodes it was trained (or finetuned) with, by name, in the order of their slots
  // (rows of P): a cluster's nodes take their slots by name (assign_slots), so one
  // model serves a site at any size and in any order; a name it lacks is new (§3.3).
  virtual const std::vector<std::string>& known_nodes() const = 0;
  virtual model_decision decide(const cluster_state& state) const = 0;
  // A copy in which every slot past the known ones has the mean of the known rows of
  // P (§3.3: a new node joins at once, placed where the average node is).
  virtual std::shared_ptr<const offload_model> placed() const = 0;
  // A finetuned copy; this one is left as it is, so decisions go on meanwhile.
  virtual std::shared_ptr<const offload_model> finetuned(const finetune_request& request) const = 0;
  virtual std::string describe() const = 0;
};

// Each name's slot: its place among `known`, or the next free slot past them in the
// order the new names come; `n_max` (no slot) once the N_max slots are taken.
std::vector<size_t> assign_slots(const std::vector<std::string>& known, const std::vector<std::string>& names,
                                 size_t n_max);

// Opens a weight file; throws when it cannot, or when its shape is not `expected`
// (naming the file and the field).
using model_loader = std::function<std::shared_ptr<const offload_model>(const std::string& path,
                                                                       const model_shape& expected)>;
void register_model_loader(model_loader loader);
std::shared_ptr<const offload_model> load_model(const std::string& path, const model_shape& expected);

}  // namespace troupe::octocross
