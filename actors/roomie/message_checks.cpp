#include "actors/roomie/message_checks.hpp"

#include <algorithm>

#include "actors/common/core/plausible.hpp"

namespace troupe::roomie {

std::optional<refusal> check_request(const msg::roomie::PlaceRequest& r) {
  if (r.replica().empty() || r.model().empty())
    return refusal::missing_field;
  if (!plausible_name(r.replica()) || !plausible_name(r.model()) || r.params_yaml().size() > max_params_bytes)
    return refusal::out_of_range;
  return std::nullopt;
}

std::optional<refusal> check_reply(const msg::roomie::PlaceReply& r) {
  if (r.replica().empty() || r.model().empty())
    return refusal::missing_field;
  if (!plausible_name(r.replica()) || !plausible_name(r.model()) || r.gpu() > max_gpu_index ||
      !finite_in(r.mean_drop(), 0, 1e6))
    return refusal::out_of_range;
  return std::nullopt;
}

std::optional<refusal> check_table(const msg::roomie::PlacementTable& t) {
  if (static_cast<size_t>(t.placed_size()) > max_table_rows)
    return refusal::out_of_range;
  for (auto& r : t.placed())
    if (auto why = check_reply(r))
      return why;
  return std::nullopt;
}

std::optional<refusal> check_busy(double busy_ms, double last_busy_ms, double elapsed_ms, unsigned parallel) {
  // Busy time grows by a whole batch when it completes, and the stats reach the
  // placement with the bus's delay: a few seconds of slack on the time that passed.
  constexpr double slack_ms = 5000;
  constexpr unsigned most_workers = 256;  // the replica says how many; no more than a host has
  double workers = std::clamp(parallel, 1u, most_workers);
  double most = last_busy_ms + (elapsed_ms + slack_ms) * workers;
  if (!finite_in(busy_ms, 0, most))
    return refusal::out_of_range;
  return std::nullopt;
}

}  // namespace troupe::roomie
