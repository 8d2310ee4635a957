#include "actors/roomie/query_source.hpp"

#include <map>
#include <memory>
#include <set>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/common/camera_source.hpp"
#include "actors/common/item_ledger.hpp"
#include "actors/common/pipeline_names.hpp"
#include "actors/roomie/core/query_load.hpp"
#include "actors/roomie/message_checks.hpp"
#include "actors/runtime/node.hpp"
#include "troupe/messages/roomie.pb.h"
#include "troupe/messages/runtime.pb.h"

namespace troupe {

namespace {

struct query_source_settings {
  camera_source input;
  size_t frames = 16;
  std::vector<std::string> models;  // in popularity order
  double zipf_s = 1;
  double rate = 10;                 // queries per second of deployment time, times the curve
  roomie::load_curve curve;
  uint64_t seed = 1;
  int64_t stats_interval_ms = 1000;
};

class query_state {
 public:
  query_state(context ctx, query_source_settings s)
      : ctx_(std::move(ctx)), s_(std::move(s)), popularity_(s_.models.size(), s_.zipf_s),
        arrivals_(s_.rate, s_.curve, s_.seed), rng_(s_.seed + 1) {
    auto frames = s_.input.open();
    for (uint64_t sent = 0; regions_.size() < s_.frames; ++sent) {
      auto f = s_.input.next(*frames, ctx_, sent);
      if (!f)
        break;
      regions_.push_back(s_.input.region(ctx_, *f, cv::Rect(0, 0, f->image.cols, f->image.rows), 0, s_.input.sink));
    }
    if (regions_.empty())
      throw std::runtime_error("no frame in the source");
    for (auto& m : s_.models)
      counts_[m];
  }

  // Queries wait until a placement is known (or wait_for_detector_ms passed), so that a
  // run's first second is not counted as queries with nowhere to go.
  bool ready() const {
    return !replicas_.empty() || ctx_.now_ns() - created_ns_ >= s_.input.wait_for_detector_ms * 1'000'000;
  }

  // Seconds of deployment time until the next query is due.
  double until_next_s() {
    if (start_ns_ == 0)
      start_ns_ = ctx_.now_ns();
    next_s_ = arrivals_.next();
    return std::max(0.0, next_s_ - (ctx_.now_ns() - start_ns_) / 1e9);
  }

  // The query due now: a model by popularity, the next of its replicas in turn.
  void send_query() {
    auto& model = s_.models[popularity_.draw(rng_)];
    auto& c = counts_[model];
    ++c.queries;
    items_.produced(ctx_.name());
    auto& replicas = replicas_[model];
    if (replicas.empty()) {
      ++c.unrouted;  // no replica of it is up: counted, never silently lost
      items_.lost(ctx_.name(), "no replica of " + model + " up");
      return;
    }
    auto region = regions_[sent_ % regions_.size()];
    region.set_frame_index(sent_++);
    region.set_capture_time_unix_ns(ctx_.now_ns());
    auto& to = replicas[c.turn++ % replicas.size()];
    auto err = ctx_.send(to, std::move(region));
    items_.handed_on(ctx_.name(), to, err);  // the replica's answer goes to the sink
    if (err) {
      ++c.unsent;
      spdlog::debug("query-source {}: query to {} not sent: {}", ctx_.name(), to, caf::to_string(err));
    }
  }

  void on_placement(const msg::roomie::PlaceReply& r, caf::event_based_actor* self) {
    if (r.deferred() || !r.error().empty() || !counts_.count(r.model()))
      return;
    auto& list = replicas_[r.model()];
    if (std::find(list.begin(), list.end(), r.replica()) == list.end())
      list.push_back(r.replica());
    if (ctx_.knows(r.replica()) && monitored_.insert(r.replica()).second)  // an unknown one would be down at once
      ctx_.monitor(r.replica(), caf::actor_cast<caf::actor>(self));
  }

  // The placement actor's table: who is up now (a late start learns them here).
  void on_table(const msg::roomie::PlacementTable& t, caf::event_based_actor* self) {
    std::map<std::string, std::vector<std::string>> now;
    for (auto& r : t.placed())
      if (counts_.count(r.model()))
        now[r.model()].push_back(r.replica());
    replicas_.clear();
    for (auto& [model, list] : now)
      for (auto& r : list) {
        msg::roomie::PlaceReply p;
        p.set_replica(r);
        p.set_model(model);
        on_placement(p, self);
      }
  }

  void on_down(const std::string& replica) {
    monitored_.erase(replica);
    for (auto& [model, list] : replicas_)
      list.erase(std::remove(list.begin(), list.end(), replica), list.end());
  }

  // The sink's report lists these under the source, and closes its books from the
  // source's part (each query an item) and the replicas'; `final` at its exit.
  void report(bool final) const {
    msg::CameraStats st;
    st.set_camera(ctx_.name());
    st.set_kind("query-source");
    auto& f = *st.mutable_figures();
    for (auto& [model, c] : counts_) {
      f[model + "_queries_frames"] = double(c.queries);
      f[model + "_unrouted_frames"] = double(c.unrouted);
      f[model + "_unsent_frames"] = double(c.unsent);
    }
    ctx_.send(s_.input.sink, st);
    if (auto books = items_.report(final); books.cameras_size() > 0)
      ctx_.send(s_.input.sink, std::move(books));
  }

