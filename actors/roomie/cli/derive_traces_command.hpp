// `troupe derive-traces`: the kernel traces ROOMIE's benches read on machines without
// a GPU (topologies/kernels/derived/<arch>/), derived from the project's models' CPU
// forward passes (learning/kernel_profile), each file labelled derived, not measured.
#pragma once

#include "learning/kernel_profile.hpp"

namespace troupe {

int derive_traces_command(const learning::derive_traces_options& o);

}  // namespace troupe
