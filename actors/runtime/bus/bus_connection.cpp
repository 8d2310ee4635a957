#include "actors/runtime/bus/bus_connection.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <vector>

#include <nats/nats.h>
#include <spdlog/spdlog.h>

namespace troupe {

struct bus_connection::subscription {
  uint64_t id = 0;
  std::string subject;
  handler fn;
  event drained;
  natsSubscription* sub = nullptr;
};

namespace {

std::vector<std::string> server_list(const std::string& urls) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= urls.size()) {
    auto comma = urls.find(',', start);
    auto url = urls.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    url.erase(0, url.find_first_not_of(' '));
    url.erase(url.find_last_not_of(' ') + 1);
    if (!url.empty())
      out.push_back(url);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  if (out.empty())
    throw std::runtime_error("no NATS url given");
  return out;
}

bool is_address(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

void check(natsStatus s, const std::string& what) {
  if (s != NATS_OK)
    throw std::runtime_error(what + ": " + natsStatus_GetText(s));
}

void use_tls(natsOptions* opts, const bus_options& o) {
  check(natsOptions_SetSecure(opts, true), "nats tls (is nats.c built with TLS?)");
  if (!o.tls_ca.empty())
    check(natsOptions_SetCATrustedCertificates(opts, o.tls_ca.c_str()), "nats tls: the CA certificates");
  if (!o.tls_cert.empty())
    check(natsOptions_SetCertificatesChain(opts, o.tls_cert.c_str(), o.tls_key.c_str()),
          "nats tls: the client certificate and key");
  auto name = o.tls_hostname;
  auto first = url_hosts(o.url);
  if (name.empty() && first.size() == 1 && !is_address(first.front()))
    name = first.front();  // an address, or servers of a cluster each with its own name: the chain alone
  if (!name.empty())
    check(natsOptions_SetExpectedHostname(opts, name.c_str()), "nats tls: the server's name");
}

}  // namespace

std::vector<std::string> url_hosts(const std::string& urls) {
  std::vector<std::string> hosts;
  for (auto& url : server_list(urls)) {
    auto scheme = url.find("://");
    auto host = url.substr(scheme == std::string::npos ? 0 : scheme + 3);
    auto at = host.rfind('@');  // user:password@host
    host = host.substr(at == std::string::npos ? 0 : at + 1);
    auto colon = host.find_last_of(':');
    if (colon != std::string::npos && host.find(']', colon) == std::string::npos)
      host.resize(colon);  // the port
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);  // [::1]
    if (!host.empty() && std::find(hosts.begin(), hosts.end(), host) == hosts.end())
      hosts.push_back(host);
  }
  return hosts;
}

bus_connection::bus_connection(const bus_options& options) : options_(options) {
  natsOptions* opts = nullptr;
  check(natsOptions_Create(&opts), "nats options");
  std::unique_ptr<natsOptions, void (*)(natsOptions*)> guard(opts, natsOptions_Destroy);
  auto servers = server_list(options.url);
  std::vector<const char*> urls;
  for (auto& u : servers)
    urls.push_back(u.c_str());
  check(natsOptions_SetServers(opts, urls.data(), static_cast<int>(urls.size())), "nats url " + options.url);
  natsOptions_SetNoRandomize(opts, true);  // the first listed is the node's own server
  if (!options.user.empty())
    check(natsOptions_SetUserInfo(opts, options.user.c_str(), options.password.c_str()),
          "nats user");
  if (!options.token.empty())
    check(natsOptions_SetToken(opts, options.token.c_str()), "nats token");
  if (options.tls)
    use_tls(opts, options);
  if (!options.client_name.empty())
    natsOptions_SetName(opts, options.client_name.c_str());
  natsOptions_SetSendAsap(opts, true);  // latency over batching: we flush per message
  natsOptions_SetTimeout(opts, options.connect_timeout_ms);
  natsOptions_SetAllowReconnect(opts, true);
  natsOptions_SetMaxReconnect(opts, -1);  // a deployment outlives server restarts
  natsOptions_SetReconnectWait(opts, options.reconnect_wait_ms);
  natsOptions_SetReconnectBufSize(opts, options.reconnect_buffer_bytes);
  natsOptions_SetPingInterval(opts, options.ping_interval_ms);
  natsOptions_SetMaxPingsOut(opts, 2);
  natsOptions_SetReconnectedCB(opts, &bus_connection::reconnected, this);
  natsOptions_SetDisconnectedCB(opts, &bus_connection::disconnected, this);
  natsOptions_SetClosedCB(opts, &bus_connection::closed, this);
  natsOptions_SetErrorHandler(
      opts, [](natsConnection* nc, natsSubscription* sub, natsStatus err, void* self) {
        bus_connection::async_error(nc, sub, static_cast<int>(err), self);
      },
      this);
  auto s = natsConnection_Connect(&conn_, opts);
  if (s != NATS_OK) {
    const char* detail = nats_GetLastError(nullptr);  // e.g. why a TLS handshake failed
    throw std::runtime_error("cannot connect to NATS at " + options.url + ": " + natsStatus_GetText(s) +
                             (detail != nullptr && *detail != 0 ? std::string(" (") + detail + ")" : ""));
  }
}

bus_connection::~bus_connection() {
  close();
  if (conn_ != nullptr)
    natsConnection_Destroy(conn_);
}

