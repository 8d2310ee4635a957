// `troupe dashboard TOPOLOGY --nats URL`: one web page of a running deployment, served
// on loopback. It listens to the bus as the read-only monitor (`troupe-monitor.creds`)
// and shows the nodes and actors (down ones in red), who sends to whom and at what
// rate, and the latest statistics and plans each actor sent (deployment_view.hpp). The
// page (dashboard.html) is built into the binary: nothing is fetched at run time.
#pragma once

#include <string>

#include "actors/runtime/deploy/topology.hpp"

namespace troupe {

struct dashboard_options {
  std::string nats_url;
  std::string credentials;  // the monitor's identity file; empty: the topology's shared ones
  std::string address = "127.0.0.1";
  int port = 9470;          // 0: one the system picks
  double duration_s = 0;    // 0: until interrupted
};

// Returns the exit status: 0 when stopped, 1 when the bus or the port failed (said why).
int run_dashboard(const topology& topo, const dashboard_options& o);

// The page, as built in.
const std::string& dashboard_page();

}  // namespace troupe
