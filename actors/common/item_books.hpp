// A sink's books of the items (frames, regions, objects) its cameras produce, closed
// per camera from every actor's part (msg::ItemBooks, item_ledger.hpp) and its own
// deliveries:
//   produced = delivered + dropped + lost + ended + in flight at the end,
// each but delivered by cause. An actor that turns an item into others (a VideoJam
// function cutting objects from a frame) produces them and ends the item it took. What an actor was sent and did not account for is lost
// when the actor went down (a crash, its node declared down), in flight when it
// stopped with a final count; what cannot be placed is unaccounted: a defect, never
// hidden in another column.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "troupe/messages/vision.pb.h"

namespace troupe {

using counts_by_cause = std::map<std::string, int64_t>;

struct camera_books {
  int64_t produced = 0, delivered = 0;
  counts_by_cause dropped, lost, ended, in_flight, unaccounted;
  bool closed() const { return unaccounted.empty(); }
};

int64_t total(const counts_by_cause& counts);

class item_books {
 public:
  explicit item_books(std::string sink) : sink_(std::move(sink)) {}

  // An actor's part; a later part of the same run of the actor (its incarnation)
  // replaces its earlier one. Returns the receivers it names that were not named
  // before: the sink watches them go down.
  std::vector<std::string> add(const msg::ItemBooks& part);
  // `n` items of `camera` reached the sink from `from` (one output closes n: Detections.items).
  void delivered(const std::string& camera, const std::string& from, int64_t n = 1) { delivered_[camera][from] += n; }
  // `actor` went down; `reason` as in msg::ActorDown ("normal", "stopped", "crash: …",
  // "node restarted", "no heartbeat for …"). Once an actor failed, what it did not
  // account for is lost with that cause, restarted or not: items on their way to a
  // restarted incarnation at the end are counted with them.
  void down(const std::string& actor, const std::string& reason);

  // Each camera that reported what it produced.
  std::map<std::string, camera_books> close() const;
  // Whether every actor that keeps books sent its final count or went down: a sink
  // asked to stop waits for the rest a while (wait_for_final_counts).
  bool complete() const;

  // So far, every camera together (the progress line): the rest is pending.
  struct running_totals {
    int64_t produced = 0, delivered = 0, dropped = 0, lost = 0, ended = 0;
  };
  running_totals totals() const;

 private:
  struct actor_part {
    std::map<std::string, msg::ItemBooks> incarnations;
    std::string latest;   // the incarnation reported last
    std::string failure;  // why it last went down other than by stopping; empty: never did
  };
  camera_books close(const std::string& camera) const;
  int64_t sent_to_sink(const std::string& camera, const std::string& from) const;

  std::string sink_;
  std::map<std::string, actor_part> actors_;
  std::map<std::string, std::map<std::string, int64_t>> delivered_;  // by camera, by sender
  std::set<std::string> receivers_;
};

// Closed books as a report's "books" object, and as its table with the causes below
// (every camera's together; the JSON keeps them per camera). "" when there are none.
nlohmann::json books_json(const std::map<std::string, camera_books>& books);
std::string books_table(const std::map<std::string, camera_books>& books);
// The books so far for a sink's progress line (" | books: …"), empty before any camera
// reported: the cameras count what they produced once a second, the sink at once, so
// what is not yet accounted for shows as pending.
std::string books_progress(const item_books& books);

}  // namespace troupe
