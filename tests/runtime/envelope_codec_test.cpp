#include <gtest/gtest.h>

#include "actors/runtime/bus/envelope_codec.hpp"
#include "troupe/messages/envelope.pb.h"
#include "troupe/messages/runtime.pb.h"

using namespace troupe;

namespace {

letter sample(size_t payload_bytes = 10) {
  auto body = std::make_shared<msg::Blob>();
  body->set_seq(99);
  body->set_data(std::string(payload_bytes, 'p'));
  letter l;
  l.type = body->GetTypeName();
  l.sender = "cam-1";
  l.sender_node = "edge";
  l.receiver = "replica/yolo-2";
  l.trace = trace_context::root().child();
  l.send_time_ns = 1700000000123456789;
  l.sequence = 42;
  l.reply_subject = "troupe.d.r.edge.7";
  l.correlation_id = 5;
  l.body = body;
  return l;
}

letter decode_ok(const std::string& bytes) {
  auto result = decode_envelope(bytes.data(), bytes.size());
  EXPECT_TRUE(std::holds_alternative<letter>(result));
  return std::get<letter>(result);
}

decode_failure decode_fail(const std::string& bytes, size_t max = 0) {
  auto result = decode_envelope(bytes.data(), bytes.size(), max);
  EXPECT_TRUE(std::holds_alternative<decode_failure>(result));
  return std::get<decode_failure>(result);
}

}  // namespace

TEST(EnvelopeCodec, RoundTripKeepsEveryField) {
  auto in = sample();
  auto bytes = encode_envelope(in);
  auto out = decode_ok(bytes);
  EXPECT_EQ(out.type, "troupe.msg.Blob");
  EXPECT_EQ(out.sender, "cam-1");
  EXPECT_EQ(out.sender_node, "edge");
  EXPECT_EQ(out.receiver, "replica/yolo-2");
  EXPECT_TRUE(out.topic.empty());
  EXPECT_EQ(out.trace.trace_id, in.trace.trace_id);
  EXPECT_EQ(out.trace.span_id, in.trace.span_id);
  EXPECT_EQ(out.trace.parent_span_id, in.trace.parent_span_id);
  EXPECT_EQ(out.send_time_ns, in.send_time_ns);
  EXPECT_EQ(out.sequence, 42u);
  EXPECT_EQ(out.reply_subject, in.reply_subject);
  EXPECT_EQ(out.correlation_id, 5u);
  EXPECT_EQ(out.wire_bytes, bytes.size());
  ASSERT_TRUE(out.is<msg::Blob>());
  EXPECT_EQ(out.as<msg::Blob>()->seq(), 99u);
  EXPECT_EQ(out.as<msg::Blob>()->data(), std::string(10, 'p'));
}

// The codec writes and reads the Envelope by hand (no copies, payload parsed in place):
// byte for byte what protobuf itself writes, and what protobuf writes reads back.
msg::Envelope protobufs_own(const letter& in) {
  msg::Envelope env;
  env.set_type(in.type);
  env.set_schema_version(envelope_schema_version);
  env.set_sender(in.sender);
  env.set_sender_node(in.sender_node);
  if (!in.topic.empty())
    env.set_topic(in.topic);
  else
    env.set_receiver(in.receiver);
  env.set_trace_id(in.trace.trace_id.data(), in.trace.trace_id.size());
  env.set_span_id(in.trace.span_id);
  env.set_parent_span_id(in.trace.parent_span_id);
  env.set_send_time_unix_ns(in.send_time_ns);
  env.set_sequence(in.sequence);
  env.set_reply_subject(in.reply_subject);
  env.set_correlation_id(in.correlation_id);
  env.set_payload(in.body->SerializeAsString());
  return env;
}

