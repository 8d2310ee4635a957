#include "actors/penance/core/baselines.hpp"

#include "actors/penance/core/problem.hpp"

namespace troupe::penance {

std::vector<double> true_accuracies(const config_space& space, const drive_table& t, size_t segment) {
  std::vector<double> a(space.configs());
  for (size_t c = 0; c < space.configs(); ++c) {
    auto k = space.config_at(c);
    a[c] = t.accuracy(segment, k.setting, static_cast<size_t>(k.model));
  }
  return a;
}

std::vector<double> profiled_accuracies(const config_space& space, const drive_table& t, size_t first) {
  std::vector<double> a(space.configs());
  for (size_t c = 0; c < space.configs(); ++c) {
    auto k = space.config_at(c);
    a[c] = t.first_frame_accuracy(first, k.setting, static_cast<size_t>(k.model), true);
  }
  return a;
}

namespace {

std::vector<double> true_sizes(const drive_table& t, size_t segment) {
  auto& b = t.segments.at(segment).bytes;
  return {b.begin(), b.end()};
}

// The true sizes with accuracies from `source`: Optimal's are the truth, DAO-C's a
// predictor's.
class with_accuracies final : public config_policy {
 public:
  with_accuracies(const config_space& space, std::vector<double> cost, accuracy_source source)
      : space_(space), cost_(std::move(cost)), source_(std::move(source)) {}
  size_t choose(const decision_context& c) override {
    segment_view v{true_sizes(*c.table, c.segment), source_(*c.table, c.segment)};
    return solve(space_, cost_, v, c.accuracy_target, c.budget_bytes).config;
  }

 private:
  config_space space_;
  std::vector<double> cost_;
  accuracy_source source_;
};

class periodic_profiling final : public config_policy {
 public:
  periodic_profiling(const config_space& space, std::vector<double> cost) : space_(space), cost_(std::move(cost)) {}
  size_t choose(const decision_context& c) override {
    if (profiled_ != c.table || c.segment == 0) {  // a new video: profile its first frame
      profile_ = profiled_accuracies(space_, *c.table, 0);
      profiled_ = c.table;
    }
    segment_view v{true_sizes(*c.table, c.segment), profile_};
    return solve(space_, cost_, v, c.accuracy_target, c.budget_bytes).config;
  }
  // One frame on every configuration, once per video.
  double overhead_macs(const drive_table& t) const override {
    double sum = 0;
    for (double c : cost_)
      sum += c;
    return sum * t.reference_macs();
  }

 private:
  config_space space_;
  std::vector<double> cost_;
  const drive_table* profiled_ = nullptr;
  std::vector<double> profile_;
};

}  // namespace

std::unique_ptr<config_policy> optimal_policy(const config_space& space, std::vector<double> cost) {
  return predicted_accuracy_policy(space, std::move(cost), [space](const drive_table& t, size_t segment) {
    return true_accuracies(space, t, segment);
  });
}

std::unique_ptr<config_policy> predicted_accuracy_policy(const config_space& space, std::vector<double> cost,
                                                         accuracy_source predicted) {
  return std::make_unique<with_accuracies>(space, std::move(cost), std::move(predicted));
}

std::unique_ptr<config_policy> periodic_profiling_policy(const config_space& space, std::vector<double> cost) {
  return std::make_unique<periodic_profiling>(space, std::move(cost));
}

}  // namespace troupe::penance
