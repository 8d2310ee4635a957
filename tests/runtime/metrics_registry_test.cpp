// What actors measure and a scrape writes (issue 21, item 1): series made once and
// shared, counted exactly from many threads, refused when two callers disagree on a
// family, written with the node's labels first; and served over HTTP.
#include <gtest/gtest.h>

#include <httplib.h>

#include <thread>
#include <vector>

#include "actors/runtime/metrics/endpoint.hpp"
#include "actors/runtime/metrics/registry.hpp"

using namespace troupe::metrics;

TEST(MetricsRegistry, ASeriesIsMadeOnceAndCountsEveryThreadsAdds) {
  registry r;
  auto& a = r.counter_for("troupe_x_total", "x", {{"replica", "r1"}});
  auto& b = r.counter_for("troupe_x_total", "x", {{"replica", "r1"}});
  EXPECT_EQ(&a, &b);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i)
        r.counter_for("troupe_x_total", "x", {{"replica", "r1"}}).add(0.5);
    });
  for (auto& t : threads)
    t.join();
  EXPECT_DOUBLE_EQ(a.value(), 20000);
  a.add(-3);  // a counter never falls
  EXPECT_DOUBLE_EQ(a.value(), 20000);
}

TEST(MetricsRegistry, AFamilyAskedForAsAnotherTypeOrHelpIsRefused) {
  registry r;
  r.counter_for("troupe_y_total", "y", {});
  EXPECT_THROW(r.gauge_for("troupe_y_total", "y", {}), std::invalid_argument);
  EXPECT_THROW(r.counter_for("troupe_y_total", "another y", {}), std::invalid_argument);
  EXPECT_THROW(r.counter_for("troupe-y", "y", {}), std::invalid_argument);
  EXPECT_THROW(r.counter_for("troupe_z_total", "z", {{"le", "1"}}), std::invalid_argument);
}

TEST(MetricsRegistry, WritesEverySeriesWithTheNodesLabelsFirst) {
  registry r;
  r.gauge_for("troupe_q", "queue", {{"replica", "r1"}}).set(3);
  r.histogram_for("troupe_h_seconds", "h", {{"replica", "r1"}}, {0.1, 1}).observe(0.5);
  r.counter_for("troupe_c_total", "c", {{"replica", "r2"}}).add(2);
  exposition e;
  r.write(e, {{"node", "edge"}});
  EXPECT_EQ(e.text(),
            "# HELP troupe_q queue\n# TYPE troupe_q gauge\ntroupe_q{node=\"edge\",replica=\"r1\"} 3\n"
            "# HELP troupe_h_seconds h\n# TYPE troupe_h_seconds histogram\n"
            "troupe_h_seconds_bucket{node=\"edge\",replica=\"r1\",le=\"0.1\"} 0\n"
            "troupe_h_seconds_bucket{node=\"edge\",replica=\"r1\",le=\"1\"} 1\n"
            "troupe_h_seconds_bucket{node=\"edge\",replica=\"r1\",le=\"+Inf\"} 1\n"
            "troupe_h_seconds_sum{node=\"edge\",replica=\"r1\"} 0.5\n"
            "troupe_h_seconds_count{node=\"edge\",replica=\"r1\"} 1\n"
            "# HELP troupe_c_total c\n# TYPE troupe_c_total counter\ntroupe_c_total{node=\"edge\",replica=\"r2\"} 2\n");
}

TEST(MetricsEndpoint, ServesWhatTheScrapeWritesAndRefusesATakenPort) {
  int scrapes = 0;
  endpoint e("127.0.0.1", 0, [&] { return "troupe_up " + std::to_string(++scrapes) + "\n"; });
  ASSERT_GT(e.port(), 0);
  EXPECT_EQ(e.url(), "http://127.0.0.1:" + std::to_string(e.port()) + "/metrics");
  httplib::Client client("127.0.0.1", e.port());
  auto first = client.Get("/metrics");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "troupe_up 1\n");
  EXPECT_EQ(first->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(client.Get("/metrics")->body, "troupe_up 2\n");
  EXPECT_EQ(client.Get("/nothing")->status, 404);
  // A client that keeps its connection open does not keep the endpoint's one worker:
  // the endpoint closes each connection after its answer, so the next client is served.
  httplib::Client keeper("127.0.0.1", e.port());
  keeper.set_keep_alive(true);
  auto kept = keeper.Get("/metrics");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->get_header_value("Connection"), "close");
  httplib::Client next("127.0.0.1", e.port());
  next.set_read_timeout(2, 0);
  EXPECT_TRUE(next.Get("/metrics"));
  try {
    endpoint taken("127.0.0.1", e.port(), [] { return std::string(); });
    FAIL() << "a second endpoint listened on a taken port";
  } catch (const std::runtime_error& ex) {
    EXPECT_NE(std::string(ex.what()).find("127.0.0.1:" + std::to_string(e.port())), std::string::npos) << ex.what();
  }
}
