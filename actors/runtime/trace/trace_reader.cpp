#include "actors/runtime/trace/trace_reader.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

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

// An event as a `.jsonl` line has it, its names already read from its block; its
// correlation id and work follow its head where its flags say.
nlohmann::json json_of(const binary_trace::event_head& h, const std::string_view* names, const char* tail) {
  uint64_t correlation_id = 0;
  if (h.flags & binary_trace::has_correlation) {
    std::memcpy(&correlation_id, tail, sizeof correlation_id);
    tail += sizeof correlation_id;
  }
  binary_trace::work_tail w{};
  if (h.flags & binary_trace::has_work)
    std::memcpy(&w, tail, sizeof w);
  static const char* const keys[binary_trace::name_slots] = {"node", "type", "from", "to", "topic"};
  nlohmann::json j;
  j["event"] = name_of(h.kind == binary_trace::send_entry ? trace_event::send : trace_event::recv);
  for (int slot = 0; slot < binary_trace::name_slots; ++slot)
    j[keys[slot]] = names[slot];
  trace_context t;
  std::memcpy(t.trace_id.data(), h.trace_id, sizeof h.trace_id);
  j["time_ns"] = h.time_ns;
  j["bytes"] = h.bytes;
  j["trace_id"] = t.trace_id_hex();
  j["span_id"] = span_hex(h.span_id);
  j["parent_span_id"] = span_hex(h.parent_span_id);
  j["seq"] = h.sequence;
  j["send_time_ns"] = h.send_time_ns;
  if (correlation_id != 0)
    j["correlation_id"] = correlation_id;
  for (auto [key, v] : {std::pair{"queue_us", w.queue_us}, {"compute_us", w.compute_us},
                        {"batch_size", int64_t{w.batch_size}}})
    if (v > 0)
      j[key] = v;
  return j;
}

// n events that could not be read (at least one: something was lost).
void discard(const event_fn& event, uint32_t n) {
  for (uint32_t i = 0; i < std::max<uint32_t>(n, 1); ++i)
    event(unreadable);
}

// One block's entries, read in order (trace_format.hpp), up to the first that breaks
// its structure (an unknown kind or flag, an id out of order or not yet defined, a size
// past the block). An event that names a name that is not UTF-8 is read as unreadable.
class block_reader {
 public:
  block_reader(const char* entries, const char* end, uint32_t events) : p_(entries), end_(end), events_(events) {}

  // Whether the block is whole: every event it declares, and nothing after the last.
  bool read() {
    while (p_ < end_ && (*p_ == binary_trace::name_entry ? name() : event()))
      ;
    return read_.size() == events_ && p_ == end_;
  }
  // The events read, in order (JSON, not views into the block).
  const std::vector<nlohmann::json>& events() const { return read_; }

 private:
  size_t left() const { return static_cast<size_t>(end_ - p_); }

  bool name() {
    binary_trace::name_head h;
    if (left() < sizeof h)
      return false;
    std::memcpy(&h, p_, sizeof h);
    if (h.id != names_.size() || h.bytes > left() - sizeof h)
      return false;
    names_.emplace_back(p_ + sizeof h, h.bytes);
    utf8_.push_back(is_utf8(names_.back()));
    p_ += sizeof h + h.bytes;
    return true;
  }

  bool event() {
    using namespace binary_trace;
    event_head h;
    if (left() < sizeof h || read_.size() == events_)
      return false;
    std::memcpy(&h, p_, sizeof h);
    size_t size = sizeof h + (h.flags & has_correlation ? sizeof(uint64_t) : 0) +
                  (h.flags & has_work ? sizeof(work_tail) : 0);
    if ((h.kind != send_entry && h.kind != recv_entry) || (h.flags & ~(has_correlation | has_work)) != 0 ||
        size > left())
      return false;
    std::string_view names[name_slots];
    bool readable = true;
    for (int slot = 0; slot < name_slots; ++slot) {
      if (h.names[slot] >= names_.size())
        return false;
      names[slot] = names_[h.names[slot]];
      readable = readable && utf8_[h.names[slot]];
    }
    read_.push_back(readable ? json_of(h, names, p_ + sizeof h) : unreadable);
    p_ += size;
    return true;
  }

