// From what the cameras reported to one slot's scheduling problem, and from the
// decision back to what each camera does (remo.txt, section III workflow): frame 0 of
// every camera goes to the edge server, the regions the Detect Trigger asked for are
// the ones the scheduler may move, everything else is tracked.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "actors/remo/core/scheduler.hpp"

namespace troupe::remo {

struct region_demand {
  int frame = 0, region = 0;
  double flag_rise = 0;  // dFlag/dt when it fired
};

// One camera's slot in plain numbers (the actor reads them from a SlotReport).
struct camera_report {
  double accuracy = 0, fixed_s = 0, s_per_megapixel = 0;
  double frame_megapixels = 0;
  std::vector<double> region_megapixels;
  int frames = 1;
  std::vector<region_demand> demands;
  double drift = 1;
  double latency_s = 0;
  double megabytes_per_megapixel = 0;  // 0: not observed yet
  double uplink_mbps = 0, downlink_mbps = 0;  // what its interfaces offer this slot; 0: not shaped
};

// The server and links, and the weights of objective (14).
struct slot_settings {
  double server_accuracy = 0.95;  // a_0
  double server_uplink_mbps = 0, server_downlink_mbps = 0;  // what the server's interfaces offer this slot
  // Where neither end of a pair is shaped: the paper's setup.
  double server_mbps = 16;        // camera → server
  double peer_mbps = 80;          // camera → camera
  double alpha = 0.1;             // MB per megapixel until the cameras observe it
  double v = 0.7, omega = 0.5, t_max = 1.0;
};

// Cameras are 1..N in the order of `reports`. B_ij of eq. (4) is the lesser of what i's
// uplink and j's downlink offer this slot (the paper shaped each device's interface).
slot_model make_slot_model(const std::vector<camera_report>& reports, const slot_settings& s);
// Frame 0 of each camera to the server, demanded regions detected by their own camera
// (the moves start there), the rest tracked; the demanded regions are movable.
std::pair<schedule, std::vector<movable_region>> initial_schedule(const slot_model& m,
                                                                 const std::vector<camera_report>& reports);

// A camera's share of a decision: (frame, region) → the camera that detects it.
using camera_plan = std::map<std::pair<int, int>, int>;
camera_plan plan_of(const schedule& x, int camera);
// Who detects region `region` of frame `frame` when it triggers: the plan's choice for
// that frame, else its choice for the region in the nearest planned frame, else `own`.
int planned_target(const camera_plan& plan, int frame, int region, int own);

// A camera's plan as sent: (frame, region) → the detector (replica) named.
using named_plan = std::map<std::pair<int, int>, std::string>;
// What plans made a slot ahead do with the demands that came: each movable region of
// camera i goes where i's plan (`plans[i]`, by detector) sends it, the nearest planned
// frame of that region as a camera does; a detector not among `detectors` (camera i's
// replica is detectors[i], 1-based like the cameras) or no plan: its own camera.
// Against the decision on these demands it gives what planning ahead costs.
schedule as_planned_ahead(schedule start, const std::vector<movable_region>& movable,
                          const std::vector<named_plan>& plans, const std::vector<std::string>& detectors);

}  // namespace troupe::remo
