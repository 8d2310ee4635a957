#include "learning/octocross_model.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <sstream>
#include <stdexcept>

#include <torch/torch.h>

#include "learning/detail/kept_epoch.hpp"

namespace troupe::learning {

namespace {

using torch::Tensor;
using octocross::model_shape;
using octocross::model_variant;

// One cluster state as tensors, loads divided by the model's scale.
struct window {
  Tensor h, y, mu, up, views;  // N×τ, N×τ (empty: no label), N, N (bool), 3×N×N
};

// What the head and its loss were trained with, kept in the weight file so that a
// decision masks, and a finetune weighs, as the training did.
// Defaults: the training's (octocross_options).
struct head_settings {
  int64_t ahead = int64_t(octocross_options().ahead);  // samples the decision covers: the head's mask reads mean Ĥ over them
  double net_weight = octocross_options().net_weight;  // the loss's weight on offloading over slow links
};

// Throws, naming `who`, unless the decision covers a sample and the weight is a number ≥ 0.
void check(const head_settings& h, const std::string& who) {
  if (h.ahead < 1 || !std::isfinite(h.net_weight) || h.net_weight < 0)
    throw std::runtime_error(who + ": period " + std::to_string(h.ahead) + " must be at least 1 and net weight " +
                             std::to_string(h.net_weight) + " a number ≥ 0");
}

// Windows of one cluster stacked: the batch dimension first.
struct batch {
  Tensor h, y, mu, up, views, slot;  // B×N×τ, B×N×τ, B×N, B×N, B×3×N×N, N
};

Tensor rows(const octocross::matrix& m, double scale) {
  std::vector<float> flat;
  for (auto& r : m)
    for (double v : r)
      flat.push_back(float(v / scale));
  auto cols = m.empty() ? 0 : int64_t(m[0].size());
  return torch::from_blob(flat.data(), {int64_t(m.size()), cols}, torch::kFloat32).clone();
}

Tensor values(const std::vector<double>& v, double scale) {
  std::vector<float> f(v.begin(), v.end());
  for (auto& x : f)
    x = float(x / scale);
  return torch::from_blob(f.data(), {int64_t(f.size())}, torch::kFloat32).clone();
}

// A μ under one object per busy second is no capacity but a slot with next to no work
// (live, one such μ made the overload term 10¹⁴ and a finetune's judgement noise): what
// is trained and judged counts such a node as not measured (μ = 0), like one that has
// not reported yet. Decisions keep the μ reported: the mask needs no floor.
std::vector<double> measured_mu(std::vector<double> mu) {
  constexpr double least_objects_per_s = 1;
  for (auto& m : mu)
    if (m < least_objects_per_s)
      m = 0;
  return mu;
}

window to_window(const octocross::cluster_state& s, const octocross::matrix* after, double scale) {
  std::vector<uint8_t> up(s.up.begin(), s.up.end());
  return {rows(s.history, scale), after ? rows(*after, scale) : Tensor(), values(s.mu, scale),
          torch::from_blob(up.data(), {int64_t(up.size())}, torch::kUInt8).to(torch::kBool),
          torch::stack({rows(s.a_phys, 1), rows(s.a_net, 1), rows(s.a_res, 1)})};
}

batch stack(const std::vector<const window*>& ws, const Tensor& slot) {
  std::vector<Tensor> h, y, mu, up, views;
  for (auto* w : ws) {
    h.push_back(w->h);
    if (w->y.defined())
      y.push_back(w->y);
    mu.push_back(w->mu);
    up.push_back(w->up);
    views.push_back(w->views);
  }
  return {torch::stack(h), y.empty() ? Tensor() : torch::stack(y), torch::stack(mu), torch::stack(up),
          torch::stack(views), slot};
}

// A key set with every key masked attends to all of them instead (no NaN); its
// queries are masked nodes whose outputs nothing reads.
Tensor keys_masked(const Tensor& masked) {
  return masked & ~masked.all(-1, true);
}

// STAttn (§3.1): spatial attention over the nodes at each second, temporal over each
// node's τ seconds, fused by a gate g = σ(X_s W_s + X_t W_t + b), residual, LayerNorm.
// Without its spatial half (Spat-Abl) it is temporal attention, residual, LayerNorm.
struct stattn_blockImpl : torch::nn::Module {
  stattn_blockImpl(const model_shape& s, bool spatial_half) {
    auto d = int64_t(s.d), heads = int64_t(s.heads);
    temporal = register_module("temporal", torch::nn::MultiheadAttention(torch::nn::MultiheadAttentionOptions(d, heads)));
    norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})));
    if (!spatial_half)
      return;
    spatial = register_module("spatial", torch::nn::MultiheadAttention(torch::nn::MultiheadAttentionOptions(d, heads)));
    gate_s = register_module("gate_s", torch::nn::Linear(d, d));
    gate_t = register_module("gate_t", torch::nn::Linear(torch::nn::LinearOptions(d, d).bias(false)));
  }

  // x: B×N×τ×d; masked: B×N, true for a node that is away.
  Tensor forward(const Tensor& x, const Tensor& masked) {
    auto b = x.size(0), n = x.size(1), t = x.size(2), d = x.size(3);
    auto over_time = x.permute({2, 0, 1, 3}).reshape({t, b * n, d});
    auto xt = std::get<0>(temporal->forward(over_time, over_time, over_time, Tensor(), false));
    xt = xt.reshape({t, b, n, d}).permute({1, 2, 0, 3});
    if (spatial.is_empty())
      return norm(x + xt);
    auto over_nodes = x.permute({1, 0, 2, 3}).reshape({n, b * t, d});
    auto keys = keys_masked(masked).unsqueeze(1).expand({b, t, n}).reshape({b * t, n});
    auto xs = std::get<0>(spatial->forward(over_nodes, over_nodes, over_nodes, keys, false));
    xs = xs.reshape({n, b, t, d}).permute({1, 0, 2, 3});
    auto g = torch::sigmoid(gate_s(xs) + gate_t(xt));
    return norm(x + g * xs + (1 - g) * xt);
  }

  torch::nn::MultiheadAttention spatial{nullptr}, temporal{nullptr};
  torch::nn::Linear gate_s{nullptr}, gate_t{nullptr};
  torch::nn::LayerNorm norm{nullptr};
};
TORCH_MODULE(stattn_block);

