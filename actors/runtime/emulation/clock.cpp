#include "actors/runtime/emulation/clock.hpp"

#include <stdexcept>

namespace troupe {

int64_t real_clock::now_ns() const {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
}

emulated_clock::emulated_clock(double scale, int64_t epoch_unix_ns)
    : scale_(scale), epoch_unix_ns_(epoch_unix_ns) {
  if (!(scale > 0))
    throw std::invalid_argument("the emulated clock's time scale must be positive");
}

int64_t emulated_clock::now_ns() const {
  auto since_epoch = static_cast<double>(real_clock().now_ns() - epoch_unix_ns_);
  return epoch_unix_ns_ + static_cast<int64_t>(since_epoch / scale_);
}

caf::timespan emulated_clock::to_wall(caf::timespan d) const {
  return caf::timespan{static_cast<int64_t>(static_cast<double>(d.count()) * scale_)};
}

std::shared_ptr<clock> make_real_clock() {
  return std::make_shared<real_clock>();
}

std::shared_ptr<clock> make_clock(double scale, int64_t epoch_unix_ns) {
  if (scale == 1.0)
    return make_real_clock();
  return std::make_shared<emulated_clock>(scale, epoch_unix_ns);
}

}  // namespace troupe
