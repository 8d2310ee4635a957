// Linear sum assignment: pairs rows with columns, each used at most once, so that the
// total weight is largest. REACT's fusion (react.txt, Algorithm 1) matches current and
// new objects this way on their IoU matrix.
#pragma once

#include <vector>

namespace troupe {

// Solved by the Hungarian method (Kuhn–Munkres) with row and column potentials on the
// matrix padded to a square with zeros, O(n³) for n = max(rows, columns). Returns, for
// every row, its column, or -1 for a row left out because there are more rows than
// columns. `weight` is rows × columns (rows of equal length).
std::vector<int> max_weight_assignment(const std::vector<std::vector<double>>& weight);

}  // namespace troupe
