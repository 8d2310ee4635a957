// Recorded traces (either format trace_recorder writes) → Chrome trace event JSON, which
// Perfetto and chrome://tracing open. Each message becomes a slice on the receiver's
// track from send to delivery; flow arrows link a message to the ones it caused. A
// result that carries its work (queue_us, compute_us, batch_size: a replica's
// Detections) also draws it on its sender's track: a "queue" slice per item and one
// slice per batch, with a flow from each item's request to the batch that computed it.
#pragma once

#include <istream>
#include <string>

#include <nlohmann/json.hpp>

namespace troupe {

struct export_summary {
  size_t lines = 0, messages = 0, flows = 0, skipped = 0, batches = 0;
  std::string unreadable_file;  // why no record could be read at all (read_trace); empty: none
};

// Malformed lines and damaged records are skipped and counted, never fatal.
nlohmann::json export_chrome_trace(std::istream& in, export_summary& summary);

// The same spans as OTLP/JSON for Jaeger-style tools: one resource (service.name) per
// node, a span per message from its send to its delivery with its cause as parent, and
// a result's queue wait and compute as children of the request it answered.
nlohmann::json export_otlp_trace(std::istream& in, export_summary& summary);

}  // namespace troupe
