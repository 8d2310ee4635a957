// A child process (the embedded nats-server, a node under --processes) that ends when
// the process that forked it ends, however it ends (kill -9 included): the kernel sends
// it SIGTERM. Linux ties this to the forking thread, so it is armed only when the main
// thread forks (as `troupe run` does); a child forked elsewhere is only stopped by its
// owner's destructor.
#pragma once

#include <csignal>

#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace troupe::detail {

// In the parent, just before fork(): whether the child can be tied to this thread.
inline bool forking_from_main_thread() {
  return ::syscall(SYS_gettid) == ::getpid();
}

// In the child, just after fork(): `parent` is the forking process's pid.
inline void die_with_parent(pid_t parent, bool armed) {
  if (!armed)
    return;
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent)  // it already ended between fork() and prctl()
    ::_exit(0);
}

}  // namespace troupe::detail