// Â = D^−½ (A + I) D^−½ over the nodes up (GNN_LSTM's propagation), B×N×N.
Tensor normalised_adjacency(const Tensor& a, const Tensor& up) {
  auto on = up.to(torch::kFloat32);
  auto eye = torch::eye(a.size(1)).unsqueeze(0);
  auto with_self = (a * (1 - eye) + eye) * on.unsqueeze(2) * on.unsqueeze(1);  // A_net's own 1 is not a second loop
  auto inverse_root = with_self.sum(-1).clamp_min(1e-6).pow(-0.5);
  return inverse_root.unsqueeze(2) * with_self * inverse_root.unsqueeze(1);
}

// Every variant of the model (model_variant), the parts it lacks never registered, so a
// weight file holds exactly its variant's parameters. ⚑ The offloading head reads μ_i
// and μ_j besides the issue's [Ĥ_i, Ĥ_j, E_i, E_j, A_net,ij, A_res,ij]: nothing else
// tells it what a node computes.
struct octocross_netImpl : torch::nn::Module {
  explicit octocross_netImpl(const model_shape& s) : shape(s) {
    auto d = int64_t(s.d), tau = int64_t(s.tau);
    if (s.variant == model_variant::gnn_lstm) {
      gcn1 = register_module("gcn1", torch::nn::Linear(1, d));
      gcn2 = register_module("gcn2", torch::nn::Linear(d, d));
      lstm = register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(d, 64)));
      decoder = register_module("decoder", torch::nn::Linear(64, tau));
      return;
    }
    if (s.variant == model_variant::temp_abl) {
      lstm = register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(1, d)));
    } else {
      workload = register_module("workload", torch::nn::Linear(1, d));
      time_code = register_parameter("time_code", torch::randn({tau, d}) * 0.02);
    }
    bool spatial = s.variant != model_variant::spat_abl;
    if (spatial) {
      view_weights = register_parameter("view_weights", torch::randn({3, int64_t(s.n_max)}) * 0.1);
      views = register_module("views", torch::nn::Linear(3, d));
      position = register_parameter("position", torch::randn({int64_t(s.n_max), d}) * 0.02);
    }
    for (size_t l = 0; l < s.layers; ++l)
      blocks.push_back(register_module("block" + std::to_string(l), stattn_block(s, spatial)));
    decoder = register_module("decoder", torch::nn::Linear(tau * d, tau));
    if (!spatial)
      return;
    int64_t pair = 2 * (tau + d) + 4;
    head_in = register_module("head_in", torch::nn::Linear(pair, d));
    head_mid = register_module("head_mid", torch::nn::Linear(d, d));
    head_out = register_module("head_out", torch::nn::Linear(d, 1));
  }

  bool has_head() const { return !head_in.is_empty(); }

  // What the decoder reads: Z^L (B×N×τ×d), or GNN_LSTM's last hidden state (B×N×64).
  Tensor encode(const batch& in) {
    if (shape.variant == model_variant::gnn_lstm)
      return encode_gnn_lstm(in);
    Tensor x;
    if (lstm.is_empty()) {
      x = workload(in.h.unsqueeze(-1)) + time_code;  // emb(H) + T
    } else {                                         // Temp-Abl: an LSTM over each node's τ
      auto b = in.h.size(0), n = in.h.size(1), t = in.h.size(2);
      auto seq = std::get<0>(lstm(in.h.reshape({b * n, t}).t().unsqueeze(-1)));  // τ×(B·N)×d
      x = seq.permute({1, 0, 2}).reshape({b, n, t, -1});
    }
    if (!position.defined())
      return run_blocks(x, in);
    auto w = view_weights.index_select(1, in.slot);                                      // 3×N: w_m by slot
    auto scalars = (in.views * w.unsqueeze(0).unsqueeze(2)).sum(-1).permute({0, 2, 1});  // B×N×3
    auto spatial = views(scalars) + position.index_select(0, in.slot);                   // S: B×N×d
    return run_blocks(x + spatial.unsqueeze(2), in);
  }

  // Ĥ (B×N×τ) and M (B×N×N; undefined without a head) from what encode gave. §3.1's
  // online mask is part of the head, in training as at inference: i→j only when i's
  // forecast over the decision period (mean Ĥ over `ahead` samples) is above μ_i and
  // j's below μ_j, both up and linked; M_ii (what i keeps) always. Trained without it,
  // the head learnt to pool every node's load in proportion to capacity (no overload
  // on the load that came), which the mask at inference then cut to the overloaded
  // senders, each sending the biggest targets the same large shares.
  std::pair<Tensor, Tensor> plan(const Tensor& z, const batch& in, int64_t ahead) {
    auto b = z.size(0), n = z.size(1);
    auto forecast = decoder(z.reshape({b, n, -1}));
    if (!has_head())
      return {forecast, Tensor()};
    auto node = torch::cat({forecast, z.mean(2), in.mu.unsqueeze(-1)}, -1);  // [Ĥ_i, E_st,i, μ_i]
    auto from = node.unsqueeze(2).expand({b, n, n, node.size(-1)});
    auto to = node.unsqueeze(1).expand({b, n, n, node.size(-1)});
    auto pair = torch::cat({from, to, in.views.select(1, 1).unsqueeze(-1),
                            in.views.select(1, 2).unsqueeze(-1)}, -1);
    auto hidden = torch::relu(head_in(pair));
    hidden = hidden + torch::relu(head_mid(hidden));  // residual
    auto logits = head_out(hidden).squeeze(-1);
    auto period = forecast.detach().slice(-1, 0, std::clamp<int64_t>(ahead, 1, forecast.size(-1))).mean(-1);
    auto over = (period > in.mu) & in.up, under = (period < in.mu) & in.up;
    auto eye = torch::eye(n, torch::kBool).unsqueeze(0);
    auto allowed = ((in.views.select(1, 1) > 0) & over.unsqueeze(2) & under.unsqueeze(1)) | eye;
    auto m = torch::softmax(logits.masked_fill(~allowed, -1e9), -1) * in.up.unsqueeze(2);
    return {forecast, m};
  }

  // What a finetune trains (§3.3): the decoder and the head; for new nodes also P and w_m.
  std::vector<Tensor> finetuned_parameters(bool lost) {
    std::vector<Tensor> out;
    for (auto* layer : {&decoder, &head_in, &head_mid, &head_out})
      if (!layer->is_empty())
        for (auto& p : (*layer)->parameters())
          out.push_back(p);
    if (!lost && position.defined()) {
      out.push_back(position);
      out.push_back(view_weights);
    }
    return out;
  }

  model_shape shape;
  torch::nn::Linear workload{nullptr}, views{nullptr}, decoder{nullptr}, head_in{nullptr}, head_mid{nullptr},
      head_out{nullptr}, gcn1{nullptr}, gcn2{nullptr};
  torch::nn::LSTM lstm{nullptr};
  Tensor time_code, view_weights, position;
  std::vector<stattn_block> blocks;

 private:
  Tensor run_blocks(Tensor x, const batch& in) {
    auto masked = ~in.up;
    for (auto& block : blocks)
      x = block(x, masked);
    return x;
  }

  // Two GCN layers at every second on A_phys + A_net, then an LSTM(64) over the τ.
  Tensor encode_gnn_lstm(const batch& in) {
    auto a = normalised_adjacency(in.views.select(1, 0) + in.views.select(1, 1), in.up);  // B×N×N
    auto x = in.h.permute({0, 2, 1}).unsqueeze(-1);                                       // B×τ×N×1
    auto hop = [&](const Tensor& v) { return torch::matmul(a.unsqueeze(1), v); };
    x = torch::relu(gcn1(hop(x)));
    x = gcn2(hop(x));                                                                     // B×τ×N×d
    auto b = x.size(0), t = x.size(1), n = x.size(2);
    auto seq = x.permute({1, 0, 2, 3}).reshape({t, b * n, -1});
    auto out = std::get<0>(lstm(seq));
    return out[t - 1].reshape({b, n, -1});
  }
};
TORCH_MODULE(octocross_net);

