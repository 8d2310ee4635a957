// VideoJam's Dispatcher decides per window how many items each neighbour is owed
// (Algorithm 1); what the queue cannot give at once leaves spread over the window's
// arrivals: the arrivals are shared by smooth weighted round robin between the
// receivers (each weighted by owed / arriving) and the own queue (the rest), so that no
// receiver is handed the window's amount in one burst and, when the forecast holds,
// every receiver gets what it is owed.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "actors/common/core/load_split.hpp"

namespace troupe::videojam {

class offload_spreader {
 public:
  // A window begins: whole items still owed to each receiver, and the items the window
  // is forecast to bring (below 1 counts as 1). A receiver's share of each arrival is
  // owed / arriving, at most 1.
  void begin_window(const std::map<std::string, double>& owed, double arriving);
  // Where the next arrival goes; empty: the own queue keeps it.
  std::string pick();
  // Nothing more to `receiver` this window (it signalled congestion, or it is gone).
  void drop(const std::string& receiver);
  // Whether any whole item is still owed this window.
  bool owes() const;

 private:
  // Position 0 is the own queue (the arrivals' share no receiver is owed); a receiver
  // paid or dropped keeps its position with weight 0.
  weighted_round_robin rotation_;
  std::vector<std::string> receivers_ = {""};
  std::vector<double> items_ = {0}, weights_ = {1};
};

}  // namespace troupe::videojam
