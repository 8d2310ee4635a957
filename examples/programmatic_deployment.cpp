// Builds a deployment in code, without a topology file: an embedded nats-server, two
// nodes, a "counter" actor on one and a "greeter" on the other that asks the counter
// for the next number, publishes it on a topic, and records every envelope. At the
// end it prints the recorded trace: who sent what to whom, linked by trace id.
#include <cstdio>
#include <fstream>
#include <thread>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/runtime/errors.hpp"
#include "actors/runtime/deploy/nats_server.hpp"
#include "actors/runtime/node.hpp"
#include "troupe/messages/runtime.pb.h"

using namespace troupe;
using namespace std::chrono_literals;

// Replies to each Blob request with the next number.
caf::behavior counter(caf::event_based_actor*, context ctx) {
  auto next = std::make_shared<uint64_t>(0);
  return {
    [=](const letter& in) {
      msg::Blob reply;
      reply.set_seq(++*next);
      ctx.reply(in, std::move(reply));
    },
  };
}

// On each tick, asks the counter (on another node) and publishes what it got.
caf::behavior greeter(caf::event_based_actor* self, context ctx) {
  return {
    [=](const letter& in) {
      ctx.request(self, "counter", std::make_shared<msg::Blob>(), 1s, &in)
        .then([=](const letter& reply) {
                msg::Blob news;
                news.set_seq(reply.as<msg::Blob>()->seq());
                news.set_data("hello number " + std::to_string(news.seq()));
                ctx.publish("greetings", std::move(news), &reply);
              },
              [=](const caf::error& e) { std::printf("request failed: %s\n", describe(e).c_str()); });
    },
  };
}

// Prints what the nodes recorded, skipping the runtime's own hello/heartbeat traffic.
void print_trace(const std::string& trace_file) {
  std::ifstream in(trace_file);
  std::string line;
  std::printf("\n%-6s %-5s %-22s %-16s %-22s %s\n", "event", "node", "from -> to", "type", "trace",
              "span <- parent");
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    auto type = j["type"].get<std::string>();
    if (type.find("Blob") == std::string::npos)
      continue;
    auto to = j["to"].get<std::string>();
    if (to.empty())
      to = "#" + j["topic"].get<std::string>();
    std::printf("%-6s %-5s %-22s %-16s %.20s.. %s <- %s\n", j["event"].get<std::string>().c_str(),
                j["node"].get<std::string>().c_str(), (j["from"].get<std::string>() + " -> " + to).c_str(),
                type.c_str(), j["trace_id"].get<std::string>().c_str(),
                j["span_id"].get<std::string>().substr(0, 6).c_str(),
                j["parent_span_id"].get<std::string>().substr(0, 6).c_str());
  }
}

int main() {
  nats_server server;  // Debian's nats-server on a free loopback port
  std::string trace_file = "programmatic_deployment.jsonl";
  std::remove(trace_file.c_str());
  {
    node_config cfg;
    cfg.deployment = "example";
    cfg.bus.url = server.url();
    cfg.trace_file = trace_file;
    cfg.name = "left";
    node left(cfg);
    cfg.name = "right";
    node right(cfg);

    right.spawn_function("counter", counter);
    left.spawn_function("greeter", greeter);
    for (int i = 0; i < 3; ++i) {
      left.send("greeter", msg::Blob());  // the trigger, sent by the node itself
      std::this_thread::sleep_for(100ms);
    }
    std::printf("counter lives on node %s\n", left.host_of("counter").value_or("?").c_str());
    std::this_thread::sleep_for(200ms);
  }  // nodes stop here and flush the trace
  print_trace(trace_file);
}
