#include "actors/common/cli/training_command.hpp"

#include <spdlog/fmt/fmt.h>

namespace troupe {

std::string progress_detail(const std::string& loss_name, const learning::training_progress& p) {
  return loss_name.empty() ? p.detail : fmt::format("{} {:.4f}, {}", loss_name, p.loss, p.detail);
}

}  // namespace troupe
