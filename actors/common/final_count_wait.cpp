#include "actors/common/final_count_wait.hpp"

#include <memory>
#include <optional>

#include <caf/all.hpp>

namespace troupe {

param_spec final_wait_param() {
  return in_range({"final_wait_ms", param_type::integer, false,
                   "at its stop, wait at most this long for final counts still on their way (an emulated link's "
                   "delay), default 2000"},
                  0, 60000);
}

void wait_for_final_counts(caf::event_based_actor* self, std::function<bool()> complete,
                           std::chrono::milliseconds wait) {
  using steady = std::chrono::steady_clock;
  auto since = std::make_shared<std::optional<steady::time_point>>();
  self->set_exit_handler([self, complete = std::move(complete), wait, since](caf::exit_msg& m) {
    if (!m.reason)
      return;  // a linked actor's normal end: CAF's default ignores it too
    auto now = steady::now();
    if (!*since)
      *since = now;
    if (complete() || now - **since >= wait)
      return self->quit(m.reason);
    self->delayed_send(self, std::chrono::milliseconds(20), caf::exit_msg{m.source, m.reason});  // look again
  });
}

}  // namespace troupe
