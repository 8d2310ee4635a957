#include "actors/runtime/detail/node_controller.hpp"

#include <memory>
#include <set>
#include <string>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/errors.hpp"
#include "actors/runtime/node.hpp"
#include "troupe/messages/runtime.pb.h"

namespace troupe {

namespace {

using kill_atom = caf::atom_constant<caf::atom("kill")>;
// Time for the kill's answer to leave before the node's connections close.
constexpr auto kill_delay = std::chrono::milliseconds(100);

msg::Ack ack(bool ok, std::string detail) {
  msg::Ack a;
  a.set_ok(ok);
  a.set_detail(std::move(detail));
  return a;
}

params params_of(const msg::SpawnRequest& req) {
  return params::from_yaml(req.params_yaml().empty() ? "{}" : req.params_yaml());
}

msg::Ack spawn_ack(node& host, const msg::SpawnRequest& req) {
  auto running = host.local_actors();
  if (std::find(running.begin(), running.end(), req.actor()) != running.end())
    return ack(true, "already running");  // a retried request must not fail
  auto result = host.spawn(req.actor(), req.kind(), params_of(req));
  return result ? ack(true, "spawned") : ack(false, describe(result.error()));
}

}  // namespace

caf::behavior node_controller(caf::event_based_actor* self, context ctx, node* host) {
  auto stopped = std::make_shared<std::set<std::string>>();  // a retried stop must not fail either
  return {
    [=](kill_atom) { host->crash(); },
    [=](const letter& in) {
      bool control = in.as<msg::SpawnRequest>() || in.as<msg::StopRequest>();
      if (control && !ctx.may_control(in.sender_node)) {
        ctx.refuse(in, refusal::not_controller);
        ctx.reply(in, ack(false, "node " + in.sender_node + " may not spawn or stop actors here"));
      } else if (auto spawn = in.as<msg::SpawnRequest>()) {
        stopped->erase(spawn->actor());
        if (auto why = host->outside_output(spawn->kind(), params_of(*spawn)); !why.empty()) {
          ctx.refuse(in, refusal::outside_output, why);
          ctx.reply(in, ack(false, why));
        } else {
          ctx.reply(in, spawn_ack(*host, *spawn));
        }
      } else if (auto stop = in.as<msg::StopRequest>(); stop && stop->actor() == ctx.name()) {
        // Stopping the node's own controller kills the node, as kill -9 would (`troupe ctl
        // kill-node`): the answer goes out first, the others declare it down by its silence.
        spdlog::warn("node {}: killed by a control request from node {}", host->name(), in.sender_node);
        ctx.reply(in, ack(true, "killing node " + host->name()));
        self->delayed_send(self, kill_delay, kill_atom::value);
      } else if (stop) {
        if (host->stop(stop->actor())) {
          stopped->insert(stop->actor());
          ctx.reply(in, ack(true, "stopping"));
        } else {
          bool before = stopped->count(stop->actor()) > 0;
          ctx.reply(in, ack(before, before ? "already stopped" : "no actor '" + stop->actor() + "' here"));
        }
      } else {
        ctx.refuse(in, refusal::unhandled_type);
        if (in.is_request())
          ctx.reply(in, ack(false, "node controller does not handle " + in.type));
      }
    },
  };
}

}  // namespace troupe
