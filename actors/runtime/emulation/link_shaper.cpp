#include "actors/runtime/emulation/link_shaper.hpp"

namespace troupe {

double link_queue::arrival_s(double now_s, double bytes) {
  double start = std::max(now_s, free_at_s_);
  double with_latency = model_.transfer_time_s(bytes, start);
  double latency = model_.transfer_time_s(0, start);
  free_at_s_ = start + (with_latency - latency);
  return start + with_latency;
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

bool link_shaper::has(const std::string& peer_node) const {
  std::lock_guard<std::mutex> lock(mtx_);
  return links_.count(peer_node) > 0;
}

void link_shaper::send(const std::string& peer_node, size_t bytes, std::function<void()> deliver) {
  std::unique_lock<std::mutex> lock(mtx_);
  auto link = links_.find(peer_node);
  if (link == links_.end()) {
    lock.unlock();
    deliver();
    return;
  }
  double now_s = (time_->now_ns() - origin_ns_) / 1e9;
  double delay_s = link->second.arrival_s(now_s, double(bytes)) - now_s;
  auto wall = time_->to_wall(std::chrono::nanoseconds(int64_t(delay_s * 1e9)));
  queue_.push({std::chrono::steady_clock::now() + wall, order_++, std::move(deliver)});
  lock.unlock();
  changed_.notify_all();
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
