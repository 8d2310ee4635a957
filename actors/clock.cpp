#include "actors/clock.hpp"

namespace troupe {

int64_t real_clock::now_ns() const {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
}

std::shared_ptr<clock> make_real_clock() {
  return std::make_shared<real_clock>();
}

}  // namespace troupe
