// Every kind a topology can name. Adding a kind: write its file, add one line here.
#pragma once

#include "actors/kind_registry.hpp"

namespace troupe {

const kind_registry& builtin_kinds();

}  // namespace troupe