 private:
  struct model_counts {
    uint64_t queries = 0, unrouted = 0, unsent = 0;
    size_t turn = 0;
  };
  context ctx_;
  query_source_settings s_;
  roomie::zipf popularity_;
  roomie::query_arrivals arrivals_;
  std::mt19937_64 rng_;
  std::vector<msg::Region> regions_;
  std::map<std::string, std::vector<std::string>> replicas_;  // per model, as placed
  std::map<std::string, model_counts> counts_;
  std::set<std::string> monitored_;
  item_ledger items_{ctx_.name(), &ctx_.metrics()};
  uint64_t sent_ = 0;
  int64_t created_ns_ = ctx_.now_ns();
  int64_t start_ns_ = 0;
  double next_s_ = 0;
};

using report_atom = caf::atom_constant<caf::atom("qreport")>;
using start_atom = caf::atom_constant<caf::atom("qstart")>;

caf::behavior query_source(caf::event_based_actor* self, context ctx, std::shared_ptr<query_state> s,
                           int64_t stats_interval_ms) {
  if (auto err = ctx.subscribe("placements", caf::actor_cast<caf::actor>(self)))
    throw std::runtime_error(caf::to_string(err));
  auto after_s = [](double secs) { return std::chrono::nanoseconds(int64_t(secs * 1e9)); };
  ctx.after(self, std::chrono::milliseconds(0), start_atom::value);
  ctx.after(self, std::chrono::milliseconds(stats_interval_ms), report_atom::value);
  self->attach_functor([s] { s->report(true); });
  return {
    [=](const letter& in) {
      if (auto r = in.as<msg::roomie::PlaceReply>()) {
        if (auto why = roomie::check_reply(*r))
          return ctx.refuse(in, *why, "placement of '" + r->replica() + "'");
        s->on_placement(*r, self);
      } else if (auto t = in.as<msg::roomie::PlacementTable>()) {
        if (auto why = roomie::check_table(*t))
          return ctx.refuse(in, *why);
        s->on_table(*t, self);
      }
      else if (auto down = in.as<msg::ActorDown>())
        s->on_down(down->actor());
    },
    [=](start_atom) {
      if (s->ready())
        ctx.after(self, after_s(s->until_next_s()), tick_atom::value);
      else
        ctx.after(self, std::chrono::milliseconds(20), start_atom::value);
    },
    [=](tick_atom) {
      s->send_query();
      ctx.after(self, after_s(s->until_next_s()), tick_atom::value);
    },
    [=](report_atom) {
      s->report(false);
      ctx.after(self, std::chrono::milliseconds(stats_interval_ms), report_atom::value);
    },
  };
}

query_source_settings read_settings(const params& p) {
  query_source_settings s;
  s.input = read_camera_source(p);
  auto frames = p.get_int("frames", int64_t(s.frames));
  s.models = split_names(p.get_string("models"));
  s.zipf_s = p.get_double("zipf_s", s.zipf_s);
  s.rate = p.get_double("rate", s.rate);
  s.seed = uint64_t(p.get_int("seed", int64_t(s.seed)));
  s.stats_interval_ms = p.get_int("stats_interval_ms", s.stats_interval_ms);
  if (frames < 1 || s.models.empty() || !(s.zipf_s >= 0) || !(s.rate > 0) || s.stats_interval_ms < 1)
    throw std::runtime_error("need frames >= 1, models, zipf_s >= 0, rate > 0 and stats_interval_ms >= 1");
  s.frames = size_t(frames);
  auto load = p.get_string("load", "flat");
  if (load == "flat")
    s.curve.multiplier = {1};
  else if (load == "gp")
    s.curve = roomie::gaussian_process_load(p.get_double("gp_duration_s", 600), p.get_double("gp_length_s", 10),
                                            p.get_double("gp_sigma", 0.3), s.seed);
  else
    s.curve = roomie::read_load_curve(load);
  return s;
}

}  // namespace

kind_spec query_source_kind() {
  auto parameters = camera_source_params();
  for (auto& p : std::vector<param_spec>{
           {"models", param_type::string, true, "the models queried, most popular first: their kernel traces' names"},
           in_range({"zipf_s", param_type::number, false, "popularity: P(k-th model) ∝ 1/k^s, default 1"}, 0, 100),
           in_range({"rate", param_type::number, false, "queries per second (deployment time), times the load curve; default 10"}, 0, 100000),
           {"load", param_type::string, false, "flat (default), gp (a Gaussian process) or a CSV t_s,multiplier (troupe roomie-load)"},
           in_range({"gp_length_s", param_type::number, false, "gp: the RBF kernel's length, default 10"}, 0.001, 86400),
           in_range({"gp_sigma", param_type::number, false, "gp: its standard deviation, default 0.3"}, 0, 100),
           in_range({"gp_duration_s", param_type::number, false, "gp: seconds drawn before it repeats, default 600"}, 1, 86400),
           in_range({"frames", param_type::integer, false, "frames of the source read once and cycled, default 16"}, 1, 100000),
           in_range({"seed", param_type::integer, false, "arrivals and models drawn from it, default 1"}, 0, 9007199254740992),
           in_range({"stats_interval_ms", param_type::integer, false, "its counts to the sink, default 1000"}, 1, 3600000),
       })
    parameters.push_back(p);
  return {
    "query-source",
    "ROOMIE's workload: Poisson queries at a rate following a load curve, each for a model drawn by Zipf popularity, "
    "sent in turn to that model's replicas as placed",
    parameters,
    [](node& n, context ctx, const params& p) {
      auto cfg = read_settings(p);
      auto interval = cfg.stats_interval_ms;
      auto s = std::make_shared<query_state>(ctx, std::move(cfg));  // a source that will not open fails here
      return n.system().spawn(query_source, std::move(ctx), s, interval);
    },
  };
}

}  // namespace troupe
