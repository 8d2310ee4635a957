#include "actors/runtime/detail/request_bridge.hpp"

#include <unordered_map>

#include <caf/all.hpp>

#include "actors/runtime/atoms.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/detail/node_core.hpp"

namespace troupe {

caf::behavior request_bridge(caf::event_based_actor* self, std::weak_ptr<node_core> core) {
  using promise_map = std::unordered_map<uint64_t, caf::typed_response_promise<letter>>;
  auto promises = std::make_shared<promise_map>();
  auto settle = [=](uint64_t id, auto&& result) {
    auto i = promises->find(id);
    if (i == promises->end())
      return;
    i->second.deliver(std::forward<decltype(result)>(result));
    promises->erase(i);
  };
  return {
    [=](request_atom, letter& l, caf::timespan timeout) -> caf::result<letter> {
      auto c = core.lock();
      if (!c)
        return make_error(errc::not_running, "node stopped");
      auto id = c->next_correlation_id();
      l.correlation_id = id;
      auto to = l.receiver;
      auto rp = self->make_response_promise<letter>();
      promises->emplace(id, rp);
      auto me = caf::actor_cast<caf::actor>(self);
      c->request(std::move(l), [me, id](caf::expected<letter> r) {
        if (r)
          caf::anon_send(me, reply_atom::value, id, std::move(*r));
        else
          caf::anon_send(me, reply_atom::value, id, r.error());
      });
      self->delayed_send(self, c->time->to_wall(timeout), expire_atom::value, id, to,
                         timeout);
      return rp;
    },
    [=](reply_atom, uint64_t id, letter& r) { settle(id, std::move(r)); },
    [=](reply_atom, uint64_t id, caf::error& e) { settle(id, std::move(e)); },
    [=](expire_atom, uint64_t id, const std::string& to, caf::timespan timeout) {
      auto c = core.lock();
      if (!c || promises->count(id) == 0)
        return;
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
      c->forget(id, make_error(errc::request_timeout, "no reply from '" + to + "' within " +
                                                        std::to_string(ms) + " ms"));
    },
  };
}

}  // namespace troupe
