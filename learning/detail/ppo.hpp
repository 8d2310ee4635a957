// Proximal Policy Optimization (penance.txt §3.4.5, eqs. 9–12; Schulman et al.) for a
// discrete action: the caller rolls out episodes with `act`, then `update` runs a few
// epochs of minibatches on them with the clipped surrogate, a value regression on the
// discounted returns (⚑ eq. 12 regresses on r_i; its γ is otherwise unused) and an
// entropy bonus. States are rebuilt per minibatch by the caller, so parts of the state
// that a trained network computes (Penance's p) get their gradients.
#pragma once

#include <algorithm>
#include <functional>
#include <random>
#include <vector>

#include <torch/torch.h>

#include "learning/detail/training_checkpoint.hpp"
#include "learning/ppo_settings.hpp"

namespace troupe::learning::detail {

struct ppo_step {
  int64_t action = 0;
  float log_prob = 0;  // under the policy that acted
  float value = 0;     // the critic's, when it acted
  float reward = 0;
  bool last = false;   // the episode's last step
};

class ppo {
 public:
  // `actor_extra`: further parameters trained with the actor (a state encoder).
  ppo(torch::jit::Module actor, torch::jit::Module critic, std::vector<torch::Tensor> actor_extra, ppo_settings s)
      : actor_(std::move(actor)), critic_(std::move(critic)), s_(s),
        actor_opt_(params(actor_, std::move(actor_extra)), torch::optim::AdamOptions(s.learning_rate)),
        critic_opt_(params(critic_, {}), torch::optim::AdamOptions(s.learning_rate)) {}

  // One action for one state (1 × state size): sampled in training, the most likely otherwise.
  ppo_step act(const torch::Tensor& state, bool sample, std::mt19937_64& rng) {
    torch::NoGradGuard no_grad;
    auto logits = actor_.forward({state}).toTensor()[0];
    auto log_p = torch::log_softmax(logits, 0);
    ppo_step st;
    if (sample) {
      auto p = log_p.exp();
      double u = static_cast<double>(rng() >> 11) * 0x1.0p-53, acc = 0;
      st.action = p.size(0) - 1;
      auto pa = p.accessor<float, 1>();
      for (int64_t a = 0; a < p.size(0); ++a)
        if ((acc += pa[a]) > u) {
          st.action = a;
          break;
        }
    } else {
      st.action = logits.argmax().item<int64_t>();
    }
    st.log_prob = log_p[st.action].item<float>();
    st.value = critic_.forward({state}).toTensor().item<float>();
    return st;
  }

  // G_i = r_i + γ G_{i+1} within each episode.
  std::vector<float> returns(const std::vector<ppo_step>& steps) const {
    std::vector<float> g(steps.size());
    double running = 0;
    for (size_t i = steps.size(); i-- > 0;) {
      if (steps[i].last)
        running = 0;
      running = steps[i].reward + s_.gamma * running;
      g[i] = static_cast<float>(running);
    }
    return g;
  }

  // `states(idx)`: the states of those steps, n × state size; the actor's gradients flow
  // into whatever computed them, the critic reads them detached.
  void update(const std::vector<ppo_step>& steps, const std::function<torch::Tensor(const std::vector<size_t>&)>& states,
              std::mt19937_64& rng) {
    auto g = returns(steps);
    std::vector<float> adv(steps.size());
    double mean = 0, var = 0;
    for (size_t i = 0; i < steps.size(); ++i)
      mean += (adv[i] = g[i] - steps[i].value);
    mean /= static_cast<double>(steps.size());
    for (float a : adv)
      var += (a - mean) * (a - mean);
    double spread = std::sqrt(var / static_cast<double>(steps.size())) + 1e-8;
    for (auto& a : adv)
      a = static_cast<float>((a - mean) / spread);
    std::vector<size_t> order(steps.size());
    for (size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    for (int epoch = 0; epoch < s_.epochs; ++epoch) {
      std::shuffle(order.begin(), order.end(), rng);
      for (size_t at = 0; at < order.size(); at += static_cast<size_t>(s_.minibatch)) {
        std::vector<size_t> idx(order.begin() + static_cast<long>(at),
                                order.begin() + static_cast<long>(std::min(order.size(), at + static_cast<size_t>(s_.minibatch))));
        minibatch(steps, g, adv, idx, states);
      }
    }
  }

  torch::jit::Module& actor() { return actor_; }
  torch::jit::Module& critic() { return critic_; }

  // Both networks and both optimizers (the actor's extra parameters are their owner's to keep).
  void save(torch::serialize::OutputArchive& a) const {
    training_checkpoint::write_tensors(a, "actor", params(actor_, {}));
    training_checkpoint::write_tensors(a, "critic", params(critic_, {}));
    torch::serialize::OutputArchive actor_opt, critic_opt;
    actor_opt_.save(actor_opt);
    critic_opt_.save(critic_opt);
    a.write("actor_optimizer", actor_opt);
    a.write("critic_optimizer", critic_opt);
  }

  void load(torch::serialize::InputArchive& a) {
    training_checkpoint::read_tensors(a, "actor", params(actor_, {}));
    training_checkpoint::read_tensors(a, "critic", params(critic_, {}));
    torch::serialize::InputArchive actor_opt, critic_opt;
    a.read("actor_optimizer", actor_opt);
    a.read("critic_optimizer", critic_opt);
    actor_opt_.load(actor_opt);
    critic_opt_.load(critic_opt);
  }

 private:
  static std::vector<torch::Tensor> params(const torch::jit::Module& m, std::vector<torch::Tensor> extra) {
    for (const auto& p : m.parameters())
      extra.push_back(p);
    return extra;
  }

  void minibatch(const std::vector<ppo_step>& steps, const std::vector<float>& g, const std::vector<float>& adv,
                 const std::vector<size_t>& idx, const std::function<torch::Tensor(const std::vector<size_t>&)>& states) {
    std::vector<int64_t> actions_v;
    std::vector<float> old_v, ret_v, a_v;
    for (auto i : idx) {
      actions_v.push_back(steps[i].action);
      old_v.push_back(steps[i].log_prob);
      ret_v.push_back(g[i]);
      a_v.push_back(adv[i]);
    }
    auto actions = torch::tensor(actions_v), old = torch::tensor(old_v), ret = torch::tensor(ret_v),
         a = torch::tensor(a_v);
    auto x = states(idx);
    auto log_p = torch::log_softmax(actor_.forward({x}).toTensor(), 1);
    auto taken = log_p.gather(1, actions.unsqueeze(1)).squeeze(1);
    auto ratio = (taken - old).exp();  // eq. 10
    auto surrogate = torch::min(ratio * a, ratio.clamp(1 - s_.clip, 1 + s_.clip) * a);  // eq. 9
    auto entropy = -(log_p.exp() * log_p).sum(1).mean();
    auto policy_loss = -surrogate.mean() - s_.entropy * entropy;  // eq. 11, as a loss
    actor_opt_.zero_grad();
    policy_loss.backward();
    actor_opt_.step();
    auto value = critic_.forward({x.detach()}).toTensor().squeeze(1);
    auto value_loss = (value - ret).pow(2).mean();  // eq. 12, on the discounted return
    critic_opt_.zero_grad();
    value_loss.backward();
    critic_opt_.step();
  }

  torch::jit::Module actor_, critic_;
  ppo_settings s_;
  torch::optim::Adam actor_opt_, critic_opt_;
};

}  // namespace troupe::learning::detail
