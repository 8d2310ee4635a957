#include "actors/runtime/deploy/credentials.hpp"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

#include "actors/runtime/bus/bus_connection.hpp"
#include "actors/runtime/file_output.hpp"
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

// A PEM text as a YAML literal block under `key`.
std::string pem_field(const std::string& key, const std::string& pem) {
  std::string out = key + ": |\n";
  size_t start = 0;
  while (start < pem.size()) {
    auto end = pem.find('\n', start);
    out += "  " + pem.substr(start, end == std::string::npos ? std::string::npos : end - start) + "\n";
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  return out;
}

std::vector<std::string> server_hosts(const nats_settings& nats) {
  std::vector<std::string> hosts;
  if (nats.url == "embedded")
    hosts = {"localhost", "127.0.0.1"};
  else
    hosts = url_hosts(nats.url);
  if (!nats.tls.hostname.empty() && std::find(hosts.begin(), hosts.end(), nats.tls.hostname) == hosts.end())
    hosts.insert(hosts.begin(), nats.tls.hostname);
  return hosts;
}

std::string absolute(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr)
    throw std::runtime_error("cannot resolve " + path + ": " + std::strerror(errno));
  return buf;
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
    c.identities.push_back({topo.deployment, r.identity, topo.deployment + ":" + r.identity, random_secret(), {}, {}, {}});
  if (!topo.nats.tls.on)
    return c;
  auto authority = make_authority(topo.deployment);
  c.tls_server = issue_server(authority, server_hosts(topo.nats));
  for (auto& id : c.identities) {
    auto client = issue_client(authority, id.user);
    id.tls_ca = authority.ca.cert;
    id.tls_cert = client.cert;
    id.tls_key = client.key;
  }
  return c;
}

void connect_as(bus_options& bus, const credential& who) {
  bus.user = who.user;
  bus.password = who.password;
  bus.token.clear();
  if (who.tls_ca.empty())
    return;
  bus.tls = true;
  bus.tls_ca = who.tls_ca;
  bus.tls_cert = who.tls_cert;
  bus.tls_key = who.tls_key;
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
  std::string server_conf = authorization_block(c);
  if (!c.tls_server.cert.empty() && !c.identities.empty()) {
    std::string at = absolute(dir);
    for (auto& [file, pem] : {std::pair{"/ca.pem", c.identities.front().tls_ca},
                              std::pair{"/server.pem", c.tls_server.cert}, std::pair{"/server.key", c.tls_server.key}}) {
      written.push_back(dir + file);
      write_private_file(written.back(), pem);
    }
    server_conf += tls_block(at + "/server.pem", at + "/server.key", at + "/ca.pem");
  }
  written.push_back(dir + "/nats-server.conf");
  write_private_file(written.back(), server_conf);
  for (auto& id : c.identities) {
    written.push_back(credential_file(dir, id.identity));
    std::string text = "deployment: " + id.deployment + "\nidentity: " + id.identity + "\nuser: \"" + id.user +
                       "\"\npassword: " + id.password + "\n";
    if (!id.tls_ca.empty())
      text += pem_field("tls_ca", id.tls_ca) + pem_field("tls_cert", id.tls_cert) + pem_field("tls_key", id.tls_key);
    write_private_file(written.back(), text);
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
                 y["password"].as<std::string>(), y["tls_ca"].as<std::string>(""), y["tls_cert"].as<std::string>(""),
                 y["tls_key"].as<std::string>("")};
    if (c.deployment.empty() || c.identity.empty() || c.user.empty() || c.password.empty())
      throw std::runtime_error("an empty field");
    bool any_tls = !c.tls_ca.empty() || !c.tls_cert.empty() || !c.tls_key.empty();
    if (any_tls && (c.tls_ca.empty() || c.tls_cert.empty() || c.tls_key.empty()))
      throw std::runtime_error("tls_ca, tls_cert and tls_key go together");
    if (any_tls && !key_matches(c.tls_cert, c.tls_key))
      throw std::runtime_error("tls_key is not the key of tls_cert");
    return c;
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": not a credentials file with identity, user and password (" +
                             std::string(e.what()) + ")");
  }
}

}  // namespace troupe
