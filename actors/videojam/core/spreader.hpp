// VideoJam's Dispatcher decides per window how many items each neighbour is owed
// (Algorithm 1); what the queue cannot give at once leaves spread over the window's
// arrivals: each receiver earns its share of every arrival and takes an item per whole
// share earned, so that no receiver is handed the window's amount in one burst.
#pragma once

#include <map>
#include <string>

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
  struct debt {
    double items = 0, share = 0, credit = 0;
  };
  std::map<std::string, debt> owed_;
};

}  // namespace troupe::videojam
