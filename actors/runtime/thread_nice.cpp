#include "actors/runtime/thread_nice.hpp"

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace troupe {

void nicer_this_thread(int by) {
  if (by <= 0)
    return;
  auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  ::setpriority(PRIO_PROCESS, tid, ::getpriority(PRIO_PROCESS, ::getpid()) + by);
}

bool idle_this_thread() {
  sched_param none{};
  return ::sched_setscheduler(0, SCHED_IDLE, &none) == 0;  // 0: the calling thread
}

}  // namespace troupe
