// One log for everything Troupe prints: spdlog's default logger, given one sink that
// writes every record in one format (text or JSON lines) to stdout. Warnings that
// repeat with only their numbers changed are folded into one line with a count, so a
// camera refused a thousand times says so once. Results (report tables, the files a
// command wrote) go through `result` and are shown even with --quiet.
#pragma once

#include <optional>
#include <string>

namespace troupe::log {

enum class format { text, json };
std::optional<format> parse_format(const std::string& name);

struct settings {
  format style = format::text;
  bool quiet = false;          // warnings, errors and results only
  double fold_window_s = 10;   // repeats within this long after a shown one are counted, not shown
};

// Installs the sink; safe to call again (tests, a second command in one process), but
// only while no other thread logs: it replaces spdlog's default logger, and a thread in
// the middle of the old one's call would write through a freed sink.
void setup(const settings& s = {});

// Installs the default sink once per process unless `setup` already did: called before
// a node starts any thread, so the lazy first setup never races its actors' logging.
void ensure_setup();

// What a command produced: printed as is (text) or as one record (JSON), never folded.
void result(const std::string& text);

// A problem the command was asked to find (a topology's file:line:column errors):
// logged as an error, never folded, since each is a different fact.
void problem(const std::string& text);

// Prints the counts of folded repeats not yet reported; called at the end of a command.
void flush();

// The key repeats are folded by: the message with every run of digits as '#'.
std::string fold_key(const std::string& message);

}  // namespace troupe::log
