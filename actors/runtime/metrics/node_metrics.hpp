// A node's metrics as a scrape sees them: its own families (envelopes, drops and
// refusals by cause, liveness, its shaped interfaces; docs/metrics.md) and whatever its
// actors measured, every series labelled with the node's name.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "actors/runtime/metrics/exposition.hpp"

namespace troupe {
class node;
}

namespace troupe::metrics {

void write_node(exposition& out, const node& n);

// The nodes one process serves metrics for. Nodes come and go while scrapes run (the
// timeline kills one, a restart brings it back): a node leaves the roster before it is
// destroyed, and leaving waits for a scrape in progress.
class node_roster {
 public:
  void add(const node& n);
  void remove(const node& n);
  std::string scrape() const;  // every node's metrics in one exposition

 private:
  mutable std::mutex mtx_;
  std::vector<const node*> nodes_;
};

}  // namespace troupe::metrics
