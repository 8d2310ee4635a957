// What ROOMIE's actors take from the bus: requests that name a replica and a model as
// names (they become actor names and trace file names), replies with a finite μ̄, and
// replica stats whose busy time grows no faster than the time that passed (a forged
// one could make the autoscaler add replicas). Each returns the refusal, nullopt when
// the message is plausible.
#pragma once

#include <cstddef>
#include <optional>

#include "actors/runtime/bus/refusal.hpp"
#include "troupe/messages/roomie.pb.h"

namespace troupe::roomie {

constexpr size_t max_params_bytes = 64 * 1024;
constexpr uint32_t max_gpu_index = 4096;
constexpr size_t max_table_rows = 100000;

std::optional<refusal> check_request(const msg::roomie::PlaceRequest& r);
std::optional<refusal> check_reply(const msg::roomie::PlaceReply& r);
std::optional<refusal> check_table(const msg::roomie::PlacementTable& t);

// A replica's busy time, `busy_ms` now against `last_busy_ms` `elapsed_ms` ago: finite,
// and grown by no more than the time that passed (and 5 s: a batch's worth and the
// bus's delay) on `parallel` workers, at most 256 (less than before is a restarted
// replica counting from 0).
std::optional<refusal> check_busy(double busy_ms, double last_busy_ms, double elapsed_ms, unsigned parallel);

}  // namespace troupe::roomie
