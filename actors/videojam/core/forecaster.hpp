// Short-term forecasts of a load balancer's incoming load (§3.5.1): from the last h
// slots, the next k. The dense network (one hidden layer of 512 units, trained by
// `troupe train-forecaster` with libtorch) and the LSTM (OctoCross's Distream baseline,
// octocross.txt §5.1) are evaluated here in plain C++ from their weight files, so
// balancers never load libtorch; the naive forecaster repeats the last window and is
// both the fallback and the comparison.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace troupe::videojam {

class forecaster {
 public:
  virtual ~forecaster() = default;
  // `history`: arrivals per slot, oldest first; shorter than h is padded with its
  // first value (zeros when empty). Returns k non-negative values.
  virtual std::vector<double> forecast(const std::vector<double>& history) const = 0;
  virtual size_t horizon() const = 0;  // k
  virtual const std::string& name() const = 0;
};

// Repeats the mean of the last k slots.
class naive_forecaster final : public forecaster {
 public:
  explicit naive_forecaster(size_t k) : k_(k) {}
  std::vector<double> forecast(const std::vector<double>& history) const override;
  size_t horizon() const override { return k_; }
  const std::string& name() const override { return name_; }

 private:
  size_t k_;
  std::string name_ = "naive";
};

// The weights of h → relu(units) → k, with inputs and outputs divided by `scale`.
struct dense_weights {
  size_t h = 50, k = 10, units = 512;
  double scale = 1;
  std::vector<float> w1, b1, w2, b2;  // row-major: w1 is units×h, w2 is k×units
};

class dense_forecaster final : public forecaster {
 public:
  explicit dense_forecaster(dense_weights w);
  std::vector<double> forecast(const std::vector<double>& history) const override;
  size_t horizon() const override { return w_.k; }
  const std::string& name() const override { return name_; }
  const dense_weights& weights() const { return w_; }

 private:
  dense_weights w_;
  std::string name_ = "dense";
};

// The weights of an LSTM of `units` over the h slots (one input each, gates in
// libtorch's order i, f, g, o), its last hidden state → k by a linear layer; inputs
// and outputs divided by `scale`.
struct lstm_weights {
  size_t h = 50, k = 10, units = 64;
  double scale = 1;
  std::vector<float> w_ih, w_hh, b_ih, b_hh, w_out, b_out;  // 4u×1, 4u×u, 4u, 4u, k×u, k
};

class lstm_forecaster final : public forecaster {
 public:
  explicit lstm_forecaster(lstm_weights w);
  std::vector<double> forecast(const std::vector<double>& history) const override;
  size_t horizon() const override { return w_.k; }
  const std::string& name() const override { return name_; }

 private:
  lstm_weights w_;
  std::string name_ = "lstm";
};

// The text formats: "troupe-forecaster 1" (dense) or "troupe-forecaster-lstm 1", then
// "h k units scale", then the arrays in the order the structs list them.
void save_dense_weights(const dense_weights& w, const std::string& path);
void save_lstm_weights(const lstm_weights& w, const std::string& path);
// Throw std::runtime_error naming the file and what is wrong with it.
dense_weights load_dense_weights(const std::string& path);
lstm_weights load_lstm_weights(const std::string& path);

// "naive", or the path of a weight file (dense or LSTM, by its first line); a file
// whose h or k differ from the balancer's is refused.
std::unique_ptr<forecaster> make_forecaster(const std::string& model, size_t h, size_t k);

// The last h values of `history`, padded at the front with its first value.
std::vector<double> last_slots(const std::vector<double>& history, size_t h);

}  // namespace troupe::videojam

namespace troupe::videojam {

// A recorded incoming-load trace: "slot,items" lines under that header, as balancers
// write them (`load_trace`). Throws std::runtime_error with file:line on bad lines.
std::vector<double> load_load_trace(const std::string& path);

}  // namespace troupe::videojam
