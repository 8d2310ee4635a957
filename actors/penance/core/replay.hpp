// A video played through Penance's loop without pixels (penance.txt §3.4.1): every
// segment's true sizes and accuracies come from the dataset's table, and the timing is
// the live one: a segment is ready T after its first frame, the device decides and
// encodes, the upload must end within T of its start or is cut (mIoU 0, cost 0 ⚑), the
// server segments delivered segments in order, and a decision sees the newest result
// already back (⚑ p_{i−1} is "the latest predicted segment"). PPO trains on it, the
// oracle baselines are scored on it, and the live run is compared with it.
#pragma once

#include <optional>
#include <vector>

#include "actors/penance/core/config_space.hpp"
#include "actors/penance/core/reward.hpp"

namespace troupe::penance {

struct segment_truth {
  std::vector<double> bytes;     // per setting, the real encode's size
  std::vector<double> accuracy;  // per configuration, the mean mIoU of the scored frames
};

struct replay_timing {
  double segment_s = 1.0;         // T
  double decide_s = 0.223;        // estimator + adapter on the device (Table 2: 202.44 + 20.69 ms, Pi 4B)
  std::vector<double> encode_s;   // per setting: encoding one segment on the device
  std::vector<double> result_s;   // per configuration: decode, inference and performance encoder on the server
};

struct feedback {
  size_t segment;  // whose last frame's softmax gives p
  size_t config;   // how it was configured, a_{i−1} in the state
};

struct replay_step {
  size_t segment = 0, config = 0;
  bool delivered = false;
  double bytes = 0;
  double bandwidth = 0;  // B_i, bytes/s
  double start_s = 0, upload_s = 0, back_s = 0;
  double accuracy = 0, cost = 0;  // λ_i and C_i; 0 when cut
  std::optional<feedback> seen;   // the result the decision saw
  bool stale = false;             // it was not segment i−1's
};

class segment_replay {
 public:
  // `video` and `cost` must outlive the replay. `bandwidth[i]` is B_i in bytes/s, the
  // mean over the T after segment i is ready. Throws std::invalid_argument when a size
  // does not match the space or there are fewer bandwidths than segments.
  segment_replay(const config_space& space, const std::vector<double>& cost, replay_timing timing,
                 const std::vector<segment_truth>& video, std::vector<double> bandwidth);

  bool done() const { return next_ >= video_->size(); }
  size_t segment() const { return next_; }
  const segment_truth& truth() const { return (*video_)[next_]; }
  double bandwidth() const { return bandwidth_[next_]; }
  double decision_at_s() const;               // when segment i's decision is made
  std::optional<feedback> latest() const;     // the newest result back by then
  replay_step step(size_t config);            // configures segment i and plays it

 private:
  struct result {
    double back_s;
    feedback f;
  };
  const config_space* space_;
  const std::vector<double>* cost_;
  replay_timing timing_;
  const std::vector<segment_truth>* video_;
  std::vector<double> bandwidth_;
  size_t next_ = 0;
  double link_free_s_ = 0, server_free_s_ = 0;
  std::vector<result> results_;  // delivered segments, in order
};

// U_i, O_i (MB/s) and C_i of a played step against the target A_i.
step_terms terms_of(const replay_step& s, double accuracy_target, double segment_s);

}  // namespace troupe::penance
