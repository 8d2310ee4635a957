#include "actors/videojam/message_checks.hpp"

namespace troupe::videojam {

namespace {

bool plausible_row(const msg::videojam::LoadRow& r, const time_window& window) {
  if (!plausible_name(r.replica()) || !finite_in(r.mu(), 0, max_items) || !finite_in(r.queue(), 0, max_items) ||
      !finite_in(r.exchanged(), -max_items, max_items) || !finite_in(r.partition(), 0, 1) ||
      !window.holds(r.at_unix_ns()) || static_cast<size_t>(r.history_size()) > max_history)
    return false;
  for (double h : r.history())
    if (!finite_in(h, 0, max_items))
      return false;
  return true;
}

}  // namespace

std::optional<refusal> check_table(const msg::videojam::LoadTable& t, const time_window& window) {
  if (static_cast<size_t>(t.rows_size()) > max_table_rows)
    return refusal::out_of_range;
  for (auto& r : t.rows())
    if (!plausible_row(r, window))
      return refusal::out_of_range;
  return std::nullopt;
}

std::optional<refusal> check_item(const msg::WorkItem& item, const time_window& window) {
  if (item.camera().empty() || item.sink().empty())
    return refusal::missing_field;
  if (!window.holds(item.capture_time_unix_ns()))
    return refusal::out_of_range;
  return std::nullopt;
}

std::optional<refusal> check_offload(const msg::videojam::DataOffload& d, const time_window& window) {
  if (static_cast<size_t>(d.items_size()) > max_offload_items)
    return refusal::out_of_range;
  for (auto& item : d.items())
    if (auto why = check_item(item, window))
      return why;
  return d.has_table() ? check_table(d.table(), window) : std::nullopt;
}

std::optional<refusal> check_echo(const msg::videojam::LinkProbe& p, const time_window& window, int64_t now_ns) {
  if (!window.holds(p.sent_at_unix_ns()) || p.sent_at_unix_ns() > now_ns)
    return refusal::out_of_range;
  return std::nullopt;
}

std::optional<refusal> check_result(const msg::videojam::PipelineResult& r, const time_window& window) {
  if (r.camera().empty())
    return refusal::missing_field;
  if (!window.holds(r.capture_time_unix_ns()))
    return refusal::out_of_range;
  return std::nullopt;
}

std::optional<refusal> check_stats(const msg::videojam::FunctionStats& s, const std::string& sender) {
  if (s.replica() != sender)
    return refusal::forged_sender;
  for (double v : {s.mu(), s.mu_objects(), s.dispatch_us_p50(), s.forecast_us_p50()})
    if (!finite_in(v, 0, 1e12))
      return refusal::out_of_range;
  if (!finite_in(s.busy_fraction(), 0, 1) || !finite_in(s.slot_s(), 0, 86400))
    return refusal::out_of_range;
  for (auto& l : s.link_delays())
    if (!finite_in(l.ms(), 0, 3.6e6))
      return refusal::out_of_range;
  return std::nullopt;
}

}  // namespace troupe::videojam
