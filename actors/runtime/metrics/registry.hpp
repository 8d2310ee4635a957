// What a node's actors measure, kept until a scrape writes it out: each series (a
// family's name and one set of labels) is made once, then updated by any thread without
// a lock (counters, gauges) or under its own (histograms). Series live as long as the
// node: an actor that restarts under its name adds to the same counters, as Prometheus
// expects of a process.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "actors/runtime/metrics/exposition.hpp"

namespace troupe::metrics {

class counter {
 public:
  void add(double v = 1);  // v >= 0: a counter only rises
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

class gauge {
 public:
  void set(double v) { v_.store(v, std::memory_order_relaxed); }
  void add(double v);
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

class registry {
 public:
  // The series of `name` with labels `l`, made on first use. Throws std::invalid_argument
  // for a name Prometheus would refuse, or a family asked for as another type or with
  // another help (two actors describing one family differently is a bug).
  counter& counter_for(const std::string& name, const std::string& help, const labels& l);
  gauge& gauge_for(const std::string& name, const std::string& help, const labels& l);
  histogram& histogram_for(const std::string& name, const std::string& help, const labels& l,
                           const std::vector<double>& bounds);

  // Every series, `extra` labels (the node's) first, in the order the families were made.
  void write(exposition& out, const labels& extra = {}) const;

 private:
  struct series {
    std::string name, help;
    labels l;
    std::unique_ptr<counter> c;
    std::unique_ptr<gauge> g;
    std::unique_ptr<histogram> h;
  };
  series& find_or_make(const std::string& name, const std::string& type, const std::string& help, const labels& l);

  mutable std::mutex mtx_;
  std::map<std::string, std::pair<std::string, std::string>> families_;  // name -> type, help
  std::map<std::pair<std::string, labels>, std::unique_ptr<series>> series_;
  std::vector<series*> order_;
};

}  // namespace troupe::metrics
