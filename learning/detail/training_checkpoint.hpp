// A trainer's place between sessions, written whole beside the output
// (<output>.checkpoint): for an epoch loop, after every epoch the parameters, the
// optimizer's state, the epoch kept so far and the shuffling generator; for others
// (PPO), whatever their writer puts in. A run with the same settings starts from
// there, one with other settings starts afresh (and says so); the file goes once the
// output is written.
#pragma once

#include <filesystem>
#include <functional>
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
  using reader = std::function<void(torch::serialize::InputArchive&)>;
  using writer = std::function<void(torch::serialize::OutputArchive&)>;

  // `settings`: everything that makes a checkpoint another run's (sizes, rates, seed, data).
  training_checkpoint(const std::string& output, std::string settings)
      : path_(output + ".checkpoint"), settings_(std::move(settings)) {}

  // Hands the checkpoint of these settings to `restore`; false (and nothing read)
  // without one.
  bool load(const reader& restore) const {
    if (!std::filesystem::exists(path_))
      return false;
    torch::serialize::InputArchive a;
    a.load_from(path_);
    c10::IValue settings;
    a.read("settings", settings);
    if (settings.toStringRef() != settings_) {
      spdlog::warn("{}: written by a run with other settings; starting afresh", path_);
      return false;
    }
    restore(a);
    return true;
  }

  // What `write` puts in, whole: to a temporary file renamed over the last.
  void save(const writer& write) const {
    torch::serialize::OutputArchive a;
    a.write("settings", c10::IValue(settings_));
    write(a);
    auto temp = path_ + ".tmp-" + std::to_string(::getpid());
    a.save_to(temp);
    std::filesystem::rename(temp, path_);
  }

  // The epoch loop's use: the epoch to start at, 0 without a checkpoint of these
  // settings, else the one after the last saved, with everything restored.
  int resume(const std::vector<torch::Tensor>& params, torch::optim::Optimizer& opt, kept_epoch& kept,
             std::mt19937_64& rng) const {
    int next_epoch = 0;
    load([&](torch::serialize::InputArchive& a) {
      read_tensors(a, "param", params);
      torch::serialize::InputArchive o, k;
      a.read("optimizer", o);
      opt.load(o);
      a.read("kept", k);
      kept.load(k);
      read_generator(a, rng);
      c10::IValue next;
      a.read("next_epoch", next);
      next_epoch = int(next.toInt());
      spdlog::info("{}: resuming at epoch {}", path_, next_epoch + 1);
    });
    return next_epoch;
  }

  void save(int next_epoch, const std::vector<torch::Tensor>& params, const torch::optim::Optimizer& opt,
            const kept_epoch& kept, const std::mt19937_64& rng) const {
    save([&](torch::serialize::OutputArchive& a) {
      write_tensors(a, "param", params);
      torch::serialize::OutputArchive o, k;
      opt.save(o);
      a.write("optimizer", o);
      kept.save(k);
      a.write("kept", k);
      write_generator(a, rng);
      a.write("next_epoch", c10::IValue(int64_t(next_epoch)));
    });
  }

  void remove() const {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }

  const std::string& path() const { return path_; }

  static void write_tensors(torch::serialize::OutputArchive& a, const std::string& name,
                            const std::vector<torch::Tensor>& tensors) {
    for (size_t i = 0; i < tensors.size(); ++i)
      a.write(name + "." + std::to_string(i), tensors[i].detach());
  }

  // Into the tensors in place (parameters an optimizer holds).
  static void read_tensors(torch::serialize::InputArchive& a, const std::string& name,
                           const std::vector<torch::Tensor>& tensors) {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < tensors.size(); ++i) {
      torch::Tensor t;
      a.read(name + "." + std::to_string(i), t);
      tensors[i].copy_(t);
    }
  }

  static void write_generator(torch::serialize::OutputArchive& a, const std::mt19937_64& rng) {
    std::ostringstream generator;
    generator << rng;
    a.write("generator", c10::IValue(generator.str()));
  }

  static void read_generator(torch::serialize::InputArchive& a, std::mt19937_64& rng) {
    c10::IValue generator;
    a.read("generator", generator);
    std::istringstream(generator.toStringRef()) >> rng;
  }

 private:
  std::string path_, settings_;
};

}  // namespace troupe::learning::detail
