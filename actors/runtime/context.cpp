#include "actors/runtime/context.hpp"

#include "actors/runtime/errors.hpp"
#include "actors/runtime/detail/node_core.hpp"
#include "actors/runtime/bus/subjects.hpp"

namespace troupe {

context::context(std::shared_ptr<node_core> core, std::string name)
    : core_(std::move(core)),
      name_(std::move(name)),
      sequence_(std::make_shared<std::atomic<uint64_t>>(0)) {}

const std::string& context::node_name() const {
  return core_->cfg.name;
}

int context::worker_nice() const {
  return core_->cfg.worker_nice;
}

int context::source_nice() const {
  return core_->cfg.source_nice;
}

bool context::source_idle() const {
  return core_->cfg.source_idle;
}

const std::string& context::deployment() const {
  return core_->cfg.deployment;
}

bool context::knows(const std::string& actor) const {
  return static_cast<bool>(core_->local(actor)) || core_->dir.host_of(actor).has_value();
}

void context::refuse(const letter& l, refusal why, const std::string& detail) const {
  core_->refuse(why, l, "at " + name_ + (detail.empty() ? "" : " (" + detail + ")"));
}

bool context::may_control(const std::string& node) const {
  return core_->may_control(node);
}

caf::error context::send(const std::string& to, message_ptr body, const letter* cause) const {
  return core_->dispatch(prepare(to, std::move(body), cause));
}

caf::error context::send_by(const std::string& to, message_ptr body, int64_t deadline_ns,
                            const letter* cause) const {
  auto l = prepare(to, std::move(body), cause);
  l.deadline_ns = deadline_ns;
  return core_->dispatch(std::move(l));
}

caf::error context::publish(const std::string& topic, message_ptr body,
                            const letter* cause) const {
  if (!is_valid_name(topic))
    return make_error(errc::bad_params, "invalid topic name '" + topic + "'");
  auto l = core_->make_letter(name_, std::move(body), cause, *sequence_);
  l.topic = topic;
  return core_->dispatch(std::move(l));
}

caf::error context::reply(const letter& request, message_ptr body) const {
  if (!request.is_request())
    return make_error(errc::bad_params, "reply to a letter that is not a request (" +
                                          request.type + " from '" + request.sender + "')");
  return core_->reply(request, name_, std::move(body), *sequence_);
}

letter context::prepare(const std::string& to, message_ptr body, const letter* cause) const {
  auto l = core_->make_letter(name_, std::move(body), cause, *sequence_);
  l.receiver = to;
  return l;
}

caf::error context::subscribe(const std::string& topic, const caf::actor& self) const {
  if (!is_valid_name(topic))
    return make_error(errc::bad_params, "invalid topic name '" + topic + "'");
  return core_->subscribe(topic, self);
}

void context::monitor(const std::string& actor, const caf::actor& self) const {
  core_->monitor(actor, self);
}

int64_t context::now_ns() const {
  return core_->time->now_ns();
}

metrics::registry& context::metrics() const {
  return core_->metrics;
}

interface_rates context::offered_rates() const {
  return core_->offered_rates();
}

caf::timespan context::wall(caf::timespan d) const {
  return core_->time->to_wall(d);
}

const troupe::clock& context::time() const {
  return *core_->time;
}

caf::actor context::bridge() const {
  return core_->bridge;
}

}  // namespace troupe