TEST(EnvelopeCodec, MatchesProtobufsOwnEnvelopeEncoding) {
  auto in = sample(300);
  EXPECT_EQ(encode_envelope(in), protobufs_own(in).SerializeAsString());
  auto sparse = sample(0);  // zero fields left out, an empty receiver kept, as protobuf does
  sparse.receiver.clear();
  sparse.reply_subject.clear();
  sparse.correlation_id = 0;
  sparse.sequence = 0;
  sparse.send_time_ns = -5;
  sparse.trace = {};
  EXPECT_EQ(encode_envelope(sparse), protobufs_own(sparse).SerializeAsString());

  auto env = protobufs_own(in);
  env.set_topic("plans");  // the oneof's other member wins
  auto later = env.SerializeAsString() + std::string("\xa0\x01\x07", 3);  // field 20 of a later envelope: skipped
  auto out = decode_ok(later);
  EXPECT_EQ(out.topic, "plans");
  EXPECT_TRUE(out.receiver.empty());
  EXPECT_EQ(out.sender, in.sender);
  EXPECT_EQ(out.trace.trace_id, in.trace.trace_id);
  EXPECT_EQ(out.as<msg::Blob>()->data(), std::string(300, 'p'));
}

TEST(EnvelopeCodec, NamesThatAreNotPlainAsciiAreGarbage) {
  for (auto name : {std::string("cam\xff"), std::string("cam 1"), std::string("caf\xc3\xa9")}) {
    auto in = sample();
    in.sender = name;
    EXPECT_EQ(decode_fail(encode_envelope(in)), decode_failure::garbage) << name;
  }
}

TEST(EnvelopeCodec, TopicInsteadOfReceiver) {
  auto in = sample();
  in.receiver.clear();
  in.topic = "workload";
  auto out = decode_ok(encode_envelope(in));
  EXPECT_EQ(out.topic, "workload");
  EXPECT_TRUE(out.receiver.empty());
}

TEST(EnvelopeCodec, EmptyBodyMessage) {
  auto in = sample();
  auto ack = std::make_shared<msg::Ack>();  // all defaults: zero payload bytes
  in.body = ack;
  in.type = ack->GetTypeName();
  auto out = decode_ok(encode_envelope(in));
  ASSERT_TRUE(out.is<msg::Ack>());
  EXPECT_FALSE(out.as<msg::Ack>()->ok());
}

TEST(EnvelopeCodec, GarbageIsRejected) {
  EXPECT_EQ(decode_fail("\xff\xff\xff\xff garbage"), decode_failure::garbage);
  EXPECT_EQ(decode_fail(""), decode_failure::garbage);  // no type
}

TEST(EnvelopeCodec, WrongSchemaVersionIsRejected) {
  msg::Envelope env;
  env.set_type("troupe.msg.Blob");
  env.set_schema_version(envelope_schema_version + 1);
  EXPECT_EQ(decode_fail(env.SerializeAsString()), decode_failure::wrong_version);
}

TEST(EnvelopeCodec, UnknownTypeIsRejected) {
  msg::Envelope env;
  env.set_type("acme.Secret");
  env.set_schema_version(envelope_schema_version);
  EXPECT_EQ(decode_fail(env.SerializeAsString()), decode_failure::unknown_type);
}

TEST(EnvelopeCodec, BadPayloadIsRejected) {
  msg::Envelope env;
  env.set_type("troupe.msg.Blob");
  env.set_schema_version(envelope_schema_version);
  env.set_payload("\x0a\xff\xff\xff\xff\xff");  // a length that runs past the end
  EXPECT_EQ(decode_fail(env.SerializeAsString()), decode_failure::bad_payload);
}

TEST(EnvelopeCodec, OversizedIsRejectedBeforeParsing) {
  auto bytes = encode_envelope(sample(1000));
  EXPECT_EQ(decode_fail(bytes, 500), decode_failure::oversized);
  EXPECT_TRUE(std::holds_alternative<letter>(decode_envelope(bytes.data(), bytes.size(), bytes.size())));
}

