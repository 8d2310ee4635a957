#include "actors/common/item_books.hpp"

#include <algorithm>
#include <numeric>

#include <nlohmann/json.hpp>

#include "actors/runtime/text_table.hpp"

namespace troupe {

int64_t total(const counts_by_cause& counts) {
  return std::accumulate(counts.begin(), counts.end(), int64_t(0), [](int64_t s, auto& c) { return s + c.second; });
}

std::vector<std::string> item_books::add(const msg::ItemBooks& part) {
  auto& a = actors_[part.actor()];
  a.incarnations[part.incarnation()] = part;
  a.latest = part.incarnation();
  std::vector<std::string> named;
  for (auto& c : part.cameras())
    for (auto& [to, n] : c.sent())
      if (to != sink_ && receivers_.insert(to).second)
        named.push_back(to);
  return named;
}

void item_books::down(const std::string& actor, const std::string& reason) {
  if (reason == "unknown actor") {  // not yet known here: watched again when next named
    receivers_.erase(actor);
    return;
  }
  if (reason == "normal" || reason == "stopped")  // stopping is no failure
    return;
  actors_[actor].failure = reason;
}

bool item_books::complete() const {
  return std::all_of(actors_.begin(), actors_.end(), [](auto& entry) {
    auto& a = entry.second;
    return !a.failure.empty() || a.incarnations.empty() || a.incarnations.at(a.latest).final();
  });
}

std::map<std::string, camera_books> item_books::close() const {
  std::map<std::string, camera_books> out;
  for (auto& [actor, a] : actors_)
    for (auto& [incarnation, part] : a.incarnations)
      for (auto& c : part.cameras())
        if (c.produced() > 0 && out.count(c.camera()) == 0)
          out[c.camera()] = close(c.camera());
  return out;
}

int64_t item_books::sent_to_sink(const std::string& camera, const std::string& from) const {
  int64_t n = 0;
  if (auto a = actors_.find(from); a != actors_.end())
    for (auto& [incarnation, part] : a->second.incarnations)
      for (auto& c : part.cameras())
        if (auto s = c.sent().find(sink_); c.camera() == camera && s != c.sent().end())
          n += s->second;
  return n;
}

item_books::running_totals item_books::totals() const {
  running_totals t;
  std::set<std::string> cameras;
  for (auto& [actor, a] : actors_)
    for (auto& [incarnation, part] : a.incarnations)
      for (auto& c : part.cameras())
        if (c.produced() > 0)
          cameras.insert(c.camera());
  for (auto& [actor, a] : actors_)
    for (auto& [incarnation, part] : a.incarnations)
      for (auto& c : part.cameras()) {
        if (cameras.count(c.camera()) == 0)
          continue;
        t.produced += c.produced();
        for (auto& [cause, n] : c.dropped())
          t.dropped += n;
        for (auto& [cause, n] : c.lost())
          t.lost += n;
        for (auto& [cause, n] : c.ended())
          t.ended += n;
      }
  for (auto& camera : cameras)
    if (auto d = delivered_.find(camera); d != delivered_.end())
      for (auto& [from, n] : d->second)
        t.delivered += n;
  return t;
}

// Every actor's items of `camera`: in (produced, or sent to it) = out (sent on,
// dropped, lost; delivered at the sink) + held + what it did not account for.
camera_books item_books::close(const std::string& camera) const {
  camera_books b;
  std::map<std::string, int64_t> in, out, held;
  std::map<std::string, std::set<std::string>> senders;  // by receiver
  std::set<std::string> final_count, producers;
  for (auto& [actor, a] : actors_) {
    for (auto& [incarnation, part] : a.incarnations) {
      for (auto& c : part.cameras()) {
        if (c.camera() != camera)
          continue;
        b.produced += c.produced();
        in[actor] += c.produced();
        if (c.produced() > 0)
          producers.insert(actor);
        for (auto& [to, n] : c.sent()) {
          in[to] += n;
          out[actor] += n;
          senders[to].insert(actor);
        }
        for (auto& [cause, n] : c.dropped()) {
          b.dropped[cause] += n;
          out[actor] += n;
        }
        for (auto& [cause, n] : c.lost()) {
          b.lost[cause] += n;
          out[actor] += n;
        }
        for (auto& [cause, n] : c.ended()) {
          b.ended[cause] += n;
          out[actor] += n;
        }
        if (part.final())
          held[actor] += c.held();
      }
    }
    if (!a.incarnations.empty() && a.incarnations.at(a.latest).final())
      final_count.insert(actor);
  }
  if (auto d = delivered_.find(camera); d != delivered_.end())
    for (auto& [from, n] : d->second) {
      b.delivered += n;
      // An actor that went down sent more than its last count said: the sink saw them.
      auto a = actors_.find(from);
      auto unreported = n - sent_to_sink(camera, from);
      if (a != actors_.end() && !a->second.failure.empty() && unreported > 0) {
        in[sink_] += unreported;
        out[from] += unreported;
      }
    }
  in[sink_];  // the sink is always in the books, even when nothing was sent to it
  out[sink_] = b.delivered;
  final_count.insert(sink_);  // it closes them
  auto failed = [&](const std::string& actor) {
    auto a = actors_.find(actor);
    return a != actors_.end() && !a->second.failure.empty();
  };
  // Likewise a sender that went down sent (and a camera produced) more than its last
  // count said when its receiver accounted for more than it was sent.
  for (auto& [actor, sent_to] : in) {
    auto excess = out[actor] + held[actor] - sent_to;
    auto& from = senders[actor];
    auto gone = std::find_if(from.begin(), from.end(), failed);
    if (actor == sink_ || excess <= 0 || gone == from.end())
      continue;
    sent_to += excess;
    out[*gone] += excess;
    if (producers.count(*gone) != 0) {
      b.produced += excess;
      in[*gone] += excess;
    }
  }
  for (auto& [actor, sent_to] : in) {
    if (held[actor] > 0)
      b.in_flight["held by " + actor] += held[actor];
    auto unplaced = sent_to - out[actor] - held[actor];
    if (unplaced == 0)
      continue;
    auto a = actors_.find(actor);
    if (unplaced < 0)
      b.unaccounted[actor + " accounted for more than it was sent"] += unplaced;
    else if (a != actors_.end() && !a->second.failure.empty())
      b.lost[actor + " down: " + a->second.failure] += unplaced;
    else if (final_count.count(actor) != 0)
      b.in_flight["on its way to " + actor] += unplaced;
    else if (a == actors_.end() || a->second.incarnations.empty())
      b.unaccounted[actor + " keeps no books"] += unplaced;
    else
      b.unaccounted[actor + " sent no final count"] += unplaced;
  }
  return b;
}

nlohmann::json books_json(const std::map<std::string, camera_books>& books) {
  auto out = nlohmann::json::object();
  for (auto& [name, b] : books)
    out[name] = {{"produced", b.produced}, {"delivered", b.delivered}, {"dropped", b.dropped},
                 {"lost", b.lost},         {"ended", b.ended},         {"in_flight", b.in_flight},
                 {"unaccounted", b.unaccounted}, {"closed", b.closed()}};
  return out;
}

// The "ended" column only where an actor turns items into others: elsewhere it is 0.
std::string books_table(const std::map<std::string, camera_books>& books) {
  if (books.empty())
    return "";
  bool any_ended = std::any_of(books.begin(), books.end(), [](auto& b) { return !b.second.ended.empty(); });
  std::vector<std::string> header{"camera", "produced", "delivered", "dropped", "lost"};
  if (any_ended)
    header.push_back("ended");
  header.insert(header.end(), {"in flight", "unaccounted"});
  text_table t(header);
  std::map<std::string, counts_by_cause> causes;
  for (auto& [name, b] : books) {
    std::vector<std::string> row{name, std::to_string(b.produced), std::to_string(b.delivered),
                                 std::to_string(total(b.dropped)), std::to_string(total(b.lost))};
    if (any_ended)
      row.push_back(std::to_string(total(b.ended)));
    row.push_back(std::to_string(total(b.in_flight)));
    row.push_back(b.closed() ? "0" : std::to_string(total(b.unaccounted)) + " NOT CLOSED");
    t.add(row);
    for (auto& [what, counts] : {std::pair{"dropped", &b.dropped}, {"lost", &b.lost}, {"ended", &b.ended},
                                 {"in flight", &b.in_flight}, {"unaccounted", &b.unaccounted}})
      for (auto& [cause, n] : *counts)
        causes[what][cause] += n;
  }
  std::string out = t.str();
  for (auto& [what, counts] : causes)
    for (auto& [cause, n] : counts)
      out += "  " + what + " " + std::to_string(n) + ": " + cause + "\n";
  return out;
}

std::string books_progress(const item_books& books) {
  auto t = books.totals();
  if (t.produced == 0)
    return {};
  return " | books: " + std::to_string(t.produced) + " produced, " + std::to_string(t.delivered) + " delivered, " +
         std::to_string(t.dropped) + " dropped, " + std::to_string(t.lost) + " lost, " +
         (t.ended > 0 ? std::to_string(t.ended) + " ended, " : std::string()) +
         std::to_string(std::max<int64_t>(0, t.produced - t.delivered - t.dropped - t.lost - t.ended)) + " pending";
}

}  // namespace troupe
