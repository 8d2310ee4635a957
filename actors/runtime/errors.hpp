// Troupe's error codes, carried in caf::error with category "troupe".
#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>

namespace troupe {

enum class errc : uint8_t {
  payload_too_large = 1,  // envelope bigger than the server's max payload
  request_timeout,        // no reply within the request's timeout
  no_such_actor,          // the receiver does not exist (anymore)
  name_taken,             // an actor with this name already runs in the deployment
  unknown_kind,           // no kind of this name in the registry
  bad_params,             // parameters that do not fit the kind
  bus_failure,            // the NATS connection refused a publish
  remote_error,           // the receiver answered with an Error
  not_running,            // the node has stopped
  spawn_failed,           // the kind threw while spawning
  link_dropped,           // the sending node's emulated uplink was full (tbf's queue bound)
  link_cut,               // an emulated link would have delivered it after its deadline
};

const char* to_string(errc e);
caf::error make_error(errc e, std::string what);
// "request timeout: no reply from 'echo' within 200 ms"; works for CAF's errors too.
std::string describe(const caf::error& e);
bool is(const caf::error& e, errc code);

}  // namespace troupe
