// WorkerPool: a fixed set of threads running posted tasks, for work that must stay off the
// network threads (tool calls, password hashing, upstream I/O).
//
// Tasks run in FIFO order on whichever worker is free. The queue is bounded: Post() refuses a
// task when `max_queued` are already waiting (the caller answers 503 rather than queue forever).
// The destructor stops accepting, finishes the queued tasks and joins. Thread-safety: Post() may
// be called from any thread, including from a task.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mcpauth::core {

class WorkerPool {
 public:
  explicit WorkerPool(size_t threads, size_t max_queued = 10'000);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues a task. Returns false if the queue is full or the pool is stopping.
  bool Post(std::function<void()> task);

  size_t queued() const;

 private:
  void Run();

  const size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace mcpauth::core
