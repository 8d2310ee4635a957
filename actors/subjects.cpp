#include "actors/subjects.hpp"

#include <algorithm>
#include <cctype>

namespace troupe {
namespace {

const std::string prefix = "troupe.";

std::string encode(std::string name) {
  std::replace(name.begin(), name.end(), '/', '|');
  return name;
}

std::string decode(std::string token) {
  std::replace(token.begin(), token.end(), '|', '/');
  return token;
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
  return prefix + deployment + ".a." + encode(actor);
}

std::string topic_subject(const std::string& deployment, const std::string& topic) {
  return prefix + deployment + ".t." + encode(topic);
}

std::string sys_subject(const std::string& deployment, const std::string& what) {
  return prefix + deployment + ".sys." + what;
}

std::string control_subject(const std::string& deployment, const std::string& node) {
  return prefix + deployment + ".ctl." + encode(node);
}

std::string reply_subject(const std::string& deployment, const std::string& node,
                          uint64_t incarnation) {
  return prefix + deployment + ".r." + encode(node) + "." + std::to_string(incarnation);
}

std::string deployment_wildcard(const std::string& deployment) {
  return prefix + deployment + ".>";
}

std::optional<subject_parts> parse_subject(const std::string& subject) {
  if (subject.compare(0, prefix.size(), prefix) != 0)
    return std::nullopt;
  auto rest = subject.substr(prefix.size());
  auto dot1 = rest.find('.');
  if (dot1 == std::string::npos)
    return std::nullopt;
  auto dot2 = rest.find('.', dot1 + 1);
  if (dot2 == std::string::npos)
    return std::nullopt;
  subject_parts parts{rest.substr(0, dot1), rest.substr(dot1 + 1, dot2 - dot1 - 1),
                      decode(rest.substr(dot2 + 1))};
  if (parts.deployment.empty() || parts.name.empty())
    return std::nullopt;
  return parts;
}

}  // namespace troupe
