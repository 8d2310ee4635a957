#include "actors/react/react_inference.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include <caf/all.hpp>

#include "actors/common/box_codec.hpp"
#include "actors/runtime/node.hpp"
#include "actors/react/react_fast_tracker.hpp"
#include "vision/jpeg_codec.hpp"
#include "vision/object_class.hpp"

namespace troupe::react {

namespace {

nlohmann::json annotations_json(uint64_t frame, const std::vector<object>& objects) {
  nlohmann::json list = nlohmann::json::array();
  for (auto& o : objects) {
    auto& b = o.det.box;
    list.push_back({{"label", vision::class_name(o.det.label)},
                    {"box", {b.x, b.y, b.width, b.height}},
                    {"score", o.det.score},
                    {"source", name_of(o.last_source)}});
  }
  return {{"frame", frame}, {"objects", list}};
}

}  // namespace

constexpr uint64_t first_sync_request = uint64_t(1) << 62;  // get_annotations' numbers, apart from edge frames

struct cloud_inference::impl {
  cloud_inference_options o;
  // Declared before the node: the node stops the actors that deliver here first.
  std::mutex mtx;
  std::condition_variable arrived;
  std::vector<std::pair<uint64_t, std::vector<vision::detection>>> replies;
  std::vector<catch_up_result> caught_up;
  uint64_t next_sync = first_sync_request;
  std::unique_ptr<node> client;
  context ctx;  // the inbox's: requests leave under its name and its replies come to it
  caf::actor inbox;

  ~impl() {
    inbox = nullptr;
    ctx = {};
    client.reset();  // its actors stop before the mutex and the lists go
  }

