#include "actors/roomie/core/placement.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace troupe::roomie {

double gpu_slot::free_mb() const {
  double used = 0;
  for (auto* m : hosted)
    used += m->mem_mb;
  return memory_mb - used;
}

placement_kind parse_placement_kind(const std::string& name) {
  if (name == "roomie")
    return placement_kind::roomie;
  if (name == "infaas")
    return placement_kind::infaas;
  if (name == "usher")
    return placement_kind::usher;
  throw std::runtime_error("placement policy '" + name + "': roomie, infaas or usher");
}

void require_fits_somewhere(const std::vector<gpu_slot>& cluster, const model_profile& m) {
  for (auto& g : cluster)
    if (g.memory_mb >= m.mem_mb)
      return;
  throw std::runtime_error("model " + m.id + " needs " + std::to_string(m.mem_mb) +
                           " MB: more than any GPU of the cluster has");
}

double mean_drop(const std::vector<const model_profile*>& models, delay_cache& cache) {
  if (models.empty())
    return 0;
  double sum = 0;
  for (auto mu : performance_drop(models, cache))
    sum += mu;
  return sum / double(models.size());
}

namespace {

// The GPUs with memory for `m`, in cluster order.
std::vector<size_t> with_room(const std::vector<gpu_slot>& cluster, const model_profile& m) {
  std::vector<size_t> out;
  for (size_t g = 0; g < cluster.size(); ++g)
    if (cluster[g].free_mb() >= m.mem_mb)
      out.push_back(g);
  return out;
}

bool hosts(const gpu_slot& g, const model_profile& m) {
  return std::any_of(g.hosted.begin(), g.hosted.end(), [&](auto* h) { return h->id == m.id; });
}

// Alg. 3: the GPU whose μ̄ with the arrival is least and below λ (ties: fewer replicas).
class roomie_policy : public placement_policy {
public:
  roomie_policy(double lambda, delay_cache& cache) : lambda_(lambda), cache_(cache) {}

  placement place(const std::vector<gpu_slot>& cluster, const model_profile& arriving) override {
    placement best;
    best.mean_drop = std::numeric_limits<double>::infinity();
    for (auto g : with_room(cluster, arriving)) {
      auto models = cluster[g].hosted;
      models.push_back(&arriving);  // ⚑ Alg. 3 l.6 passes M; M^g ∪ {m_arr} is meant
      auto mu = mean_drop(models, cache_);
      auto fewer = best.gpu && mu == best.mean_drop && cluster[g].hosted.size() < cluster[*best.gpu].hosted.size();
      if (mu < lambda_ && (mu < best.mean_drop || fewer))
        best = {g, mu};
    }
    if (!best.gpu)
      best.mean_drop = 0;
    return best;
  }

private:
  double lambda_;
  delay_cache& cache_;
};

// INFaaS-style: a GPU already hosting the model, else the one with most free memory.
class infaas_policy : public placement_policy {
public:
  placement place(const std::vector<gpu_slot>& cluster, const model_profile& arriving) override {
    std::optional<size_t> pick;
    for (auto g : with_room(cluster, arriving)) {
      auto better = !pick || hosts(cluster[g], arriving) > hosts(cluster[*pick], arriving) ||
                    (hosts(cluster[g], arriving) == hosts(cluster[*pick], arriving) &&
                     cluster[g].free_mb() > cluster[*pick].free_mb());
      if (better)
        pick = g;
    }
    return {pick, 0};
  }
};

// Usher-style: a model is compute-heavy when its c over the catalogue's median c is
// at least its u over the median u; it goes to the GPU with fewest replicas of its own
// class (ties: fewer replicas, then more free memory).
class usher_policy : public placement_policy {
public:
  explicit usher_policy(const std::vector<const model_profile*>& catalogue) {
    std::vector<double> c, u;
    for (auto* m : catalogue)
      c.push_back(m->compute), u.push_back(m->memory);
    median_c_ = median_of(c);
    median_u_ = median_of(u);
  }

