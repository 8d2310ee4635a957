// What a deployment's cameras met, as conditions to train the adapter under: per
// camera, the accuracy target A_i and the bandwidth B_i of each segment it sent, in
// segment order. `troupe train-penance --stage adapter --conditions-from DIR` reads them
// from a recorded run (`troupe run --record DIR`, the sink's SegmentSent letters) and
// plays its episodes at them instead of at an A and B drawn per episode: the agent
// learns the network a deployment really had. The outcome of each configuration still
// comes from the tables (the replay): a run shows only the configuration it chose.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace troupe::penance {

// One segment as a camera reported it sent (msg::penance::SegmentSent).
struct sent_segment {
  std::string camera;
  uint64_t segment = 0;
  double target = 0;          // A_i
  double bandwidth_mbps = 0;  // B_i, MB/s at 1280×720
};

struct condition_series {
  std::string camera;
  std::vector<double> targets, bandwidth_mbps;  // per segment, in segment order
};

// One series per camera (by name), its segments in order; a segment reported twice
// counts once (the first). Throws std::invalid_argument naming camera and segment for
// a target outside (0, 1] or a bandwidth that is not positive and finite.
std::vector<condition_series> conditions_of(const std::vector<sent_segment>& sent);

}  // namespace troupe::penance