  void deliver(uint64_t frame, std::vector<vision::detection> found) {
    std::lock_guard<std::mutex> lock(mtx);
    replies.emplace_back(frame, std::move(found));
    arrived.notify_all();
  }
  void deliver(catch_up_result r) {
    std::lock_guard<std::mutex> lock(mtx);
    caught_up.push_back(std::move(r));
  }
};

namespace {

// Receives the server's replies and runs fast-tracking on a detached tracker of its own.
caf::behavior client_inbox(caf::event_based_actor* self, context, cloud_inference::impl* owner) {
  auto tracker = self->spawn<caf::detached + caf::linked>(troupe::react_fast_tracker);
  return {
    [=](const letter& in) {
      if (auto d = in.as<msg::Detections>())
        owner->deliver(d->frame_index(), detections_of(d->boxes()));
    },
    [=](const catch_up_job_ptr& job) { self->send(tracker, job); },
    [=](const catch_up_result_ptr& done) { owner->deliver(*done); },
  };
}

}  // namespace

cloud_inference::cloud_inference(cloud_inference_options options) : impl_(std::make_unique<impl>()) {
  impl_->o = std::move(options);
  auto& o = impl_->o;
  node_config cfg;
  cfg.deployment = o.deployment;
  cfg.name = o.client;
  cfg.bus.url = o.nats_url;
  impl_->client = std::make_unique<node>(cfg);
  auto inbox = impl_->client->spawn_function(o.client + "-inbox", client_inbox, impl_.get());
  if (!inbox)
    throw std::runtime_error("react client: " + caf::to_string(inbox.error()));
  impl_->inbox = *inbox;
  impl_->ctx = impl_->client->make_context(o.client + "-inbox");
}

cloud_inference::~cloud_inference() = default;  // the node stops its actors, the tracker with the inbox

void cloud_inference::submit(uint64_t frame, const cv::Mat& image) {
  msg::Region r;
  r.set_camera(impl_->o.client);
  r.set_frame_index(frame);
  r.set_capture_time_unix_ns(impl_->ctx.now_ns());
  r.set_width(image.cols);
  r.set_height(image.rows);
  r.set_jpeg(vision::encode_jpeg(image, impl_->o.jpeg_quality));
  r.set_reply_to(impl_->ctx.name());
  if (auto err = impl_->ctx.send(impl_->o.server, std::move(r)))
    throw std::runtime_error("react client: " + impl_->o.server + " unreachable: " + caf::to_string(err));
}

nlohmann::json cloud_inference::get_annotations(const cv::Mat& image) {
  uint64_t frame;
  {
    std::lock_guard<std::mutex> lock(impl_->mtx);
    frame = impl_->next_sync++;
  }
  submit(frame, image);
  std::unique_lock<std::mutex> lock(impl_->mtx);
  auto& replies = impl_->replies;
  replies.erase(std::remove_if(replies.begin(), replies.end(),  // late answers to calls that timed out
                               [&](auto& r) { return r.first >= first_sync_request && r.first < frame; }),
                replies.end());
  auto mine = [&] { return std::find_if(replies.begin(), replies.end(), [&](auto& r) { return r.first == frame; }); };
  if (!impl_->arrived.wait_for(lock, std::chrono::milliseconds(impl_->o.timeout_ms), [&] { return mine() != replies.end(); }))
    throw std::runtime_error("react client: no answer from " + impl_->o.server + " within " +
                             std::to_string(impl_->o.timeout_ms) + " ms");
  auto it = mine();
  std::vector<object> objects;
  for (auto& d : it->second)
    objects.push_back({d, source::cloud});
  replies.erase(it);
  return annotations_json(frame, objects);
}

std::vector<std::pair<uint64_t, std::vector<vision::detection>>> cloud_inference::take_replies() {
  std::lock_guard<std::mutex> lock(impl_->mtx);
  std::vector<std::pair<uint64_t, std::vector<vision::detection>>> out, kept;
  for (auto& r : impl_->replies)  // get_annotations' own stay for it
    (r.first >= first_sync_request ? kept : out).push_back(std::move(r));
  impl_->replies = std::move(kept);
  return out;
}

void cloud_inference::catch_up(catch_up_job job) {
  caf::anon_send(impl_->inbox, catch_up_job_ptr(std::make_shared<catch_up_job>(std::move(job))));
}

std::vector<catch_up_result> cloud_inference::take_caught_up() {
  std::lock_guard<std::mutex> lock(impl_->mtx);
  return std::exchange(impl_->caught_up, {});
}

edge_inference::edge_inference(edge_inference_options options, cloud_inference* cloud)
    : options_(std::move(options)), cloud_(cloud), manager_(options_.manager) {
  auto mode = options_.manager.mode;
  if (mode != react_mode::cloud_only)
    detector_ = vision::make_detector(options_.model, options_.detector);
  if ((mode == react_mode::react || mode == react_mode::cloud_only) && cloud_ == nullptr)
    throw std::runtime_error(std::string("react mode ") + name_of(mode) + " needs a cloud_inference");
}

edge_inference::~edge_inference() = default;

void edge_inference::take_cloud_results() {
  if (cloud_ == nullptr)
    return;
  for (auto& [frame, found] : cloud_->take_replies())
    follow(manager_.on_detections(source::cloud, frame, std::move(found)));
  for (auto& done : cloud_->take_caught_up())
    follow(manager_.on_caught_up(done));
}

// Results are taken only when the caller brings its next image, so a catch-up handed
// to the fast tracker always comes back one image behind. The last tracker step is
// therefore run here, in line, where no image can arrive meanwhile.
void edge_inference::follow(result_outcome out) {
  while (out.next && out.next->frames.size() <= size_t(out.next->stride) + 1)
    out = manager_.on_caught_up(run_catch_up(*out.next));
  if (out.next)
    cloud_->catch_up(std::move(*out.next));
}

nlohmann::json edge_inference::get_annotations(const cv::Mat& image) {
  take_cloud_results();
  auto frame = frame_++;
  auto plan = manager_.on_frame(frame, image.clone());  // kept for fast-tracking: the caller may reuse its buffer
  if (plan.to_cloud) {
    try {
      cloud_->submit(frame, image);
    } catch (const std::runtime_error&) {
      ++cloud_unreachable_;  // the edge goes on alone until the server is back
    }
  }
  if (plan.to_edge)
    manager_.on_detections(source::edge, frame, detector_->detect(image));  // the newest frame: fused at once
  return annotations_json(frame, manager_.objects());
}

}  // namespace troupe::react
