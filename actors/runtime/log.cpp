#include "actors/runtime/log.hpp"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>

#include <google/protobuf/stubs/logging.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

namespace troupe::log {

namespace {

using clock = std::chrono::system_clock;

const char* result_logger = "result";
const char* problem_logger = "problem";

// HH:MM:SS.mmm in local time (text), or ISO 8601 in UTC (JSON).
std::string time_text(clock::time_point t, bool iso) {
  auto secs = clock::to_time_t(t);
  auto ms = int(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000);
  std::tm tm{};
  char buf[80];
  if (iso) {
    gmtime_r(&secs, &tm);
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  } else {
    localtime_r(&secs, &tm);
    std::snprintf(buf, sizeof(buf), "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  }
  return buf;
}

const char* level_name(spdlog::level::level_enum l) {
  switch (l) {
    case spdlog::level::trace: return "trace";
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warn";
    default: return "error";
  }
}

std::string quoted(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

class troupe_sink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit troupe_sink(settings s) : settings_(s) {}

  void report_folds() {
    std::lock_guard<std::mutex> lock(mutex_);
    release_folds(clock::time_point::max());
    std::fflush(stdout);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& m) override {
    std::string text(m.payload.data(), m.payload.size());
    release_folds(m.time);
    if (m.logger_name == result_logger) {
      write(m.time, "result", text, true);
      return;
    }
    if (m.level >= spdlog::level::warn && m.logger_name != problem_logger && held_back(m.time, text, m.level))
      return;
    write(m.time, level_name(m.level), text, false);
  }
  void flush_() override { std::fflush(stdout); }

 private:
  struct fold {
    clock::time_point shown;
    uint64_t held = 0;
    std::string example;
    spdlog::level::level_enum level;
  };

  // Whether this warning repeats one shown less than the fold window ago.
  bool held_back(clock::time_point t, const std::string& text, spdlog::level::level_enum level) {
    auto key = fold_key(text);
    auto i = folds_.find(key);
    if (i != folds_.end() && t - i->second.shown < window()) {
      ++i->second.held;
      i->second.example = text;
      return true;
    }
    folds_[key] = fold{t, 0, text, level};
    return false;
  }

  // Says how many repeats were held back for every fold whose window has passed.
  void release_folds(clock::time_point now) {
    for (auto i = folds_.begin(); i != folds_.end();) {
      auto& f = i->second;
      if (now != clock::time_point::max() && now - f.shown < window()) {
        ++i;
        continue;
      }
      if (f.held > 0)
        write(now == clock::time_point::max() ? clock::now() : now, level_name(f.level),
              "(" + std::to_string(f.held) + " more like this, the last: " + f.example + ")", false);
      i = folds_.erase(i);
    }
  }

  clock::duration window() const {
    return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(settings_.fold_window_s));
  }

  void write(clock::time_point t, const char* level, const std::string& text, bool raw) {
    std::string line;
    if (settings_.style == format::json)
      line = "{\"time\":\"" + time_text(t, true) + "\",\"level\":\"" + level + "\",\"msg\":" + quoted(text) + "}\n";
    else if (raw)
      line = text.empty() || text.back() == '\n' ? text : text + "\n";
    else
      line = time_text(t, false) + " " + level + std::string(6 - std::char_traits<char>::length(level), ' ') + text + "\n";
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  }

  settings settings_;
  std::map<std::string, fold> folds_;
};

std::shared_ptr<troupe_sink> current;

}  // namespace

std::optional<format> parse_format(const std::string& name) {
  if (name == "text")
    return format::text;
  if (name == "json")
    return format::json;
  return std::nullopt;
}

std::string fold_key(const std::string& message) {
  std::string key;
  for (char c : message) {
    bool digit = std::isdigit(static_cast<unsigned char>(c)) != 0;
    if (!digit)
      key += c;
    else if (key.empty() || key.back() != '#')
      key += '#';
  }
  return key;
}

namespace {

// protobuf's own complaints (a garbage envelope's string field that is no UTF-8, once
// per envelope: the envelope itself is counted as dropped) go through the one log,
// folded, instead of straight to stderr.
void route_protobuf_log(google::protobuf::LogLevel level, const char*, int, const std::string& message) {
  auto to = level == google::protobuf::LOGLEVEL_FATAL   ? spdlog::level::critical
            : level == google::protobuf::LOGLEVEL_INFO ? spdlog::level::debug
                                                        : spdlog::level::warn;
  spdlog::log(to, "protobuf: {}", message);
}

}  // namespace

void setup(const settings& s) {
  google::protobuf::SetLogHandler(route_protobuf_log);
  if (current)
    current->report_folds();
  current = std::make_shared<troupe_sink>(s);
  auto main = std::make_shared<spdlog::logger>("troupe", current);
  main->set_level(s.quiet ? spdlog::level::warn : spdlog::level::info);
  spdlog::set_default_logger(main);
  for (auto* name : {result_logger, problem_logger}) {
    spdlog::drop(name);
    auto logger = std::make_shared<spdlog::logger>(name, current);
    logger->set_level(spdlog::level::info);
    spdlog::register_logger(logger);
  }
}

void ensure_setup() {
  static std::mutex mtx;
  std::lock_guard<std::mutex> lock(mtx);
  if (!spdlog::get(result_logger))
    setup();
}

namespace {

std::shared_ptr<spdlog::logger> logger_named(const char* name) {
  ensure_setup();
  return spdlog::get(name);
}

}  // namespace

void result(const std::string& text) {
  logger_named(result_logger)->info(text);
}

void problem(const std::string& text) {
  logger_named(problem_logger)->error(text);
}

void flush() {
  if (current)
    current->report_folds();
}

}  // namespace troupe::log
