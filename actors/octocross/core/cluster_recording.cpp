#include "actors/octocross/core/cluster_recording.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace troupe::octocross {

namespace {

const char* columns = "t_s,node,objects,mu,busy,queue_s,up,delays_ms";

std::vector<std::string> split(const std::string& s, char by) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, by);)
    out.push_back(part);
  return out;
}

double number(const std::string& text, const std::string& what) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size())
    throw std::runtime_error(what + " '" + text + "' is not a number");
  return v;
}

// "# octocross trace; slo_ms: 200; edges: a-b, b-c" → slo, edges text.
void read_header(const std::string& line, double& slo_ms, std::string& edges) {
  for (auto& field : split(line.substr(1), ';')) {
    auto colon = field.find(':');
    if (colon == std::string::npos)
      continue;
    auto key = field.substr(0, colon);
    key.erase(0, key.find_first_not_of(' '));
    auto value = field.substr(colon + 1);
    if (key == "slo_ms") {
      slo_ms = number(value.substr(value.find_first_not_of(' ')), "slo_ms");
      if (!(slo_ms > 0) || !std::isfinite(slo_ms))
        throw std::runtime_error("slo_ms must be a positive number");  // A_net = exp(−delay/SLO)
    }
    else if (key == "edges")
      edges = value;
  }
}

struct row {
  int line;  // in the file: what an error names
  double t_s;
  std::string node;
  double objects, mu, busy, queue_s;
  bool up;
  std::vector<std::pair<std::string, double>> delays;
};

row read_row(const std::string& line, int at) {
  auto f = split(line, ',');
  if (f.size() == 7)
    f.emplace_back();
  if (f.size() != 8)
    throw std::runtime_error("expected " + std::string(columns) + ", found " + std::to_string(f.size()) + " fields");
  row r{at, number(f[0], "t_s"), f[1], number(f[2], "objects"), number(f[3], "mu"), number(f[4], "busy"),
        number(f[5], "queue_s"), number(f[6], "up") != 0, {}};
  if (r.node.empty())
    throw std::runtime_error("a row names no node");
  for (auto& d : split(f[7], ';')) {
    auto colon = d.rfind(':');
    if (colon == std::string::npos)
      throw std::runtime_error("delay '" + d + "' is not node:ms");
    r.delays.emplace_back(d.substr(0, colon), number(d.substr(colon + 1), "delay"));
  }
  return r;
}

long index_of(const std::vector<std::string>& nodes, const std::string& name) {
  auto it = std::find(nodes.begin(), nodes.end(), name);
  return it == nodes.end() ? -1 : long(it - nodes.begin());
}

// Rows of one second, in slot order, into a sample; the first second fixes the slots.
// `blame`: the line an error is at (the second's first for a count that does not fit).
void close_second(cluster_recording& r, std::vector<row>& rows, int& blame) {
  if (rows.empty())
    return;
  blame = rows[0].line;
  if (r.samples.empty())
    for (auto& x : rows)
      r.nodes.push_back(x.node);
  if (rows.size() != r.nodes.size())
    throw std::runtime_error("second " + (std::ostringstream() << rows[0].t_s).str() + " has " + std::to_string(rows.size()) +
                             " nodes, the first had " + std::to_string(r.nodes.size()));
  auto s = cluster_sample::empty(r.nodes.size(), rows[0].t_s);
  for (size_t i = 0; i < rows.size(); ++i) {
    auto& x = rows[i];
    blame = x.line;
    if (x.node != r.nodes[i])
      throw std::runtime_error("node " + x.node + " where slot " + std::to_string(i) + " is " + r.nodes[i]);
    s.objects[i] = x.objects;
    s.mu[i] = x.mu;
    s.busy[i] = x.busy;
    s.queue_s[i] = x.queue_s;
    s.up[i] = x.up;
    for (auto& [to, ms] : x.delays) {
      auto j = index_of(r.nodes, to);
      if (j < 0)
        throw std::runtime_error("delay to unknown node " + to);
      s.delay_ms[i][size_t(j)] = ms;
    }
  }
  r.samples.push_back(std::move(s));
  rows.clear();
}

}  // namespace

cluster_sample cluster_sample::empty(size_t n, double t_s) {
  cluster_sample s;
  s.t_s = t_s;
  s.objects = s.mu = s.busy = s.queue_s = std::vector<double>(n, 0.0);
  s.up = std::vector<bool>(n, false);
  s.delay_ms = matrix(n, std::vector<double>(n, -1.0));
  return s;
}

std::string trace_header(const cluster_recording& r) {
  std::ostringstream out;
  out << "# octocross trace; slo_ms: " << r.slo_ms << "; edges: ";
  for (size_t e = 0; e < r.edges.size(); ++e)
    out << (e ? ", " : "") << r.nodes[r.edges[e].first] << "-" << r.nodes[r.edges[e].second];
  out << "\n" << columns << "\n";
  return out.str();
}

