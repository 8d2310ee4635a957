#include "actors/runtime/bus/outbox.hpp"

#include <algorithm>

#include "actors/runtime/bus/envelope_codec.hpp"

namespace troupe {

using steady = std::chrono::steady_clock;

outbox::outbox(bus_connection& bus, outbox_options options, std::function<void(const std::string&)> failed)
    : bus_(bus), options_(options), failed_(std::move(failed)), coalescing_(options.coalesce_us > 0) {
  if (coalescing_)
    writer_ = std::thread([this] { write_loop(); });
}

outbox::~outbox() {
  close();
}

bool outbox::quiet(steady::time_point now) const {
  return now - last_sent_ >= std::chrono::microseconds(options_.coalesce_us);
}

std::string outbox::publish(const std::string& subject, const std::string& envelope) {
  if (!coalescing_)
    return bus_.publish(subject, envelope);  // nothing ever queues
  std::unique_lock<std::mutex> lock(mtx_);
  room_cv_.wait(lock, [&] { return queued_bytes_ < options_.queue_bytes || writer_done_; });
  if (writer_done_) {  // closed: nothing queues any more, each goes in turn
    idle_cv_.wait(lock, [&] { return !sending_; });
    return send_now(lock, subject, envelope);
  }
  if (queue_.empty() && !sending_ && quiet(steady::now()))
    return send_now(lock, subject, envelope);
  enqueue(subject, envelope);
  work_cv_.notify_one();
  return {};
}

// Onto the last run when it is to the same subject and has room, else a new one.
void outbox::enqueue(const std::string& subject, const std::string& envelope) {
  if (queue_.empty() || queue_.back().subject != subject ||
      queue_.back().batch.size() + envelope.size() + 8 > options_.batch_bytes) {  // 8: more than the framing
    if (spare_.empty()) {
      queue_.emplace_back();
    } else {
      queue_.push_back(std::move(spare_.back()));
      spare_.pop_back();
    }
    queue_.back().subject = subject;
  }
  auto& r = queue_.back();
  append_to_batch(r.batch, envelope.data(), envelope.size());
  if (r.letters++ == 0)
    r.first = r.batch.size() - envelope.size();
  queued_bytes_ += envelope.size();
}

std::string outbox::send_now(std::unique_lock<std::mutex>& lock, const std::string& subject,
                             const std::string& envelope) {
  sending_ = true;
  lock.unlock();
  auto why = bus_.publish(subject, envelope);
  lock.lock();
  sending_ = false;
  last_sent_ = steady::now();
  if (!queue_.empty())
    work_cv_.notify_one();  // queued behind this one
  else
    idle_cv_.notify_all();
  return why;
}

void outbox::write_loop() {
  std::vector<run> work;
  std::unique_lock<std::mutex> lock(mtx_);
  for (;;) {
    // A direct send in progress goes first: what queued behind it follows it.
    work_cv_.wait(lock, [&] { return (!queue_.empty() && !sending_) || (closing_ && queue_.empty()); });
    if (queue_.empty()) {
      writer_done_ = true;
      room_cv_.notify_all();
      return;
    }
    work.swap(queue_);
    queued_bytes_ = 0;
    sending_ = true;
    room_cv_.notify_all();
    lock.unlock();
    send_runs(work);
    lock.lock();
    keep_spare(work);
    sending_ = false;
    last_sent_ = steady::now();
    if (queue_.empty())
      idle_cv_.notify_all();
  }
}

// Sent runs keep their buffers for the next ones: a few, of a batch's size at most (a
// burst of many runs, or one large letter, must not stay allocated).
void outbox::keep_spare(std::vector<run>& work) {
  for (auto& r : work)
    if (spare_.size() < max_spare && r.batch.capacity() <= 2 * options_.batch_bytes) {
      r.batch.clear();
      r.letters = 0;
      spare_.push_back(std::move(r));
    }
  work.clear();
}

void outbox::send_runs(std::vector<run>& work) {
  uint64_t batches = 0, letters = 0;
  for (auto& r : work) {
    std::string why;
    if (r.letters == 1) {
      why = bus_.publish(r.subject, r.batch.data() + r.first, r.batch.size() - r.first);
    } else {
      why = bus_.publish(r.subject, r.batch.data(), r.batch.size());
      ++batches;
      letters += r.letters;
    }
    if (!why.empty() && failed_)
      failed_(why);
  }
  std::lock_guard<std::mutex> lock(mtx_);
  batches_ += batches;
  batched_letters_ += letters;
}

bool outbox::flush(int timeout_ms) {
  auto deadline = steady::now() + std::chrono::milliseconds(timeout_ms);
  {
    std::unique_lock<std::mutex> lock(mtx_);
    if (!idle_cv_.wait_until(lock, deadline, [&] { return queue_.empty() && !sending_; }))
      return false;
  }
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
  return bus_.flush(int(std::max<int64_t>(left, 1)));
}

void outbox::close() {
  {
    std::lock_guard<std::mutex> lock(mtx_);
    closing_ = true;
  }
  work_cv_.notify_all();
  if (writer_.joinable())
    writer_.join();
}

uint64_t outbox::batches() const {
  std::lock_guard<std::mutex> lock(mtx_);
  return batches_;
}

uint64_t outbox::batched_letters() const {
  std::lock_guard<std::mutex> lock(mtx_);
  return batched_letters_;
}

}  // namespace troupe
