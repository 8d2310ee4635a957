// The system actor every node runs for its actors' requests, spawned by the node itself.
#pragma once

#include <memory>

#include <caf/event_based_actor.hpp>

namespace troupe {

class node;
class node_core;

// Holds the response promises of requests made by actors; replies and timeouts
// arrive here from the bus or from local actors.
caf::behavior request_bridge(caf::event_based_actor* self, std::weak_ptr<node_core> core);

}  // namespace troupe