void bus_connection::close() {
  closing_ = true;
  std::vector<std::unique_ptr<subscription>> subs;
  {
    std::lock_guard<std::mutex> lock(mtx_);
    subs.swap(subs_);
  }
  for (auto& s : subs)
    natsSubscription_Destroy(s->sub);
  if (conn_ != nullptr) {
    natsConnection_Close(conn_);
    std::unique_lock<std::mutex> lock(closed_mtx_);
    closed_cv_.wait_for(lock, std::chrono::seconds(5), [this] { return closed_; });
  }
  std::lock_guard<std::mutex> lock(mtx_);
  for (auto& s : subs)
    retired_.push_back(std::move(s));
}

void bus_connection::closed(natsConnection*, void* self) {
  auto* bus = static_cast<bus_connection*>(self);
  std::lock_guard<std::mutex> lock(bus->closed_mtx_);
  bus->closed_ = true;
  bus->closed_cv_.notify_all();
}

void bus_connection::async_error(natsConnection* nc, natsSubscription*, int status, void* self) {
  auto* bus = static_cast<bus_connection*>(self);
  if (status != NATS_NOT_PERMITTED)
    return;  // slow consumers are counted per subscription
  if (bus->permission_denied_++ == 0) {
    const char* text = nullptr;
    natsConnection_GetLastError(nc, &text);
    spdlog::warn("{}: the NATS server refused it: {} (further refusals are only counted)", bus->options_.client_name,
                 text != nullptr ? text : "permissions violation");
  }
}

void bus_connection::on_reconnected(event e) {
  std::lock_guard<std::mutex> lock(mtx_);
  reconnected_ = std::move(e);
}

void bus_connection::on_disconnected(event e) {
  std::lock_guard<std::mutex> lock(mtx_);
  disconnected_ = std::move(e);
}

void bus_connection::reconnected(natsConnection*, void* self) {
  auto* bus = static_cast<bus_connection*>(self);
  event e;
  {
    std::lock_guard<std::mutex> lock(bus->mtx_);
    e = bus->reconnected_;
  }
  if (e)
    e();
}

void bus_connection::disconnected(natsConnection*, void* self) {
  auto* bus = static_cast<bus_connection*>(self);
  if (bus->closing_)
    return;  // our own close, not a lost server
  event e;
  {
    std::lock_guard<std::mutex> lock(bus->mtx_);
    e = bus->disconnected_;
  }
  if (e)
    e();
}

std::string bus_connection::publish(const std::string& subject, const char* data, size_t size) {
  auto s = natsConnection_Publish(conn_, subject.c_str(), data, static_cast<int>(size));
  if (s == NATS_OK)
    return {};
  return std::string("publish to ") + subject + " failed: " + natsStatus_GetText(s);
}

void bus_connection::deliver(natsConnection*, natsSubscription* from, natsMsg* msg, void* closure) {
  auto* sub = static_cast<subscription*>(closure);
  sub->fn(natsMsg_GetSubject(msg), natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
  natsMsg_Destroy(msg);
  if (!sub->drained)
    return;
  int pending = 0;
  if (natsSubscription_GetPending(from, &pending, nullptr) != NATS_OK || pending == 0)
    sub->drained();
}

uint64_t bus_connection::subscribe(const std::string& subject, handler h, event drained) {
  auto sub = std::make_unique<subscription>();
  sub->subject = subject;
  sub->fn = std::move(h);
  sub->drained = std::move(drained);
  // The closure is `sub` itself, which lives until close(): nats.c may call it at once.
  check(natsConnection_Subscribe(&sub->sub, conn_, subject.c_str(), &bus_connection::deliver,
                                 sub.get()),
        "subscribe to " + subject);
  natsSubscription_SetPendingLimits(sub->sub, options_.pending_msgs_limit,
                                    options_.pending_bytes_limit);
  // A round trip to the server: once it returns, the server routes this subject to us,
  // so whoever learns of the subscriber afterwards (ActorUp) can reach it. While
  // disconnected there is nobody to ask; nats.c resubscribes on reconnection.
  if (connected())
    natsConnection_FlushTimeout(conn_, options_.connect_timeout_ms);
  std::lock_guard<std::mutex> lock(mtx_);
  sub->id = next_id_++;
  subs_.push_back(std::move(sub));
  return subs_.back()->id;
}

void bus_connection::unsubscribe(uint64_t id) {
  std::unique_ptr<subscription> sub;
  {
    std::lock_guard<std::mutex> lock(mtx_);
    for (auto i = subs_.begin(); i != subs_.end(); ++i) {
      if ((*i)->id == id) {
        sub = std::move(*i);
        subs_.erase(i);
        break;
      }
    }
  }
  if (!sub)
    return;
  int64_t dropped = 0;
  natsSubscription_GetDropped(sub->sub, &dropped);
  retired_drops_ += dropped;
  natsSubscription_Unsubscribe(sub->sub);
  natsSubscription_Destroy(sub->sub);
  std::lock_guard<std::mutex> lock(mtx_);
  retired_.push_back(std::move(sub));
}

bool bus_connection::connected() const {
  return natsConnection_Status(conn_) == NATS_CONN_STATUS_CONNECTED;
}

int64_t bus_connection::max_payload() const {
  return natsConnection_GetMaxPayload(conn_);
}

bool bus_connection::flush(int timeout_ms) {
  return natsConnection_FlushTimeout(conn_, timeout_ms) == NATS_OK;
}

int64_t bus_connection::slow_consumer_drops() const {
  std::lock_guard<std::mutex> lock(mtx_);
  int64_t total = retired_drops_;
  for (auto& s : subs_) {
    int64_t dropped = 0;
    if (s->sub != nullptr && natsSubscription_GetDropped(s->sub, &dropped) == NATS_OK)
      total += dropped;
  }
  return total;
}

}  // namespace troupe
