// The strategies behind videojam::make_balancer, and the mechanics they share.
#pragma once

#include <memory>
#include <string>

#include "actors/videojam/core/balancer.hpp"

namespace troupe::videojam::detail {

std::unique_ptr<balancer> make_videojam_balancer(const balancer_settings& s);
std::unique_ptr<balancer> make_wrr_balancer();
std::unique_ptr<balancer> make_distream_balancer(const balancer_settings& s, bool semi_stochastic);
std::unique_ptr<balancer> make_plan_balancer();

// Adds "send up to `items` of the queue to `replica`" to `plan`, at most what `queued`
// still holds (the queue is shared by every receiver, in plan order); returns how many.
double send_from_queue(window_plan& plan, const std::string& replica, double items, double& queued);

}  // namespace troupe::videojam::detail