struct loss_terms {
  Tensor mse, overload, net, total;
};

// §3.3's one loss (⚑ its terms): the forecast's MSE on the nodes up; the overload the
// plan leaves on the load that came, mean_j relu(Σ_i M_ij L_i − μ_j)² / μ_j²; and
// net_weight · Σ_j M_ij (1 − A_net,ij) per sending node.
// A model without a head (M undefined) is trained on the MSE alone.
loss_terms loss(const Tensor& forecast, const Tensor& m, const batch& in, double net_weight) {
  auto up = in.up.to(torch::kFloat32);
  auto count = up.sum().clamp_min(1);
  auto mse = ((forecast - in.y).pow(2).mean(-1) * up).sum() / count;
  if (!m.defined())
    return {mse, torch::zeros({}), torch::zeros({}), mse};
  auto came = in.y.mean(-1);                                          // L_i
  auto after = (m * came.unsqueeze(-1)).sum(1);                       // Σ_i M_ij L_i
  auto measured = up * (in.mu > 0).to(torch::kFloat32);
  auto over = (torch::relu(after - in.mu) / in.mu.clamp_min(1e-6)).pow(2) * measured;
  auto overload = over.sum() / measured.sum().clamp_min(1);
  auto off_diagonal = 1 - torch::eye(m.size(1)).unsqueeze(0);
  auto slow = (m * (1 - in.views.select(1, 1)) * off_diagonal).sum(-1);
  auto net = (slow * up).sum() / count;
  return {mse, overload, net, mse + overload + net_weight * net};
}

