// The three views of the cluster OctoCross's model reads (octocross.txt §3.1), each an
// N×N adjacency matrix multiplied element-wise by the node mask (a masked node has
// no row and no column): the physical layout (which cameras a person walks between),
// the network (how long offloading to a node takes) and the resources (how much room
// a node has).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace troupe::octocross {

using matrix = std::vector<std::vector<double>>;

matrix zeros(size_t n);

// "a-b, c-d": walkable pairs between `nodes` (names may hold '-': a pair splits where
// both sides are names). Throws std::runtime_error naming an unknown or ambiguous pair.
std::vector<std::pair<size_t, size_t>> parse_edges(const std::string& text, const std::vector<std::string>& nodes);

// A_phys: 1 between the ends of an edge, both ways.
matrix physical_view(size_t n, const std::vector<std::pair<size_t, size_t>>& edges, const std::vector<bool>& up);

// A_net[i][j] = exp(−delay_ij / SLO); a link not measured yet is 0 (no offloading over
// it), a node to itself 1.
matrix network_view(const matrix& delay_ms, const std::vector<std::vector<bool>>& measured, double slo_ms,
                    const std::vector<bool>& up);

// A_res[i][j] = max(0, 1 − util_j): the room j has, the same from every i.
matrix resource_view(const std::vector<double>& util, const std::vector<bool>& up);

}  // namespace troupe::octocross
