// `troupe penance-dataset`: builds (or keeps) every drive's table through the learning
// plugin, then prints what the dataset shows beside the paper's figures and the
// targets its synthetic drives and models were tuned to.
#pragma once

#include "learning/penance_dataset.hpp"

namespace troupe {

// Returns the exit status: 0 built and summarised; the checks that miss are printed
// as misses, not failures (they are findings to report).
int penance_dataset_command(const learning::penance_dataset_options& options);

}  // namespace troupe
