#include "actors/penance/penance.hpp"

namespace troupe {

// Penance is being built from its pure core outwards (docs/penance.md): its kinds and
// commands are added here as they land.
void register_penance(system_registry&) {}

}  // namespace troupe
