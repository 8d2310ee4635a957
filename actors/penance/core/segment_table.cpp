#include "actors/penance/core/segment_table.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace troupe::penance {

namespace {

constexpr const char* magic = "troupe-penance-table 1";

template <class T>
std::string joined(const std::vector<T>& v) {
  std::ostringstream out;
  for (size_t i = 0; i < v.size(); ++i)
    out << (i ? "," : "") << v[i];
  return out.str();
}

template <class T>
void put(std::ostream& out, const T& v) {
  out.write(reinterpret_cast<const char*>(&v), sizeof(T));
}

template <class T>
void put_all(std::ostream& out, const std::vector<T>& v) {
  put(out, static_cast<uint64_t>(v.size()));
  out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(T)));
}

template <class T>
T get(std::istream& in) {
  T v{};
  if (!in.read(reinterpret_cast<char*>(&v), sizeof(T)))
    throw std::runtime_error("it ends early");
  return v;
}

template <class T>
std::vector<T> get_all(std::istream& in, size_t expected) {
  auto n = get<uint64_t>(in);
  if (n != expected)
    throw std::runtime_error("a segment holds " + std::to_string(n) + " values where " + std::to_string(expected) +
                             " belong");
  std::vector<T> v(n);
  if (!in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * sizeof(T))))
    throw std::runtime_error("it ends early");
  return v;
}

std::string temp_of(const std::string& path) { return path + ".tmp-" + std::to_string(::getpid()); }

}  // namespace

std::string table_key::text() const {
  std::ostringstream out;
  out << "w=" << width << " h=" << height << " fps=" << fps << " T=" << segment_s << " scales=" << joined(scales)
      << " qps=" << joined(qps) << " encoder=" << encoder << " models=" << joined(models) << " classes=" << classes
      << " scored=" << joined(scored_frames) << " softmax=" << softmax_height << "x" << softmax_width
      << " seed=" << drive_seed << " generator=" << generator_version << " builder=" << builder_version;
  return out.str();
}

double drive_table::reference_macs() const {
  double m = 0;
  for (size_t k = 0; k < key.scales.size() && k < macs.size(); ++k)
    m = std::max(m, macs[k]);  // model 0's row
  return m;
}

double drive_table::accuracy(size_t segment, size_t setting, size_t model, bool reference) const {
  auto& row = segments.at(segment);
  auto& m = reference ? row.miou_ref : row.miou;
  size_t k = key.scored_frames.size();
  double sum = 0;
  for (size_t f = 0; f < k; ++f)
    sum += m.at((setting * models() + model) * k + f);
  return sum / static_cast<double>(k);
}

double drive_table::first_frame_accuracy(size_t segment, size_t setting, size_t model, bool reference) const {
  auto& row = segments.at(segment);
  return (reference ? row.miou_ref : row.miou).at((setting * models() + model) * key.scored_frames.size());
}

void write_table(const std::string& path, const drive_table& t) {
  auto temp = temp_of(path);
  struct remove_on_failure {
    const std::string& path;
    bool done = false;
    ~remove_on_failure() {
      std::error_code ignored;
      if (!done)
        std::filesystem::remove(path, ignored);
    }
  } guard{temp};
  {
    std::ofstream out(temp, std::ios::binary);
    if (!out)
      throw std::runtime_error("cannot write " + temp);
    out << magic << "\n" << t.key.text() << "\n";
    put_all(out, t.macs);
    put(out, static_cast<uint64_t>(t.segments.size()));
    for (auto& s : t.segments) {
      put_all(out, s.bytes);
      put_all(out, s.miou);
      put_all(out, s.miou_ref);
      put(out, s.motion_px);
    }
    if (!out.flush())
      throw std::runtime_error("cannot write " + temp);
  }
  std::filesystem::rename(temp, path);
  guard.done = true;
}

