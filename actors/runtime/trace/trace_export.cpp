#include "actors/runtime/trace/trace_export.hpp"

#include "actors/runtime/trace/trace_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

namespace troupe {

namespace {

struct work_done {
  int64_t queue_us = 0, compute_us = 0;
  int64_t batch_size = 0;
};

struct message_span {
  std::string type, from, to, trace_id, parent;
  std::string send_node, recv_node;
  int64_t send_ns = -1, recv_ns = -1;
  size_t bytes = 0;
  work_done work;
};

// Chrome traces want numeric pid/tid: one process per node, one thread per actor.
class track_ids {
 public:
  int pid(const std::string& node) { return id(pids_, node); }
  int tid(const std::string& node, const std::string& actor) { return id(tids_, node + "\n" + actor); }

  void metadata(nlohmann::json& events) {
    for (auto& [node, p] : pids_)
      events.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", p}, {"args", {{"name", node}}}});
    for (auto& [key, t] : tids_) {
      auto split = key.find('\n');
      events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", pids_[key.substr(0, split)]},
                        {"tid", t}, {"args", {{"name", key.substr(split + 1)}}}});
    }
  }

 private:
  static int id(std::map<std::string, int>& ids, const std::string& key) {
    auto [it, fresh] = ids.emplace(key, static_cast<int>(ids.size()) + 1);
    return it->second;
  }
  std::map<std::string, int> pids_, tids_;
};

// One line of a recorded trace; nothing when a field has the wrong type or is missing.
struct recorded_event {
  std::string span, type, from, to, trace_id, parent, node;
  size_t bytes = 0;
  int64_t time_ns = 0;
  bool send = false;
  work_done work;
};