  const char* p_;
  const char* end_;
  uint32_t events_;
  std::vector<nlohmann::json> read_;
  std::vector<std::string_view> names_;
  std::vector<bool> utf8_;
};

// A block head that can be believed: its marker, and a size and count a writer gives.
bool plausible(const binary_trace::block_head& b) {
  return b.marker == binary_trace::block_marker && b.size >= sizeof b && b.events <= binary_trace::most_events &&
         b.events <= (b.size - sizeof b) / sizeof(binary_trace::event_head);
}

// Bytes of the stream, taken as they are needed.
class byte_window {
 public:
  byte_window(std::string first, std::istream& in) : bytes_(std::move(first)), in_(in) {
    std::memcpy(marker_, &binary_trace::block_marker, sizeof marker_);
  }
  // At least n bytes from the current position, reading more as needed.
  bool has(size_t n) {
    while (bytes_.size() - at_ < n && in_) {
      bytes_.erase(0, at_);
      at_ = 0;
      size_t old = bytes_.size();
      bytes_.resize(old + (1 << 20));  // a megabyte at a time: a head may claim more than the stream holds
      in_.read(bytes_.data() + old, static_cast<std::streamsize>(bytes_.size() - old));
      bytes_.resize(old + static_cast<size_t>(in_.gcount()));
    }
    return bytes_.size() - at_ >= n;
  }
  const char* here() const { return bytes_.data() + at_; }
  void skip(size_t n) { at_ += n; }
  // Whether the stream ends, or a block marker starts (or what the stream holds of one),
  // this many bytes on.
  bool ends_or_marker_at(size_t offset) {
    has(offset + sizeof marker_);
    size_t n = std::min(sizeof marker_, bytes_.size() - at_ - offset);
    return std::memcmp(here() + offset, marker_, n) == 0;
  }
  // To the next block marker after this position; false when there is none.
  bool next_marker() {
    ++at_;
    while (has(sizeof marker_)) {
      auto found = std::string_view(here(), bytes_.size() - at_).find(std::string_view(marker_, sizeof marker_));
      if (found != std::string_view::npos) {
        at_ += found;
        return true;
      }
      at_ = bytes_.size() - (sizeof marker_ - 1);
      if (!in_)
        return false;
    }
    return false;
  }

 private:
  char marker_[sizeof binary_trace::block_marker];  // in the writer's byte order, as the file's head checked
  std::string bytes_;
  size_t at_ = 0;
  std::istream& in_;
};

// A block that parses whole is read whatever follows it (a torn write after it, say); a
// damaged one only where the next block begins, its events up to the damage read and the
// rest lost (bytes after its last event count as one). False: nothing was read.
bool read_block(byte_window& window, const binary_trace::block_head& b, const event_fn& event) {
  block_reader block(window.here() + sizeof b, window.here() + b.size, b.events);
  bool whole = block.read();
  if (!whole && !window.ends_or_marker_at(b.size))
    return false;
  for (auto& e : block.events())
    event(e);
  if (!whole)
    discard(event, b.events - static_cast<uint32_t>(block.events().size()));
  return true;
}

std::string read_binary(std::string first, std::istream& in, const event_fn& event) {
  byte_window window(std::move(first), in);
  binary_trace::file_head file{};
  if (!window.has(sizeof file))
    return "the file ends inside its 16-byte head";
  std::memcpy(&file, window.here(), sizeof file);
  if (auto why = binary_trace::head_problem(file); !why.empty())
    return why;
  window.skip(sizeof file);
  binary_trace::block_head b{};
  while (window.has(1)) {
    bool whole = window.has(sizeof b);
    if (whole)
      std::memcpy(&b, window.here(), sizeof b);
    if (!whole || !plausible(b)) {
      discard(event, 1);  // a damaged head: how many events it held is not known
    } else if (!window.has(b.size)) {
      discard(event, b.events);  // the file ends inside the block (or its size is damaged)
    } else if (read_block(window, b, event)) {
      window.skip(b.size);
      continue;
    } else {
      discard(event, b.events);  // cut short or its size damaged: the next is found by its marker
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
