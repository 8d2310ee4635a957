#include "actors/videojam/core/table.hpp"

#include <algorithm>
#include <cmath>

namespace troupe::videojam {

state_table::state_table(std::string self) {
  rows_.push_back({});
  rows_.front().replica = std::move(self);
}

const load_row* state_table::find(const std::string& replica) const {
  for (auto& r : rows_)
    if (r.replica == replica)
      return &r;
  return nullptr;
}

bool state_table::update_from_owner(const load_row& row) {
  if (row.replica == self())
    return false;
  excluded_.erase(std::remove(excluded_.begin(), excluded_.end(), row.replica), excluded_.end());
  for (auto& r : rows_)
    if (r.replica == row.replica) {
      if (row.at_ns < r.at_ns)
        return false;
      r = row;
      return true;
    }
  rows_.push_back(row);
  return true;
}

size_t state_table::merge(const std::vector<load_row>& rows) {
  size_t replaced = 0;
  for (auto& row : rows) {
    if (row.replica == self() || excluded(row.replica))
      continue;
    auto* mine = find(row.replica);
    if (mine != nullptr && mine->at_ns >= row.at_ns)
      continue;
    if (mine != nullptr)
      *const_cast<load_row*>(mine) = row;
    else
      rows_.push_back(row);
    ++replaced;
  }
  return replaced;
}

void state_table::exclude(const std::string& replica) {
  if (replica == self())
    return;
  rows_.erase(std::remove_if(rows_.begin(), rows_.end(), [&](auto& r) { return r.replica == replica; }),
              rows_.end());
  if (!excluded(replica))
    excluded_.push_back(replica);
}

bool state_table::excluded(const std::string& replica) const {
  return std::find(excluded_.begin(), excluded_.end(), replica) != excluded_.end();
}

std::vector<std::string> state_table::stale(int64_t now_ns, int64_t max_age_ns) const {
  std::vector<std::string> out;
  for (size_t i = 1; i < rows_.size(); ++i)
    if (now_ns - rows_[i].at_ns > max_age_ns)
      out.push_back(rows_[i].replica);
  return out;
}

std::vector<replica_view> views(const state_table& table, size_t k,
                                const std::vector<std::vector<double>>& forecasts, double own_queue_now) {
  std::vector<replica_view> out;
  for (size_t i = 0; i < table.rows().size(); ++i) {
    auto& r = table.rows()[i];
    replica_view v{r.replica, r.mu, i == 0 ? own_queue_now : r.queue, {}, r.exchanged, forecasts.at(i), i == 0};
    auto from = r.history.size() > k ? r.history.end() - long(k) : r.history.begin();
    v.window_arrivals.assign(from, r.history.end());
    out.push_back(std::move(v));
  }
  return out;
}

bool signals_congestion_risk(bool offloading_now, double expected_after_recompute) {
  return offloading_now && expected_after_recompute <= 0;
}

bool prediction_error(double received, double expected, double threshold) {
  return received - expected > threshold * std::max(expected, 1.0);
}

bool forecast_missed(double arrived, double forecast, double threshold) {
  return std::abs(arrived - forecast) > std::max(threshold * forecast, 1.0);
}

}  // namespace troupe::videojam