std::optional<recorded_event> event_of(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("span_id") || !j.contains("event"))
    return std::nullopt;
  // The recorder writes counts as integers: a float there (2.6e26 once, found by
  // fuzz/trace_fuzz.cpp) would overflow the conversion.
  for (auto* key : {"bytes", "time_ns", "queue_us", "compute_us", "batch_size"})
    if (j.contains(key) && !j[key].is_number_integer())
      return std::nullopt;
  try {
    recorded_event e;
    e.span = j["span_id"].get<std::string>();
    e.send = j["event"].get<std::string>() == "send";
    e.type = j.value("type", "");
    e.from = j.value("from", "");
    e.to = j.value("to", "");
    if (e.to.empty())
      e.to = "topic " + j.value("topic", "");
    e.trace_id = j.value("trace_id", "");
    e.parent = j.value("parent_span_id", "");
    e.bytes = j.value("bytes", size_t{0});
    e.time_ns = j.value("time_ns", int64_t{0});
    e.node = j.value("node", "");
    e.work = {std::max<int64_t>(0, j.value("queue_us", int64_t{0})), std::max<int64_t>(0, j.value("compute_us", int64_t{0})),
              std::max<int64_t>(0, j.value("batch_size", int64_t{0}))};
    // Times a clock gives and work of at most a day: the differences the export takes
    // must not overflow (fuzz/trace_fuzz.cpp found 3.2e16 µs of compute).
    constexpr int64_t latest_ns = int64_t{1} << 62, longest_work_us = 86'400'000'000;
    if (e.time_ns < 0 || e.time_ns > latest_ns || e.work.queue_us > longest_work_us ||
        e.work.compute_us > longest_work_us)
      return std::nullopt;
    return e;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

// One item of a replica's work, on the track of the actor that sent the result: it
// waited from `queued` to `start` and was computed, in its batch, until `end` (the
// result's send: the clock the trace has).
struct work_item {
  std::string span;
  const message_span* result;
  int64_t queued, start, end;
};

// Items of one batch were computed together: the same start, as many as the batch.
std::vector<std::vector<work_item>> batches_of(std::vector<work_item> items) {
  std::sort(items.begin(), items.end(), [](auto& a, auto& b) {
    return std::tie(a.result->send_node, a.result->from, a.start, a.end) <
           std::tie(b.result->send_node, b.result->from, b.start, b.end);
  });
  constexpr int64_t same_start_ns = 1'000'000;  // sends follow the batch's end by up to this
  std::vector<std::vector<work_item>> out;
  for (auto& it : items) {
    auto* open = out.empty() ? nullptr : &out.back();
    bool joins = open != nullptr && open->front().result->send_node == it.result->send_node &&
                 open->front().result->from == it.result->from && it.start - open->front().start <= same_start_ns &&
                 static_cast<int64_t>(open->size()) < open->front().result->work.batch_size;
    if (joins)
      open->push_back(it);
    else
      out.push_back({it});
  }
  return out;
}

std::vector<work_item> work_of(const std::map<std::string, message_span>& spans) {
  std::vector<work_item> items;
  for (auto& [span, s] : spans)
    if (s.work.compute_us > 0 && s.send_ns >= 0) {
      int64_t start = s.send_ns - s.work.compute_us * 1000;
      items.push_back({span, &s, start - s.work.queue_us * 1000, start, s.send_ns});
    }
  return items;
}

void draw_work(const std::map<std::string, message_span>& spans, track_ids& ids, nlohmann::json& events,
               export_summary& summary) {
  for (auto& batch : batches_of(work_of(spans))) {
    auto& first = *batch.front().result;
    int pid = ids.pid(first.send_node), tid = ids.tid(first.send_node, first.from);
    int64_t start = batch.front().start, end = batch.front().end;
    for (auto& it : batch) {
      start = std::min(start, it.start);
      end = std::max(end, it.end);
      if (it.start > it.queued)
        events.push_back({{"ph", "X"}, {"name", "queue"}, {"cat", "work"}, {"pid", pid}, {"tid", tid},
                          {"ts", it.queued / 1000.0}, {"dur", (it.start - it.queued) / 1000.0},
                          {"args", {{"trace_id", it.result->trace_id}, {"result_span_id", it.span}}}});
    }
    events.push_back({{"ph", "X"}, {"name", "batch of " + std::to_string(batch.size())}, {"cat", "work"},
                      {"pid", pid}, {"tid", tid}, {"ts", start / 1000.0}, {"dur", (end - start) / 1000.0},
                      {"args", {{"items", batch.size()}}}});
    ++summary.batches;
    for (auto& it : batch) {  // from each item's request, as delivered, to the batch that computed it
      auto request = spans.find(it.result->parent);
      if (request == spans.end() || request->second.recv_ns < 0)
        continue;
      auto& r = request->second;
      auto id = "work-" + it.span;
      events.push_back({{"ph", "s"}, {"name", "computed in"}, {"cat", "flow"}, {"id", id},
                        {"pid", ids.pid(r.recv_node)}, {"tid", ids.tid(r.recv_node, r.to)}, {"ts", r.recv_ns / 1000.0}});
      events.push_back({{"ph", "f"}, {"bp", "e"}, {"name", "computed in"}, {"cat", "flow"}, {"id", id},
                        {"pid", pid}, {"tid", tid}, {"ts", start / 1000.0}});
      ++summary.flows;
    }
  }
}

using span_map = std::map<std::string, message_span>;  // by span id

span_map read_spans(std::istream& in, export_summary& summary) {
  span_map spans;
  summary.unreadable_file = read_trace(in, [&](const nlohmann::json& j) {
    ++summary.lines;
    auto e = event_of(j);
    if (!e) {
      ++summary.skipped;
      return;
    }
    auto& s = spans[e->span];
    for (auto [field, value] : {std::pair{&s.type, &e->type}, {&s.from, &e->from}, {&s.to, &e->to},
                                {&s.trace_id, &e->trace_id}, {&s.parent, &e->parent}})
      if (!value->empty() && (field->empty() || e->send))  // a line that lacks a field keeps the other's
        *field = *value;
    s.bytes = std::max(s.bytes, e->bytes);
    if (e->send) {
      s.send_ns = e->time_ns;
      s.send_node = e->node;
      s.work = e->work;
    } else if (s.recv_ns < 0 || e->time_ns < s.recv_ns) {  // a topic message: keep the first delivery
      s.recv_ns = e->time_ns;
      s.recv_node = e->node;
    }
  });
  return spans;
}

// A span's slice: from its send to its delivery, on the receiving node.
struct extent {
  int64_t start, end;
  std::string node;
};
extent extent_of(const message_span& s) {
  return {s.send_ns >= 0 ? s.send_ns : s.recv_ns, s.recv_ns >= 0 ? s.recv_ns : s.send_ns,
          s.recv_node.empty() ? s.send_node : s.recv_node};
}

// OTLP/JSON (the OpenTelemetry protocol's JSON encoding): ids in hex, times and
// integers as decimal strings.
nlohmann::json attribute(const std::string& key, const std::string& value) {
  return {{"key", key}, {"value", {{"stringValue", value}}}};
}
nlohmann::json attribute(const std::string& key, int64_t value) {
  return {{"key", key}, {"value", {{"intValue", std::to_string(value)}}}};
}

struct otlp_span {
  std::string trace_id, span_id, parent, name;
  int64_t start, end;
  nlohmann::json attributes;
  nlohmann::json json() const {
    nlohmann::json j = {{"traceId", trace_id}, {"spanId", span_id}, {"name", name}, {"kind", 1},
                        {"startTimeUnixNano", std::to_string(start)}, {"endTimeUnixNano", std::to_string(end)},
                        {"attributes", attributes}};
    if (!parent.empty() && parent.find_first_not_of('0') != std::string::npos)
      j["parentSpanId"] = parent;
    return j;
  }
};

// A span id for work the trace gives none (a result's queue wait, its compute): FNV-1a
// of what it is and the result's span, as 16 hex digits.
std::string derived_span_id(const std::string& what, const std::string& result_span) {
  uint64_t h = 1469598103934665603ull;
  for (char c : what + "/" + result_span)
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

}  // namespace

nlohmann::json export_otlp_trace(std::istream& in, export_summary& summary) {
  auto spans = read_spans(in, summary);
  std::map<std::string, std::vector<otlp_span>> by_node;  // a node is a service
  for (auto& [span, s] : spans) {
    auto [start, end, node] = extent_of(s);
    by_node[node].push_back({s.trace_id, span, s.parent, s.type, start, end,
                             {attribute("from", s.from), attribute("to", s.to),
                              attribute("bytes", static_cast<int64_t>(s.bytes))}});
    ++summary.messages;
  }
  for (auto& batch : batches_of(work_of(spans))) {
    ++summary.batches;
    for (auto& it : batch) {  // children of the item's request, beside the result it sent
      auto& r = *it.result;
      auto attrs = nlohmann::json::array({attribute("actor", r.from), attribute("batch_size", r.work.batch_size)});
      if (it.start > it.queued)
        by_node[r.send_node].push_back(
            {r.trace_id, derived_span_id("queue", it.span), r.parent, "queue", it.queued, it.start, attrs});
      by_node[r.send_node].push_back(
          {r.trace_id, derived_span_id("compute", it.span), r.parent, "compute", it.start, it.end, attrs});
    }
  }
  auto resources = nlohmann::json::array();
  for (auto& [node, list] : by_node) {
    auto out = nlohmann::json::array();
    for (auto& sp : list)
      out.push_back(sp.json());
    resources.push_back({{"resource", {{"attributes", {attribute("service.name", node)}}}},
                         {"scopeSpans", {{{"scope", {{"name", "troupe"}}}, {"spans", out}}}}});
  }
  return {{"resourceSpans", resources}};
}

nlohmann::json export_chrome_trace(std::istream& in, export_summary& summary) {
  auto spans = read_spans(in, summary);
  nlohmann::json events = nlohmann::json::array();
  track_ids ids;
  for (auto& [span, s] : spans) {
    auto [start, end, node] = extent_of(s);
    int pid = ids.pid(node), tid = ids.tid(node, s.to);
    events.push_back({{"ph", "X"}, {"name", s.type}, {"cat", "message"}, {"pid", pid}, {"tid", tid},
                      {"ts", start / 1000.0}, {"dur", std::max<double>(0, (end - start) / 1000.0)},
                      {"args", {{"from", s.from}, {"to", s.to}, {"bytes", s.bytes},
                                {"trace_id", s.trace_id}, {"span_id", span}}}});
    ++summary.messages;
    auto parent = spans.find(s.parent);
    if (parent == spans.end() || s.send_ns < 0)
      continue;
    // Arrow from the cause's delivery (on the sender's track) to this send.
    auto& p = parent->second;
    auto pnode = p.recv_node.empty() ? p.send_node : p.recv_node;
    auto pend = p.recv_ns >= 0 ? p.recv_ns : p.send_ns;
    events.push_back({{"ph", "s"}, {"name", "caused"}, {"cat", "flow"}, {"id", span},
                      {"pid", ids.pid(pnode)}, {"tid", ids.tid(pnode, p.to)}, {"ts", pend / 1000.0}});
    events.push_back({{"ph", "f"}, {"bp", "e"}, {"name", "caused"}, {"cat", "flow"}, {"id", span},
                      {"pid", pid}, {"tid", tid}, {"ts", start / 1000.0}});
    ++summary.flows;
  }
  draw_work(spans, ids, events, summary);
  ids.metadata(events);
  return {{"traceEvents", events}, {"displayTimeUnit", "ms"}};
}

}  // namespace troupe
