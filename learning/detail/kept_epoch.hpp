// The epoch a trainer keeps: the one with the lowest validation error (or the last,
// with no validation part), its parameters copied aside and restored at the end.
#pragma once

#include <string>
#include <vector>

#include <torch/torch.h>

namespace troupe::learning::detail {

class kept_epoch {
 public:
  // Keeps `params` when `validation_error` is the best yet (or no validation is scored).
  bool offer(int epoch, double validation_error, bool validated, const std::vector<torch::Tensor>& params) {
    if (!kept_.empty() && validated && validation_error >= error_)
      return false;
    kept_.clear();
    for (auto& p : params)
      kept_.push_back(p.detach().clone());
    epoch_ = epoch;
    error_ = validation_error;
    return true;
  }

  void restore(const std::vector<torch::Tensor>& params) const {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < params.size(); ++i)
      params[i].copy_(kept_[i]);
  }

  int epoch() const { return epoch_; }
  double error() const { return error_; }

  // For training_checkpoint.
  void save(torch::serialize::OutputArchive& a) const {
    a.write("epoch", c10::IValue(int64_t(epoch_)));
    a.write("error", c10::IValue(error_));
    a.write("count", c10::IValue(int64_t(kept_.size())));
    for (size_t i = 0; i < kept_.size(); ++i)
      a.write("param." + std::to_string(i), kept_[i]);
  }
  void load(torch::serialize::InputArchive& a) {
    c10::IValue epoch, error, count;
    a.read("epoch", epoch);
    a.read("error", error);
    a.read("count", count);
    epoch_ = int(epoch.toInt());
    error_ = error.toDouble();
    kept_.assign(size_t(count.toInt()), torch::Tensor());
    for (size_t i = 0; i < kept_.size(); ++i)
      a.read("param." + std::to_string(i), kept_[i]);
  }

 private:
  std::vector<torch::Tensor> kept_;
  int epoch_ = 0;
  double error_ = 0;
};

}  // namespace troupe::learning::detail
