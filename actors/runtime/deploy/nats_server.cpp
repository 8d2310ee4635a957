#include "actors/runtime/deploy/nats_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "actors/runtime/deploy/die_with_parent.hpp"
#include "actors/runtime/file_output.hpp"

namespace troupe {

namespace {

bool accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free loopback port");
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string find_program(const std::string& name, const std::string& fallback_dir) {
  if (name.find('/') != std::string::npos)
    return name;
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":" + fallback_dir;
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':'))
    if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0)
      return dir + "/" + name;
  throw std::runtime_error("cannot find " + name + " in PATH or " + fallback_dir +
                           " (run scripts/setup.sh)");
}

nats_server::nats_server(nats_server_options options) : options_(std::move(options)) {
  options_.binary = find_program(options_.binary, "/usr/sbin");
  if (options_.port == 0)
    options_.port = free_loopback_port();
  launch();
}

nats_server::~nats_server() {
  stop();
  for (auto& f : files_)
    ::unlink(f.c_str());
  if (!config_dir_.empty())
    ::rmdir(config_dir_.c_str());
}

std::string nats_server::url() const {
  return "nats://127.0.0.1:" + std::to_string(options_.port);
}

std::string nats_quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s)
    out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  return out + "\"";
}

std::string tls_block(const std::string& cert_file, const std::string& key_file, const std::string& ca_file) {
  return "tls {\n  cert_file: " + nats_quoted(cert_file) + "\n  key_file: " + nats_quoted(key_file) +
         "\n  ca_file: " + nats_quoted(ca_file) + "\n  verify: true\n  timeout: 2\n}\n";
}

void nats_server::write_file(const std::string& name, const std::string& text) {
  std::string path = config_dir_ + "/" + name;
  write_private_file(path, text);
  if (std::find(files_.begin(), files_.end(), path) == files_.end())
    files_.push_back(path);
}

void nats_server::write_config() {
  if (config_dir_.empty()) {
    char dir[] = "/tmp/troupe-nats-XXXXXX";
    if (::mkdtemp(dir) == nullptr)
      throw std::runtime_error(std::string("cannot make a folder for nats-server's config: ") + std::strerror(errno));
    config_dir_ = dir;
  }
  std::string text;
  if (options_.max_payload_bytes > 0)
    text += "max_payload: " + std::to_string(options_.max_payload_bytes) + "\n";
  if (!options_.user.empty())
    text += "authorization { user: " + nats_quoted(options_.user) + ", password: " + nats_quoted(options_.password) + " }\n";
  else if (!options_.token.empty())
    text += "authorization { token: " + nats_quoted(options_.token) + " }\n";
  text += options_.authorization;
  if (options_.cluster_port > 0) {
    text += "cluster { name: troupe, listen: \"127.0.0.1:" + std::to_string(options_.cluster_port) + "\", routes: [";
    for (size_t i = 0; i < options_.routes.size(); ++i)
      text += std::string(i ? ", " : "") + "\"nats-route://127.0.0.1:" + std::to_string(options_.routes[i]) + "\"";
    text += "] }\n";
  }
  if (!options_.tls.cert.empty()) {
    write_file("server.pem", options_.tls.cert);
    write_file("server.key", options_.tls.key);
    write_file("ca.pem", options_.tls_ca);
    text += tls_block(config_dir_ + "/server.pem", config_dir_ + "/server.key", config_dir_ + "/ca.pem");
  }
  write_file("nats-server.conf", text);
}

void nats_server::launch() {
  write_config();
  std::vector<std::string> args = {options_.binary, "-a", "127.0.0.1", "-p", std::to_string(options_.port),
                                   "-c", config_dir_ + "/nats-server.conf"};
  pid_t parent = ::getpid();
  bool armed = detail::forking_from_main_thread();
  pid_ = ::fork();
  if (pid_ < 0)
    throw std::runtime_error("cannot fork nats-server");
  if (pid_ == 0) {
    ::setpgid(0, 0);  // keep terminal signals for the parent to relay
    detail::die_with_parent(parent, armed);
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    int devnull = ::open("/dev/null", 1);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  for (int i = 0; i < 500; ++i) {
    if (accepts(options_.port))
      return;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error(options_.binary + " exited at start (port " +
                               std::to_string(options_.port) + " taken?)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop();
  throw std::runtime_error(options_.binary + " did not accept connections within 5 s");
}

void nats_server::stop() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 300; ++i) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void nats_server::restart() {
  stop();
  launch();
}

}  // namespace troupe
