// What a node publishes on one connection, with letters that queue up behind each other
// sent together. A letter published when the connection has been quiet goes out at once
// on the caller's thread (one `send`: nothing is added to a lone message's latency).
// One published within `coalesce_us` of the last, or while another is being sent or
// queued, is queued instead, and the outbox's writer thread sends what has queued: a run
// of letters to one subject as one NATS message (an EnvelopeBatch of at most
// `batch_bytes`), so that a burst pays one `send` per run instead of one per letter.
// Letters leave in the order they were given; a caller waits while `queue_bytes` are
// queued (as it would in its own `send`).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "actors/runtime/bus/bus_connection.hpp"

namespace troupe {

struct outbox_options {
  int coalesce_us = 50;          // a letter this soon after the last is queued; 0: none is
  size_t batch_bytes = 16384;    // at most this much in one NATS message of several letters
  size_t queue_bytes = 1 << 20;  // callers wait while this much is queued
};

class outbox {
 public:
  // `failed` is told why, when a queued letter's publish fails (its sender was already
  // told it was sent, as by nats.c's own buffer while reconnecting). A letter queued
  // before a subscription or unsubscription on the same connection may reach the server
  // after it, as one in flight on the network may.
  outbox(bus_connection& bus, outbox_options options, std::function<void(const std::string&)> failed);
  ~outbox();
  outbox(const outbox&) = delete;
  outbox& operator=(const outbox&) = delete;

  // An empty string when sent or queued, else why it was not (a direct send's failure).
  std::string publish(const std::string& subject, const std::string& envelope);
  // Waits until nothing is queued or being sent, then for the server's acknowledgement of
  // all of it; false on timeout.
  bool flush(int timeout_ms);
  // Sends what is queued and ends the writer; later publishes are sent directly.
  void close();

  uint64_t batches() const;          // NATS messages of several letters sent
  uint64_t batched_letters() const;  // the letters they carried

 private:
  // Letters to one subject queued one after the other, already framed as a batch's:
  // sent as that batch, or as the lone envelope at `first` when it holds one.
  struct run {
    std::string subject, batch;
    size_t letters = 0, first = 0;
  };
  void enqueue(const std::string& subject, const std::string& envelope);
  void write_loop();
  void send_runs(std::vector<run>& work);
  void keep_spare(std::vector<run>& work);
  static constexpr size_t max_spare = 64;
  bool quiet(std::chrono::steady_clock::time_point now) const;
  std::string send_now(std::unique_lock<std::mutex>& lock, const std::string& subject, const std::string& envelope);

  bus_connection& bus_;
  outbox_options options_;
  std::function<void(const std::string&)> failed_;
  const bool coalescing_;  // the writer runs (publish reads this without the lock)
  mutable std::mutex mtx_;
  std::condition_variable work_cv_, room_cv_, idle_cv_;
  std::vector<run> queue_;
  std::vector<run> spare_;  // sent runs, their buffers kept for the next ones
  size_t queued_bytes_ = 0;
  bool sending_ = false;  // a direct send or the writer's
  bool closing_ = false;
  bool writer_done_ = false;  // closed: every letter is sent directly
  std::chrono::steady_clock::time_point last_sent_;
  uint64_t batches_ = 0, batched_letters_ = 0;
  std::thread writer_;
};

}  // namespace troupe
