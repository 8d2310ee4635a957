// A segment's upload in chunks (one envelope carries at most 1 MB, so a segment goes as
// chunks of ≤ 256 KB) and its reassembly on the server. The camera moves on to segment
// i+1 when segment i's upload is cut at its deadline, so a chunk of a newer segment
// means the older one's missing chunks will never come: it is cut, not awaited.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace troupe::penance {

struct chunk_range {
  size_t offset, length;
};

// Consecutive ranges of at most `max_chunk` bytes covering `bytes`; one empty range for 0.
std::vector<chunk_range> split_chunks(size_t bytes, size_t max_chunk);

struct chunk {
  uint64_t segment = 0;
  uint32_t index = 0, count = 0;
  uint64_t total_bytes = 0;
  std::string data;
};

enum class assembly { complete, corrupt, cut };

struct assembled {
  uint64_t segment;
  assembly outcome;
  std::string bytes;  // the segment when complete
  std::string why;    // what was wrong when corrupt
};

class segment_assembler {
 public:
  // What the chunk finished: a newer segment cuts the incomplete one; a chunk that
  // contradicts its segment's others makes it corrupt (later chunks of it are ignored);
  // the last missing chunk completes it. A chunk of a segment already finished is late.
  std::vector<assembled> add(chunk c);
  // At the end of a run: the incomplete segment, if any, was cut.
  std::optional<assembled> finish();
  uint64_t late_chunks() const { return late_; }

 private:
  struct partial {
    uint64_t segment;
    uint32_t count;
    uint64_t total;
    std::vector<std::optional<std::string>> parts;
    uint32_t received = 0;
  };
  std::optional<partial> open_;
  std::optional<uint64_t> finished_;  // the newest segment already finished, any outcome
  uint64_t late_ = 0;

  std::optional<assembled> close(assembly outcome, std::string why = {});
};

}  // namespace troupe::penance
