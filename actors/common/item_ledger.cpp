#include "actors/common/item_ledger.hpp"

#include <chrono>

#include <caf/error.hpp>

#include "actors/runtime/errors.hpp"

namespace troupe {

namespace {

void add(google::protobuf::Map<std::string, uint64_t>& counts, const std::string& key, uint64_t n) {
  counts[key] += n;
}

// Why a send failed; `detailed`: with the error's own words (the books), else only its
// code, so that a metric's causes stay few.
std::string cause_of(const caf::error& e, bool detailed) {
  if (e.category() == caf::atom("troupe"))
    return std::string("not sent: ") + to_string(static_cast<errc>(e.code()));
  return detailed ? "not sent: " + describe(e) : "not sent: " + caf::to_string(e.category());
}

}  // namespace

item_ledger::item_ledger(std::string actor, metrics::registry* metrics)
    : actor_(std::move(actor)),
      incarnation_(std::to_string(std::chrono::system_clock::now().time_since_epoch().count())),
      metrics_(metrics) {}

void item_ledger::mirror(const std::string& camera, const char* fate, const std::string& cause, uint64_t n) {
  if (metrics_ == nullptr)
    return;
  auto& c = series_[{camera, fate, cause}];
  if (c == nullptr)
    c = &metrics_->counter_for("troupe_items_total",
                               "Items (frames, regions, queries) of a camera and what became of them at an actor",
                               {{"actor", actor_}, {"camera", camera}, {"fate", fate}, {"cause", cause}});
  c->add(double(n));
}

msg::CameraItems& item_ledger::of(const std::string& camera) {
  auto& c = cameras_[camera];
  if (c.camera().empty())
    c.set_camera(camera);
  return c;
}

void item_ledger::produced(const std::string& camera, uint64_t n) {
  std::lock_guard<std::mutex> lock(mtx_);
  auto& c = of(camera);
  c.set_produced(c.produced() + n);
  mirror(camera, "produced", "", n);
}

void item_ledger::handed_on(const std::string& camera, const std::string& to, const caf::error& outcome,
                            uint64_t n) {
  std::lock_guard<std::mutex> lock(mtx_);
  auto& c = of(camera);
  if (!outcome) {
    add(*c.mutable_sent(), to, n);
    mirror(camera, "sent", "", n);
  } else if (is(outcome, errc::link_dropped)) {
    add(*c.mutable_dropped(), actor_ + ": uplink queue full", n);
    mirror(camera, "dropped", "uplink queue full", n);
  } else if (is(outcome, errc::link_cut)) {
    add(*c.mutable_dropped(), actor_ + ": cut at its deadline", n);
    mirror(camera, "dropped", "cut at its deadline", n);
  } else {
    add(*c.mutable_lost(), actor_ + ": " + cause_of(outcome, true), n);
    mirror(camera, "lost", cause_of(outcome, false), n);
  }
}

void item_ledger::ended(const std::string& camera, const std::string& cause, uint64_t n) {
  std::lock_guard<std::mutex> lock(mtx_);
  add(*of(camera).mutable_ended(), actor_ + ": " + cause, n);
  mirror(camera, "ended", cause, n);
}

void item_ledger::dropped(const std::string& camera, const std::string& cause, uint64_t n) {
  std::lock_guard<std::mutex> lock(mtx_);
  add(*of(camera).mutable_dropped(), actor_ + ": " + cause, n);
  mirror(camera, "dropped", cause, n);
}

void item_ledger::lost(const std::string& camera, const std::string& cause, uint64_t n) {
  std::lock_guard<std::mutex> lock(mtx_);
  add(*of(camera).mutable_lost(), actor_ + ": " + cause, n);
  mirror(camera, "lost", cause, n);
}

msg::ItemBooks item_ledger::report(bool final, const std::map<std::string, uint64_t>& held) const {
  msg::ItemBooks out;
  out.set_actor(actor_);
  out.set_final(final);
  out.set_incarnation(incarnation_);
  std::lock_guard<std::mutex> lock(mtx_);
  for (auto& [camera, items] : cameras_) {
    auto* c = out.add_cameras();
    *c = items;
    if (auto h = held.find(camera); h != held.end())
      c->set_held(h->second);
  }
  for (auto& [camera, n] : held)  // held items of a camera it has not counted otherwise
    if (cameras_.count(camera) == 0 && n > 0) {
      auto* c = out.add_cameras();
      c->set_camera(camera);
      c->set_held(n);
    }
  return out;
}

}  // namespace troupe