// A trace cut into windows with labels, by the part of the split they fall in.
struct cut_trace {
  Tensor slot;
  std::vector<window> train, validation, held_out;
};

Tensor slot_tensor(const std::vector<size_t>& slots) {
  return torch::tensor(std::vector<int64_t>(slots.begin(), slots.end()), torch::kLong);
}

// `slots`: each of the recording's nodes' row of P (assign_slots).
cut_trace cut(const octocross::cluster_recording& r, const std::vector<size_t>& slots, const model_shape& shape,
              const time_split& split, double scale) {
  cut_trace out;
  std::vector<size_t> rows;
  for (auto slot : slots)
    rows.push_back(slot < shape.n_max ? slot : 0);  // unplaced nodes are away (mask_unplaced)
  out.slot = slot_tensor(rows);
  auto length = r.samples.size();
  for (size_t end = shape.tau; end + shape.tau <= length; ++end) {
    if (octocross::departs_within(r, end, shape.tau))
      continue;
    auto after = octocross::load_after(r, end, shape.tau);
    auto state = octocross::state_before(r, end, shape.tau);
    octocross::mask_unplaced(state, slots, shape.n_max);
    state.mu = measured_mu(std::move(state.mu));
    auto w = to_window(state, &after, scale);
    auto part = split.of(end + shape.tau, length);
    (part == split_part::train ? out.train : part == split_part::validation ? out.validation : out.held_out)
        .push_back(std::move(w));
  }
  return out;
}

std::vector<const window*> pointers(const std::vector<window>& ws, size_t from, size_t to) {
  std::vector<const window*> out;
  for (size_t i = from; i < to; ++i)
    out.push_back(&ws[i]);
  return out;
}

// Mean over windows of a part, in (objects/s)²: the forecast's MSE, the naive
// forecast's (each node's mean of its τ past), and the overload term.
struct scores {
  double mse = 0, naive = 0, overload = 0, total = 0;  // total: the loss, normalised
  size_t windows = 0;
};

scores score(octocross_net& net, const std::vector<cut_trace>& traces, std::vector<window> cut_trace::*part,
             double scale, const head_settings& head) {
  torch::NoGradGuard no_grad;
  scores s;
  for (auto& t : traces) {
    auto& ws = t.*part;
    for (size_t at = 0; at < ws.size(); at += 64) {
      auto in = stack(pointers(ws, at, std::min(ws.size(), at + 64)), t.slot);
      auto [forecast, m] = net->plan(net->encode(in), in, head.ahead);
      auto terms = loss(forecast.clamp_min(0), m, in, head.net_weight);
      auto k = double(in.h.size(0));
      auto naive = in.h.mean(-1, true).expand_as(in.y);
      auto up = in.up.to(torch::kFloat32);
      s.mse += terms.mse.item<double>() * k;
      s.naive += (((naive - in.y).pow(2).mean(-1) * up).sum() / up.sum().clamp_min(1)).item<double>() * k;
      s.overload += terms.overload.item<double>() * k;
      s.total += terms.total.item<double>() * k;
      s.windows += size_t(k);
    }
  }
  if (s.windows > 0) {
    s.mse *= scale * scale / double(s.windows);
    s.naive *= scale * scale / double(s.windows);
    s.overload /= double(s.windows);
    s.total /= double(s.windows);
  }
  return s;
}

