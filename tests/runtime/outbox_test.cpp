// A node's outbox on a real nats-server: letters that queue up behind each other go as
// batches, in order, none lost; a lone letter goes as itself; closing sends the rest.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <vector>

#include "actors/runtime/bus/envelope_codec.hpp"
#include "actors/runtime/bus/outbox.hpp"
#include "actors/runtime/deploy/nats_server.hpp"
#include "test_support.hpp"
#include "troupe/messages/runtime.pb.h"

using namespace troupe;
using namespace troupe::testing;
using namespace std::chrono_literals;

namespace {

std::string envelope(uint64_t seq) {
  auto body = std::make_shared<msg::Blob>();
  body->set_seq(seq);
  body->set_data(std::string(200, 'x'));
  letter l;
  l.type = body->GetTypeName();
  l.sender = "s";
  l.sender_node = "n";
  l.receiver = "r";
  l.sequence = seq;
  l.body = body;
  return encode_envelope(l);
}

// What a subscriber heard: NATS messages, and the letters they carried in order.
struct heard {
  std::mutex mtx;
  size_t messages = 0;
  std::vector<uint64_t> sequences;
  bool broken = false;

  void operator()(const char*, const char* data, int size) {
    std::lock_guard<std::mutex> lock(mtx);
    ++messages;
    broken |= !for_each_envelope(data, size_t(size), [&](const char* e, size_t n) {
      auto decoded = decode_envelope(e, n);
      sequences.push_back(std::get<letter>(decoded).sequence);
    });
  }
  size_t letters() {
    std::lock_guard<std::mutex> lock(mtx);
    return sequences.size();
  }
};

struct OutboxTest : ::testing::Test {
  nats_server server;
  bus_options options() const {
    bus_options o;
    o.url = server.url();
    return o;
  }
  bus_connection receiver{options()}, sender{options()};
  heard got;
  void SetUp() override {
    receiver.subscribe("to.r", [this](const char* s, const char* d, int n) { got(s, d, n); });
  }
  static outbox_options coalescing(int us) {
    outbox_options o;
    o.coalesce_us = us;
    return o;
  }
  // Letters from..to, each published and said to be sent or queued.
  static void publish(outbox& out, uint64_t from, uint64_t to) {
    for (uint64_t i = from; i <= to; ++i)
      ASSERT_EQ(out.publish("to.r", envelope(i)), "");
  }
  void expect_arrived_in_order(size_t n) {
    ASSERT_TRUE(eventually([&] { return got.letters() >= n; }, 10s));
    expect_in_order(n);
  }
  void expect_in_order(size_t n) {
    std::lock_guard<std::mutex> lock(got.mtx);
    EXPECT_FALSE(got.broken);
    ASSERT_EQ(got.sequences.size(), n);
    for (size_t i = 0; i < n; ++i)
      ASSERT_EQ(got.sequences[i], i + 1) << "at " << i;
  }
};

}  // namespace

TEST_F(OutboxTest, ABurstGoesInBatchesInOrderAndALoneLetterAsItself) {
  outbox_options o;
  o.coalesce_us = 1000000;  // every letter within a second of the last queues
  o.batch_bytes = 4096;
  outbox out(sender, o, nullptr);
  constexpr uint64_t n = 2000;
  publish(out, 1, n);
  ASSERT_TRUE(out.flush(5000));
  expect_arrived_in_order(n);
  EXPECT_GT(out.batches(), 0u);
  EXPECT_GT(out.batched_letters(), out.batches());
  EXPECT_LT(got.messages, size_t(n));  // fewer NATS messages than letters
  EXPECT_GE(got.messages, size_t(n) * 260 / 4096);  // none over batch_bytes (~260 B a letter)
}

TEST_F(OutboxTest, ALetterAfterAQuietSpellGoesAtOnceAsItself) {
  outbox_options o;
  o.coalesce_us = 1000;
  outbox out(sender, o, nullptr);
  for (uint64_t i = 1; i <= 5; ++i) {
    ASSERT_EQ(out.publish("to.r", envelope(i)), "");
    std::this_thread::sleep_for(20ms);  // quiet: past coalesce_us
  }
  ASSERT_TRUE(eventually([&] { return got.letters() >= 5; }, 5s));
  expect_in_order(5);
  EXPECT_EQ(out.batches(), 0u);
  EXPECT_EQ(got.messages, 5u);
}

TEST_F(OutboxTest, OffItNeverBatches) {
  outbox out(sender, coalescing(0), nullptr);
  publish(out, 1, 500);
  ASSERT_TRUE(out.flush(5000));
  expect_arrived_in_order(500);
  EXPECT_EQ(out.batches(), 0u);
  EXPECT_EQ(got.messages, 500u);
}

// Closing sends what is queued first; what is published after goes directly, in order.
TEST_F(OutboxTest, ClosingSendsWhatIsQueuedAndLaterLettersFollow) {
  outbox out(sender, coalescing(1000000), nullptr);
  publish(out, 1, 1000);
  out.close();
  publish(out, 1001, 1010);
  sender.flush(2000);
  expect_arrived_in_order(1010);
}

// Senders on several threads: each one's letters arrive in its own order, none lost.
TEST_F(OutboxTest, ManySendersLoseNothing) {
  outbox out(sender, outbox_options{}, nullptr);
  constexpr int threads = 4, each = 500;
  std::vector<std::thread> senders;
  for (int t = 0; t < threads; ++t)
    senders.emplace_back([&, t] {
      for (int i = 0; i < each; ++i)
        out.publish("to.r", envelope(uint64_t(t) * 100000 + i));
    });
  for (auto& s : senders)
    s.join();
  ASSERT_TRUE(out.flush(5000));
  ASSERT_TRUE(eventually([&] { return got.letters() >= size_t(threads * each); }, 10s));
  std::lock_guard<std::mutex> lock(got.mtx);
  ASSERT_EQ(got.sequences.size(), size_t(threads * each));
  std::vector<int64_t> last(threads, -1);
  for (auto seq : got.sequences) {
    auto t = size_t(seq / 100000);
    auto i = int64_t(seq % 100000);
    ASSERT_EQ(i, last[t] + 1) << "sender " << t;
    last[t] = i;
  }
}
