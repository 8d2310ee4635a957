#include "actors/common/cli/bench_support.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>

#include <spdlog/spdlog.h>

#include "actors/systems.hpp"
#include "actors/runtime/deploy/deployment.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/text_table.hpp"

namespace troupe {

std::vector<actor_spec*> actors_of_kind(topology& t, const std::string& kind) {
  std::vector<actor_spec*> out;
  for (auto& a : t.actors)
    if (a.kind == kind)
      out.push_back(&a);
  return out;
}

actor_spec& actor_named(topology& t, const std::string& name) {
  for (auto& a : t.actors)
    if (a.name == name)
      return a;
  throw std::runtime_error(t.file + ": no actor named '" + name + "'");
}

bool covers_run(const nlohmann::json& report, double duration_s) {
  constexpr double whole = 0.9;  // spawning and draining take seconds, never a tenth of a run
  return duration_s <= 0 || report.value("duration_s", 0.0) >= whole * duration_s;
}

namespace {

// PREFIX.json when it is there, readable and a whole run of `duration_s`.
std::optional<nlohmann::json> whole_report(const std::string& prefix, double duration_s) {
  std::ifstream in(prefix + ".json");
  if (!in)
    return std::nullopt;
  auto report = nlohmann::json::parse(in, nullptr, false);
  if (!report.is_discarded() && covers_run(report, duration_s))
    return report;
  log::result(prefix + ".json: not a whole run of " + fixed(duration_s) + " s (cut short or unreadable), run again");
  return std::nullopt;
}

// The reports a run writes: PREFIX.json and PREFIX-*.json (a scheduler's, say).
void remove_reports(const std::string& prefix) {
  auto path = std::filesystem::path(prefix);
  auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  auto own = path.filename().string() + "-";
  std::error_code ec;
  std::filesystem::remove(prefix + ".json", ec);
  for (auto& e : std::filesystem::directory_iterator(dir, ec))
    if (auto name = e.path().filename().string(); name.rfind(own, 0) == 0 && e.path().extension() == ".json")
      std::filesystem::remove(e.path(), ec);
}

bool writes_report(const kind_spec& kind) {
  return std::any_of(kind.parameters.begin(), kind.parameters.end(), [](auto& p) { return p.key == "report"; });
}

}  // namespace

std::optional<topology> load_bench_topology(const std::string& file, input_files files) {
  auto loaded = load_topology(file, builtin_kinds(), files);
  for (auto& e : loaded.errors)
    log::problem(e.to_string());
  return std::move(loaded.topo);
}

nlohmann::json companion_report(const std::string& prefix, const std::string& part) {
  std::ifstream in(prefix + "-" + part + ".json");
  auto report = in ? nlohmann::json::parse(in, nullptr, false) : nlohmann::json::object();
  return report.is_discarded() ? nlohmann::json::object() : report;
}

nlohmann::json run_and_report(topology t, double duration_s, const std::string& prefix, bool resume) {
  double duration = duration_s > 0 ? duration_s : t.runtime.duration_s;
  if (auto done = resume ? whole_report(prefix, duration) : std::nullopt) {
    log::result(prefix + ".json: done in an earlier run, read back (--resume)");
    return *done;
  }
  for (auto& a : t.actors)  // sinks and schedulers: every kind that writes a report
    if (auto* kind = builtin_kinds().find(a.kind); kind != nullptr && writes_report(*kind))
      set_param(a, "report", prefix);
  remove_reports(prefix);  // a run that writes nothing must not read an old report, nor its scheduler's
  run_options run;
  run.duration_s = duration;
  int rc = run_deployment(t, run, builtin_kinds());
  if (stop_requested()) {  // cut short: its reports must not pass for a whole run's
    remove_reports(prefix);
    throw std::runtime_error(t.deployment + ": stopped by a signal; its report removed (--resume runs it again)");
  }
  if (rc != 0) {  // a failed run's partial reports must not pass for a whole run's either
    remove_reports(prefix);
    throw std::runtime_error(t.deployment + ": the run failed (exit " + std::to_string(rc) +
                             "); its report removed (--resume runs it again)");
  }
  std::ifstream in(prefix + ".json");
  if (!in)
    throw std::runtime_error(prefix + ".json: the run wrote no report");
  auto report = nlohmann::json::parse(in);
  require_processed(report, t.deployment);
  return report;
}

void require_processed(const nlohmann::json& report, const std::string& run) {
  auto& all = report["overall"];
  uint64_t done = all.value("frames", uint64_t(0)) + all.value("results", uint64_t(0));
  if (done > 0)
    return;
  std::string cause = "no frame or result reached the sink";
  for (auto& [name, r] : report["replicas"].items())
    if (r.value("processed", uint64_t(0)) == 0)
      cause += "; replica " + name + " processed nothing";
  throw std::runtime_error(run + ": the run processed nothing (" + cause + "), no comparison drawn from it");
}

void plot_png(const std::string& dir, const std::string& name, const std::string& script, const std::string& size) {
  auto file = dir + "/" + name + ".gnuplot";
  auto png = dir + "/" + name + ".png";
  if (auto why = write_text_file(file, "set terminal pngcairo size " + size + "\nset output '" + png + "'\n" + script + "\n");
      !why.empty()) {
    spdlog::error("{} not written: {}", file, why);
    return;
  }
  std::error_code ec;
  std::filesystem::remove(png, ec);  // an earlier run's PNG must not pass for this one
  if (std::system(("gnuplot '" + file + "' 2>/dev/null").c_str()) != 0)
    return;
  auto bytes = std::filesystem::file_size(png, ec);
  if (!ec && bytes > 0)
    log::result("wrote " + png);
}

void offset_seeds(topology& t, int repeat, int64_t base) {
  auto move = [repeat, base](actor_spec& a) {
    if ((repeat != 0 || base != 0) && a.args.has("seed"))
      set_param(a, "seed", a.args.get_int("seed") + base + 1000 * int64_t(repeat));
  };
  for (auto& a : t.actors)
    move(a);
  for (auto& e : t.timeline)
    move(e.actor);
}

spread spread_of(const std::vector<double>& values) {
  if (values.empty())
    return {};
  auto sorted = values;
  std::sort(sorted.begin(), sorted.end());
  size_t n = sorted.size();
  double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return {median, sorted.front(), sorted.back(), n};
}

std::string to_string(const spread& s, int decimals) {
  if (s.runs <= 1)
    return fixed(s.median, decimals);
  return fixed(s.median, decimals) + " (" + fixed(s.min, decimals) + "–" + fixed(s.max, decimals) + ")";
}

paired_ratio compare_paired(const std::vector<double>& system, const std::vector<double>& baseline) {
  paired_ratio out;
  std::vector<double> ratios;
  for (size_t k = 0; k < std::min(system.size(), baseline.size()); ++k) {
    double v = system[k], b = baseline[k];
    out.every_run = out.every_run && b > v;
    ratios.push_back(v > 0 ? b / v : (b > 0 ? std::numeric_limits<double>::infinity() : 1));
  }
  out.ratio = spread_of(ratios);
  return out;
}

bool half_the_magnitude(double ratio, double paper) {
  return ratio >= 1 + (paper - 1) / 2;
}

}  // namespace troupe
