#include "actors/penance/cli/conditions_from_recording.hpp"

#include <stdexcept>

#include "actors/runtime/trace/input_log.hpp"
#include "troupe/messages/penance.pb.h"

namespace troupe {

std::vector<penance::condition_series> conditions_from_recording(const std::string& dir) {
  std::vector<penance::sent_segment> sent;
  for (auto& r : read_recording(dir))
    if (auto s = r.in.as<msg::penance::SegmentSent>(); s && s->camera() == r.in.sender)  // as the sink checks
      sent.push_back({s->camera(), s->segment(), s->accuracy_target(), s->bandwidth_mbps()});
  if (sent.empty())
    throw std::runtime_error(dir + ": no segment a camera sent (SegmentSent to a segment-sink) in the recording");
  return penance::conditions_of(sent);
}

}  // namespace troupe
