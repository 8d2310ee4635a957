// ROOMIE's placement actor (thesis §4.4.4, Alg. 3): where model replicas go among a
// cluster's emulated shared GPUs. On a PlaceRequest (and for its `initial` replicas,
// and when a model stays busy) it books a GPU by its policy — roomie, infaas or usher —
// and asks that node to spawn the replica seated there; a replica no GPU takes now is
// deferred and retried at every exit and every retry_ms. Every decision is published
// on topic `placements`.
#pragma once

#include "actors/runtime/kind_registry.hpp"

namespace troupe {

kind_spec placement_actor_kind();

}  // namespace troupe
