#include "actors/runtime/trace/trace_reader.hpp"

#include <cstring>
#include <string>
#include <string_view>

#include "actors/runtime/letter.hpp"
#include "actors/runtime/trace/trace_format.hpp"

namespace troupe {

namespace {

using event_fn = std::function<void(const nlohmann::json&)>;
const nlohmann::json unreadable(nlohmann::json::value_t::discarded);

void read_line(const std::string& line, const event_fn& event) {
  if (!line.empty())
    event(nlohmann::json::parse(line, nullptr, false));
}

// `first` holds the bytes already taken to look for the binary magic.
void read_jsonl(std::string first, std::istream& in, const event_fn& event) {
  for (size_t nl; (nl = first.find('\n')) != std::string::npos; first.erase(0, nl + 1))
    read_line(first.substr(0, nl), event);
  for (std::string line; std::getline(in, line); first.clear())
    read_line(first + line, event);
  read_line(first, event);
}

// The JSON parser refuses a line that is not UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF); a record's names are held to the same.
bool is_utf8(std::string_view s) {
  auto byte = [&s](size_t i) { return static_cast<unsigned char>(s[i]); };
  for (size_t i = 0; i < s.size();) {
    unsigned char c = byte(i);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int more = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (more == 0 || i + more >= s.size())
      return false;
    unsigned char low = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
    unsigned char high = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
    if (byte(i + 1) < low || byte(i + 1) > high)
      return false;
    for (int k = 2; k <= more; ++k)
      if ((byte(i + k) & 0xc0) != 0x80)
        return false;
    i += 1 + more;
  }
  return true;
}

// The record's event as a `.jsonl` line has it; discarded when a name is not UTF-8.
nlohmann::json json_of(const binary_trace::record_head& h, const char* names) {
  static const char* const keys[binary_trace::names] = {"event", "node", "type", "from", "to", "topic"};
  nlohmann::json j;
  for (int i = 0; i < binary_trace::names; ++i) {
    std::string_view name(names, h.name_bytes[i]);
    names += h.name_bytes[i];
    if (!is_utf8(name))
      return unreadable;
    j[keys[i]] = name;
  }
  trace_context t;
  std::memcpy(t.trace_id.data(), h.trace_id, sizeof h.trace_id);
  j["time_ns"] = h.time_ns;
  j["bytes"] = h.bytes;
  j["trace_id"] = t.trace_id_hex();
  j["span_id"] = span_hex(h.span_id);
  j["parent_span_id"] = span_hex(h.parent_span_id);
  j["seq"] = h.sequence;
  j["send_time_ns"] = h.send_time_ns;
  if (h.correlation_id != 0)
    j["correlation_id"] = h.correlation_id;
  for (auto [key, v] : {std::pair{"queue_us", h.queue_us}, {"compute_us", h.compute_us},
                        {"batch_size", int64_t{h.batch_size}}})
    if (v > 0)
      j[key] = v;
  return j;
}

// A record read whole: its head's marker, and a size that is its head and names.
bool plausible(const binary_trace::record_head& h) {
  constexpr uint64_t largest = 64u << 20;
  uint64_t size = sizeof h;
  for (auto n : h.name_bytes)
    size += n;
  return h.marker == binary_trace::record_marker && h.size == size && size <= largest;
}

// Bytes of the stream, taken as they are needed.
class byte_window {
 public:
  byte_window(std::string first, std::istream& in) : bytes_(std::move(first)), in_(in) {}
  // At least n bytes from the current position, reading more as needed.
  bool has(size_t n) {
    while (bytes_.size() - at_ < n && in_) {
      bytes_.erase(0, at_);
      at_ = 0;
      size_t old = bytes_.size();
      bytes_.resize(old + std::max<size_t>(n, 1 << 20));
      in_.read(bytes_.data() + old, static_cast<std::streamsize>(bytes_.size() - old));
      bytes_.resize(old + static_cast<size_t>(in_.gcount()));
    }
    return bytes_.size() - at_ >= n;
  }
  const char* here() const { return bytes_.data() + at_; }
  void skip(size_t n) { at_ += n; }
  // To the next record marker after this position; false when there is none.
  bool next_marker() {
    char marker[sizeof binary_trace::record_marker];  // in the writer's byte order, as the head checked
    std::memcpy(marker, &binary_trace::record_marker, sizeof marker);
    ++at_;
    while (has(sizeof marker)) {
      auto found = std::string_view(here(), bytes_.size() - at_).find(std::string_view(marker, sizeof marker));
      if (found != std::string_view::npos) {
        at_ += found;
        return true;
      }
      at_ = bytes_.size() - (sizeof marker - 1);
      if (!in_)
        return false;
    }
    return false;
  }

 private:
  std::string bytes_;
  size_t at_ = 0;
  std::istream& in_;
};

std::string read_binary(std::string first, std::istream& in, const event_fn& event) {
  byte_window window(std::move(first), in);
  binary_trace::file_head file{};
  if (!window.has(sizeof file))
    return "the file ends inside its 16-byte head";
  std::memcpy(&file, window.here(), sizeof file);
  if (auto why = binary_trace::head_problem(file); !why.empty())
    return why;
  window.skip(sizeof file);
  binary_trace::record_head h{};
  while (window.has(1)) {
    bool whole = window.has(sizeof h);
    if (whole)
      std::memcpy(&h, window.here(), sizeof h);
    if (whole && plausible(h) && window.has(h.size)) {
      auto e = json_of(h, window.here() + sizeof h);
      event(e);
      // A record cut short reads the next one's head as its names: they are not UTF-8
      // (a marker is not), and the next record is found by its marker, not skipped.
      if (!e.is_discarded()) {
        window.skip(h.size);
        continue;
      }
    } else {
      event(unreadable);
    }
    if (!window.next_marker())
      return {};
  }
  return {};
}

}  // namespace

std::string read_trace(std::istream& in, const event_fn& event) {
  std::string first(sizeof binary_trace::magic, '\0');
  in.read(first.data(), static_cast<std::streamsize>(first.size()));
  first.resize(static_cast<size_t>(in.gcount()));
  if (first == std::string_view(binary_trace::magic, sizeof binary_trace::magic))
    return read_binary(std::move(first), in, event);
  read_jsonl(std::move(first), in, event);
  return {};
}

}  // namespace troupe
