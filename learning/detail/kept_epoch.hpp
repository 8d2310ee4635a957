// The epoch a trainer keeps: the one with the lowest validation error (or the last,
// with no validation part), its parameters copied aside and restored at the end.
#pragma once

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

 private:
  std::vector<torch::Tensor> kept_;
  int epoch_ = 0;
  double error_ = 0;
};

}  // namespace troupe::learning::detail