// B windows drawn from one trace, that trace drawn in proportion to its windows.
batch draw(const std::vector<cut_trace>& traces, size_t total, int size, std::mt19937_64& rng) {
  auto pick = std::uniform_int_distribution<size_t>(0, total - 1)(rng);
  size_t t = 0;
  while (pick >= traces[t].train.size())
    pick -= traces[t++].train.size();
  std::uniform_int_distribution<size_t> any(0, traces[t].train.size() - 1);
  std::vector<const window*> chosen;
  for (int i = 0; i < size; ++i)
    chosen.push_back(&traces[t].train[any(rng)]);
  return stack(chosen, traces[t].slot);
}

const char* field_names[] = {"variant", "tau", "d", "heads", "layers", "n_max"};

std::vector<size_t> fields(const model_shape& s) {
  return {size_t(s.variant), s.tau, s.d, s.heads, s.layers, s.n_max};
}

std::string field_value(size_t field, int64_t v) {
  return field == 0 ? octocross::variant_name(model_variant(v)) : std::to_string(v);
}

void copy_parameters(octocross_net& to, const octocross_net& from) {
  torch::NoGradGuard no_grad;
  auto dst = to->named_parameters();
  for (auto& p : from->named_parameters())
    dst[p.key()].copy_(p.value());
}

class torch_model : public octocross::offload_model {
 public:
  torch_model(octocross_net net, double scale, head_settings head, std::vector<std::string> known, std::string source)
      : net_(std::move(net)), scale_(scale), head_(head), known_(std::move(known)), source_(std::move(source)) {
    net_->eval();
  }

  const model_shape& shape() const override { return net_->shape; }
  const std::vector<std::string>& known_nodes() const override { return known_; }

  octocross::model_decision decide(const octocross::cluster_state& state) const override {
    torch::NoGradGuard no_grad;
    auto w = to_window(state, nullptr, scale_);
    auto in = stack({&w}, slot_tensor(state.slot));
    auto [forecast, m] = net_->plan(net_->encode(in), in, head_.ahead);
    return {to_matrix(forecast[0].clamp_min(0) * scale_), m.defined() ? to_matrix(m[0]) : octocross::matrix()};
  }

  std::shared_ptr<const offload_model> placed() const override {
    octocross_net net(net_->shape);
    copy_parameters(net, net_);
    auto known = int64_t(std::min(known_.size(), net_->shape.n_max));
    if (net->position.defined() && known > 0 && known < int64_t(net_->shape.n_max)) {
      torch::NoGradGuard no_grad;
      auto mean = net->position.slice(0, 0, known).mean(0, true);
      net->position.slice(0, known).copy_(mean.expand_as(net->position.slice(0, known)));
      auto column = net->view_weights.slice(1, 0, known).mean(1, true);  // w_m's columns too
      net->view_weights.slice(1, known).copy_(column.expand_as(net->view_weights.slice(1, known)));
    }
    return std::make_shared<torch_model>(net, scale_, head_, known_, source_);
  }

  std::shared_ptr<const offload_model> finetuned(const octocross::finetune_request& r) const override;

  std::string describe() const override { return source_; }

  void save(const std::string& path) const {
    torch::serialize::OutputArchive archive;
    auto f = fields(net_->shape);
    for (size_t i = 0; i < f.size(); ++i)
      archive.write(std::string("octocross.") + field_names[i], torch::tensor(int64_t(f[i])));
    archive.write("octocross.scale", torch::tensor(scale_, torch::kFloat64));
    archive.write("octocross.ahead", torch::tensor(head_.ahead));
    archive.write("octocross.net_weight", torch::tensor(head_.net_weight, torch::kFloat64));
    std::string names;
    for (auto& n : known_)
      names += (names.empty() ? "" : "\n") + n;
    archive.write("octocross.known_nodes", c10::IValue(names));
    net_->save(archive);
    archive.save_to(path);
  }

  const octocross_net& net() const { return net_; }
  double scale() const { return scale_; }

 private:
  static octocross::matrix to_matrix(const Tensor& t) {
    auto c = t.contiguous().to(torch::kFloat64);
    octocross::matrix out(size_t(c.size(0)), std::vector<double>(size_t(c.size(1))));
    auto* p = c.data_ptr<double>();
    for (auto& row : out)
      for (auto& v : row)
        v = *p++;
    return out;
  }

