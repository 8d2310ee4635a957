// The placement actor's books (thesis Alg. 3 in a running cluster): which replica sits
// on which GPU, the replicas deferred until a GPU has room, and each model's recent
// load for the autoscaler (⚑ an addition: the thesis places arrivals only). Each call
// returns what to do; the actor does it.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/roomie/core/placement.hpp"

namespace troupe::roomie {

struct replica_request {
  std::string replica;      // the actor to spawn
  std::string model;        // its kernel traces' name
  std::string params_yaml;  // its own parameters
};

struct placement_decision {
  enum class kind { spawn, deferred, refused };
  kind what = kind::refused;
  replica_request request;
  size_t gpu = 0;           // spawn: an index into the cluster
  double mean_drop = 0;     // μ̄ of that GPU with the replica, by the estimate (ROOMIE)
  std::string why;          // refused
};

struct placement_settings {
  double lambda = 0.5;        // ROOMIE's bound on a GPU's μ̄ (Alg. 3; ⚑ unstated, 0.5)
  size_t max_deferred = 64;
  double scale_util = 0.8;    // a model whose replicas are busier than this on average…
  double scale_after_s = 2;   // …for this long gets one more
  int max_replicas = 8;       // per model, the autoscaler's bound
};

class placement_book {
 public:
  // `models`: every model the cluster may host, by name (Usher's classes are relative
  // to their medians). Throws std::invalid_argument for λ ≤ 0 or NaN, an empty cluster,
  // no models.
  placement_book(std::vector<gpu_slot> cluster, std::map<std::string, model_profile> models, placement_kind kind,
                 placement_settings s);

  // A replica to place: spawned on a GPU, deferred (no GPU will take it now), or refused
  // (unknown model, one no GPU could hold even empty, a name already booked, the
  // deferred queue full).
  placement_decision place(const replica_request& r);
  // A replica left (exited, crashed, its spawn failed): its GPU freed, then the
  // deferred ones that fit now, in arrival order.
  std::vector<placement_decision> leave(const std::string& replica);
  // The deferred ones that fit now (every retry_ms).
  std::vector<placement_decision> retry();
  // A replica's busy share over its last stats interval, at `now_s`: a request for
  // one more replica of its model once the model's mean stayed above scale_util for
  // scale_after_s, while it has fewer than max_replicas.
  std::optional<replica_request> load(const std::string& replica, double utilisation, double now_s);

  struct booking {
    size_t gpu;
    std::string model;
    double utilisation = 0;
  };
  const std::vector<gpu_slot>& cluster() const { return cluster_; }
  const std::map<std::string, booking>& bookings() const { return booked_; }  // by replica
  size_t deferred() const { return deferred_.size(); }
  // The GPU a replica is booked on, if it is.
  std::optional<size_t> gpu_of(const std::string& replica) const;

 private:
  placement_decision decide(const replica_request& r);
  size_t replicas_of(const std::string& model) const;

  std::vector<gpu_slot> cluster_;
  std::map<std::string, model_profile> models_;  // hosted pointers point here
  delay_cache cache_;
  std::unique_ptr<placement_policy> policy_;
  placement_settings settings_;
  std::map<std::string, booking> booked_;         // by replica
  std::deque<replica_request> deferred_;
  std::map<std::string, replica_request> first_;  // per model: the pattern of the replicas added
  std::map<std::string, int> added_;              // per model: replicas the autoscaler asked for
  std::map<std::string, double> hot_since_s_;     // per model: above scale_util since
};

}  // namespace troupe::roomie
