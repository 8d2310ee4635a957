// The books of a camera's items close from each actor's part: produced = delivered +
// dropped + lost + in flight, with what cannot be placed left unaccounted (issue 20, item 5).
#include <gtest/gtest.h>

#include "actors/common/item_books.hpp"
#include "actors/common/item_ledger.hpp"
#include "actors/runtime/errors.hpp"

namespace troupe {
namespace {

msg::ItemBooks part(const std::string& actor, bool final, const std::string& incarnation = "1") {
  msg::ItemBooks b;
  b.set_actor(actor);
  b.set_final(final);
  b.set_incarnation(incarnation);
  return b;
}

msg::CameraItems& items(msg::ItemBooks& b, const std::string& camera = "cam") {
  auto* c = b.add_cameras();
  c->set_camera(camera);
  return *c;
}

// A camera that sent 10 to a detector, which sent `to_sink` on and dropped `dropped`.
item_books pipeline(uint64_t to_sink, uint64_t dropped, bool detector_final) {
  item_books books("sink");
  auto cam = part("cam", true);
  items(cam).set_produced(10);
  (*cam.mutable_cameras(0)->mutable_sent())["det"] = 10;
  books.add(cam);
  auto det = part("det", detector_final);
  (*items(det).mutable_sent())["sink"] = to_sink;
  (*det.mutable_cameras(0)->mutable_dropped())["det: queue full"] = dropped;
  books.add(det);
  for (uint64_t i = 0; i < to_sink; ++i)
    books.delivered("cam", "det");
  return books;
}

TEST(ItemBooks, AGracefulRunClosesWithEveryItemPlaced) {
  auto b = pipeline(7, 3, true).close().at("cam");
  EXPECT_EQ(b.produced, 10);
  EXPECT_EQ(b.delivered, 7);
  EXPECT_EQ(b.dropped, (counts_by_cause{{"det: queue full", 3}}));
  EXPECT_TRUE(b.lost.empty());
  EXPECT_TRUE(b.in_flight.empty());
  EXPECT_TRUE(b.closed());
}

TEST(ItemBooks, WhatAnActorThatWentDownDidNotAccountForIsLostWithItsCause) {
  auto books = pipeline(4, 1, false);
  books.down("det", "node down");
  auto b = books.close().at("cam");
  EXPECT_EQ(b.lost, (counts_by_cause{{"det down: node down", 5}}));
  EXPECT_TRUE(b.closed());
  EXPECT_EQ(b.produced, b.delivered + total(b.dropped) + total(b.lost) + total(b.in_flight));
}

TEST(ItemBooks, WhatAStoppedActorNeverHandledWasInFlightAtTheEnd) {
  auto books = pipeline(6, 2, true);
  books.down("det", "stopped");  // stopping is no failure
  auto b = books.close().at("cam");
  EXPECT_EQ(b.in_flight, (counts_by_cause{{"on its way to det", 2}}));
  EXPECT_TRUE(b.lost.empty());
  EXPECT_TRUE(b.closed());
}

TEST(ItemBooks, WhatNoOneCanPlaceIsUnaccountedNotHidden) {
  auto silent = pipeline(6, 2, false).close().at("cam");  // no final count, and not down
  EXPECT_EQ(silent.unaccounted, (counts_by_cause{{"det sent no final count", 2}}));
  EXPECT_FALSE(silent.closed());

  item_books books("sink");
  auto cam = part("cam", true);
  items(cam).set_produced(5);
  (*cam.mutable_cameras(0)->mutable_sent())["det"] = 5;
  books.add(cam);
  auto b = books.close().at("cam");  // det keeps no books
  EXPECT_EQ(b.unaccounted, (counts_by_cause{{"det keeps no books", 5}}));

  auto over = pipeline(7, 3, true);
  over.delivered("cam", "det");  // one more delivered than the detector sent
  EXPECT_EQ(over.close().at("cam").unaccounted, (counts_by_cause{{"sink accounted for more than it was sent", -1}}));
}

TEST(ItemBooks, ALaterPartOfOneIncarnationReplacesTheEarlierAndARestartAdds) {
  item_books books("sink");
  auto cam = part("cam", true);
  items(cam).set_produced(10);
  (*cam.mutable_cameras(0)->mutable_sent())["det"] = 10;
  EXPECT_EQ(books.add(cam), (std::vector<std::string>{"det"}));  // the sink watches det
  EXPECT_TRUE(books.add(cam).empty());                           // once
  auto first = part("det", false, "a");
  (*items(first).mutable_sent())["sink"] = 2;
  (*first.mutable_cameras(0)->mutable_dropped())["det: stale"] = 1;  // kept beside the second incarnation's
  books.add(first);
  (*first.mutable_cameras(0)->mutable_sent())["sink"] = 3;  // cumulative: replaces the 2
  books.add(first);
  books.down("det", "node down");
  auto second = part("det", true, "b");  // restarted: counts from 0 again
  (*items(second).mutable_sent())["sink"] = 5;
  books.add(second);
  for (int i = 0; i < 9; ++i)  // the first incarnation sent one more after its last count
    books.delivered("cam", "det");
  auto b = books.close().at("cam");
  EXPECT_EQ(b.dropped, (counts_by_cause{{"det: stale", 1}}));
  EXPECT_EQ(b.delivered, 9);
  EXPECT_EQ(total(b.lost), 0);  // 10 sent = 9 delivered + 1 dropped by the first incarnation
  EXPECT_TRUE(b.closed());
}

TEST(ItemBooks, ACameraThatWentDownProducedWhatItsReceiverAccountedFor) {
  item_books books("sink");
  auto cam = part("cam", false);  // its last count, before its node died
  items(cam).set_produced(4);
  (*cam.mutable_cameras(0)->mutable_sent())["det"] = 4;
  books.add(cam);
  books.down("cam", "node down");
  auto det = part("det", true);
  (*items(det).mutable_sent())["sink"] = 6;  // two more arrived after that count
  books.add(det);
  for (int i = 0; i < 6; ++i)
    books.delivered("cam", "det");
  auto b = books.close().at("cam");
  EXPECT_EQ(b.produced, 6);
  EXPECT_EQ(b.delivered, 6);
  EXPECT_TRUE(b.closed()) << total(b.unaccounted);
}

TEST(ItemLedger, SendFailuresAreDroppedByPolicyOrLostByCause) {
  item_ledger ledger("cam");
  ledger.produced("cam", 4);
  ledger.handed_on("cam", "det", {});
  ledger.handed_on("cam", "det", make_error(errc::link_dropped, "full"));
  ledger.handed_on("cam", "det", make_error(errc::link_cut, "late"));
  ledger.handed_on("cam", "det", make_error(errc::no_such_actor, "gone"));
  auto r = ledger.report(true, {{"cam", 0}});
  ASSERT_EQ(r.cameras_size(), 1);
  auto& c = r.cameras(0);
  EXPECT_EQ(r.actor(), "cam");
  EXPECT_TRUE(r.final());
  EXPECT_FALSE(r.incarnation().empty());
  EXPECT_EQ(c.produced(), 4u);
  EXPECT_EQ(c.sent().at("det"), 1u);
  EXPECT_EQ(c.dropped().at("cam: uplink queue full"), 1u);
  EXPECT_EQ(c.dropped().at("cam: cut at its deadline"), 1u);
  ASSERT_EQ(c.lost_size(), 1);
  EXPECT_EQ(c.lost().begin()->first.rfind("cam: not sent: ", 0), 0u) << c.lost().begin()->first;
}


// A function that cuts objects from frames produces them and ends the frames it took;
// one that finds nothing ends its input too (VideoJam's pipelines).
TEST(ItemBooks, ItemsTurnedIntoOthersEndWhereTheyWereCut) {
  item_books books("sink");
  auto cam = part("cam", true);
  items(cam).set_produced(2);
  (*cam.mutable_cameras(0)->mutable_sent())["detect"] = 2;
  books.add(cam);
  item_ledger detect("detect");
  detect.produced("cam", 3);  // three objects from the first frame
  detect.ended("cam", "cut into objects");
  detect.ended("cam", "no object");
  detect.handed_on("cam", "ocr", caf::error{}, 3);
  books.add(detect.report(true));
  item_ledger ocr("ocr");
  ocr.handed_on("cam", "sink", caf::error{}, 2);
  ocr.dropped("cam", "queue full");
  books.add(ocr.report(true));
  books.delivered("cam", "ocr", 2);
  auto b = books.close().at("cam");
  EXPECT_EQ(b.produced, 5);
  EXPECT_EQ(b.delivered, 2);
  EXPECT_EQ(b.ended, (counts_by_cause{{"detect: cut into objects", 1}, {"detect: no object", 1}}));
  EXPECT_EQ(b.dropped, (counts_by_cause{{"ocr: queue full", 1}}));
  EXPECT_TRUE(b.closed()) << total(b.unaccounted);
  EXPECT_EQ(b.produced, b.delivered + total(b.dropped) + total(b.lost) + total(b.ended) + total(b.in_flight));
  auto table = books_table(books.close());
  EXPECT_NE(table.find("ended"), std::string::npos) << table;
  EXPECT_NE(table.find("ended 1: detect: no object"), std::string::npos) << table;
}

// Every sink's progress line shows the books so far, what is not yet placed as pending.
TEST(ItemBooks, TheProgressLineCountsWhatIsNotYetPlacedAsPending) {
  EXPECT_EQ(books_progress(item_books("sink")), "");
  EXPECT_EQ(books_progress(pipeline(4, 1, false)), " | books: 10 produced, 4 delivered, 1 dropped, 0 lost, 5 pending");
  item_books books("sink");
  item_ledger detect("detect");
  detect.produced("cam", 3);
  detect.ended("cam", "cut into objects");
  books.add(detect.report(false));
  EXPECT_EQ(books_progress(books), " | books: 3 produced, 0 delivered, 0 dropped, 0 lost, 1 ended, 2 pending");
}

}  // namespace
}  // namespace troupe
