#include "actors/penance/core/problem.hpp"

#include <optional>
#include <stdexcept>
#include <tuple>

namespace troupe::penance {

namespace {

// The best configuration among those `allowed`, best meaning least by `key`.
template <class Allowed, class Key>
std::optional<size_t> best(size_t configs, Allowed allowed, Key key) {
  std::optional<size_t> chosen;
  for (size_t a = 0; a < configs; ++a)
    if (allowed(a) && (!chosen || key(a) < key(*chosen)))
      chosen = a;
  return chosen;
}

}  // namespace

decision solve(const config_space& space, const std::vector<double>& cost, const segment_view& view,
               double accuracy_target, double budget_bytes) {
  if (view.bytes.size() != space.settings() || view.accuracy.size() != space.configs() || cost.size() != space.configs())
    throw std::invalid_argument("a segment's view or cost does not match the configuration space");
  auto bytes = [&](size_t a) { return view.bytes[space.config_at(a).setting]; };
  auto fits = [&](size_t a) { return bytes(a) <= budget_bytes; };
  auto n = space.configs();

  if (auto a = best(n, [&](size_t a) { return fits(a) && view.accuracy[a] >= accuracy_target; },
                    [&](size_t a) { return std::make_tuple(cost[a], -view.accuracy[a], bytes(a)); }))
    return {*a, solved_by::cheapest};
  if (auto a = best(n, fits, [&](size_t a) { return std::make_tuple(-view.accuracy[a], cost[a], bytes(a)); }))
    return {*a, solved_by::most_accurate};
  auto a = best(n, [](size_t) { return true; },
                [&](size_t a) { return std::make_tuple(bytes(a), -view.accuracy[a], cost[a]); });
  return {*a, solved_by::smallest};
}

}  // namespace troupe::penance
