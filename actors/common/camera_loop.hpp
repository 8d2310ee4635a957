// The tick loop every camera kind runs: hold the first frame until the frame's
// receivers are up, take a frame at the camera's rate, tell the sink when the camera
// falls behind its rate, and end at the source's end — or with an error when the
// source fails. What a frame becomes is the kind's: its camera_body.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/common/camera_source.hpp"
#include "actors/common/item_ledger.hpp"
#include "actors/runtime/context.hpp"

namespace troupe {

class camera_body {
 public:
  virtual ~camera_body() = default;
  // Whether the actors the frames go to are up: the first frame waits for them.
  virtual bool receivers_up(const context& ctx) const = 0;
  // A frame taken at `capture_ns`. Returns false to hold the next frame: the kind
  // calls camera_loop::next_frame itself once it may go on (REACT waits for its edge).
  virtual bool on_frame(const vision::source_frame& frame, int64_t capture_ns) = 0;
  // Every tick, a frame taken or not (results that waited too long go out).
  virtual void on_tick() {}
  // After the source's end: whether results are still on their way (the loop waits).
  virtual bool draining() const { return false; }
  // The last word before the camera stops at the end of its source.
  virtual void on_end() {}
};

struct camera_loop_options {
  bool report_pace = true;  // CameraPace to the sink (a detection sink flags cameras behind)
};

class camera_loop {
 public:
  camera_loop(caf::event_based_actor* self, context ctx, camera_source input, camera_loop_options options = {});

  // Sends the first tick.
  void start();
  // One tick of the loop: the kind's tick_atom handler calls it.
  void tick(camera_body& body);
  // Schedules the tick of the frame after the one taken at `capture_ns`.
  void next_frame(int64_t capture_ns);

  uint64_t frames() const { return frames_; }  // taken so far
  // The camera's part of the item books: the body counts what it produces and sends;
  // the loop reports it to the sink about once a second and, final, at its exit.
  const std::shared_ptr<item_ledger>& items() const { return items_; }
  // What the camera still has in its hands at its exit, by camera (its final count's
  // `held`): a kind that waits for results to fuse them says how many it holds.
  using held_items = std::function<std::map<std::string, uint64_t>()>;
  void held_by(held_items held) { *held_ = std::move(held); }
  // The kind's last word when it stops or fails (its final figures), sent before its
  // final count: the sink closes its report once the count is in.
  void last_word_by(std::function<void()> last_word) { *last_word_ = std::move(last_word); }
  const camera_source& input() const { return input_; }

 private:
  void retry_soon();
  void report_items() const;
  void end(camera_body& body);

  caf::event_based_actor* self_;
  context ctx_;
  camera_source input_;
  camera_loop_options options_;
  std::shared_ptr<vision::frame_source> source_;
  pace_meter pace_;
  std::shared_ptr<item_ledger> items_;
  std::shared_ptr<held_items> held_ = std::make_shared<held_items>();
  std::shared_ptr<std::function<void()>> last_word_ = std::make_shared<std::function<void()>>();
  uint64_t frames_ = 0;
  int64_t waiting_since_ns_;
  bool ended_ = false;
  bool niced_ = false;
};

}  // namespace troupe
