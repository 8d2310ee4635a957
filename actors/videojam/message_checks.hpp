// What VideoJam's actors (and OctoCross's scheduler, which reads the same stats) take
// from the bus. A table row with a time from the future once would win every merge of
// the gossiped state table (§3.4.2) for the rest of a run; a NaN μ would poison the
// forecasts. Each returns the refusal, nullopt when the message is plausible.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "actors/common/core/plausible.hpp"
#include "actors/runtime/bus/refusal.hpp"
#include "troupe/messages/videojam.pb.h"

namespace troupe::videojam {

constexpr size_t max_table_rows = 4096;
constexpr size_t max_history = 100000;     // slots a row's history may carry
constexpr double max_items = 1e9;          // per slot, queued or exchanged
constexpr size_t max_offload_items = 100000;

// A state table (in a StateUpdate, an InformationRequest or a DataOffload): named
// replicas, finite non-negative load, measured within the run.
std::optional<refusal> check_table(const msg::videojam::LoadTable& t, const time_window& window);

// An item from upstream: a camera, a sink and a capture time in the run.
std::optional<refusal> check_item(const msg::WorkItem& item, const time_window& window);

// Offloaded items: each as above, and their table as above.
std::optional<refusal> check_offload(const msg::videojam::DataOffload& d, const time_window& window);

// A probe's echo: sent by this replica's clock within the run, not after `now_ns`.
std::optional<refusal> check_echo(const msg::videojam::LinkProbe& p, const time_window& window, int64_t now_ns);

// A result at the sink: a camera and a capture time within the run.
std::optional<refusal> check_result(const msg::videojam::PipelineResult& r, const time_window& window);

// A replica's stats: in its own name (`sender`), finite non-negative figures, fractions
// within [0, 1].
std::optional<refusal> check_stats(const msg::videojam::FunctionStats& s, const std::string& sender);

}  // namespace troupe::videojam
