#include "actors/roomie/core/placement_book.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace troupe::roomie {

placement_book::placement_book(std::vector<gpu_slot> cluster, std::map<std::string, model_profile> models,
                               placement_kind kind, placement_settings s)
    : cluster_(std::move(cluster)), models_(std::move(models)), settings_(s) {
  if (!(s.lambda > 0))
    throw std::invalid_argument("lambda must be above 0");
  if (cluster_.empty())
    throw std::invalid_argument("the cluster has no GPU");
  if (models_.empty())
    throw std::invalid_argument("no model to place");
  std::vector<const model_profile*> catalogue;
  for (auto& [name, m] : models_)
    catalogue.push_back(&m);
  policy_ = make_placement_policy(kind, s.lambda, catalogue, cache_);
}

placement_decision placement_book::decide(const replica_request& r) {
  placement_decision d;
  d.request = r;
  auto m = models_.find(r.model);
  if (m == models_.end()) {
    std::string known;
    for (auto& [name, profile] : models_)
      known += (known.empty() ? "" : ", ") + name;
    d.why = "no kernel trace of model '" + r.model + "' (known: " + known + ")";
    return d;
  }
  try {
    require_fits_somewhere(cluster_, m->second);
  } catch (const std::exception& ex) {
    d.why = ex.what();
    return d;
  }
  auto p = policy_->place(cluster_, m->second);
  d.mean_drop = p.mean_drop;
  if (!p.gpu) {
    d.what = placement_decision::kind::deferred;
    return d;
  }
  d.what = placement_decision::kind::spawn;
  d.gpu = *p.gpu;
  cluster_[d.gpu].hosted.push_back(&m->second);
  booked_[r.replica] = {d.gpu, r.model};
  return d;
}

placement_decision placement_book::place(const replica_request& r) {
  auto waiting = std::any_of(deferred_.begin(), deferred_.end(), [&](auto& x) { return x.replica == r.replica; });
  if (booked_.count(r.replica) || waiting) {
    placement_decision d;
    d.request = r;
    d.why = "replica '" + r.replica + "' is placed already";
    return d;
  }
  auto d = decide(r);
  if (d.what != placement_decision::kind::refused)
    first_.emplace(r.model, r);
  if (d.what != placement_decision::kind::deferred)
    return d;
  if (deferred_.size() >= settings_.max_deferred) {
    d.what = placement_decision::kind::refused;
    d.why = "no GPU for it now and " + std::to_string(deferred_.size()) + " deferred already (max_deferred)";
    return d;
  }
  deferred_.push_back(r);
  return d;
}

std::vector<placement_decision> placement_book::leave(const std::string& replica) {
  if (auto b = booked_.find(replica); b != booked_.end()) {
    auto& hosted = cluster_[b->second.gpu].hosted;
    auto* m = &models_.at(b->second.model);
    hosted.erase(std::find(hosted.begin(), hosted.end(), m));
    booked_.erase(b);
  }
  deferred_.erase(std::remove_if(deferred_.begin(), deferred_.end(), [&](auto& r) { return r.replica == replica; }),
                  deferred_.end());
  return retry();
}

std::vector<placement_decision> placement_book::retry() {
  std::vector<placement_decision> out;
  std::deque<replica_request> still;
  for (auto& r : deferred_) {
    auto d = decide(r);
    if (d.what == placement_decision::kind::spawn)
      out.push_back(std::move(d));
    else
      still.push_back(r);
  }
  deferred_ = std::move(still);
  return out;
}

size_t placement_book::replicas_of(const std::string& model) const {
  auto n = std::count_if(booked_.begin(), booked_.end(), [&](auto& b) { return b.second.model == model; }) +
           std::count_if(deferred_.begin(), deferred_.end(), [&](auto& r) { return r.model == model; });
  return size_t(n);
}

std::optional<replica_request> placement_book::load(const std::string& replica, double utilisation, double now_s) {
  auto b = booked_.find(replica);
  if (b == booked_.end() || !std::isfinite(utilisation))
    return std::nullopt;
  b->second.utilisation = utilisation;
  auto& model = b->second.model;
  double sum = 0;
  int n = 0;
  for (auto& [name, x] : booked_)
    if (x.model == model) {
      sum += x.utilisation;
      ++n;
    }
  if (sum / n <= settings_.scale_util) {
    hot_since_s_.erase(model);
    return std::nullopt;
  }
  auto since = hot_since_s_.emplace(model, now_s).first->second;
  if (now_s - since < settings_.scale_after_s || replicas_of(model) >= size_t(settings_.max_replicas))
    return std::nullopt;
  hot_since_s_.erase(model);  // the next one waits another scale_after_s
  auto r = first_.at(model);
  do
    r.replica = model + "-auto-" + std::to_string(++added_[model]);
  while (booked_.count(r.replica));
  return r;
}

std::optional<size_t> placement_book::gpu_of(const std::string& replica) const {
  auto b = booked_.find(replica);
  return b == booked_.end() ? std::nullopt : std::optional<size_t>(b->second.gpu);
}

}  // namespace troupe::roomie
