#include "http/exchange_impl.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace mcpauth::http::detail {
namespace {

class CountingNotifier final : public Notifier {
 public:
  void Notify() override { ++count; }
  std::atomic<int> count{0};
};

std::shared_ptr<ExchangeImpl> Make(std::shared_ptr<CountingNotifier> n) {
  Request r;
  r.path = "/x";
  return std::make_shared<ExchangeImpl>(std::move(r), std::move(n));
}

TEST(ExchangeTest, FirstCompletionWinsLaterOnesAreIgnored) {
  auto n = std::make_shared<CountingNotifier>();
  auto ex = Make(n);
  ex->Respond(Response::Text(201, "a"));
  ex->Respond(Response::Text(500, "b"));
  auto stream = ex->StartStream(Response{});
  EXPECT_TRUE(stream->closed());
  EXPECT_FALSE(stream->Send(SseEvent{.data = "x"}));
  EXPECT_EQ(ex->state(), ExchangeImpl::State::kResponded);
  EXPECT_EQ(ex->TakeResponse().status, 201);
  EXPECT_EQ(n->count, 1);  // woken once, for the first completion only
}

TEST(ExchangeTest, CompletionInsideTheDispatchNeedsNoWakeUp) {
  auto n = std::make_shared<CountingNotifier>();
  auto ex = Make(n);
  ex->BeginDispatch();
  ex->Respond(Response::Text(200, "now"));
  ex->EndDispatch();
  EXPECT_EQ(n->count, 0);
  EXPECT_EQ(ex->state(), ExchangeImpl::State::kResponded);
}

TEST(ExchangeTest, CompletionFromAnotherThreadDuringDispatchWakes) {
  auto n = std::make_shared<CountingNotifier>();
  auto ex = Make(n);
  ex->BeginDispatch();
  std::thread([ex] { ex->Respond(Response::Text(200, "other")); }).join();
  ex->EndDispatch();
  EXPECT_EQ(n->count, 1);
}

TEST(ExchangeTest, StreamQueuesFramedEventsUntilClosed) {
  auto n = std::make_shared<CountingNotifier>();
  auto ex = Make(n);
  auto stream = ex->StartStream(Response{.status = 200});
  EXPECT_EQ(ex->state(), ExchangeImpl::State::kStreaming);
  EXPECT_EQ(ex->TakeResponse().headers.Get("Content-Type").value_or(""), "text/event-stream");
  EXPECT_TRUE(stream->Send(SseEvent{.id = "1", .data = "a"}));
  EXPECT_TRUE(stream->SendRaw(": keep-alive\n\n"));
  bool closed = true;
  const std::string queued = ex->TakeQueued(closed);
  EXPECT_FALSE(closed);
  EXPECT_NE(queued.find("data: a"), std::string::npos);
  EXPECT_NE(queued.find(": keep-alive"), std::string::npos);
  stream->Close();
  EXPECT_TRUE(stream->closed());
  EXPECT_FALSE(stream->Send(SseEvent{.data = "late"}));
  EXPECT_TRUE(ex->TakeQueued(closed).empty());
  EXPECT_TRUE(closed);
}

TEST(ExchangeTest, SlowReaderIsCutOffPastTheQueueCap) {
  auto ex = Make(std::make_shared<CountingNotifier>());
  auto stream = ex->StartStream(Response{});
  const std::string mib(1024 * 1024, 'x');
  int sent = 0;
  while (stream->SendRaw(mib)) {
    ++sent;
    ASSERT_LT(sent, 100);
  }
  EXPECT_EQ(sent, 16);
  EXPECT_TRUE(stream->closed());
}

TEST(ExchangeTest, DisconnectRunsCallbacksOnceAndLateOnesAtOnce) {
  auto ex = Make(std::make_shared<CountingNotifier>());
  int calls = 0;
  ex->OnDisconnect([&] { ++calls; });
  ex->MarkDisconnected();
  ex->MarkDisconnected();
  EXPECT_EQ(calls, 1);
  ex->OnDisconnect([&] { ++calls; });
  EXPECT_EQ(calls, 2);
  ex->Respond(Response{});  // ignored
  EXPECT_EQ(ex->state(), ExchangeImpl::State::kPending);
}

}  // namespace
}  // namespace mcpauth::http::detail
