#include "gpu/model/co_run.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

namespace troupe::gpu {

size_t gpu_timeline::start(const gpu_stream& g) {
  if (!g.kernels || g.kernels->empty() || g.first >= g.kernels->size())
    throw std::invalid_argument("gpu_timeline: a stream needs kernels and a first kernel among them");
  auto id = next_id_++;
  streams_.emplace(id, state{g, g.first, (*g.kernels)[g.first].duration_us, now_, 0});
  active_.push_back(id);
  shared_ = false;
  return id;
}

void gpu_timeline::share() {
  if (shared_)
    return;
  std::sort(active_.begin(), active_.end(), [&](size_t x, size_t y) {  // ties: the earlier started stream
    auto& a = streams_.at(x);
    auto& b = streams_.at(y);
    if (policy_ == share_policy::priority && a.s.priority != b.s.priority)
      return a.s.priority < b.s.priority;
    return a.since_us != b.since_us ? a.since_us < b.since_us : x < y;
  });
  std::vector<const kernel_cost*> kernels;
  for (auto i : active_) {
    auto& st = streams_.at(i);
    kernels.push_back(&(*st.s.kernels)[st.kernel]);
  }
  auto blocks = adjusted_blocks(kernels, policy_, *arch_);
  speed_.clear();
  for (size_t x = 0; x < kernels.size(); ++x)
    speed_.push_back(occupancy(kernels[x]->shape, blocks[x], *arch_) / kernels[x]->occupancy);  // õ/o (Eq. 4.3)
  shared_ = true;
}

// The time until the first kernel in flight ends at the present shares (∞: none runs).
double gpu_timeline::time_to_next_end() {
  share();
  double step = std::numeric_limits<double>::infinity();
  for (size_t x = 0; x < active_.size(); ++x)
    if (speed_[x] > 0)
      step = std::min(step, streams_.at(active_[x]).left_us / speed_[x]);
  return step;
}

double gpu_timeline::next_event_us() { return now_ + time_to_next_end(); }

// Steps are taken relative to now, and the kernel that ends within one is done
// exactly: an absolute clock would round away steps once it is large.
void gpu_timeline::run_for(double step, std::vector<finished>& out) {
  share();
  auto before = now_;
  now_ += step;
  busy_ += step;
  bool ended = false;
  std::vector<size_t> still;
  for (size_t x = 0; x < active_.size(); ++x) {
    auto& st = streams_.at(active_[x]);
    auto& list = *st.s.kernels;
    auto to_end = speed_[x] > 0 ? st.left_us / speed_[x] : std::numeric_limits<double>::infinity();
    auto ends = to_end <= step || before + to_end <= now_;  // the second: a rest lost in rounding
    auto done_us = ends ? st.left_us : speed_[x] * step;
    st.left_us -= done_us;
    st.work_us += done_us;
    if (!ends) {
      still.push_back(active_[x]);
      continue;
    }
    ended = true;
    if (++st.kernel == list.size() && !st.s.loop) {
      out.push_back({active_[x], now_, st.work_us});
      streams_.erase(active_[x]);
      continue;
    }
    st.kernel %= list.size();
    st.left_us = list[st.kernel].duration_us;
    st.since_us = now_;
    still.push_back(active_[x]);
  }
  active_ = std::move(still);
  shared_ = shared_ && !ended;  // a kernel ended: the SM is shared anew
}

std::vector<gpu_timeline::finished> gpu_timeline::advance_to(double t_us) {
  std::vector<finished> out;
  while (now_ < t_us && !active_.empty()) {
    auto to_end = time_to_next_end();
    if (now_ + to_end <= t_us) {
      run_for(to_end, out);
    } else {
      run_for(t_us - now_, out);
      now_ = t_us;
    }
  }
  now_ = std::max(now_, t_us);
  return out;
}

std::vector<gpu_timeline::finished> gpu_timeline::advance_to_next_end() {
  std::vector<finished> out;
  if (!active_.empty())
    run_for(time_to_next_end(), out);
  return out;
}

double gpu_timeline::next_finish_us() const {
  auto ahead = *this;
  while (std::any_of(ahead.active_.begin(), ahead.active_.end(),
                     [&](size_t id) { return !ahead.streams_.at(id).s.loop; }))
    if (auto done = ahead.advance_to_next_end(); !done.empty())
      return done.front().at_us;
  return std::numeric_limits<double>::infinity();
}

co_run_result co_run(const std::vector<gpu_stream>& streams, share_policy policy, const gpu_arch& a,
                     double horizon_us) {
  auto looping = std::any_of(streams.begin(), streams.end(), [](auto& s) { return s.loop; });
  if (looping && !std::isfinite(horizon_us))
    throw std::invalid_argument("co_run: a looping stream needs a finite horizon");
  std::vector<size_t> order(streams.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return streams[x].start_us < streams[y].start_us; });
  gpu_timeline gpu(a, policy);
  co_run_result out;
  out.finish_us.assign(streams.size(), std::nan(""));
  out.work_us.assign(streams.size(), 0);
  std::vector<size_t> index_of;  // timeline id → stream
  auto record = [&](const std::vector<gpu_timeline::finished>& done) {
    for (auto& f : done) {
      out.finish_us[index_of[f.id]] = f.at_us;
      out.work_us[index_of[f.id]] = f.work_us;
    }
  };
  for (size_t next = 0; next < order.size() || gpu.running() > 0;) {
    auto until = next < order.size() ? std::min(streams[order[next]].start_us, horizon_us) : horizon_us;
    record(std::isfinite(until) ? gpu.advance_to(until) : gpu.advance_to_next_end());  // else: only finite ones left
    if (gpu.now_us() >= horizon_us)
      break;
    for (; next < order.size() && streams[order[next]].start_us <= gpu.now_us(); ++next) {
      gpu.start(streams[order[next]]);
      index_of.push_back(order[next]);
    }
  }
  for (size_t id = 0; id < index_of.size(); ++id)
    if (std::isnan(out.finish_us[index_of[id]]))  // still in flight at the horizon
      out.work_us[index_of[id]] = gpu.work_us(id);
  out.end_us = gpu.now_us();
  return out;
}

std::vector<double> steady_drop(const std::vector<const std::vector<kernel_cost>*>& models,
                                const std::vector<size_t>& first, share_policy policy, const gpu_arch& a,
                                double horizon_us) {
  std::vector<gpu_stream> streams;
  for (size_t i = 0; i < models.size(); ++i)
    streams.push_back({models[i], first[i], 0, true, int(i)});
  auto run = co_run(streams, policy, a, horizon_us);
  std::vector<double> mu;
  for (auto w : run.work_us)
    mu.push_back(w > 0 ? horizon_us / w - 1 : std::numeric_limits<double>::infinity());
  return mu;
}

std::vector<std::vector<double>> drops_over_alignments(const std::vector<const std::vector<kernel_cost>*>& models,
                                                       int alignments, uint64_t seed, share_policy policy,
                                                       const gpu_arch& a) {
  double longest = 0;
  for (auto* m : models) {
    double t = 0;
    for (auto& k : *m)
      t += k.duration_us;
    longest = std::max(longest, t);
  }
  std::mt19937_64 rng(seed);
  std::vector<std::vector<double>> out;
  for (int i = 0; i < alignments; ++i) {
    std::vector<size_t> first;
    for (auto* m : models)
      first.push_back(std::uniform_int_distribution<size_t>(0, m->size() - 1)(rng));
    out.push_back(steady_drop(models, first, policy, a, 4 * longest));
  }
  return out;
}

}  // namespace troupe::gpu
