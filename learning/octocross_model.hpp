// OctoCross's spatiotemporal model (octocross.txt §3.1–3.3) and `troupe train-octocross`:
// workload and cluster spatial embeddings, L STAttn blocks (spatial and temporal
// attention, gated fusion), a decoder to the next τ seconds of every node's load, and a
// pairwise offloading head whose masked row softmax is the offloading matrix M. Trained
// on the scheduler's traces with one loss: the forecast's MSE, the overload M leaves on
// the load that came, and M's use of slow links. Plain C++: callers need no libtorch.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/octocross/core/offload_model.hpp"
#include "learning/training_progress.hpp"
#include "learning/training_split.hpp"

namespace troupe::learning {

struct octocross_options {
  std::vector<std::string> traces;  // the scheduler's `trace` files
  octocross::model_shape shape;     // its variant: which model
  std::string variant = "octocross";  // the command line's name for shape.variant
  int epochs = 3000;                // ⚑ an epoch is one batch (the paper's 3000 take ≈ 200 s on a GPU)
  int batch = 16;
  double learning_rate = 1e-3;
  double net_weight = 0.1;          // the loss's weight on offloading over slow links
  size_t ahead = 15;                // samples a decision covers (§3.2: every 15 s): the head's mask
                                    // reads mean Ĥ over them; kept in the weight file
  time_split split;
  int validate_every = 50;          // epochs between validation scores (each scores every window)
  uint64_t seed = 1;
  std::string output;               // weight file written at the end
};

struct octocross_result {
  size_t train_windows = 0, validation_windows = 0, held_out_windows = 0, nodes = 0;
  int kept_epoch = 0;
  double train_loss = 0, validation_mse = 0;        // validation: the forecast's, (objects/s)²
  double held_out_mse = 0, naive_held_out_mse = 0;  // naive: every node's mean of its τ past
  double held_out_overload = 0;                     // the loss's overload term on the held-out part
  double seconds = 0;
};

octocross_result train_octocross(const octocross_options& options, const progress_callback& progress = {});

// Opens weights train_octocross wrote; refuses others, and those of another shape,
// naming the file and the field.
std::shared_ptr<const octocross::offload_model> load_octocross_model(const std::string& path,
                                                                     const octocross::model_shape& expected);

// A model of `shape` with its initial weights: what a decision or a finetune costs does
// not depend on training (octocross_model_bench). Loads are divided by `scale`.
std::shared_ptr<const octocross::offload_model> untrained_octocross_model(const octocross::model_shape& shape,
                                                                          double scale, std::vector<std::string> known);

// A batched forward (forecast and plan) of `batch` windows of `nodes` nodes, all up,
// through an untrained model, built ready to run: the operations a batch of decisions
// runs, for deriving its kernels (troupe derive-traces).
std::function<void()> octocross_forward_batch(const octocross::model_shape& shape, size_t nodes, int batch);

}  // namespace troupe::learning
