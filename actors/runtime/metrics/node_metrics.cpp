#include "actors/runtime/metrics/node_metrics.hpp"

#include <algorithm>

#include "actors/runtime/bus/envelope_codec.hpp"
#include "actors/runtime/metrics/registry.hpp"
#include "actors/runtime/node.hpp"

namespace troupe::metrics {

namespace {

labels with(const labels& base, const std::string& key, const std::string& value) {
  auto out = base;
  out.emplace_back(key, value);
  return out;
}

// A cause as a label value: "wrong schema version" -> "wrong_schema_version".
std::string snake(const char* cause) {
  std::string out = cause;
  for (auto& c : out)
    if (c == ' ' || c == '-')
      c = '_';
  return out;
}

void write_envelopes(exposition& out, const labels& l, const node_stats& s) {
  const std::string sent = "troupe_node_envelopes_sent_total";
  const std::string sent_help = "Envelopes this node's actors sent, to actors here (local) or on other nodes (remote)";
  out.counter(sent, sent_help, with(l, "to", "local"), double(s.sent_local));
  out.counter(sent, sent_help, with(l, "to", "remote"), double(s.sent_remote));
  out.counter("troupe_node_envelopes_received_total", "Envelopes that arrived from the bus", l, double(s.received));
  out.counter("troupe_node_sent_bytes_total", "Envelope bytes published", l, double(s.bytes_sent));
  out.counter("troupe_node_received_bytes_total", "Envelope bytes that arrived", l, double(s.bytes_received));
  out.counter("troupe_node_publish_errors_total", "Publishes the NATS client refused", l, double(s.publish_errors));
}

void write_drops(exposition& out, const labels& l, const node_stats& s) {
  const std::string dropped = "troupe_node_dropped_envelopes_total";
  const std::string help = "Envelopes dropped before decoding completed, by cause";
  std::pair<decode_failure, uint64_t> causes[] = {
      {decode_failure::garbage, s.dropped_garbage},         {decode_failure::wrong_version, s.dropped_wrong_version},
      {decode_failure::unknown_type, s.dropped_unknown_type}, {decode_failure::bad_payload, s.dropped_bad_payload},
      {decode_failure::oversized, s.dropped_oversized}};
  for (auto& [cause, n] : causes)
    out.counter(dropped, help, with(l, "cause", snake(to_string(cause))), double(n));
  out.counter(dropped, help, with(l, "cause", "slow_consumer"), double(s.slow_consumer_drops));
  for (size_t i = 0; i < refusal_kinds; ++i)
    out.counter("troupe_node_refused_total", "Envelopes that decoded but were not obeyed, by cause",
                with(l, "cause", snake(to_string(static_cast<refusal>(i)))), double(s.refused[i]));
  out.counter("troupe_node_permission_denied_total", "Publishes and subscriptions the server's permissions refused", l,
              double(s.permission_denied));
  out.counter("troupe_node_undeliverable_total", "Envelopes for a local actor that had just exited", l,
              double(s.undeliverable));
  out.counter("troupe_node_unknown_receiver_total", "Sends refused: no actor of that name known", l,
              double(s.unknown_receiver));
}

void write_liveness(exposition& out, const labels& l, const node& n, const node_stats& s) {
  out.counter("troupe_node_heartbeats_sent_total", "Heartbeats this node sent", l, double(s.heartbeats_sent));
  out.counter("troupe_node_heartbeats_heard_total", "Heartbeats heard from other nodes", l, double(s.heartbeats_heard));
  out.counter("troupe_node_nodes_suspected_total", "Nodes silent past the limit and probed", l,
              double(s.nodes_suspected));
  out.counter("troupe_node_nodes_declared_down_total", "Nodes this node declared down", l,
              double(s.nodes_declared_down));
  out.gauge("troupe_node_liveness_lag_max_seconds", "The most this node's own heartbeats came back late", l,
            s.liveness_lag_max_ms / 1e3);
  out.gauge("troupe_node_live_nodes", "Nodes of the deployment this node hears", l, double(n.live_nodes().size()));
  out.gauge("troupe_node_down_nodes", "Nodes of the deployment this node holds down", l,
            double(n.down_nodes().size()));
  out.gauge("troupe_node_actors", "Actors running on this node", l, double(n.local_actors().size()));
  out.gauge("troupe_node_connected", "1 while the node's NATS connection is up", l, n.connected() ? 1 : 0);
}

void write_interface(exposition& out, const labels& l, const char* direction, uint64_t messages, double bytes,
                     uint64_t dropped, double backlog_s) {
  auto d = with(l, "direction", direction);
  out.counter("troupe_link_messages_total", "Messages through the node's shaped interface", d, double(messages));
  out.counter("troupe_link_bytes_total", "Bytes through the node's shaped interface", d, bytes);
  out.counter("troupe_link_drops_total", "Messages the interface's queue bound dropped", d, double(dropped));
  out.gauge("troupe_link_queue_seconds", "How long a message offered now would queue", d, backlog_s);
}

void write_links(exposition& out, const labels& l, const node_stats& s) {
  if (s.uplink_shaped)
    write_interface(out, l, "uplink", s.uplink_messages, s.uplink_bytes, s.uplink_dropped, s.uplink_backlog_s);
  if (s.downlink_shaped)
    write_interface(out, l, "downlink", s.downlink_messages, s.downlink_bytes, s.downlink_dropped,
                    s.downlink_backlog_s);
  out.counter("troupe_link_cuts_total", "Sends cut because an emulated link would deliver them past their deadline", l,
              double(s.link_cuts));
  out.counter("troupe_link_cut_bytes_total", "Bytes of the sends cut at their deadline", l, s.link_cut_bytes);
}

}  // namespace

void write_node(exposition& out, const node& n) {
  labels l = {{"node", n.name()}};
  auto s = n.stats();
  write_envelopes(out, l, s);
  write_drops(out, l, s);
  write_liveness(out, l, n, s);
  write_links(out, l, s);
  n.metrics().write(out, l);
}

void node_roster::add(const node& n) {
  std::lock_guard<std::mutex> lock(mtx_);
  nodes_.push_back(&n);
}

void node_roster::remove(const node& n) {
  std::lock_guard<std::mutex> lock(mtx_);
  nodes_.erase(std::remove(nodes_.begin(), nodes_.end(), &n), nodes_.end());
}

std::string node_roster::scrape() const {
  exposition out;
  std::lock_guard<std::mutex> lock(mtx_);
  for (auto* n : nodes_)
    write_node(out, *n);
  return out.text();
}

}  // namespace troupe::metrics
