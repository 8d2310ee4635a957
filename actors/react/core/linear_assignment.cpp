#include "actors/react/core/linear_assignment.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace troupe {

namespace {

// Minimum-cost perfect matching on an n × n cost matrix. Rows are added one at a time;
// each addition grows a tree of tight edges (reduced cost zero under the potentials
// u, v) from the new row, relaxing the potentials by the smallest slack until a free
// column is reached, then flips the alternating path. Returns the row of every column.
std::vector<int> min_cost_matching(const std::vector<std::vector<double>>& cost) {
  const size_t n = cost.size();
  const double inf = std::numeric_limits<double>::infinity();
  // 1-based: column 0 is the virtual start of each search.
  std::vector<double> u(n + 1, 0), v(n + 1, 0);
  std::vector<size_t> row_of(n + 1, 0), previous(n + 1, 0);
  for (size_t row = 1; row <= n; ++row) {
    row_of[0] = row;
    size_t column = 0;
    std::vector<double> slack(n + 1, inf);
    std::vector<bool> in_tree(n + 1, false);
    do {
      in_tree[column] = true;
      size_t r = row_of[column], next = 0;
      double delta = inf;
      for (size_t c = 1; c <= n; ++c) {
        if (in_tree[c])
          continue;
        double reduced = cost[r - 1][c - 1] - u[r] - v[c];
        if (reduced < slack[c]) {
          slack[c] = reduced;
          previous[c] = column;
        }
        if (slack[c] < delta) {
          delta = slack[c];
          next = c;
        }
      }
      for (size_t c = 0; c <= n; ++c) {
        if (in_tree[c]) {
          u[row_of[c]] += delta;
          v[c] -= delta;
        } else {
          slack[c] -= delta;
        }
      }
      column = next;
    } while (row_of[column] != 0);
    do {  // the augmenting path, back to the start
      size_t before = previous[column];
      row_of[column] = row_of[before];
      column = before;
    } while (column != 0);
  }
  std::vector<int> out(n);
  for (size_t c = 1; c <= n; ++c)
    out[c - 1] = int(row_of[c]) - 1;
  return out;
}

}  // namespace

std::vector<int> max_weight_assignment(const std::vector<std::vector<double>>& weight) {
  const size_t rows = weight.size();
  const size_t columns = rows == 0 ? 0 : weight[0].size();
  for (auto& r : weight)
    if (r.size() != columns)
      throw std::invalid_argument("max_weight_assignment: rows of different lengths");
  const size_t n = std::max(rows, columns);
  std::vector<std::vector<double>> cost(n, std::vector<double>(n, 0.0));  // padding weighs nothing
  for (size_t i = 0; i < rows; ++i)
    for (size_t j = 0; j < columns; ++j)
      cost[i][j] = -weight[i][j];
  auto row_of_column = min_cost_matching(cost);
  std::vector<int> column_of(rows, -1);
  for (size_t c = 0; c < columns; ++c)
    if (size_t(row_of_column[c]) < rows)
      column_of[size_t(row_of_column[c])] = int(c);
  return column_of;
}

}  // namespace troupe
