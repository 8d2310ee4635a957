// VideoJam's balancer (§3.4): every window the Dispatcher (Algorithm 1) runs on the
// forecast table; what the own row owes each receiver leaves from the queue at once
// and the rest spread over the window's arrivals. A receiver judges each offload by the
// data offloading rules (§3.4.2).
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "actors/videojam/core/detail/balancers.hpp"
#include "actors/videojam/core/forecaster.hpp"
#include "actors/videojam/core/spreader.hpp"

namespace troupe::videojam::detail {

namespace {

using steady = std::chrono::steady_clock;

double since_us(steady::time_point t) {
  return std::chrono::duration<double, std::micro>(steady::now() - t).count();
}

// The last 100 windows' timings: enough for a median, bounded over long runs.
void keep_sample(std::vector<double>& samples, double us) {
  if (samples.size() >= 100)
    samples.erase(samples.begin());
  samples.push_back(us);
}

std::optional<size_t> index_of(const state_table& table, const std::string& replica) {
  for (size_t i = 0; i < table.rows().size(); ++i)
    if (table.rows()[i].replica == replica)
      return i;
  return std::nullopt;
}

class videojam_balancer final : public balancer {
 public:
  explicit videojam_balancer(const balancer_settings& s)
      : error_threshold_(s.error_threshold), window_slots_(s.window_slots),
        forecaster_(make_forecaster(s.forecaster, s.history_slots, s.window_slots)) {}

  bool exchanges_state() const override { return true; }

  std::string route(const state_table&) override { return spreader_.pick(); }

  void sent(const std::string&, size_t items) override { sent_window_ = sent_window_ || items > 0; }

  // §3.4.2: a receiver that offloads itself recomputes its policy with the sender's
  // table and signals congestion risk when it should not be receiving from the sender;
  // otherwise a load beyond what it expected from the sender is a prediction error,
  // answered by one state update per sender and window.
  offload_verdict received(const std::string& sender, size_t items, const replica_now& now) override {
    received_from_[sender] += double(items);
    if (spreader_.owes() || sent_window_) {
      auto d = policy(now);
      auto s = index_of(now.table, sender);
      if (signals_congestion_risk(true, s ? expected_from(d, *s, 0) : 0.0))
        return offload_verdict::congestion_risk;
    }
    if (prediction_error(received_from_[sender], expected_[sender], error_threshold_) &&
        errors_reported_.insert(sender).second)
      return offload_verdict::state_update;
    return offload_verdict::accept;
  }

  void congested(const std::string& replica) override { spreader_.drop(replica); }

  void lost(const std::string& replica) override {
    spreader_.drop(replica);
    expected_.erase(replica);
  }

  window_plan close_window(const replica_now& now) override {
    received_from_.clear();
    errors_reported_.clear();
    sent_window_ = false;
    return replan(now);
  }

  // The Monitor (§3.4.3): the window's arrivals so far against their forecast; a miss
  // makes the Dispatcher plan again, from the history as it is now.
  std::optional<window_plan> slot_closed(double arrivals, const replica_now& now) override {
    arrived_ += arrivals;
    forecast_so_far_ += slot_in_window_ < own_forecast_.size() ? own_forecast_[slot_in_window_] : 0.0;
    ++slot_in_window_;
    if (!forecast_missed(arrived_, forecast_so_far_, error_threshold_))
      return std::nullopt;
    ++timings_.reactions;
    return replan(now);
  }

 private:
  window_plan replan(const replica_now& now) {
    auto started = steady::now();
    std::vector<double> own_forecast;
    auto d = policy(now, &timings_.forecast_us, &own_forecast);
    keep_sample(timings_.dispatch_us, since_us(started));
    own_forecast_ = std::move(own_forecast);
    slot_in_window_ = 0;
    arrived_ = forecast_so_far_ = 0;
    return plan(d, now);
  }

  // Algorithm 1 on the current table: forecasts for every row, then the Dispatcher.
  dispatch policy(const replica_now& now, std::vector<double>* forecast_us = nullptr,
                  std::vector<double>* own_forecast = nullptr) const {
    auto started = steady::now();
    std::vector<std::vector<double>> forecasts;
    for (auto& r : now.table.rows())
      forecasts.push_back(forecaster_->forecast(r.history));
    if (forecast_us != nullptr)
      keep_sample(*forecast_us, since_us(started));
    if (own_forecast != nullptr)
      *own_forecast = forecasts.front();
    return dispatcher(views(now.table, window_slots_, forecasts, now.queue_length));
  }

  // Transfers from the own row become whole items owed to each receiver; what already
  // waits in the queue goes at once, the rest over the window's forecast arrivals.
  window_plan plan(const dispatch& d, const replica_now& now) {
    expected_.clear();
    std::map<std::string, double> owed;
    auto out = outgoing(d, 0);
    for (size_t i = 1; i < now.table.rows().size(); ++i) {
      auto& name = now.table.rows()[i].replica;
      if (out[i] >= 1)
        owed[name] = std::floor(out[i]);
      expected_[name] = expected_from(d, i, 0);
    }
    window_plan p;
    double queued = now.queue_length;
    for (auto& [replica, items] : owed)
      items -= send_from_queue(p, replica, items, queued);
    spreader_.begin_window(owed, d.global[0] - d.queue[0]);
    return p;
  }

  double error_threshold_;
  size_t window_slots_;
  std::unique_ptr<forecaster> forecaster_;
  offload_spreader spreader_;
  std::vector<double> own_forecast_;  // the plan's forecast of the own arrivals, per slot
  size_t slot_in_window_ = 0;         // slots since the plan
  double arrived_ = 0, forecast_so_far_ = 0;
  bool sent_window_ = false;
  std::map<std::string, double> expected_, received_from_;
  std::set<std::string> errors_reported_;
};

}  // namespace

std::unique_ptr<balancer> make_videojam_balancer(const balancer_settings& s) {
  return std::make_unique<videojam_balancer>(s);
}

}  // namespace troupe::videojam::detail
