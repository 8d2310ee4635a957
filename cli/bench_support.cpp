#include "cli/bench_support.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "actors/builtin_kinds.hpp"
#include "actors/deployment.hpp"

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

nlohmann::json run_and_report(topology t, double duration_s, const std::string& prefix) {
  for (auto& a : t.actors)
    if (a.kind == "sink" || a.kind == "pipeline-sink")
      set_param(a, "report", prefix);
  std::filesystem::remove(prefix + ".json");  // a run that writes nothing must not read an old report
  run_options run;
  run.duration_s = duration_s > 0 ? duration_s : t.runtime.duration_s;
  if (int rc = run_deployment(t, run, builtin_kinds()); rc != 0)
    throw std::runtime_error(t.deployment + ": the run failed (exit " + std::to_string(rc) + ")");
  std::ifstream in(prefix + ".json");
  if (!in)
    throw std::runtime_error(prefix + ".json: the run wrote no report");
  return nlohmann::json::parse(in);
}

void plot_png(const std::string& dir, const std::string& name, const std::string& script, const std::string& size) {
  auto file = dir + "/" + name + ".gnuplot";
  std::ofstream(file) << "set terminal pngcairo size " << size << "\nset output '" << dir << "/" << name << ".png'\n"
                      << script << "\n";
  if (std::system(("gnuplot '" + file + "' 2>/dev/null").c_str()) == 0)
    std::printf("wrote %s/%s.png\n", dir.c_str(), name.c_str());
}

}  // namespace troupe
