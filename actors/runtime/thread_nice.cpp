#include "actors/runtime/thread_nice.hpp"

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

}  // namespace troupe
