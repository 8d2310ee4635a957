// One actor's part of the item books (msg::ItemBooks): per camera, the items (frames,
// regions) it produced, handed on to whom, dropped and lost by cause. Thread-safe: a
// replica's workers count from their own threads. Mirrored, when given a registry, as
// `troupe_items_total{actor,camera,fate,cause}` (docs/metrics.md).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include <caf/fwd.hpp>

#include "actors/runtime/metrics/registry.hpp"
#include "troupe/messages/vision.pb.h"

namespace troupe {

class item_ledger {
 public:
  explicit item_ledger(std::string actor, metrics::registry* metrics = nullptr);

  void produced(const std::string& camera, uint64_t n = 1);
  // The outcome of a send of one item to `to`: sent, or dropped or lost by the
  // error's cause (an emulated link's queue bound or deadline drops; the rest is lost).
  void handed_on(const std::string& camera, const std::string& to, const caf::error& outcome, uint64_t n = 1);
  // Causes are kept as "<actor>: <cause>".
  void dropped(const std::string& camera, const std::string& cause, uint64_t n = 1);
  void lost(const std::string& camera, const std::string& cause, uint64_t n = 1);
  // Taken and turned into others, or into nothing (item_books.hpp): neither delivered nor a loss.
  void ended(const std::string& camera, const std::string& cause, uint64_t n = 1);

  // The figures since the start. `final`: the actor handles nothing more, and `held`
  // (by camera) is what it still has in its hands.
  msg::ItemBooks report(bool final, const std::map<std::string, uint64_t>& held = {}) const;

 private:
  msg::CameraItems& of(const std::string& camera);  // with mtx_ held
  void mirror(const std::string& camera, const char* fate, const std::string& cause, uint64_t n);  // with mtx_ held

  std::string actor_, incarnation_;
  metrics::registry* metrics_;
  std::map<std::tuple<std::string, const char*, std::string>, metrics::counter*> series_;
  mutable std::mutex mtx_;
  std::map<std::string, msg::CameraItems> cameras_;
};

}  // namespace troupe
