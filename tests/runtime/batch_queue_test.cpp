#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <thread>

#include "actors/common/batch_queue.hpp"

using namespace troupe;
using namespace std::chrono_literals;

namespace {

std::vector<int> items(const std::vector<batch_queue<int>::entry>& batch) {
  std::vector<int> out;
  for (auto& e : batch)
    out.push_back(e.item);
  return out;
}

}  // namespace

TEST(BatchQueue, PolicyNames) {
  EXPECT_EQ(parse_overflow_policy("drop_oldest"), overflow_policy::drop_oldest);
  EXPECT_EQ(parse_overflow_policy("block"), overflow_policy::block);
  EXPECT_FALSE(parse_overflow_policy("drop_random"));
  EXPECT_STREQ(to_string(overflow_policy::drop_newest), "drop_newest");
}

TEST(BatchQueue, DropOldestKeepsTheNewest) {
  batch_queue<int> q(2, overflow_policy::drop_oldest);
  EXPECT_EQ(q.push(1), std::nullopt);
  EXPECT_EQ(q.push(2), std::nullopt);
  EXPECT_EQ(q.push(3), 1);  // the item dropped is returned: the books charge its camera
  EXPECT_EQ(q.push(4), 2);
  EXPECT_EQ(items(q.pop_batch(8, 0ns)), (std::vector<int>{3, 4}));
}

TEST(BatchQueue, DropNewestKeepsTheOldest) {
  batch_queue<int> q(2, overflow_policy::drop_newest);
  q.push(1);
  q.push(2);
  EXPECT_EQ(q.push(3), 3);
  EXPECT_EQ(items(q.pop_batch(8, 0ns)), (std::vector<int>{1, 2}));
}

TEST(BatchQueue, BlockMakesTheProducerWait) {
  batch_queue<int> q(1, overflow_policy::block);
  q.push(1);
  auto second = std::async(std::launch::async, [&] { return q.push(2); });
  EXPECT_EQ(second.wait_for(100ms), std::future_status::timeout);
  EXPECT_EQ(items(q.pop_batch(8, 0ns)), (std::vector<int>{1}));
  EXPECT_EQ(second.get(), std::nullopt);
  EXPECT_EQ(items(q.pop_batch(8, 0ns)), (std::vector<int>{2}));
}

TEST(BatchQueue, AClosedQueueRefusesAndSaysWhy) {
  batch_queue<int> q(4, overflow_policy::drop_oldest);
  EXPECT_FALSE(q.closed());
  q.close();
  EXPECT_EQ(q.push(7), 7);
  EXPECT_TRUE(q.closed());
}

TEST(BatchQueue, FullBatchLeavesWithoutWaiting) {
  batch_queue<int> q(16, overflow_policy::drop_oldest);
  for (int i = 0; i < 5; ++i)
    q.push(i);
  // max_wait of an hour: only a full batch can end this call.
  EXPECT_EQ(items(q.pop_batch(3, std::chrono::hours(1))), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(q.size(), 2u);
}

TEST(BatchQueue, PartialBatchLeavesAfterMaxWait) {
  batch_queue<int> q(16, overflow_policy::drop_oldest);
  q.push(7);
  auto start = std::chrono::steady_clock::now();
  auto batch = q.pop_batch(4, 50ms);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 45ms);
  EXPECT_EQ(items(batch), (std::vector<int>{7}));
}

TEST(BatchQueue, LateItemsJoinTheWaitingBatch) {
  batch_queue<int> q(16, overflow_policy::drop_oldest);
  q.push(1);
  auto feeder = std::async(std::launch::async, [&] {
    std::this_thread::sleep_for(20ms);
    q.push(2);
  });
  EXPECT_EQ(items(q.pop_batch(2, std::chrono::hours(1))), (std::vector<int>{1, 2}));
  feeder.get();
}

TEST(BatchQueue, AConsumerThatLosesTheItemsWaitsForMore) {
  // Two consumers wait with one partial batch; the one that does not get it must go on
  // waiting (an empty batch means closed), and takes the next item.
  batch_queue<int> q(16, overflow_policy::drop_oldest);
  auto consume = [&] { return items(q.pop_batch(4, 30ms)); };
  auto a = std::async(std::launch::async, consume);
  auto b = std::async(std::launch::async, consume);
  std::this_thread::sleep_for(10ms);
  q.push(1);
  std::this_thread::sleep_for(100ms);  // one of them has left with {1}; the other waits on
  q.push(2);
  auto first = a.get(), second = b.get();
  std::vector<int> got;
  got.insert(got.end(), first.begin(), first.end());
  got.insert(got.end(), second.begin(), second.end());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<int>{1, 2}));
  EXPECT_EQ(first.size(), 1u);
  EXPECT_EQ(second.size(), 1u);
}

TEST(BatchQueue, CloseWakesEveryone) {
  batch_queue<int> q(1, overflow_policy::block);
  q.push(1);
  auto blocked = std::async(std::launch::async, [&] { return q.push(2); });
  q.close();
  EXPECT_EQ(blocked.get(), 2);  // refused, and handed back to be counted as dropped
  EXPECT_EQ(items(q.pop_batch(8, 0ns)), (std::vector<int>{1}));
  EXPECT_TRUE(q.pop_batch(8, 0ns).empty());
}
