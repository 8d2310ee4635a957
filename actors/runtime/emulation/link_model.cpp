#include "actors/runtime/emulation/link_model.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace troupe {

namespace {

constexpr double bits_per_megabit = 1e6;

void check_trace(const std::vector<bandwidth_sample>& trace) {
  if (trace.empty() || trace.front().time_s != 0)
    throw std::invalid_argument("a bandwidth trace must start at time 0");
  for (size_t i = 0; i < trace.size(); ++i) {
    if (trace[i].bandwidth_mbps < 0)
      throw std::invalid_argument("a bandwidth trace cannot hold negative bandwidth");
    if (i > 0 && trace[i].time_s <= trace[i - 1].time_s)
      throw std::invalid_argument("a bandwidth trace's times must rise");
  }
}

}  // namespace

link_model::link_model(double bandwidth_mbps, double latency_ms)
    : trace_{{0, bandwidth_mbps}}, latency_s_(latency_ms / 1000) {
  if (!(bandwidth_mbps > 0))
    throw std::invalid_argument("a link needs a positive bandwidth");
}

link_model::link_model(std::vector<bandwidth_sample> trace, double latency_ms, double offset_s)
    : trace_(std::move(trace)), offset_s_(offset_s), latency_s_(latency_ms / 1000) {
  check_trace(trace_);
  if (!(offset_s >= 0))
    throw std::invalid_argument("a trace offset must be 0 or more seconds");
  // The last sample lasts as long as the average gap, then the trace repeats.
  double last_gap = trace_.size() > 1 ? trace_.back().time_s / (trace_.size() - 1) : 1.0;
  period_s_ = trace_.back().time_s + last_gap;
  double total = 0;
  for (auto& s : trace_)
    total += s.bandwidth_mbps;
  if (total <= 0)
    throw std::invalid_argument("a bandwidth trace must carry something");
}

const bandwidth_sample& link_model::sample_at(double time_s) const {
  double t = period_s_ > 0 ? std::fmod(time_s + offset_s_, period_s_) : 0;
  const bandwidth_sample* at = &trace_.front();
  for (auto& s : trace_)
    if (s.time_s <= t)
      at = &s;
  return *at;
}

double link_model::bandwidth_mbps_at(double time_s) const { return sample_at(time_s).bandwidth_mbps; }

double link_model::latency_s_at(double time_s) const {
  double ms = sample_at(time_s).latency_ms;
  return ms >= 0 ? ms / 1000 : latency_s_;
}

link_model::segment link_model::segment_at(double time_s) const {
  if (period_s_ == 0)
    return {trace_.front().bandwidth_mbps * bits_per_megabit, std::numeric_limits<double>::infinity()};
  double in_period = std::fmod(time_s + offset_s_, period_s_);
  size_t i = 0;
  while (i + 1 < trace_.size() && trace_[i + 1].time_s <= in_period)
    ++i;
  double segment_end = i + 1 < trace_.size() ? trace_[i + 1].time_s : period_s_;
  double end_s = time_s + (segment_end - in_period);  // rounding must not stall a walk at time_s
  return {trace_[i].bandwidth_mbps * bits_per_megabit, end_s > time_s ? end_s : std::nextafter(time_s, std::numeric_limits<double>::infinity())};
}

double link_model::transfer_time_s(double bytes, double start_s) const {
  double bits = bytes * 8;
  double latency_s = latency_s_at(start_s);  // the latency when the first bit leaves
  // Walk the trace segment by segment until every bit has gone.
  for (double t = start_s;;) {
    auto seg = segment_at(t);
    if (seg.rate_bps * (seg.end_s - t) >= bits)
      return latency_s + (t - start_s) + bits / seg.rate_bps;
    bits -= seg.rate_bps * (seg.end_s - t);
    t = seg.end_s;
  }
}

double link_model::bytes_between(double from_s, double to_s) const {
  double bits = 0;
  for (double t = from_s; t < to_s;) {
    auto seg = segment_at(t);
    double end = std::min(seg.end_s, to_s);
    bits += seg.rate_bps * (end - t);
    t = end;
  }
  return bits / 8;
}

std::vector<bandwidth_sample> load_bandwidth_trace(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(path + ": cannot read the bandwidth trace");
  std::vector<bandwidth_sample> trace;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    auto hash = line.find('#');
    if (hash != std::string::npos)
      line.resize(hash);
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    std::istringstream fields(line);
    bandwidth_sample s;
    char comma = 0;
    bool ok = fields >> s.time_s >> comma >> s.bandwidth_mbps && comma == ',';
    if (ok && fields >> comma)  // an optional latency column
      ok = comma == ',' && fields >> s.latency_ms && s.latency_ms >= 0;
    if (!ok)
      throw std::runtime_error(path + ":" + std::to_string(number) +
                               ": expected 'time_s,bandwidth_mbps' or 'time_s,bandwidth_mbps,latency_ms'");
    trace.push_back(s);
  }
  try {
    check_trace(trace);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  return trace;
}

}  // namespace troupe
