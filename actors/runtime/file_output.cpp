#include "actors/runtime/file_output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "actors/runtime/log.hpp"

namespace troupe {

bool inside_folder(const std::string& path, const std::string& folder) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto file = fs::weakly_canonical(fs::absolute(path), ec);
  auto root = ec ? fs::path() : fs::weakly_canonical(fs::absolute(folder.empty() ? "." : folder), ec);
  if (ec)
    return false;
  // Strictly inside: a file (or a prefix such as a report's, PREFIX.json) needs a name of
  // its own below the folder, else `report: ../main` writes main.json beside it.
  auto [r, f] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
  if (r != root.end() && !(std::next(r) == root.end() && r->empty()))  // a trailing '/' of the root
    return false;
  for (; f != file.end(); ++f)
    if (!f->empty() && *f != ".")
      return true;
  return false;
}

std::string make_parent_folder(const std::string& path) {
  auto folder = std::filesystem::path(path).parent_path();
  if (folder.empty())
    return {};
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  return ec ? "cannot create folder " + folder.string() + ": " + ec.message() : "";
}

std::string check_writable(const std::string& path) {
  if (auto why = make_parent_folder(path); !why.empty())
    return why;
  auto folder = std::filesystem::path(path).parent_path();
  auto where = folder.empty() ? std::string(".") : folder.string();
  return ::access(where.c_str(), W_OK) == 0 ? "" : "cannot write into " + where;
}

std::string write_text_file(const std::string& path, const std::string& text) {
  if (auto why = make_parent_folder(path); !why.empty())
    return why;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out)
    return "cannot open " + path + " for writing: " + std::strerror(errno);
  out << text;
  out.close();
  if (!out)
    return "cannot write " + path + ": " + std::strerror(errno);
  return {};
}

// O_NOFOLLOW: a link planted where a secret goes must not send it elsewhere.
void write_private_file(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
  bool ok = fd >= 0 && ::fchmod(fd, 0600) == 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  int error = errno;
  if (fd >= 0)
    ::close(fd);
  if (!ok)
    throw std::runtime_error("cannot write " + path + ": " + std::strerror(error));
}

bool write_and_say(const std::string& path, const std::string& text, const std::string& who) {
  auto why = write_text_file(path, text);
  auto by = who.empty() ? std::string() : who + ": ";
  if (why.empty())
    log::result((who.empty() ? "" : who + " ") + "wrote " + path);
  else
    spdlog::error("{}{} not written: {}", by, path, why);
  return why.empty();
}

void require_writable(const std::string& path) {
  if (auto why = check_writable(path); !why.empty())
    throw std::runtime_error(why);
}

size_t write_fully(int fd, std::string_view bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    done += static_cast<size_t>(n);
  }
  return done;
}

}  // namespace troupe
