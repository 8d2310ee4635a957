#include "actors/runtime/emulation/link_shaper.hpp"

namespace troupe {

std::optional<double> link_queue::arrival_s(double now_s, double bytes, double deadline_s) {
  double start = std::max(now_s, free_at_s_);
  if (start >= deadline_s)
    return std::nullopt;
  double with_latency = model_.transfer_time_s(bytes, start);
  double latency = model_.transfer_time_s(0, start);
  free_at_s_ = start + (with_latency - latency);
  if (start + with_latency <= deadline_s)
    return start + with_latency;
  free_at_s_ = std::min(free_at_s_, deadline_s);
  return std::nullopt;
}

link_shaper::link_shaper(std::shared_ptr<clock> time, int64_t origin_ns)
    : time_(std::move(time)), origin_ns_(origin_ns), thread_([this] { run(); }) {}

link_shaper::~link_shaper() {
  {
    std::lock_guard<std::mutex> lock(mtx_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void link_shaper::add(const std::string& peer_node, link_model model) {
  std::lock_guard<std::mutex> lock(mtx_);
  links_.insert_or_assign(peer_node, link_queue(std::move(model)));
}

void link_shaper::set_uplink(token_bucket uplink) {
  std::lock_guard<std::mutex> lock(mtx_);
  uplink_ = std::move(uplink);
}

void link_shaper::set_downlink(token_bucket downlink) {
  std::lock_guard<std::mutex> lock(mtx_);
  downlink_ = std::move(downlink);
}

bool link_shaper::shapes(const std::string& peer_node) const {
  std::lock_guard<std::mutex> lock(mtx_);
  return uplink_ || links_.count(peer_node) > 0;
}

bool link_shaper::shapes_arrivals() const {
  std::lock_guard<std::mutex> lock(mtx_);
  return downlink_.has_value();
}

link_shaper::outcome link_shaper::send(const std::string& peer_node, size_t bytes, std::function<void()> deliver,
                                       int64_t deadline_ns) {
  std::unique_lock<std::mutex> lock(mtx_);
  double now = now_s(), at_s = now;
  double deadline_s = deadline_ns ? (deadline_ns - origin_ns_) / 1e9 : std::numeric_limits<double>::infinity();
  if (uplink_) {
    auto left = uplink_->departure_s(at_s, double(bytes));
    if (!left)
      return outcome::dropped;
    at_s = *left;
  }
  std::optional<double> arrives = at_s;
  if (auto link = links_.find(peer_node); link != links_.end())
    arrives = link->second.arrival_s(at_s, double(bytes), deadline_s);
  if (!arrives || *arrives > deadline_s) {
    ++cuts_.sends;
    cuts_.bytes += double(bytes);
    return outcome::cut;
  }
  deliver_at(now, *arrives, std::move(deliver));
  lock.unlock();
  changed_.notify_all();
  return outcome::sent;
}

bool link_shaper::arrive(size_t bytes, std::function<void()> deliver) {
  std::unique_lock<std::mutex> lock(mtx_);
  if (!downlink_) {
    lock.unlock();
    deliver();
    return true;
  }
  double now = now_s();
  auto through = downlink_->departure_s(now, double(bytes));
  if (!through)
    return false;
  deliver_at(now, *through, std::move(deliver));
  lock.unlock();
  changed_.notify_all();
  return true;
}

link_shaper::interface_counts link_shaper::uplink() const {
  std::lock_guard<std::mutex> lock(mtx_);
  return uplink_ ? interface_counts{true, uplink_->counts(), uplink_->backlog_s(now_s())} : interface_counts{};
}

link_shaper::interface_counts link_shaper::downlink() const {
  std::lock_guard<std::mutex> lock(mtx_);
  return downlink_ ? interface_counts{true, downlink_->counts(), downlink_->backlog_s(now_s())} : interface_counts{};
}

link_shaper::cut_counts link_shaper::cuts() const {
  std::lock_guard<std::mutex> lock(mtx_);
  return cuts_;
}

interface_rates link_shaper::offered_rates() const {
  std::lock_guard<std::mutex> lock(mtx_);
  double now = now_s();
  return {uplink_ ? uplink_->rate_mbps_at(now) : 0, downlink_ ? downlink_->rate_mbps_at(now) : 0};
}

double link_shaper::now_s() const {
  return (time_->now_ns() - origin_ns_) / 1e9;
}

void link_shaper::deliver_at(double now_s, double at_s, std::function<void()> deliver) {
  auto wall = time_->to_wall(std::chrono::nanoseconds(int64_t((at_s - now_s) * 1e9)));
  queue_.push({std::chrono::steady_clock::now() + wall, order_++, std::move(deliver)});
}

void link_shaper::run() {
  std::unique_lock<std::mutex> lock(mtx_);
  for (;;) {
    if (queue_.empty()) {
      if (stopping_)
        return;
      changed_.wait(lock);
      continue;
    }
    auto due = queue_.top().due;
    if (!stopping_ && std::chrono::steady_clock::now() < due) {
      changed_.wait_until(lock, due);
      continue;
    }
    auto deliver = std::move(const_cast<pending&>(queue_.top()).deliver);
    queue_.pop();
    lock.unlock();
    deliver();
    lock.lock();
  }
}

}  // namespace troupe
