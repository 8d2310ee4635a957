// `troupe train-penance --stage adapter`: the CRL adapter and the performance encoder
// (penance.txt §3.3–3.4) trained end to end by PPO on the replay of the training drives
// (actors/penance/core/replay): each episode a drive, a target A and a bandwidth B;
// the self-competition reward; the bitrate estimator frozen. CASVA-C (§4.1.3) is the
// same training with p replaced by the size of an extra encode of the segment.
// Plain C++: no libtorch headers.
#pragma once

#include <string>
#include <vector>

#include "actors/penance/core/adapter_state.hpp"
#include "actors/penance/core/recorded_conditions.hpp"
#include "actors/penance/core/reward.hpp"
#include "learning/penance_dataset.hpp"
#include "learning/ppo_settings.hpp"
#include "learning/training_progress.hpp"

namespace troupe::learning {

enum class adapter_variant { penance, casva_c };

struct adapter_options {
  penance_dataset_options data;
  adapter_variant variant = adapter_variant::penance;
  std::string estimator = "build/models/penance-estimator.pt";
  int64_t steps = 300000;            // the paper trains 2 M
  int episodes_per_rollout = 16;     // ⚑
  ppo_settings ppo;
  std::vector<double> targets = {0.50, 0.55, 0.60, 0.65, 0.70, 0.75, 0.80};  // A per episode
  double bandwidth_min = 0.3, bandwidth_max = 1.0;  // B per episode, MBps at 1280×720
  // Empty: A and B drawn per episode (above). Else each episode plays the A_i and B_i a
  // recorded camera met, from a segment drawn at random on (wrapping round its series).
  std::vector<penance::condition_series> conditions;
  penance::reward_settings reward;
  double decide_s = 0.223;           // estimator + adapter on a Pi 4B (Table 2)
  double encode_ms_per_mp = 16;      // ⚑ the Pi's hardware encoder, per megapixel-frame
  double server_macs_per_s = 1e12;   // ⚑ the server's segmentation throughput (an RTX 4090 on small models)
  uint64_t seed = 1;
  int threads = 0;
  double checkpoint_every_s = 60;    // <output>.checkpoint, so a stopped training resumes
  std::string output = "build/models/penance-adapter.pt";
};

// Inline: the CLI names variants before it loads the learning plugin.
inline const char* variant_name(adapter_variant v) { return v == adapter_variant::penance ? "penance" : "casva-c"; }

// Our frames' pixels over the paper's 1280×720: bandwidths and sizes scale with it
// (issue 18 §5: MBps × 0.25 at 640×360).
inline double pixel_ratio(const penance_dataset_options& d) { return penance::paper_pixel_ratio(d.width, d.height); }

struct adapter_result {
  int64_t steps = 0;
  int rollouts = 0;
  double first_reward = 0, final_reward = 0;  // mean reward per step, first and last tenth of rollouts
  // Greedy on the test drives at A 0.65, B 0.6 MBps (Fig. 15's middle), beside Optimal.
  double fail_pct = 0, gmacs = 0, optimal_fail_pct = 0, optimal_gmacs = 0;
  double adapter_ms = 0;  // one decision, one thread (the paper: 20.69 on a Pi 4B)
  double bandwidth_played_min = 0, bandwidth_played_max = 0;  // B of the training episodes' segments, MBps at 1280×720
  double seconds = 0;
  std::string output;
};

// Throws std::invalid_argument for bad options, missing tables or an estimator that
// does not match them.
adapter_result train_adapter(const adapter_options& o, const progress_callback& progress = {});

}  // namespace troupe::learning