TEST(TraceContext, ChildKeepsTraceAndLinksParent) {
  auto root = trace_context::root();
  auto child = root.child();
  EXPECT_TRUE(root.valid());
  EXPECT_EQ(root.parent_span_id, 0u);
  EXPECT_EQ(child.trace_id, root.trace_id);
  EXPECT_EQ(child.parent_span_id, root.span_id);
  EXPECT_NE(child.span_id, root.span_id);
  EXPECT_NE(trace_context::root().trace_id, root.trace_id);
  EXPECT_EQ(root.trace_id_hex().size(), 32u);
  EXPECT_EQ(span_hex(0x0102030405060708ull), "0102030405060708");
}

TEST(MakeMessage, KnowsLinkedTypesOnly) {
  EXPECT_NE(make_message("troupe.msg.NodeHello"), nullptr);
  EXPECT_EQ(make_message("troupe.msg.Nope"), nullptr);
}

TEST(EnvelopeCodec, HeaderDecodesEvenForUnknownTypes) {
  msg::Envelope env;
  env.set_type("acme.Secret");
  env.set_schema_version(envelope_schema_version);
  env.set_sender("cam-9");
  env.set_topic("news");
  auto bytes = env.SerializeAsString();
  auto header = decode_header(bytes.data(), bytes.size());
  ASSERT_TRUE(header);
  EXPECT_EQ(header->type, "acme.Secret");
  EXPECT_EQ(header->sender, "cam-9");
  EXPECT_EQ(header->topic, "news");
  EXPECT_EQ(header->body, nullptr);
  EXPECT_FALSE(decode_header("\xff\xff", 2));
}

// A batch is protobuf's own EnvelopeBatch (messages/envelope.proto), and it splits back
// into its envelopes in order; a lone envelope is handed on as itself.
TEST(EnvelopeBatch, IsProtobufsOwnEnvelopeBatchAndSplitsInOrder) {
  std::vector<std::string> envelopes;
  for (size_t n : {0, 10, 200, 70000}) {  // 70000: a length of three varint bytes
    auto l = sample(n);
    l.sequence = n + 1;
    envelopes.push_back(encode_envelope(l));
  }
  std::string batch;
  msg::EnvelopeBatch own;
  for (auto& e : envelopes) {
    append_to_batch(batch, e.data(), e.size());
    own.add_envelopes(e);
  }
  EXPECT_EQ(batch, own.SerializeAsString());
  EXPECT_TRUE(is_batch(batch.data(), batch.size()));
  EXPECT_FALSE(is_batch(envelopes[0].data(), envelopes[0].size()));
  std::vector<uint64_t> sequences;
  EXPECT_TRUE(for_each_envelope(batch.data(), batch.size(), [&](const char* data, size_t size) {
    sequences.push_back(decode_ok(std::string(data, size)).sequence);
  }));
  EXPECT_EQ(sequences, (std::vector<uint64_t>{1, 11, 201, 70001}));
  size_t calls = 0;
  EXPECT_TRUE(for_each_envelope(envelopes[1].data(), envelopes[1].size(), [&](const char* data, size_t size) {
    ++calls;
    EXPECT_EQ(std::string(data, size), envelopes[1]);
  }));
  EXPECT_EQ(calls, 1u);
}

// A batch whose framing is broken hands on none of it: not its first envelopes either.
TEST(EnvelopeBatch, ABrokenBatchHandsOnNothing) {
  auto one = encode_envelope(sample());
  std::string batch;
  append_to_batch(batch, one.data(), one.size());
  append_to_batch(batch, one.data(), one.size());
  for (auto broken : {batch.substr(0, batch.size() - 1), batch + "x", batch + "\x82\x01", batch.substr(0, 2)}) {
    size_t calls = 0;
    EXPECT_FALSE(for_each_envelope(broken.data(), broken.size(), [&](const char*, size_t) { ++calls; }));
    EXPECT_EQ(calls, 0u);
  }
}
