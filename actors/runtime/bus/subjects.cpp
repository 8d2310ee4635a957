#include "actors/runtime/bus/subjects.hpp"

#include <algorithm>
#include <cctype>

namespace troupe {
namespace {

const std::string prefix = "troupe.";

std::string encode(std::string name) {
  std::replace(name.begin(), name.end(), '/', '|');
  return name;
}

// prefix + deployment + infix + name with '/' as '|', in one allocation: every send
// makes its subject.
std::string subject(const std::string& deployment, const char* infix, const std::string& name) {
  std::string s;
  s.reserve(prefix.size() + deployment.size() + std::char_traits<char>::length(infix) + name.size());
  s.append(prefix).append(deployment).append(infix);
  for (char c : name)
    s.push_back(c == '/' ? '|' : c);
  return s;
}

}  // namespace

bool is_valid_name(const std::string& name) {
  if (name.empty() || name.size() > 200)
    return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '/' || c == ':' || c == '@';
  });
}

std::string actor_subject(const std::string& deployment, const std::string& actor) {
  return subject(deployment, ".a.", actor);
}

std::string topic_subject(const std::string& deployment, const std::string& topic) {
  return subject(deployment, ".t.", topic);
}

std::string sys_subject(const std::string& deployment, const std::string& what, const std::string& node) {
  return prefix + deployment + ".sys." + what + "." + encode(node);
}

std::string sys_wildcard(const std::string& deployment) {
  return prefix + deployment + ".sys.*.*";
}

std::string sys_publisher(const std::string& deployment, const std::string& subject) {
  auto head = prefix + deployment + ".sys.";
  if (subject.rfind(head, 0) != 0)
    return {};
  auto dot = subject.find('.', head.size());
  if (dot == std::string::npos || subject.find('.', dot + 1) != std::string::npos)
    return {};
  auto node = subject.substr(dot + 1);
  std::replace(node.begin(), node.end(), '|', '/');
  return node;
}

std::string reply_subject(const std::string& deployment, const std::string& node,
                          uint64_t incarnation) {
  return prefix + deployment + ".r." + encode(node) + "." + std::to_string(incarnation);
}

std::string reply_wildcard(const std::string& deployment, const std::string& node) {
  return prefix + deployment + ".r." + encode(node) + ".*";
}

std::string deployment_wildcard(const std::string& deployment) {
  return prefix + deployment + ".>";
}

}  // namespace troupe
