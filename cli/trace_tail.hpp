// `troupe trace`: a live tail of the envelopes crossing the bus.
#pragma once

#include <string>

namespace troupe {

struct tail_options {
  std::string nats_url;
  std::string deployment;   // empty: every deployment
  std::string actor;        // only envelopes from or to this actor
  std::string type;         // only types containing this text
  std::string record_file;  // also append JSONL here
  double duration_s = 0;    // 0: until interrupted
  long max_count = 0;       // 0: unlimited
  std::string credentials;  // the deployment's monitor identity (`troupe credentials`)
};

int tail_trace(const tail_options& options);

}  // namespace troupe
