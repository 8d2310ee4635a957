// Atoms of the runtime's own CAF messages (never on the bus).
#pragma once

#include <caf/atom.hpp>

namespace troupe {

using request_atom = caf::atom_constant<caf::atom("request")>;
using reply_atom = caf::atom_constant<caf::atom("reply")>;
using expire_atom = caf::atom_constant<caf::atom("expire")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;

}  // namespace troupe