  placement place(const std::vector<gpu_slot>& cluster, const model_profile& arriving) override {
    auto mine = heavy(arriving);
    auto same = [&](const gpu_slot& g) {
      return std::count_if(g.hosted.begin(), g.hosted.end(), [&](auto* h) { return heavy(*h) == mine; });
    };
    std::optional<size_t> pick;
    for (auto g : with_room(cluster, arriving)) {
      if (pick) {
        auto& a = cluster[g];
        auto& b = cluster[*pick];
        auto key_a = std::make_tuple(same(a), a.hosted.size(), -a.free_mb());
        auto key_b = std::make_tuple(same(b), b.hosted.size(), -b.free_mb());
        if (!(key_a < key_b))
          continue;
      }
      pick = g;
    }
    return {pick, 0};
  }

private:
  bool heavy(const model_profile& m) const {
    auto c = median_c_ > 0 ? m.compute / median_c_ : 0;
    auto u = median_u_ > 0 ? m.memory / median_u_ : 0;
    return c >= u;
  }
  double median_c_ = 0, median_u_ = 0;
};

}  // namespace

std::unique_ptr<placement_policy> make_placement_policy(placement_kind kind, double lambda,
                                                        const std::vector<const model_profile*>& catalogue,
                                                        delay_cache& cache) {
  if (kind == placement_kind::roomie && !(lambda > 0))  // NaN too
    throw std::runtime_error("lambda must be above 0");
  switch (kind) {
    case placement_kind::roomie:
      return std::make_unique<roomie_policy>(lambda, cache);
    case placement_kind::infaas:
      return std::make_unique<infaas_policy>();
    case placement_kind::usher:
      return std::make_unique<usher_policy>(catalogue);
  }
  throw std::logic_error("unknown placement kind");
}

std::vector<int> optimum_partition(const std::vector<const model_profile*>& models, int gpus, double memory_mb,
                                   delay_cache& cache) {
  auto n = models.size();
  if (n > 16 || gpus < 1)
    throw std::invalid_argument("optimum_partition: at most 16 models and at least one GPU");
  gpus = std::min(gpus, std::max(1, int(n)));  // more GPUs than models change nothing
  auto full = (1u << n) - 1;
  const double none = std::numeric_limits<double>::infinity();
  std::vector<double> cost(full + 1, none);  // Σ μ of a subset on one GPU; ∞ when it does not fit
  cost[0] = 0;
  for (unsigned s = 1; s <= full; ++s) {
    std::vector<const model_profile*> group;
    double mem = 0;
    for (size_t i = 0; i < n; ++i)
      if (s >> i & 1u)
        group.push_back(models[i]), mem += models[i]->mem_mb;
    if (mem <= memory_mb)
      cost[s] = mean_drop(group, cache) * double(group.size());
  }
  // best[g][s]: least cost of s over g GPUs; each step takes the group holding s's
  // lowest model, so every partition is counted once.
  std::vector<std::vector<double>> best(size_t(gpus) + 1, std::vector<double>(full + 1, none));
  std::vector<std::vector<unsigned>> took(size_t(gpus) + 1, std::vector<unsigned>(full + 1, 0));
  best[0][0] = 0;
  for (int g = 1; g <= gpus; ++g)
    for (unsigned s = 0; s <= full; ++s) {
      best[g][s] = best[g - 1][s], took[g][s] = 0;  // a GPU may stay empty
      if (s == 0)
        continue;
      auto low = s & -s;
      for (unsigned sub = s; sub; sub = (sub - 1) & s)
        if ((sub & low) && cost[sub] + best[g - 1][s ^ sub] < best[g][s])
          best[g][s] = cost[sub] + best[g - 1][s ^ sub], took[g][s] = sub;
    }
  if (!std::isfinite(best[gpus][full]))
    throw std::runtime_error("no split of the models over " + std::to_string(gpus) + " GPUs fits their memory");
  std::vector<int> out(n, -1);
  unsigned s = full;
  for (int g = gpus; g >= 1 && s; --g) {
    auto sub = took[g][s];
    for (size_t i = 0; i < n; ++i)
      if (sub >> i & 1u)
        out[i] = g - 1;
    s ^= sub;
  }
  return out;
}

}  // namespace troupe::roomie
