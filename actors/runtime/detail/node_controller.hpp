// The actor named "node/<node>": serves SpawnRequest and StopRequest (replying Ack),
// so timelines and other nodes control a node the same way, local or remote.
#pragma once

#include <caf/event_based_actor.hpp>

#include "actors/runtime/context.hpp"

namespace troupe {

class node;

caf::behavior node_controller(caf::event_based_actor* self, context ctx, node* host);

}  // namespace troupe
