// REACT's C++ API (react.txt, §4): the paper's CloudServerInference and
// ReactEdgeInference on top of Troupe's actors. A program joins a deployment where a
// cloud model server (a `detector` replica) runs, as a node of its own, and asks for
// annotations image by image. get_annotations(image) returns JSON:
//
//   {"frame": 12, "objects": [{"label": "person", "box": [x, y, width, height],
//                              "score": 0.83, "source": "cloud"}]}
//
// boxes in the image's pixels, top-left corner and size (the paper's are centred).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "actors/react/react_edge.hpp"
#include "vision/detector.hpp"

namespace troupe::react {

struct cloud_inference_options {
  std::string nats_url;                 // the deployment's NATS server, e.g. nats://127.0.0.1:4222
  std::string deployment = "react";     // the deployment the model server runs in
  std::string server = "model-server";  // its replica's name
  std::string client = "react-client";  // this program's node and actor are named after it
  int64_t timeout_ms = 5000;            // get_annotations gives up after this long
  int jpeg_quality = 90;
};

// The model server's client. On its own, get_annotations sends the image and waits for
// the server's objects; edge_inference uses it asynchronously.
class cloud_inference {
 public:
  explicit cloud_inference(cloud_inference_options options);  // throws when it cannot join
  ~cloud_inference();
  cloud_inference(const cloud_inference&) = delete;
  cloud_inference& operator=(const cloud_inference&) = delete;

  nlohmann::json get_annotations(const cv::Mat& image);  // throws std::runtime_error on timeout

  // Asynchronous use: `frame` numbers the request; its objects come back through
  // take_replies, with the frame number.
  void submit(uint64_t frame, const cv::Mat& image);
  std::vector<std::pair<uint64_t, std::vector<vision::detection>>> take_replies();
  // Fast-tracking on the client's fast tracker actor; results come back through take_caught_up.
  void catch_up(catch_up_job job);
  std::vector<catch_up_result> take_caught_up();

  struct impl;  // the client node, its inbox actor and what arrived

 private:
  std::unique_ptr<impl> impl_;
};

struct edge_inference_options {
  std::string model = "hog";             // the edge detector, run in this process
  vision::detector_options detector;
  react_settings manager;                // mode, k, m, tracker, δ, thresholds
};

// The edge manager in this process: the edge model in line every k-th image, the
// cloud asked every m-th (without waiting), late cloud objects fast-tracked and fused.
// `cloud` may be null for the modes that do not use it (edge-only, every-frame-edge).
class edge_inference {
 public:
  edge_inference(edge_inference_options options, cloud_inference* cloud);
  ~edge_inference();
  nlohmann::json get_annotations(const cv::Mat& image);
  const react_counters& counters() const { return manager_.counters(); }
  uint64_t cloud_unreachable() const { return cloud_unreachable_; }  // frames the cloud could not be sent

 private:
  void take_cloud_results();
  void follow(result_outcome out);

  edge_inference_options options_;
  cloud_inference* cloud_;
  std::unique_ptr<vision::detector> detector_;
  react_edge manager_;
  uint64_t frame_ = 0, cloud_unreachable_ = 0;
};

}  // namespace troupe::react
