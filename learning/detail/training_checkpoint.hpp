// A trainer's place between sessions: after every epoch the parameters, the optimizer's
// state, the epoch kept so far and the shuffling generator are written whole beside the
// output (<output>.checkpoint); a run with the same settings starts from there, one with
// other settings starts afresh (and says so); the file goes once the output is written.
#pragma once

#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>
#include <torch/torch.h>
#include <unistd.h>

#include "learning/detail/kept_epoch.hpp"

namespace troupe::learning::detail {

class training_checkpoint {
 public:
  // `settings`: everything that makes a checkpoint another run's (sizes, rates, seed, data).
  training_checkpoint(const std::string& output, std::string settings)
      : path_(output + ".checkpoint"), settings_(std::move(settings)) {}

  // The epoch to start at: 0 without a checkpoint of these settings, else the one after
  // the last saved, with everything restored.
  int resume(const std::vector<torch::Tensor>& params, torch::optim::Optimizer& opt, kept_epoch& kept,
             std::mt19937_64& rng) const {
    if (!std::filesystem::exists(path_))
      return 0;
    torch::serialize::InputArchive a;
    a.load_from(path_);
    c10::IValue settings, next, generator;
    a.read("settings", settings);
    if (settings.toStringRef() != settings_) {
      spdlog::warn("{}: written by a run with other settings; starting afresh", path_);
      return 0;
    }
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < params.size(); ++i) {
      torch::Tensor t;
      a.read("param." + std::to_string(i), t);
      params[i].copy_(t);
    }
    torch::serialize::InputArchive o, k;
    a.read("optimizer", o);
    opt.load(o);
    a.read("kept", k);
    kept.load(k);
    a.read("generator", generator);
    std::istringstream(generator.toStringRef()) >> rng;
    a.read("next_epoch", next);
    spdlog::info("{}: resuming at epoch {}", path_, next.toInt() + 1);
    return int(next.toInt());
  }

  void save(int next_epoch, const std::vector<torch::Tensor>& params, const torch::optim::Optimizer& opt,
            const kept_epoch& kept, const std::mt19937_64& rng) const {
    torch::serialize::OutputArchive a, o, k;
    a.write("settings", c10::IValue(settings_));
    for (size_t i = 0; i < params.size(); ++i)
      a.write("param." + std::to_string(i), params[i].detach());
    opt.save(o);
    a.write("optimizer", o);
    kept.save(k);
    a.write("kept", k);
    std::ostringstream generator;
    generator << rng;
    a.write("generator", c10::IValue(generator.str()));
    a.write("next_epoch", c10::IValue(int64_t(next_epoch)));
    auto temp = path_ + ".tmp-" + std::to_string(::getpid());
    a.save_to(temp);
    std::filesystem::rename(temp, path_);
  }

  void remove() const {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }

 private:
  std::string path_, settings_;
};

}  // namespace troupe::learning::detail
