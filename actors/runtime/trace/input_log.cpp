#include "actors/runtime/trace/input_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "actors/runtime/bus/envelope_codec.hpp"
#include "actors/runtime/file_output.hpp"

namespace troupe {

namespace {

constexpr size_t flush_threshold = 256 * 1024;

template <class Int>
void put(std::string& out, Int v) {
  for (size_t i = 0; i < sizeof(Int); ++i)
    out += static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
}

template <class Int>
Int get(const std::string& in, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < sizeof(Int); ++i)
    v |= static_cast<uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return static_cast<Int>(v);
}

}  // namespace

input_log::input_log(const std::string& path) : path_(path) {
  if (auto why = make_parent_folder(path); !why.empty())
    throw std::runtime_error("record: " + why);
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw std::runtime_error("cannot open " + path + " to record inputs: " + std::strerror(errno));
}

input_log::~input_log() {
  flush();
  ::close(fd_);
  if (lost_ > 0)
    spdlog::error("record: {} bytes of {} could not be written", lost_, path_);
}

void input_log::received(const std::string& actor, const letter& l, int64_t time_ns) {
  thread_local std::string envelope;
  encode_envelope(l, envelope);
  std::lock_guard<std::mutex> lock(mtx_);
  put<uint32_t>(buffer_, uint32_t(8 + 2 + actor.size() + envelope.size()));
  put<int64_t>(buffer_, time_ns);
  put<uint16_t>(buffer_, uint16_t(actor.size()));
  buffer_ += actor;
  buffer_ += envelope;
  if (buffer_.size() >= flush_threshold)
    write_buffer();
}

void input_log::flush() {
  std::lock_guard<std::mutex> lock(mtx_);
  write_buffer();
}

void input_log::write_buffer() {
  lost_ += buffer_.size() - write_fully(fd_, buffer_);
  buffer_.clear();
}

std::vector<recorded_input> read_input_log(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<recorded_input> out;
  size_t at = 0;
  auto fail = [&](const std::string& why) {
    throw std::runtime_error(path + ": record at byte " + std::to_string(at) + ": " + why);
  };
  while (at < bytes.size()) {
    if (bytes.size() - at < 4 + 8 + 2)
      fail("cut short");
    auto size = get<uint32_t>(bytes, at);
    auto name_size = get<uint16_t>(bytes, at + 12);
    if (size < 8 + 2 + name_size || bytes.size() - at - 4 < size)
      fail("cut short");
    recorded_input r;
    r.time_ns = get<int64_t>(bytes, at + 4);
    r.actor = bytes.substr(at + 14, name_size);
    size_t envelope_at = at + 14 + name_size, envelope_size = size - 10 - name_size;
    auto decoded = decode_envelope(bytes.data() + envelope_at, envelope_size);
    if (auto* l = std::get_if<letter>(&decoded)) {
      r.in = std::move(*l);
      if (r.in.topic.empty())
        r.in.receiver = r.actor;  // an actor's subject names it, not its envelope
    }
    else
      fail(std::string("its envelope does not decode: ") + to_string(std::get<decode_failure>(decoded)));
    out.push_back(std::move(r));
    at += 4 + size;
  }
  return out;
}

std::vector<recorded_input> read_recording(const std::string& dir) {
  std::vector<recorded_input> all;
  std::vector<std::string> files;
  for (auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".inputs")
      files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  if (files.empty())
    throw std::runtime_error(dir + ": no .inputs files (record a run with `troupe run TOPOLOGY --record " + dir + "`)");
  for (auto& f : files) {
    auto part = read_input_log(f);
    std::move(part.begin(), part.end(), std::back_inserter(all));
  }
  return all;
}

}  // namespace troupe
