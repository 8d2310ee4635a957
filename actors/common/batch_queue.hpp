// A bounded queue feeding a model replica's worker in batches, as inference servers
// (Triton, Savant) do: when full it drops the oldest item, drops the newest, or
// makes the producer wait; a batch closes when it holds max_batch items or when its
// first item has waited max_wait.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace troupe {

enum class overflow_policy { drop_oldest, drop_newest, block };

std::optional<overflow_policy> parse_overflow_policy(const std::string& name);
const char* to_string(overflow_policy p);

template <class T>
class batch_queue {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  struct entry {
    T item;
    time_point arrived;
  };

  batch_queue(size_t capacity, overflow_policy policy) : capacity_(capacity), policy_(policy) {}

  // Adds `item`; returns the item dropped to make room (the oldest, or `item` itself
  // under drop_newest), if any. Under `block` it waits for room instead, and returns
  // `item` only if the queue closes (closed() tells that cause apart).
  std::optional<T> push(T item) {
    std::unique_lock<std::mutex> lock(mtx_);
    if (policy_ == overflow_policy::block)
      room_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_)
      return item;
    std::optional<T> dropped;
    if (items_.size() >= capacity_) {
      if (policy_ == overflow_policy::drop_newest)
        return item;
      dropped = std::move(items_.front().item);
      items_.pop_front();
    }
    items_.push_back({std::move(item), std::chrono::steady_clock::now()});
    filled_.notify_one();
    return dropped;
  }

  // Waits for a first item, then until the batch is full or the first item has
  // waited `max_wait`. Empty only once the queue is closed and drained: when another
  // consumer took the items this one was waiting with, it waits for the next ones.
  std::vector<entry> pop_batch(size_t max_batch, std::chrono::nanoseconds max_wait) {
    std::unique_lock<std::mutex> lock(mtx_);
    for (;;) {
      filled_.wait(lock, [&] { return closed_ || !items_.empty(); });
      if (items_.empty())
        return {};
      auto deadline = items_.front().arrived + max_wait;
      filled_.wait_until(lock, deadline, [&] { return closed_ || items_.size() >= max_batch; });
      if (!items_.empty())
        break;
    }
    std::vector<entry> batch;
    while (!items_.empty() && batch.size() < max_batch) {
      batch.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    room_.notify_all();
    return batch;
  }

  // Removes up to `n` of the most recently queued items that `movable` accepts, newest
  // first (a load balancer hands its excess to neighbours).
  template <class Pred>
  std::vector<T> take_newest(size_t n, Pred movable) {
    std::lock_guard<std::mutex> lock(mtx_);
    std::vector<T> out;
    for (auto it = items_.end(); it != items_.begin() && out.size() < n;) {
      --it;
      if (!movable(it->item))
        continue;
      out.push_back(std::move(it->item));
      it = items_.erase(it);
    }
    room_.notify_all();
    return out;
  }

  // Wakes every waiter; later pushes are refused, queued items can still be taken.
  void close() {
    std::lock_guard<std::mutex> lock(mtx_);
    closed_ = true;
    filled_.notify_all();
    room_.notify_all();
  }

  bool closed() const {
    std::lock_guard<std::mutex> lock(mtx_);
    return closed_;
  }

  size_t size() const {
    std::lock_guard<std::mutex> lock(mtx_);
    return items_.size();
  }

 private:
  const size_t capacity_;
  const overflow_policy policy_;
  mutable std::mutex mtx_;
  std::condition_variable filled_, room_;
  std::deque<entry> items_;
  bool closed_ = false;
};

}  // namespace troupe
