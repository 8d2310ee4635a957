// ReMO's per-slot system model (paper: remo.txt, section V.A): accuracy with tracking
// drift, inference and transmission delay, system delay, load-balance index, the
// Lyapunov delay queue and the per-slot objective. Pure functions over one slot's
// schedule; the Region Scheduler actor and the tests use them.
//
// Indices follow the paper: node 0 is the edge server, cameras are 1..N.
#pragma once

#include <cstddef>
#include <vector>

namespace troupe::remo {

constexpr int tracked = -1;  // X[f][r] = -1: the region is tracked locally (optical flow)
constexpr int server = 0;

struct camera_model {
  std::vector<double> region_area;  // M_r, megapixels
  double frame_area = 0;            // M_0, megapixels
  double accuracy = 0;              // a_i of the camera's model
  double fixed_s = 0;               // s_{i,M} = fixed_s + s_per_megapixel · M
  double s_per_megapixel = 0;
  double drift = 1;                 // φ_{i,t}: a tracked region keeps this share of its accuracy per frame
};

struct slot_model {
  std::vector<camera_model> cameras;         // index 0 unused (the server); 1..N cameras
  double server_accuracy = 0;                // a_0
  std::vector<std::vector<double>> bandwidth;  // b[i][j], megabytes per second from i to j (0: server)
  double alpha = 1;                          // data size per area: megabytes per megapixel
  int frames = 1;                            // F frames per slot
  double omega = 0;                          // ω: weight of load imbalance
  double v = 1;                              // V: weight of utility against delay
  double t_max = 1;                          // T_max, seconds
  std::size_t cameras_count() const { return cameras.size() - 1; }
};

// X[i][f][r]: who handles region r of frame f of camera i (tracked, server or a camera).
using schedule = std::vector<std::vector<std::vector<int>>>;

double inference_s(const camera_model& c, double area);                 // s_{i,M}
double camera_accuracy(const slot_model& m, const schedule& x, int i);   // A_{i,t} from eq. (1)
double system_accuracy(const slot_model& m, const schedule& x);          // A_t, eq. (2)
double detection_delay(const slot_model& m, const schedule& x, int i);   // T^det_{i,t}, eq. (3)
double transmission_delay(const slot_model& m, const schedule& x, int i);  // T^trans_{i,t}, eq. (4)
double system_delay(const slot_model& m, const schedule& x);            // T_t, eq. (5)
double camera_load(const slot_model& m, const schedule& x, int i);       // K_{i,t}: area it detects
double load_balance(const slot_model& m, const schedule& x);            // K_t, eq. (6)
// Constraint (9): every region of every camera is detected in at least one frame.
bool every_region_detected(const slot_model& m, const schedule& x);
double next_queue(double q, double delay, double t_max);                // q(t+1), eq. (10)
// φ from what was observed: tracked boxes agreed with a later detection by `agreement`
// (F1 at IoU 0.5) after `frames_tracked` frames; eq. (1) decays accuracy by φ per tracked
// frame, so one frame's share is agreement^(1/frames). Smoothed: φ ← (1−β)·φ + β·observed.
double updated_drift(double phi, double agreement, int frames_tracked, double beta);
double objective(const slot_model& m, const schedule& x, double q);     // P^L, eq. (14)

}  // namespace troupe::remo
