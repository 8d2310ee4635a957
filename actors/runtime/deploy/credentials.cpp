#include "actors/runtime/deploy/credentials.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

#include "actors/runtime/deploy/nats_server.hpp"
#include "actors/runtime/deploy/topology.hpp"

namespace troupe {

namespace {

std::string random_secret() {
  unsigned char bytes[16];
  std::ifstream in("/dev/urandom", std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(bytes), sizeof(bytes)))
    throw std::runtime_error("cannot read /dev/urandom for a secret");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (auto b : bytes)
    out += {hex[b >> 4], hex[b & 15]};
  return out;
}

std::string list(const std::vector<std::string>& subjects) {
  std::string out = "[";
  for (size_t i = 0; i < subjects.size(); ++i)
    out += (i ? ", " : "") + nats_quoted(subjects[i]);
  return out + "]";
}

std::string rules(const subject_rules& r) {
  std::string out = "{";
  if (!r.allow.empty())
    out += "allow: " + list(r.allow);
  if (!r.deny.empty())
    out += std::string(r.allow.empty() ? "" : ", ") + "deny: " + list(r.deny);
  return out + "}";
}

void write_private(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  bool ok = fd >= 0 && ::fchmod(fd, 0600) == 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  int error = errno;
  if (fd >= 0)
    ::close(fd);
  if (!ok)
    throw std::runtime_error("cannot write " + path + ": " + std::strerror(error));
}

}  // namespace

const credential* deployment_credentials::find(const std::string& identity) const {
  for (auto& c : identities)
    if (c.identity == identity)
      return &c;
  return nullptr;
}

deployment_credentials make_credentials(const topology& topo, const kind_registry& kinds) {
  deployment_credentials c;
  c.rules = permissions_for(topo, kinds);
  for (auto& r : c.rules)
    c.identities.push_back({topo.deployment, r.identity, topo.deployment + ":" + r.identity, random_secret()});
  return c;
}

std::string authorization_block(const deployment_credentials& c) {
  std::string out = "authorization {\n  users = [\n";
  for (size_t i = 0; i < c.rules.size(); ++i) {
    auto& id = c.identities[i];
    out += "    {user: " + nats_quoted(id.user) + ", password: " + nats_quoted(id.password) +
           ", permissions: {publish: " + rules(c.rules[i].publish) + ", subscribe: " + rules(c.rules[i].subscribe) +
           "}}\n";
  }
  return out + "  ]\n}\n";
}

std::string credential_file(const std::string& dir, const std::string& identity) {
  return dir + "/" + identity + ".creds";
}

std::vector<std::string> write_credentials(const deployment_credentials& c, const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw std::runtime_error("cannot make " + dir + ": " + std::strerror(errno));
  if (::chmod(dir.c_str(), 0700) != 0)
    throw std::runtime_error("cannot restrict " + dir + " to its owner: " + std::strerror(errno));
  std::vector<std::string> written;
  written.push_back(dir + "/nats-server.conf");
  write_private(written.back(), authorization_block(c));
  for (auto& id : c.identities) {
    written.push_back(credential_file(dir, id.identity));
    write_private(written.back(), "deployment: " + id.deployment + "\nidentity: " + id.identity + "\nuser: \"" +
                                      id.user + "\"\npassword: " + id.password + "\n");
  }
  return written;
}

credential read_credential(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw std::runtime_error(path + ": " + std::strerror(errno));
  if ((st.st_mode & 077) != 0)
    throw std::runtime_error(path + ": readable by others than its owner (chmod 600 it)");
  try {
    auto y = YAML::LoadFile(path);
    credential c{y["deployment"].as<std::string>(), y["identity"].as<std::string>(), y["user"].as<std::string>(),
                 y["password"].as<std::string>()};
    if (c.deployment.empty() || c.identity.empty() || c.user.empty() || c.password.empty())
      throw std::runtime_error("an empty field");
    return c;
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": not a credentials file with identity, user and password (" +
                             std::string(e.what()) + ")");
  }
}

}  // namespace troupe
