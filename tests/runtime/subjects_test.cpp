#include <gtest/gtest.h>

#include "actors/runtime/bus/subjects.hpp"

using namespace troupe;

TEST(Subjects, MapNamesIntoTheDeploymentsSpaces) {
  EXPECT_EQ(actor_subject("city", "cam-3"), "troupe.city.a.cam-3");
  EXPECT_EQ(actor_subject("city", "replica/yolo-edge-2"), "troupe.city.a.replica|yolo-edge-2");
  EXPECT_EQ(topic_subject("city", "workload"), "troupe.city.t.workload");
  EXPECT_EQ(sys_subject("city", "heartbeat", "edge/1"), "troupe.city.sys.heartbeat.edge|1");
  EXPECT_EQ(sys_wildcard("city"), "troupe.city.sys.*.*");
  EXPECT_EQ(reply_subject("city", "edge-1", 77), "troupe.city.r.edge-1.77");
  EXPECT_EQ(reply_wildcard("city", "edge/1"), "troupe.city.r.edge|1.*");
  EXPECT_EQ(deployment_wildcard("city"), "troupe.city.>");
}

TEST(Subjects, NamesThatWouldBreakSubjectsAreInvalid) {
  EXPECT_TRUE(is_valid_name("cam-3"));
  EXPECT_TRUE(is_valid_name("replica/yolo_edge:2@gpu0"));
  EXPECT_FALSE(is_valid_name(""));
  EXPECT_FALSE(is_valid_name("a.b"));   // NATS token separator
  EXPECT_FALSE(is_valid_name("a*"));    // wildcard
  EXPECT_FALSE(is_valid_name("a>"));
  EXPECT_FALSE(is_valid_name("a b"));
  EXPECT_FALSE(is_valid_name(std::string(201, 'x')));
}

TEST(Subjects, ASysSubjectNamesItsPublisher) {
  EXPECT_EQ(sys_publisher("city", sys_subject("city", "actor_down", "edge/1")), "edge/1");
  EXPECT_EQ(sys_publisher("city", "troupe.city.sys.actor_down"), "");  // no publisher token
  EXPECT_EQ(sys_publisher("city", "troupe.city.sys.a.b.c"), "");
  EXPECT_EQ(sys_publisher("city", "troupe.town.sys.hello.edge"), "");
  EXPECT_EQ(sys_publisher("city", actor_subject("city", "cam")), "");
}
