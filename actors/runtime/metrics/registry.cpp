#include "actors/runtime/metrics/registry.hpp"

#include <stdexcept>

namespace troupe::metrics {

namespace {

void add_to(std::atomic<double>& a, double v) {
  auto old = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(old, old + v, std::memory_order_relaxed)) {
  }
}

labels joined(const labels& first, const labels& then) {
  auto out = first;
  out.insert(out.end(), then.begin(), then.end());
  return out;
}

}  // namespace

void counter::add(double v) {
  if (v > 0)
    add_to(v_, v);
}

void gauge::add(double v) {
  add_to(v_, v);
}

registry::series& registry::find_or_make(const std::string& name, const std::string& type, const std::string& help,
                                         const labels& l) {
  check_series(name, l);
  auto [family, fresh] = families_.emplace(name, std::make_pair(type, help));
  if (!fresh && family->second != std::make_pair(type, help))
    throw std::invalid_argument("metric " + name + " was made as a " + family->second.first + " (\"" +
                                family->second.second + "\"), now asked for as a " + type + " (\"" + help + "\")");
  auto& s = series_[{name, l}];
  if (!s) {
    s = std::make_unique<series>(series{name, help, l, nullptr, nullptr, nullptr});
    order_.push_back(s.get());
  }
  return *s;
}

counter& registry::counter_for(const std::string& name, const std::string& help, const labels& l) {
  std::lock_guard<std::mutex> lock(mtx_);
  auto& s = find_or_make(name, "counter", help, l);
  if (!s.c)
    s.c = std::make_unique<counter>();
  return *s.c;
}

gauge& registry::gauge_for(const std::string& name, const std::string& help, const labels& l) {
  std::lock_guard<std::mutex> lock(mtx_);
  auto& s = find_or_make(name, "gauge", help, l);
  if (!s.g)
    s.g = std::make_unique<gauge>();
  return *s.g;
}

histogram& registry::histogram_for(const std::string& name, const std::string& help, const labels& l,
                                   const std::vector<double>& bounds) {
  std::lock_guard<std::mutex> lock(mtx_);
  auto& s = find_or_make(name, "histogram", help, l);
  if (!s.h)
    s.h = std::make_unique<histogram>(bounds);
  return *s.h;
}

void registry::write(exposition& out, const labels& extra) const {
  std::lock_guard<std::mutex> lock(mtx_);
  for (auto* s : order_) {
    auto l = joined(extra, s->l);
    if (s->c)
      out.counter(s->name, s->help, l, s->c->value());
    else if (s->g)
      out.gauge(s->name, s->help, l, s->g->value());
    else
      out.histogram(s->name, s->help, l, s->h->snapshot());
  }
}

}  // namespace troupe::metrics
