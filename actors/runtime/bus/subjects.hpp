// Mapping between deployment names and NATS subjects.
//   troupe.<deployment>.a.<actor>        an actor's mailbox
//   troupe.<deployment>.t.<topic>        a pub/sub topic
//   troupe.<deployment>.sys.<what>       hello, heartbeat, actor up/down, node down
//   troupe.<deployment>.r.<node>.<inc>   replies to requests made on one node
#pragma once

#include <string>

namespace troupe {

// Names may use letters, digits and "-_/:@"; "/" becomes "|" on the wire because
// NATS subjects split on "." only, and "|" keeps names readable in `nats sub`.
bool is_valid_name(const std::string& name);

std::string actor_subject(const std::string& deployment, const std::string& actor);
std::string topic_subject(const std::string& deployment, const std::string& topic);
std::string sys_subject(const std::string& deployment, const std::string& what);
std::string reply_subject(const std::string& deployment, const std::string& node, uint64_t incarnation);
std::string deployment_wildcard(const std::string& deployment);

}  // namespace troupe
