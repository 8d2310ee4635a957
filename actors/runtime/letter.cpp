#include "actors/runtime/letter.hpp"

#include <random>

namespace troupe {
namespace {

uint64_t random_u64() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  uint64_t x = 0;
  while (x == 0)  // zero means "no span" in the trace-context shape
    x = engine();
  return x;
}

std::string to_hex(const uint8_t* bytes, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 0xf];
  }
  return out;
}

}  // namespace

trace_context trace_context::root() {
  trace_context t;
  uint64_t hi = random_u64(), lo = random_u64();
  for (int i = 0; i < 8; ++i) {
    t.trace_id[i] = static_cast<uint8_t>(hi >> (56 - 8 * i));
    t.trace_id[8 + i] = static_cast<uint8_t>(lo >> (56 - 8 * i));
  }
  t.span_id = random_u64();
  return t;
}

trace_context trace_context::child() const {
  trace_context t = *this;
  t.parent_span_id = span_id;
  t.span_id = random_u64();
  return t;
}

bool trace_context::valid() const {
  return span_id != 0;
}

std::string trace_context::trace_id_hex() const {
  return to_hex(trace_id.data(), trace_id.size());
}

std::string span_hex(uint64_t span) {
  uint8_t bytes[8];
  for (int i = 0; i < 8; ++i)
    bytes[i] = static_cast<uint8_t>(span >> (56 - 8 * i));
  return to_hex(bytes, 8);
}

}  // namespace troupe
