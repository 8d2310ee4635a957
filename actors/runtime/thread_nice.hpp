// Thread priorities: the node's liveness and NATS I/O threads run at the process's
// niceness; the actors' work runs `runtime.worker_nice` nicer (CAF's threads through a
// hook, a kind's own worker threads by calling this first), emulated sources
// `runtime.source_nice` nicer again, so that work never starves heartbeats.
#pragma once

namespace troupe {

// Sets the calling thread's niceness to the process's plus `by` (whatever the thread
// that started it had); 0 leaves it as it is.
void nicer_this_thread(int by);
// Puts the calling thread in SCHED_IDLE: it runs only when no other thread wants the
// CPU, however many such threads there are. False if the kernel refused.
bool idle_this_thread();

}  // namespace troupe
