#include "actors/common/crowd_file.hpp"

#include <map>
#include <optional>

namespace troupe {

namespace {

class crowd_checker : public yaml_checker {
 public:
  explicit crowd_checker(std::string file) : yaml_checker(std::move(file)) {}

  void root(const YAML::Node& n, crowd_config& c) {
    if (!keys(n, "the crowd file", {"seed", "cameras", "edges", "dwell_s", "lag_s", "exit_probability", "bursts",
                                    "max_views", "start_s"}))
      return;
    int seed = int(c.seed), max_views = int(c.max_views);
    if (integer(n, "seed", "the crowd file", seed, 0))
      c.seed = uint64_t(seed);
    if (integer(n, "max_views", "the crowd file", max_views, 1))
      c.max_views = size_t(max_views);
    cameras(n, c);
    list(n, "edges", "the crowd file", c.edges, [&](const YAML::Node& e, auto& out) { edge(e, out); }, false);
    range(n, "dwell_s", c.dwell_min_s, c.dwell_max_s);
    range(n, "lag_s", c.lag_min_s, c.lag_max_s);
    if (number(n, "exit_probability", "the crowd file", c.exit_probability, false) &&
        !(c.exit_probability >= 0 && c.exit_probability <= 1))
      fail(n["exit_probability"], "exit_probability must be within [0, 1]");
    if (n["bursts"])
      bursts(n["bursts"], c);
    number(n, "start_s", "the crowd file", c.start_s, false);
  }

 private:
  void cameras(const YAML::Node& n, crowd_config& c) {
    struct entry {
      std::string name;
      double rate = 0;
    };
    std::vector<entry> listed;
    list(n, "cameras", "the crowd file", listed, [&](const YAML::Node& e, entry& out) {
      if (!keys(e, "a crowd camera", {"name", "entry_rate"}))
        return;
      text(e, "name", "a crowd camera", out.name, true);
      number(e, "entry_rate", "camera '" + out.name + "'", out.rate, false);
    }, true);
    for (size_t i = 0; i < listed.size(); ++i) {
      if (!index_.emplace(listed[i].name, i).second)
        fail(n["cameras"][i], "camera '" + listed[i].name + "' is listed twice");
      c.cameras.push_back(listed[i].name);
      c.entry_rate.push_back(listed[i].rate);
    }
  }

  void edge(const YAML::Node& e, std::pair<size_t, size_t>& out) {
    if (!e.IsSequence() || e.size() != 2 || !e[0].IsScalar() || !e[1].IsScalar()) {
      fail(e, "an edge is [camera, camera]");
      return;
    }
    auto a = camera(e[0]), b = camera(e[1]);
    if (a && b && *a == *b)
      fail(e, "an edge joins two different cameras");
    out = {a.value_or(0), b.value_or(0)};
  }

  std::optional<size_t> camera(const YAML::Node& name) {
    auto it = index_.find(name.Scalar());
    if (it != index_.end())
      return it->second;
    fail(name, "edge names camera '" + name.Scalar() + "', which the crowd file does not list");
    return std::nullopt;
  }

  void range(const YAML::Node& n, const char* key, double& lo, double& hi) {
    auto r = n[key];
    if (!r)
      return;
    if (!r.IsSequence() || r.size() != 2 || !YAML::convert<double>::decode(r[0], lo) ||
        !YAML::convert<double>::decode(r[1], hi) || !(lo >= 0 && hi >= lo))
      fail(r, std::string(key) + " must be [min, max] seconds with 0 <= min <= max");
  }

  void bursts(const YAML::Node& b, crowd_config& c) {
    if (!keys(b, "bursts", {"every_s", "length_s", "factor"}))
      return;
    number(b, "every_s", "bursts", c.burst_every_s, true);
    number(b, "length_s", "bursts", c.burst_length_s, true);
    number(b, "factor", "bursts", c.burst_factor, true);
    if (!(c.burst_every_s > 0 && c.burst_length_s >= 0 && c.burst_length_s <= c.burst_every_s && c.burst_factor >= 0))
      fail(b, "bursts need every_s > 0, 0 <= length_s <= every_s and factor >= 0");
  }

  std::map<std::string, size_t> index_;
};

}  // namespace

crowd_file_result parse_crowd(const std::string& text, const std::string& file) {
  crowd_file_result result;
  auto parsed = parse_yaml(text, file, "crowd file", result.errors);
  if (!parsed)
    return result;
  crowd_checker c(file);
  c.root(*parsed, result.crowd);
  result.errors = std::move(c.errors);
  return result;
}

crowd_file_result load_crowd(const std::string& path) {
  crowd_file_result result;
  auto text = read_text_file(path, result.errors);
  return text ? parse_crowd(*text, path) : result;
}

}  // namespace troupe