  mutable octocross_net net_;  // forward is not const in libtorch; decisions change no weight
  double scale_;
  head_settings head_;
  std::vector<std::string> known_;  // by slot
  std::string source_;
};

// Gradients of P's rows and w_m's columns outside `slots` are zeroed: only the
// nodes the finetune concerns move there (§3.3).
void train_only_slots(Tensor& p, const std::vector<size_t>& slots, int64_t dim) {
  auto keep = torch::zeros({p.size(dim)});
  for (auto s : slots)
    if (int64_t(s) < p.size(dim))
      keep[int64_t(s)] = 1;
  keep = dim == 0 ? keep.unsqueeze(1) : keep.unsqueeze(0);
  p.register_hook([keep](Tensor g) { return g * keep; });
}

// §3.3: the STAttn blocks and the shared embeddings stay; the decoder, the head, and
// (new nodes only) the new slots' P rows and w_m columns train. A lost node's windows
// are encoded once: with the encoder frozen, its outputs cannot change; the most recent
// 512 of them, so that the cache stays within N × 512 × τ × d floats (67 MB at N = 16, 537 MB at N_max).
constexpr size_t max_cached_windows = 512;
std::shared_ptr<const octocross::offload_model> torch_model::finetuned(const octocross::finetune_request& r) const {
  auto shape = net_->shape;
  if (r.data.samples.size() < 2 * shape.tau)
    throw std::runtime_error("finetune needs " + std::to_string(2 * shape.tau) + " s of samples, has " +
                             std::to_string(r.data.samples.size()));
  bool scratch = shape.variant == model_variant::gnn_lstm;  // GNN_LSTM relearns a changed topology from scratch
  if (scratch)
    torch::manual_seed(octocross_options().seed);  // as its first training: a rerun retrains alike
  octocross_net net(shape);
  if (!scratch)
    copy_parameters(net, net_);
  time_split recent{0.2, 0};  // the newest fifth judges the finetune against the model it would replace
  auto slots = octocross::assign_slots(known_, r.data.nodes, shape.n_max);
  auto windows = cut(r.data, slots, shape, recent, scale_);
  if (windows.train.empty())
    throw std::runtime_error("finetune: no window of the samples to train on");
  std::vector<size_t> concerned;
  for (auto i : r.nodes)
    concerned.push_back(slots.at(i));
  auto trained = scratch ? net->parameters() : net->finetuned_parameters(r.lost);
  for (auto& p : net->parameters())
    p.set_requires_grad(false);
  for (auto& p : trained)
    p.set_requires_grad(true);
  if (!r.lost && !scratch && net->position.defined()) {
    train_only_slots(net->position, concerned, 0);
    train_only_slots(net->view_weights, concerned, 1);
  }
  bool cache = r.lost && !scratch;
  std::vector<Tensor> cached;  // lost node: what encode gives, per window
  if (cache) {
    auto& ws = windows.train;  // the most recent windows only: each cached is N×τ×d floats
    if (ws.size() > max_cached_windows)
      ws.erase(ws.begin(), ws.end() - long(max_cached_windows));
    torch::NoGradGuard no_grad;
    for (size_t at = 0; at < ws.size(); at += 64) {
      if (r.cancel && *r.cancel)
        throw std::runtime_error("finetune cancelled while encoding");
      auto z = net->encode(stack(pointers(ws, at, std::min(ws.size(), at + 64)), windows.slot));
      for (int64_t k = 0; k < z.size(0); ++k)
        cached.push_back(z[k]);
    }
  }
  torch::optim::Adam optimiser(trained, torch::optim::AdamOptions(1e-3));
  std::mt19937_64 rng(r.epochs);
  std::uniform_int_distribution<size_t> any(0, windows.train.size() - 1);
  for (int epoch = 0; epoch < r.epochs; ++epoch) {
    if (r.cancel && *r.cancel)
      throw std::runtime_error("finetune cancelled after " + std::to_string(epoch) + " epochs");
    std::vector<const window*> chosen;
    std::vector<Tensor> z;
    for (int i = 0; i < 16; ++i) {
      auto k = any(rng);
      chosen.push_back(&windows.train[k]);
      if (cache)
        z.push_back(cached[k]);
    }
    auto in = stack(chosen, windows.slot);
    auto [forecast, m] = net->plan(cache ? torch::stack(z) : net->encode(in), in, head_.ahead);
    auto l = loss(forecast, m, in, head_.net_weight).total;
    optimiser.zero_grad();
    l.backward();
    optimiser.step();
  }
  // The new nodes, and the unknown ones before them (their slots must not move):
  // assign_slots numbers unknown names in the order they come, so this is slot order.
  auto known = known_;
  size_t last = 0;
  for (auto slot : concerned)
    last = std::max(last, slot < shape.n_max ? slot + 1 : 0);
  for (size_t i = 0; i < r.data.nodes.size(); ++i)
    if (slots[i] >= known_.size() && slots[i] < last)
      known.push_back(r.data.nodes[i]);
  auto how = scratch ? " +retrained" : r.lost ? " +finetuned (lost node)" : " +finetuned (new nodes)";
  if (scratch || windows.validation.empty())
    return std::make_shared<torch_model>(net, scale_, head_, known, source_ + how);
  // ⚑ The paper swaps whatever the finetune gives; on a few hundred windows of one run it
  // can overfit, so a finetune worse than the weights it would replace is kept out.
  std::vector<cut_trace> judged{std::move(windows)};
  net->eval();
  auto before = score(net_, judged, &cut_trace::validation, scale_, head_).total;
  auto after = score(net, judged, &cut_trace::validation, scale_, head_).total;
  if (after <= before)
    return std::make_shared<torch_model>(net, scale_, head_, known, source_ + how);
  std::ostringstream kept_out;
  kept_out << how << " kept out (validation loss " << after << " > " << before << ")";
  return std::make_shared<torch_model>(net_, scale_, head_, known, source_ + kept_out.str());
}