std::string trace_rows(const cluster_recording& r, const cluster_sample& s) {
  std::ostringstream out;
  out.precision(10);  // seconds stay apart in long runs
  for (size_t i = 0; i < r.nodes.size(); ++i) {
    out << s.t_s << "," << r.nodes[i] << "," << s.objects[i] << "," << s.mu[i] << "," << s.busy[i] << ","
        << s.queue_s[i] << "," << (s.up[i] ? 1 : 0) << ",";
    bool first = true;
    for (size_t j = 0; j < r.nodes.size(); ++j)
      if (s.delay_ms[i][j] >= 0) {
        out << (first ? "" : ";") << r.nodes[j] << ":" << s.delay_ms[i][j];
        first = false;
      }
    out << "\n";
  }
  return out.str();
}

cluster_recording read_trace(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(path + ": cannot read the trace");
  cluster_recording r;
  std::string edges, line;
  std::vector<row> second;
  int at = 0, header_at = 0;
  int blame = 0;  // the line an error is reported at
  try {
    while (std::getline(in, line)) {
      blame = ++at;
      if (line.empty() || line.rfind("t_s,", 0) == 0)
        continue;
      if (line[0] == '#') {
        header_at = at;
        read_header(line, r.slo_ms, edges);
        continue;
      }
      auto x = read_row(line, at);
      if (!second.empty() && x.t_s != second[0].t_s)
        close_second(r, second, blame);
      second.push_back(std::move(x));
    }
    close_second(r, second, blame);
    blame = header_at;  // the edges name nodes the rows did not
    r.edges = parse_edges(edges, r.nodes);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ":" + std::to_string(blame) + ": " + e.what());
  }
  if (r.samples.empty())
    throw std::runtime_error(path + ": the trace holds no sample");
  return r;
}

cluster_state state_before(const cluster_recording& r, size_t end, size_t tau) {
  if (end < tau || end > r.samples.size())
    throw std::out_of_range("state_before: no " + std::to_string(tau) + " samples before " + std::to_string(end));
  auto n = r.nodes.size();
  auto& last = r.samples[end - 1];
  cluster_state s;
  s.history = matrix(n, std::vector<double>(tau, 0.0));
  s.mu = std::vector<double>(n, 0.0);
  for (size_t t = 0; t < tau; ++t) {
    auto& x = r.samples[end - tau + t];
    for (size_t i = 0; i < n; ++i) {
      s.history[i][t] = x.up[i] ? x.objects[i] : 0.0;
      if (x.mu[i] > 0)
        s.mu[i] = x.mu[i];  // the latest measured
    }
  }
  s.up = last.up;
  for (size_t i = 0; i < n; ++i)
    s.slot.push_back(i);
  std::vector<std::vector<bool>> measured(n, std::vector<bool>(n, false));
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j)
      measured[i][j] = last.delay_ms[i][j] >= 0;
  s.a_phys = physical_view(n, r.edges, s.up);
  s.a_net = network_view(last.delay_ms, measured, r.slo_ms, s.up);
  s.a_res = resource_view(last.busy, s.up);
  return s;
}

void mask_unplaced(cluster_state& s, const std::vector<size_t>& slots, size_t n_max) {
  auto n = s.up.size();
  for (size_t i = 0; i < n; ++i) {
    s.slot[i] = slots[i] < n_max ? slots[i] : 0;
    if (slots[i] < n_max)
      continue;
    s.up[i] = false;
    for (auto* view : {&s.a_phys, &s.a_net, &s.a_res})
      for (size_t j = 0; j < n; ++j)
        (*view)[i][j] = (*view)[j][i] = 0;
  }
}

matrix load_after(const cluster_recording& r, size_t end, size_t tau) {
  if (end + tau > r.samples.size())
    throw std::out_of_range("load_after: no " + std::to_string(tau) + " samples after " + std::to_string(end));
  auto n = r.nodes.size();
  matrix out(n, std::vector<double>(tau, 0.0));
  for (size_t t = 0; t < tau; ++t)
    for (size_t i = 0; i < n; ++i)
      out[i][t] = r.samples[end + t].up[i] ? r.samples[end + t].objects[i] : 0.0;
  return out;
}

bool departs_within(const cluster_recording& r, size_t end, size_t tau) {
  if (end < 1 || end + tau > r.samples.size())
    throw std::out_of_range("departs_within: no samples " + std::to_string(end) + "-1 … " +
                            std::to_string(end + tau - 1));
  auto& before = r.samples[end - 1].up;
  for (size_t t = end; t < end + tau; ++t)
    for (size_t i = 0; i < before.size(); ++i)
      if (before[i] && !r.samples[t].up[i])
        return true;
  return false;
}

}  // namespace troupe::octocross
