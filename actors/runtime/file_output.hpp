// Files a command says it wrote: the folder is made, every write is checked, and the
// caller claims the file only when this says it is there.
#pragma once

#include <string>
#include <string_view>

namespace troupe {

// Writes `text` to `path`, creating its folder. Empty on success, else why not.
std::string write_text_file(const std::string& path, const std::string& text);

// Writes `text` to `path` readable by its owner only (0600 from its creation: secrets);
// throws naming the path and why not.
void write_private_file(const std::string& path, const std::string& text);

// Writes `text` to `path` and says so: "WHO wrote PATH" as a result (shown even with
// --quiet), or an error naming why not. True when written.
bool write_and_say(const std::string& path, const std::string& text, const std::string& who = {});

// Whether `path` lies strictly inside `folder` (a name of its own below it) once both
// are made absolute and their existing parts' links resolved ("../", links out and
// absolute paths elsewhere do not).
bool inside_folder(const std::string& path, const std::string& folder);

// Creates the folder a file will go to; empty on success, else why not.
std::string make_parent_folder(const std::string& path);

// Writes all of `bytes` to `fd` (again after EINTR and short writes); returns how many
// were written before an error stopped it.
size_t write_fully(int fd, std::string_view bytes);

// Creates the folder a file will go to and checks it may be written there, before any
// work that ends in writing it: empty when it can, else why not.
std::string check_writable(const std::string& path);
// The same, throwing why not: a command refuses before hours of work.
void require_writable(const std::string& path);

}  // namespace troupe
