#include "actors/common/camera_loop.hpp"

#include <utility>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/atoms.hpp"
#include "actors/runtime/thread_nice.hpp"

namespace troupe {

camera_loop::camera_loop(caf::event_based_actor* self, context ctx, camera_source input, camera_loop_options options)
    : self_(self), ctx_(std::move(ctx)), input_(std::move(input)), options_(options),
      source_(input_.open()), items_(std::make_shared<item_ledger>(ctx_.name(), &ctx_.metrics())), waiting_since_ns_(ctx_.now_ns()) {
  if (input_.sink.empty())
    return;
  // The final count goes before the camera's exit is announced when it is stopped (its
  // exit handler), else (its source ended, it failed) as it exits: once either way.
  auto final_books = [items = items_, held = held_, last_word = last_word_, ctx = ctx_, sink = input_.sink,
                      sent = std::make_shared<bool>(false)] {
    if (std::exchange(*sent, true))
      return;
    if (*last_word)
      (*last_word)();
    if (auto books = items->report(true, *held ? (*held)() : std::map<std::string, uint64_t>{}); books.cameras_size() > 0)
      ctx.send(sink, std::move(books));
  };
  self_->set_exit_handler([self = self_, final_books](caf::exit_msg& m) {
    if (!m.reason)
      return;  // a linked helper that ended normally: CAF's default ignores it too
    final_books();
    self->quit(m.reason);
  });
  self_->attach_functor(final_books);
}

void camera_loop::start() {
  self_->send(self_, tick_atom::value);
}

void camera_loop::tick(camera_body& body) {
  if (!niced_) {  // the actor's own thread (every camera kind is detached), on its first tick
    niced_ = true;
    bool own_thread = self_->getf(caf::abstract_actor::is_detached_flag);
    if (own_thread && ctx_.source_nice() > 0)
      nicer_this_thread(ctx_.worker_nice() + ctx_.source_nice());
    if (own_thread && ctx_.source_idle() && !idle_this_thread())
      spdlog::warn("camera {}: the kernel refused SCHED_IDLE; it runs at its niceness", ctx_.name());
  }
  if (input_.hold_first_frame(ctx_, frames_, body.receivers_up(ctx_), waiting_since_ns_))
    return retry_soon();
  if (ended_)
    return end(body);
  auto capture = ctx_.now_ns();
  std::optional<vision::source_frame> frame;
  bool go_on = true;
  try {
    frame = input_.next(*source_, ctx_, frames_);
    if (frame) {
      ++frames_;
      go_on = body.on_frame(*frame, capture);
    }
  } catch (const std::exception& e) {  // a source or pipeline that fails ends the camera as a failure
    spdlog::error("camera {}: {}", ctx_.name(), e.what());
    self_->quit(caf::make_error(caf::sec::runtime_error, e.what()));
    return;
  }
  if (!frame) {
    spdlog::info("camera {}: end of source after {} frames", ctx_.name(), frames_);
    ended_ = true;
    return end(body);
  }
  body.on_tick();
  if (auto p = pace_.frame_taken(ctx_.name(), input_.fps, capture)) {
    if (options_.report_pace)
      ctx_.send(input_.sink, std::move(*p));
    report_items();
  }
  if (go_on)
    next_frame(capture);
}

void camera_loop::next_frame(int64_t capture_ns) {
  ctx_.after(self_, input_.until_next_frame(ctx_, capture_ns), tick_atom::value);
}

void camera_loop::report_items() const {
  if (input_.sink.empty())
    return;
  if (auto books = items_->report(false); books.cameras_size() > 0)
    ctx_.send(input_.sink, std::move(books));
}

void camera_loop::retry_soon() {
  ctx_.after(self_, std::chrono::milliseconds(20), tick_atom::value);
}

// The source has ended: wait while results are on their way, then stop.
void camera_loop::end(camera_body& body) {
  body.on_tick();
  if (body.draining())
    return retry_soon();
  body.on_end();
  self_->quit();
}

}  // namespace troupe
