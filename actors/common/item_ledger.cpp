#include "actors/common/item_ledger.hpp"

#include <chrono>

#include <caf/error.hpp>

#include "actors/runtime/errors.hpp"

namespace troupe {

namespace {

void add(google::protobuf::Map<std::string, uint64_t>& counts, const std::string& key, uint64_t n) {
  counts[key] += n;
}

std::string cause_of(const caf::error& e) {
  if (e.category() == caf::atom("troupe"))
    return std::string("not sent: ") + to_string(static_cast<errc>(e.code()));
  return "not sent: " + describe(e);
}

}  // namespace

item_ledger::item_ledger(std::string actor)
    : actor_(std::move(actor)),
      incarnation_(std::to_string(std::chrono::system_clock::now().time_since_epoch().count())) {}

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
}

void item_ledger::handed_on(const std::string& camera, const std::string& to, const caf::error& outcome,
                            uint64_t n) {
  std::lock_guard<std::mutex> lock(mtx_);
  auto& c = of(camera);
  if (!outcome)
    add(*c.mutable_sent(), to, n);
  else if (is(outcome, errc::link_dropped))
    add(*c.mutable_dropped(), actor_ + ": uplink queue full", n);
  else if (is(outcome, errc::link_cut))
    add(*c.mutable_dropped(), actor_ + ": cut at its deadline", n);
  else
    add(*c.mutable_lost(), actor_ + ": " + cause_of(outcome), n);
}

void item_ledger::ended(const std::string& camera, const std::string& cause, uint64_t n) {
  std::lock_guard<std::mutex> lock(mtx_);
  add(*of(camera).mutable_ended(), actor_ + ": " + cause, n);
}

void item_ledger::dropped(const std::string& camera, const std::string& cause, uint64_t n) {
  std::lock_guard<std::mutex> lock(mtx_);
  add(*of(camera).mutable_dropped(), actor_ + ": " + cause, n);
}

void item_ledger::lost(const std::string& camera, const std::string& cause, uint64_t n) {
  std::lock_guard<std::mutex> lock(mtx_);
  add(*of(camera).mutable_lost(), actor_ + ": " + cause, n);
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