drive_table read_table(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error(path + ": cannot be read");
  std::string first, key;
  std::getline(in, first);
  std::getline(in, key);
  if (first != magic)
    throw std::runtime_error(path + ": not a Penance table (expected '" + std::string(magic) + "')");
  drive_table t;
  try {
    // The key's fields are what the numbers depend on; the counts below come from it.
    std::istringstream k(key);
    std::string field;
    auto numbers = [](const std::string& csv, auto& into) {
      std::istringstream s(csv);
      for (std::string v; std::getline(s, v, ',');)
        into.push_back(static_cast<std::decay_t<decltype(into[0])>>(std::stod(v)));
    };
    while (k >> field) {
      auto eq = field.find('=');
      auto name = field.substr(0, eq), value = field.substr(eq + 1);
      if (name == "w") t.key.width = std::stoi(value);
      else if (name == "h") t.key.height = std::stoi(value);
      else if (name == "fps") t.key.fps = std::stod(value);
      else if (name == "T") t.key.segment_s = std::stod(value);
      else if (name == "scales") numbers(value, t.key.scales);
      else if (name == "qps") numbers(value, t.key.qps);
      else if (name == "encoder") t.key.encoder = value;
      else if (name == "models") {
        std::istringstream s(value);
        for (std::string m; std::getline(s, m, ',');)
          t.key.models.push_back(m);
      } else if (name == "classes") t.key.classes = std::stoi(value);
      else if (name == "scored") numbers(value, t.key.scored_frames);
      else if (name == "softmax") {
        t.key.softmax_height = std::stoi(value.substr(0, value.find('x')));
        t.key.softmax_width = std::stoi(value.substr(value.find('x') + 1));
      } else if (name == "seed") t.key.drive_seed = std::stoull(value);
      else if (name == "generator") t.key.generator_version = std::stoi(value);
      else if (name == "builder") t.key.builder_version = std::stoi(value);
    }
    if (t.key.text() != key)
      throw std::runtime_error("its key does not read back: '" + key + "'");
    size_t settings = t.key.settings(), configs = settings * t.key.models.size();
    size_t scored = configs * t.key.scored_frames.size();
    t.macs = get_all<double>(in, t.key.models.size() * t.key.scales.size());
    auto n = get<uint64_t>(in);
    for (uint64_t i = 0; i < n; ++i) {
      segment_row r;
      r.bytes = get_all<uint32_t>(in, settings);
      r.miou = get_all<float>(in, scored);
      r.miou_ref = get_all<float>(in, scored);
      r.motion_px = get<float>(in);
      t.segments.push_back(std::move(r));
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  return t;
}

std::unique_ptr<table_key> read_table_key(const std::string& path) {
  if (!std::filesystem::exists(path))
    return nullptr;
  try {
    return std::make_unique<table_key>(read_table(path).key);
  } catch (const std::exception&) {
    return nullptr;
  }
}

softmax_blob::softmax_blob(const std::string& table_path, const table_key& key, size_t segments)
    : settings_(key.settings()), models_(key.models.size()), segments_(segments) {
  plane_ = static_cast<size_t>(key.classes) * static_cast<size_t>(key.softmax_height) *
           static_cast<size_t>(key.softmax_width);
  auto path = table_path + ".softmax";
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0)
    throw std::runtime_error(path + ": cannot be read");
  struct stat st {};
  ::fstat(fd, &st);
  size_ = static_cast<size_t>(st.st_size);
  if (size_ != plane_ * settings_ * models_ * segments_) {
    ::close(fd);
    throw std::runtime_error(path + ": holds " + std::to_string(size_) + " bytes, its table needs " +
                             std::to_string(plane_ * settings_ * models_ * segments_));
  }
  void* p = size_ ? ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd, 0) : nullptr;
  ::close(fd);
  if (p == MAP_FAILED)
    throw std::runtime_error(path + ": cannot be mapped");
  data_ = static_cast<const uint8_t*>(p);
}

softmax_blob::~softmax_blob() {
  if (data_)
    ::munmap(const_cast<uint8_t*>(data_), size_);
}

const uint8_t* softmax_blob::at(size_t segment, size_t setting, size_t model) const {
  if (segment >= segments_ || setting >= settings_ || model >= models_)
    throw std::out_of_range("softmax of segment " + std::to_string(segment) + ", setting " + std::to_string(setting) +
                            ", model " + std::to_string(model));
  return data_ + ((segment * settings_ + setting) * models_ + model) * plane_;
}

softmax_writer::softmax_writer(const std::string& table_path)
    : path_(table_path + ".softmax"), temp_(temp_of(table_path + ".softmax")), out_(temp_, std::ios::binary) {
  if (!out_)
    throw std::runtime_error("cannot write " + temp_);
}

softmax_writer::~softmax_writer() {
  if (!finished_) {
    out_.close();
    std::error_code ignored;
    std::filesystem::remove(temp_, ignored);
  }
}

void softmax_writer::append(const uint8_t* data, size_t bytes) {
  if (!out_.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(bytes)))
    throw std::runtime_error("cannot write " + temp_);
}

void softmax_writer::finish() {
  if (!out_.flush())
    throw std::runtime_error("cannot write " + temp_);
  out_.close();
  std::filesystem::rename(temp_, path_);
  finished_ = true;
}

}  // namespace troupe::penance
