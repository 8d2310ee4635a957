#include "actors/penance/core/chunking.hpp"

#include <algorithm>
#include <stdexcept>

namespace troupe::penance {

std::vector<chunk_range> split_chunks(size_t bytes, size_t max_chunk) {
  if (max_chunk == 0)
    throw std::invalid_argument("a chunk must hold at least one byte");
  std::vector<chunk_range> out;
  for (size_t at = 0; at < bytes; at += max_chunk)
    out.push_back({at, std::min(max_chunk, bytes - at)});
  if (out.empty())
    out.push_back({0, 0});
  return out;
}

std::optional<assembled> segment_assembler::close(assembly outcome, std::string why) {
  if (!open_)
    return std::nullopt;
  assembled a{open_->segment, outcome, {}, std::move(why)};
  if (outcome == assembly::complete)
    for (auto& p : open_->parts)
      a.bytes += *p;
  finished_ = open_->segment;
  open_.reset();
  return a;
}

std::vector<assembled> segment_assembler::add(chunk c) {
  std::vector<assembled> out;
  if (finished_ && c.segment <= *finished_) {
    ++late_;
    return out;
  }
  if (open_ && c.segment < open_->segment) {
    ++late_;
    return out;
  }
  if (open_ && c.segment > open_->segment)
    out.push_back(*close(assembly::cut));
  if (!open_)
    open_ = partial{c.segment, c.count, c.total_bytes, std::vector<std::optional<std::string>>(c.count), 0};

  auto& p = *open_;
  std::string why;
  if (c.count == 0 || c.count != p.count || c.total_bytes != p.total)
    why = "chunk " + std::to_string(c.index) + " says " + std::to_string(c.count) + " chunks of " +
          std::to_string(c.total_bytes) + " bytes, the first said " + std::to_string(p.count) + " of " +
          std::to_string(p.total);
  else if (c.index >= p.count)
    why = "chunk " + std::to_string(c.index) + " of " + std::to_string(p.count);
  else if (p.parts[c.index])
    why = "chunk " + std::to_string(c.index) + " came twice";
  if (!why.empty()) {
    out.push_back(*close(assembly::corrupt, std::move(why)));
    return out;
  }
  p.parts[c.index] = std::move(c.data);
  if (++p.received < p.count)
    return out;
  uint64_t got = 0;
  for (auto& part : p.parts)
    got += part->size();
  if (got != p.total)
    out.push_back(*close(assembly::corrupt, std::to_string(got) + " bytes arrived of " + std::to_string(p.total)));
  else
    out.push_back(*close(assembly::complete));
  return out;
}

std::optional<assembled> segment_assembler::finish() { return close(assembly::cut); }

}  // namespace troupe::penance
