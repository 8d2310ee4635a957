// One nats.c connection: connect with credentials and reconnection, publish,
// subscribe with a callback, and the counters a node reports.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

struct __natsConnection;
struct __natsSubscription;
struct __natsMsg;

namespace troupe {

struct bus_options {
  std::string url;               // nats://host:port, or several comma-separated: servers of one
                                 // NATS cluster, tried in this order (reconnection moves on)
  std::string user, password;    // optional credentials
  std::string token;             // optional token
  // TLS (also implied by a tls:// URL): the CAs to trust, this client's certificate and
  // key (PEM text, for servers that verify clients), and the name the server's
  // certificate must carry (empty: the URL's host when there is one and it is a name,
  // else the chain alone is checked).
  bool tls = false;
  std::string tls_ca, tls_cert, tls_key, tls_hostname;
  std::string client_name;       // shown by the server (connz)
  int reconnect_wait_ms = 250;   // between reconnection attempts
  int reconnect_buffer_bytes = 8 * 1024 * 1024;  // publishes kept while disconnected
  int connect_timeout_ms = 2000;
  int ping_interval_ms = 2000;   // detect a dead server quickly
  int pending_msgs_limit = 65536;            // per subscription, before slow-consumer drops
  int pending_bytes_limit = 256 * 1024 * 1024;
};

// The hosts of a comma-separated list of NATS URLs, each once, in order.
std::vector<std::string> url_hosts(const std::string& urls);

class bus_connection {
 public:
  using handler = std::function<void(const char* subject, const char* data, int size)>;
  using event = std::function<void()>;

  // Throws std::runtime_error naming the URL on failure.
  explicit bus_connection(const bus_options& options);
  ~bus_connection();
  bus_connection(const bus_connection&) = delete;
  bus_connection& operator=(const bus_connection&) = delete;

  void on_reconnected(event e);
  void on_disconnected(event e);

  // Returns an empty string on success, else a message saying why.
  std::string publish(const std::string& subject, const std::string& data) {
    return publish(subject, data.data(), data.size());
  }
  std::string publish(const std::string& subject, const char* data, size_t size);

  // Returns an id for unsubscribe() once the server has the subscription; the
  // handler runs on a nats.c delivery thread. `drained`, if given, runs on that thread
  // after a message when none is queued behind it: a handler may hold what arrives in a
  // burst and hand it on together then.
  uint64_t subscribe(const std::string& subject, handler h, event drained = {});
  void unsubscribe(uint64_t id);

  bool connected() const;
  int64_t max_payload() const;
  bool flush(int timeout_ms);
  int64_t slow_consumer_drops() const;  // messages nats.c dropped for slow subscribers
  // Publishes and subscriptions the server refused for this identity's permissions
  // (the server drops such a publish and says so asynchronously).
  int64_t permission_denied() const { return permission_denied_; }
  void close();

 private:
  struct subscription;
  static void deliver(__natsConnection*, __natsSubscription*, __natsMsg*, void*);
  static void reconnected(__natsConnection*, void*);
  static void disconnected(__natsConnection*, void*);
  static void closed(__natsConnection*, void*);
  static void async_error(__natsConnection*, __natsSubscription*, int status, void*);

  __natsConnection* conn_ = nullptr;
  bus_options options_;
  mutable std::mutex mtx_;
  std::vector<std::unique_ptr<subscription>> subs_;
  // Closed subscriptions stay allocated: nats.c may still be inside their callback.
  std::vector<std::unique_ptr<subscription>> retired_;
  uint64_t next_id_ = 1;
  event reconnected_, disconnected_;
  std::atomic<int64_t> retired_drops_{0};
  std::atomic<int64_t> permission_denied_{0};
  std::atomic<bool> closing_{false};
  // nats.c calls the callbacks above from its own thread until "closed" has run;
  // the destructor waits for it so that they never see a freed object.
  std::mutex closed_mtx_;
  std::condition_variable closed_cv_;
  bool closed_ = false;
};

}  // namespace troupe
