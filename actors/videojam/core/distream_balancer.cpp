// Distream (§3.5.2): the Edge announces its share of the compute; an End hands an item
// to the Edge with that probability at every function (full-stochastic) or only at the
// partition point the share sets in the pipeline (semi-stochastic), keeps what is
// meant for an absent Edge until it returns, and balances its queue with the other
// Ends on current queues (cross-camera, no forecast: the thesis's Distream) or, given
// a `forecaster`, on queues and each End's forecast of its next window (OctoCross's
// Distream, octocross.txt §5.1: "with an LSTM forecast"), and given an SLO, never with
// an End whose probed delay leaves no slack under it ("queues and bandwidth").
#include <algorithm>
#include <random>

#include "actors/videojam/core/baselines.hpp"
#include "actors/videojam/core/detail/balancers.hpp"
#include "actors/videojam/core/forecaster.hpp"
#include "actors/videojam/core/table.hpp"

namespace troupe::videojam::detail {

namespace {

class distream_balancer final : public balancer {
 public:
  distream_balancer(const balancer_settings& s, bool semi_stochastic)
      : edge_(s.edge), semi_(semi_stochastic), stage_(s.stage), stages_(s.stages), window_(s.window_slots),
        slo_ms_(s.slo_ms), random_(s.seed),
        forecaster_(s.forecaster.empty() ? nullptr : make_forecaster(s.forecaster, s.history_slots, s.window_slots)) {}

  bool exchanges_state() const override { return true; }

  std::string route(const state_table& table) override {
    if (is_edge())
      return {};
    double share = edge_share(table);
    double to_edge = semi_ ? semi_stochastic_to_edge(share, stage_, stages_) : share;
    return std::bernoulli_distribution(to_edge)(random_) ? edge_ : std::string();
  }

  away_policy when_away(const std::string& replica) const override {
    return !is_edge() && replica == edge_ ? away_policy::hold : away_policy::lose;
  }

  window_plan close_window(const replica_now& now) override {
    window_plan plan;
    if (is_edge()) {
      std::vector<double> ends;
      for (size_t i = 1; i < now.table.rows().size(); ++i)
        ends.push_back(now.table.rows()[i].mu);
      plan.partition = distream_edge_share(now.table.rows().front().mu, ends);
      return plan;
    }
    plan.release_held_to = edge_;
    balance_ends(plan, now);
    return plan;
  }

 private:
  bool is_edge() const { return edge_.empty(); }

  // The share the Edge takes, as the Edge last announced it; kept while the Edge is away.
  double edge_share(const state_table& table) {
    if (auto* e = table.find(edge_))
      last_edge_share_ = e->partition;
    return last_edge_share_;
  }

  void balance_ends(window_plan& plan, const replica_now& now) {
    std::vector<replica_view> ends;
    if (forecaster_) {
      std::vector<std::vector<double>> forecasts;
      for (auto& r : now.table.rows())
        forecasts.push_back(forecaster_->forecast(r.history));
      for (auto& v : views(now.table, window_, forecasts, now.queue_length))
        if (v.replica != edge_)
          ends.push_back(std::move(v));
    } else {
      auto& own = now.table.rows().front();
      for (auto& r : now.table.rows())
        if (r.replica != edge_)
          ends.push_back({r.replica, r.mu, &r == &own ? now.queue_length : r.queue, {}, 0, {}, &r == &own});
    }
    ends.erase(std::remove_if(ends.begin() + 1, ends.end(), [&](auto& e) { return too_far(e.replica, now); }),
               ends.end());
    auto out = outgoing(dispatcher(ends), 0);
    double queued = now.queue_length;
    for (size_t i = 1; i < ends.size(); ++i)
      send_from_queue(plan, ends[i].replica, out[i], queued);
  }

  bool too_far(const std::string& end, const replica_now& now) const {
    if (slo_ms_ <= 0 || !now.link_delay_ms)
      return false;
    auto it = now.link_delay_ms->find(end);
    return it != now.link_delay_ms->end() && it->second >= slo_ms_;
  }

  std::string edge_;
  bool semi_;
  size_t stage_, stages_, window_;
  double slo_ms_;
  std::mt19937_64 random_;
  std::unique_ptr<forecaster> forecaster_;  // null: current queues only
  double last_edge_share_ = 0;
};

}  // namespace

std::unique_ptr<balancer> make_distream_balancer(const balancer_settings& s, bool semi_stochastic) {
  return std::make_unique<distream_balancer>(s, semi_stochastic);
}

}  // namespace troupe::videojam::detail