int64_t read_field(torch::serialize::InputArchive& in, const std::string& path, const std::string& key) {
  Tensor v;
  if (!in.try_read("octocross." + key, v))
    throw std::runtime_error(path + ": not an OctoCross weight file (no " + key + ")");
  return v.item<int64_t>();
}

// A file written before the head's settings were kept gets the defaults.
head_settings head_of(torch::serialize::InputArchive& in, const std::string& path) {
  head_settings head;
  Tensor v;
  if (in.try_read("octocross.ahead", v))
    head.ahead = v.item<int64_t>();
  if (in.try_read("octocross.net_weight", v))
    head.net_weight = v.item<double>();
  check(head, path);
  return head;
}

}  // namespace

octocross_result train_octocross(const octocross_options& o, const progress_callback& progress) {
  auto started = std::chrono::steady_clock::now();
  if (o.epochs < 1 || o.batch < 1 || o.validate_every < 1)
    throw std::runtime_error("train-octocross: epochs, batch and validate-every must be at least 1");
  head_settings head{int64_t(o.ahead), o.net_weight};
  check(head, "train-octocross");
  if (o.shape.d % o.shape.heads != 0)
    throw std::runtime_error("train-octocross: d = " + std::to_string(o.shape.d) + " is not a multiple of heads = " +
                             std::to_string(o.shape.heads));
  o.split.check("train-octocross");
  std::vector<octocross::cluster_recording> recordings;
  double peak = 1;
  octocross_result result;
  for (auto& file : o.traces) {
    recordings.push_back(octocross::read_trace(file));
    auto& r = recordings.back();
    if (r.nodes.size() > o.shape.n_max)
      throw std::runtime_error(file + ": " + std::to_string(r.nodes.size()) + " nodes, more than N_max = " +
                               std::to_string(o.shape.n_max));
    result.nodes = std::max(result.nodes, r.nodes.size());
    for (auto& s : r.samples)
      for (double v : s.objects)
        peak = std::max(peak, v);
  }
  // Slots by name: the largest trace's nodes first, then any others as they come.
  if (recordings.empty())
    throw std::runtime_error("train-octocross: no trace given");
  auto known = std::max_element(recordings.begin(), recordings.end(), [](auto& a, auto& b) {
                 return a.nodes.size() < b.nodes.size();
               })->nodes;
  for (auto& r : recordings)
    for (auto& n : r.nodes)
      if (std::find(known.begin(), known.end(), n) == known.end())
        known.push_back(n);
  if (known.size() > o.shape.n_max)
    throw std::runtime_error("train-octocross: the traces name " + std::to_string(known.size()) +
                             " nodes, more than N_max = " + std::to_string(o.shape.n_max));
  std::vector<cut_trace> traces;
  size_t train_total = 0;
  for (auto& r : recordings) {
    traces.push_back(cut(r, octocross::assign_slots(known, r.nodes, o.shape.n_max), o.shape, o.split, peak));
    train_total += traces.back().train.size();
    result.validation_windows += traces.back().validation.size();
    result.held_out_windows += traces.back().held_out.size();
  }
  result.train_windows = train_total;
  if (train_total == 0)
    throw std::runtime_error("train-octocross: no trace is longer than 2τ = " + std::to_string(2 * o.shape.tau) +
                             " s before its validation and held-out parts");
  torch::manual_seed(o.seed);
  std::mt19937_64 rng(o.seed);
  octocross_net net(o.shape);
  torch::optim::Adam optimiser(net->parameters(), torch::optim::AdamOptions(o.learning_rate));
  detail::kept_epoch kept;
  double recent = 0;
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    net->train();
    auto in = draw(traces, train_total, o.batch, rng);
    auto [forecast, m] = net->plan(net->encode(in), in, head.ahead);
    auto l = loss(forecast, m, in, head.net_weight).total;
    optimiser.zero_grad();
    l.backward();
    optimiser.step();
    recent = epoch == 1 ? l.item<double>() : 0.9 * recent + 0.1 * l.item<double>();
    if (epoch % o.validate_every != 0 && epoch != o.epochs)
      continue;
    net->eval();
    auto v = score(net, traces, &cut_trace::validation, peak, head);
    if (kept.offer(epoch, v.mse, v.windows > 0, net->parameters())) {
      result.train_loss = recent;
      result.validation_mse = v.mse;
    }
    if (progress)
      progress({epoch, o.epochs, recent, "validation MSE " + std::to_string(v.mse)});
  }
  kept.restore(net->parameters());
  result.kept_epoch = kept.epoch();
  net->eval();
  auto held = score(net, traces, &cut_trace::held_out, peak, head);
  result.held_out_mse = held.mse;
  result.naive_held_out_mse = held.naive;
  result.held_out_overload = held.overload;
  if (!o.output.empty())
    torch_model(net, peak, head, known, o.output).save(o.output);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

