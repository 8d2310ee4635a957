// Mapping between deployment names and NATS subjects.
//   troupe.<deployment>.a.<actor>        an actor's mailbox
//   troupe.<deployment>.t.<topic>        a pub/sub topic
//   troupe.<deployment>.sys.<what>.<node> hello, heartbeat, actor up/down, node down,
//                                        published by <node> (NATS permissions pin it)
//   troupe.<deployment>.r.<node>.<inc>   replies to requests made on one node
#pragma once

#include <string>

namespace troupe {

// Names may use letters, digits and "-_/:@"; "/" becomes "|" on the wire because
// NATS subjects split on "." only, and "|" keeps names readable in `nats sub`.
bool is_valid_name(const std::string& name);

std::string actor_subject(const std::string& deployment, const std::string& actor);
std::string topic_subject(const std::string& deployment, const std::string& topic);
std::string sys_subject(const std::string& deployment, const std::string& what, const std::string& node);
// Every node's announcements.
std::string sys_wildcard(const std::string& deployment);
// The node that published on a sys subject; empty when it is not one.
std::string sys_publisher(const std::string& deployment, const std::string& subject);
std::string reply_subject(const std::string& deployment, const std::string& node, uint64_t incarnation);
// Every incarnation's replies of one node.
std::string reply_wildcard(const std::string& deployment, const std::string& node);
std::string deployment_wildcard(const std::string& deployment);

}  // namespace troupe
