// REACT's API (react.txt, §4) on a real video: a cloud model server (a HOG replica)
// runs on one node of a deployment; this program joins it as a client with
// cloud_inference, and with edge_inference runs the edge manager in-process (a Haar
// full-body cascade every k-th frame, the cloud every m-th, tracked in between). It
// prints the JSON of a few frames and what the edge manager did.
// Usage: react_annotations [VIDEO] [FRAMES]   (default: opencv-doc's vtest.avi, 120)
#include <cstdio>
#include <string>
#include <thread>

#include <opencv2/videoio.hpp>

#include "actors/systems.hpp"
#include "actors/runtime/deploy/nats_server.hpp"
#include "actors/runtime/node.hpp"
#include "actors/react/react_inference.hpp"

using namespace troupe;

int main(int argc, char** argv) {
  std::string video = argc > 1 ? argv[1] : "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
  int frames = argc > 2 ? std::stoi(argv[2]) : 120;
  cv::VideoCapture in(video);
  if (!in.isOpened()) {
    std::fprintf(stderr, "%s: cannot open\n", video.c_str());
    return 1;
  }
  nats_server bus;  // Debian's nats-server on a free loopback port
  node_config cfg;
  cfg.deployment = "react-example";
  cfg.name = "cloud";
  cfg.bus.url = bus.url();
  cfg.kinds = &builtin_kinds();
  node cloud(cfg);
  YAML::Node server;
  server["model"] = "hog";
  server["max_batch"] = 4;
  if (auto r = cloud.spawn("model-server", "detector", params(server)); !r) {
    std::fprintf(stderr, "model server: %s\n", caf::to_string(r.error()).c_str());
    return 1;
  }

  react::cloud_inference_options co;
  co.nats_url = bus.url();
  co.deployment = cfg.deployment;
  co.server = "model-server";
  react::cloud_inference client(co);
  cv::Mat image;
  in >> image;
  auto once = client.get_annotations(image);  // the server alone, synchronously
  std::printf("cloud_inference, frame 0: %zu objects\n", once["objects"].size());

  react::edge_inference_options eo;
  eo.model = "haar-fullbody";
  eo.manager.tracker = "flow";  // CSRT (the paper's) is slower on a small machine
  react::edge_inference edge(eo, &client);
  double fps = in.get(cv::CAP_PROP_FPS) > 0 ? in.get(cv::CAP_PROP_FPS) : 10;
  auto next = std::chrono::steady_clock::now();
  for (int i = 0; i < frames && !image.empty(); ++i, in >> image) {
    std::this_thread::sleep_until(next);  // a camera's pace: the cloud answers while frames go on
    next += std::chrono::microseconds(int64_t(1e6 / fps));
    auto out = edge.get_annotations(image);
    if (i % 30 == 0 || i == frames - 1)
      std::printf("edge_inference, frame %d: %s\n", i, out.dump().substr(0, 240).c_str());
  }
  auto& c = edge.counters();
  std::printf("%lu frames: %lu edge detections, %lu cloud requests, %lu cloud fusions after %lu catch-ups\n",
              (unsigned long) c.frames, (unsigned long) c.edge_requests, (unsigned long) c.cloud_requests,
              (unsigned long) c.cloud_fusions, (unsigned long) c.catch_ups);
  return 0;
}