std::shared_ptr<const octocross::offload_model> load_octocross_model(const std::string& path,
                                                                     const model_shape& expected) {
  torch::serialize::InputArchive in;
  try {
    in.load_from(path);
  } catch (const c10::Error&) {
    throw std::runtime_error(path + ": cannot read it as an OctoCross weight file");
  }
  auto want = fields(expected);
  for (size_t i = 0; i < want.size(); ++i) {
    auto v = read_field(in, path, field_names[i]);
    if (v < 0 || (i == 0 && v > int64_t(model_variant::gnn_lstm)))
      throw std::runtime_error(path + ": " + field_names[i] + " " + std::to_string(v) + " is out of range");
    if (v != int64_t(want[i]))
      throw std::runtime_error(path + ": " + field_names[i] + " is " + field_value(i, v) + ", the scheduler's is " +
                               field_value(i, int64_t(want[i])));
  }
  auto shape = expected;
  Tensor scale;
  if (!in.try_read("octocross.scale", scale))
    throw std::runtime_error(path + ": not an OctoCross weight file (no scale)");
  if (!(scale.item<double>() > 0) || !std::isfinite(scale.item<double>()))
    throw std::runtime_error(path + ": scale " + std::to_string(scale.item<double>()) + " is out of range");
  c10::IValue names;
  if (!in.try_read("octocross.known_nodes", names) || !names.isString())
    throw std::runtime_error(path + ": not an OctoCross weight file (no known_nodes)");
  std::vector<std::string> known;
  std::stringstream lines(names.toStringRef());
  for (std::string n; std::getline(lines, n);)
    known.push_back(n);
  if (known.size() > shape.n_max)
    throw std::runtime_error(path + ": " + std::to_string(known.size()) + " known nodes, more than n_max");
  octocross_net net(shape);
  try {
    net->load(in);
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": its parameters do not fit the model: " + e.what_without_backtrace());
  }
  return std::make_shared<torch_model>(net, scale.item<double>(), head_of(in, path), known, path);
}

}  // namespace troupe::learning

namespace troupe::learning {

std::shared_ptr<const octocross::offload_model> untrained_octocross_model(const model_shape& shape, double scale,
                                                                          std::vector<std::string> known) {
  return std::make_shared<torch_model>(octocross_net(shape), scale, head_settings(), std::move(known), "untrained");
}

std::function<void()> octocross_forward_batch(const model_shape& shape, size_t nodes, int batch) {
  octocross::cluster_state state;
  state.history = octocross::matrix(nodes, std::vector<double>(shape.tau, 10));
  state.mu = std::vector<double>(nodes, 30);
  state.up = std::vector<bool>(nodes, true);
  for (size_t i = 0; i < nodes; ++i)
    state.slot.push_back(i);
  state.a_phys = state.a_net = state.a_res = octocross::matrix(nodes, std::vector<double>(nodes, 1));
  auto w = to_window(state, nullptr, 1);
  octocross_net net(shape);
  net->eval();
  auto in = stack(std::vector<const window*>(size_t(batch), &w), slot_tensor(state.slot));
  return [net, in]() mutable {
    torch::NoGradGuard no_grad;
    net->plan(net->encode(in), in, head_settings().ahead);
  };
}

}  // namespace troupe::learning
