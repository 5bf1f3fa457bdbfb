#include "mcpauth/core/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace mcpauth::core {
namespace {

TEST(WorkerPoolTest, RunsEveryTaskBeforeDestruction) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(2);
    for (int i = 0; i < 1000; ++i) {
      ASSERT_TRUE(pool.Post([&] { ++ran; }));
    }
  }
  EXPECT_EQ(ran, 1000);
}

TEST(WorkerPoolTest, RefusesPastTheQueueBound) {
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  WorkerPool pool(1, 2);
  ASSERT_TRUE(pool.Post([&, gate] {
    started.set_value();
    gate.wait();
  }));
  started.get_future().wait();  // the only worker is now busy
  EXPECT_TRUE(pool.Post([] {}));
  EXPECT_TRUE(pool.Post([] {}));
  EXPECT_FALSE(pool.Post([] {}));
  EXPECT_EQ(pool.queued(), 2u);
  release.set_value();
}

TEST(WorkerPoolTest, ATaskThatThrowsDoesNotKillTheWorker) {
  std::promise<int> result;
  WorkerPool pool(1);
  ASSERT_TRUE(pool.Post([] { throw std::runtime_error("boom"); }));
  ASSERT_TRUE(pool.Post([&] { result.set_value(42); }));
  EXPECT_EQ(result.get_future().get(), 42);
}

}  // namespace
}  // namespace mcpauth::core
