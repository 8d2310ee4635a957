// torch_blas_bench: what libtorch costs on this machine's BLAS, one thread, medians.
// Run it under two BLAS libraries (bench/blas_ratio.sh does, through LD_LIBRARY_PATH)
// to see what OpenBLAS buys over Debian's reference BLAS: matmul-heavy models (an
// attention block, VideoJam's dense forecaster) and the convolutional detector.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "learning/detector_network.hpp"
#include "learning/detector_training.hpp"

namespace {

using namespace troupe::learning;

double median_ms(int rounds, const std::function<void()>& work) {
  work();  // warm-up: allocations, kernel selection
  std::vector<double> ms;
  for (int i = 0; i < rounds; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    work();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
  return ms[ms.size() / 2];
}

// One self-attention block over 64 tokens of width 64, batch 32, forward and backward
// (OctoCross's spatiotemporal attention is of this shape).
double attention_ms(int rounds) {
  torch::manual_seed(1);
  auto x = torch::randn({32, 64, 64});
  std::vector<torch::Tensor> w;
  for (int i = 0; i < 4; ++i)
    w.push_back((torch::randn({64, 64}) * 0.1).requires_grad_());
  return median_ms(rounds, [&] {
    auto q = x.matmul(w[0]), k = x.matmul(w[1]), v = x.matmul(w[2]);
    auto a = torch::softmax(q.matmul(k.transpose(1, 2)) / 8.0, -1);
    auto out = a.matmul(v).matmul(w[3]);
    out.pow(2).mean().backward();
  });
}

// VideoJam's forecaster: 50 slots -> 512 ReLU -> 10, batch 256, forward and backward.
double dense_ms(int rounds) {
  torch::manual_seed(1);
  torch::nn::Sequential net(torch::nn::Linear(50, 512), torch::nn::ReLU(), torch::nn::Linear(512, 10));
  auto x = torch::randn({256, 50}), y = torch::randn({256, 10});
  return median_ms(rounds, [&] { torch::mse_loss(net->forward(x), y).backward(); });
}

// The project's detector-s on one 320 x 320 input (TorchScript, as replicas serve it).
double detector_inference_ms(int rounds) {
  auto net = build_network(shape_of("s", 320), 1);
  auto input = torch::rand({1, 3, 320, 320});
  torch::NoGradGuard no_grad;
  return median_ms(rounds, [&] { net.forward({input}); });
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::stoi(argv[1]) : 20;
  at::set_num_threads(1);
  std::printf("attention block fwd+bwd   %9.3f ms\n", attention_ms(rounds));
  std::printf("dense forecaster fwd+bwd  %9.3f ms\n", dense_ms(rounds));
  std::printf("detector-s inference      %9.3f ms\n", detector_inference_ms(rounds));
  training_options o;
  o.sizes = {"s"};
  o.steps = 10;
  o.eval_frames = 0;
  o.threads = 1;
  o.output = "/tmp/torch_blas_bench-detector-s.pt";
  auto r = train_detectors(o).at(0);
  std::printf("detector-s training step  %9.3f ms (forward, loss, backward, optimiser; 16 frames)\n",
              r.per_step.forward_ms + r.per_step.loss_ms + r.per_step.backward_ms + r.per_step.optimiser_ms);
  return 0;
}
