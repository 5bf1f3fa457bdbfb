// The HTTP server, for real: bound to 127.0.0.1:0, driven by raw sockets and the real client.
#include "mcpauth/http/server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "integration/raw_socket.hpp"
#include "mcpauth/http/client.hpp"

namespace mcpauth::http {
namespace {

using namespace std::chrono_literals;
using testing::RawSocket;

// A one-shot latch for handing control between the test and a handler without sleeping.
class Latch {
 public:
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool WaitFor(std::chrono::milliseconds d) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, d, [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    options.port = 0;
    if (options.threads == 0) {
      options.threads = 2;
    }
    server_ = std::make_unique<Server>(options, router_);
    ASSERT_TRUE(server_->Start().has_value());
    ASSERT_NE(server_->port(), 0);
  }
  std::string Url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + std::string(path);
  }

  std::shared_ptr<Router> router_ = [] {
    auto r = std::make_shared<Router>();
    r->Add("GET", "/hello", [](const Request& req) {
      auto resp = Response::Text(200, "hello");
      resp.headers.Set("X-Path", req.path);
      resp.headers.Set("X-Query", req.query);
      return resp;
    });
    r->Add(
        "POST", "/echo", [](const Request& req) { return Response::Text(200, req.body); },
        RouteOptions{.body_limit = 1024});
    r->Add(
        "POST", "/big", [](const Request& req) { return Response::Text(200, req.body); },
        RouteOptions{.body_limit = 64 * 1024});
    return r;
  }();
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, AnswersGetWithPathQueryAndDate) {
  StartServer();
  Client client;
  auto r = client.Send({.method = "GET", .url = Url("/hello?a=1&b=2")});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->headers.Get("X-Path").value_or(""), "/hello");
  EXPECT_EQ(r->headers.Get("X-Query").value_or(""), "a=1&b=2");
  EXPECT_TRUE(r->headers.Has("Date"));
}

TEST_F(ServerTest, KeepAliveReusesOneConnection) {
  StartServer();
  Client client;
  for (int i = 0; i < 20; ++i) {
    auto r = client.Send({.method = "GET", .url = Url("/hello")});
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->status, 200);
  }
  EXPECT_EQ(client.connections_opened(), 1u);
  EXPECT_EQ(server_->stats().connections_accepted, 1u);
  EXPECT_EQ(server_->stats().requests, 20u);
}

TEST_F(ServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  StartServer();
  Client client;
  auto r404 = client.Send({.method = "GET", .url = Url("/nope")});
  ASSERT_TRUE(r404.has_value());
  EXPECT_EQ(r404->status, 404);
  auto r405 = client.Send({.method = "DELETE", .url = Url("/hello")});
  ASSERT_TRUE(r405.has_value());
  EXPECT_EQ(r405->status, 405);
  EXPECT_EQ(r405->headers.Get("Allow").value_or(""), "GET, HEAD");
}

TEST_F(ServerTest, HeadHasLengthButNoBody) {
  StartServer();
  RawSocket s(server_->port());
  ASSERT_TRUE(s.Send("HEAD /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const std::string out = s.ReadUntilClose();
  EXPECT_NE(out.find("200 OK"), std::string::npos);
  EXPECT_NE(out.find("Content-Length: 5"), std::string::npos);
  EXPECT_TRUE(out.ends_with("\r\n\r\n")) << out;  // the header block, and no body after it
}

TEST_F(ServerTest, BodyOverRouteLimitIs413BeforeItIsRead) {
  StartServer();
  RawSocket s(server_->port());
  // Only the header is sent: the server must answer from Content-Length alone.
  ASSERT_TRUE(s.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n"));
  const std::string out = s.ReadUntilClose(5s);
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 413");
  EXPECT_NE(out.find("\"error\""), std::string::npos);
}

TEST_F(ServerTest, ChunkedBodyOverLimitIs413) {
  StartServer();
  RawSocket s(server_->port());
  std::string chunk(2000, 'a');
  ASSERT_TRUE(s.Send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n" +
                     chunk + "\r\n0\r\n\r\n"));
  const std::string out = s.ReadUntilClose(5s);
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 413");
}

TEST_F(ServerTest, BodyWithinLimitIsEchoed) {
  StartServer();
  Client client;
  auto r = client.Send({.method = "POST", .url = Url("/echo"), .body = std::string(1024, 'x')});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body.size(), 1024u);
}

// The route's limit decides, not the header limit: Beast checks Content-Length against its body
// limit as soon as the header ends, so that limit must not be the header's 16 KiB meanwhile.
TEST_F(ServerTest, BodyOverTheHeaderLimitButWithinTheRoutesIsServed) {
  StartServer();
  Client client;
  auto r = client.Send({.method = "POST", .url = Url("/big"), .body = std::string(40000, 'x')});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body.size(), 40000u);
  RawSocket s(server_->port());
  ASSERT_TRUE(s.Send("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n"));
  EXPECT_EQ(s.ReadUntilClose(5s).substr(0, 12), "HTTP/1.1 413");
}

TEST_F(ServerTest, HeaderBlockOver16KiBIs431) {
  StartServer();
  RawSocket s(server_->port());
  ASSERT_TRUE(s.Send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(17 * 1024, 'a') +
                     "\r\n\r\n"));
  const std::string out = s.ReadUntilClose(5s);
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 431");
}

TEST_F(ServerTest, HeaderBlockJustUnderLimitIsServed) {
  StartServer();
  RawSocket s(server_->port());
  ASSERT_TRUE(s.Send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(15 * 1024, 'a') +
                     "\r\n\r\n"));
  EXPECT_EQ(s.ReadResponse().substr(0, 12), "HTTP/1.1 200");
}

TEST_F(ServerTest, MalformedRequestIs400) {
  StartServer();
  RawSocket s(server_->port());
  ASSERT_TRUE(s.Send("GET /hello HTTP/9.9 what\r\n\r\n"));
  EXPECT_EQ(s.ReadUntilClose(5s).substr(0, 12), "HTTP/1.1 400");
}

TEST_F(ServerTest, StalledHeadersAreCutOff) {
  ServerOptions o;
  o.header_timeout = 300ms;
  StartServer(o);
  RawSocket s(server_->port());
  ASSERT_TRUE(s.Send("GET /hello HTTP/1.1\r\nHost: x\r\n"));  // never finished
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(s.ClosedByPeer(10s));
  // Cut off by the header timeout, not by the 10 s bound of this test.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  ServerOptions o;
  o.idle_timeout = 300ms;
  StartServer(o);
  RawSocket s(server_->port());
  ASSERT_TRUE(s.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(s.ReadResponse().substr(0, 12), "HTTP/1.1 200");
  EXPECT_TRUE(s.ClosedByPeer(10s));
}

TEST_F(ServerTest, Serves500ConcurrentConnections) {
  StartServer();
  constexpr int kConnections = 500;
  std::vector<std::unique_ptr<RawSocket>> sockets;
  for (int i = 0; i < kConnections; ++i) {
    sockets.push_back(std::make_unique<RawSocket>(server_->port()));
    ASSERT_TRUE(sockets.back()->connected()) << i;
  }
  for (auto& s : sockets) {
    ASSERT_TRUE(s->Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  }
  int ok = 0;
  for (auto& s : sockets) {
    ok += s->ReadResponse().starts_with("HTTP/1.1 200") ? 1 : 0;
  }
  EXPECT_EQ(ok, kConnections);
  EXPECT_EQ(server_->stats().connections_open, static_cast<uint64_t>(kConnections));
}

TEST_F(ServerTest, ConnectionsPastTheCapGet503) {
  ServerOptions o;
  o.max_connections = 2;
  StartServer(o);
  RawSocket a(server_->port());
  RawSocket b(server_->port());
  ASSERT_TRUE(a.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(b.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(a.ReadResponse().substr(0, 12), "HTTP/1.1 200");
  ASSERT_EQ(b.ReadResponse().substr(0, 12), "HTTP/1.1 200");
  RawSocket c(server_->port());
  EXPECT_EQ(c.ReadUntilClose(5s).substr(0, 12), "HTTP/1.1 503");
}

TEST_F(ServerTest, AsyncHandlerRespondsFromAnotherThread) {
  std::vector<std::thread> workers;
  std::mutex mu;
  router_->Add("GET", "/later", [&](std::shared_ptr<Exchange> ex) {
    std::lock_guard lock(mu);
    workers.emplace_back([ex] { ex->Respond(Response::Text(200, "later")); });
  });
  StartServer();
  Client client;
  for (int i = 0; i < 50; ++i) {
    auto r = client.Send({.method = "GET", .url = Url("/later")});
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->body, "later");
  }
  EXPECT_EQ(client.connections_opened(), 1u);
  std::lock_guard lock(mu);
  for (auto& t : workers) {
    t.join();
  }
}

TEST_F(ServerTest, ClientDisconnectWhileHandlerWorksIsNoticed) {
  Latch disconnected;
  std::shared_ptr<Exchange> held;
  Latch arrived;
  router_->Add("GET", "/slow", [&](std::shared_ptr<Exchange> ex) {
    ex->OnDisconnect([&] { disconnected.Open(); });
    held = ex;
    arrived.Open();
  });
  StartServer();
  {
    RawSocket s(server_->port());
    ASSERT_TRUE(s.Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(arrived.WaitFor(5s));
  }  // the client goes away before any answer
  EXPECT_TRUE(disconnected.WaitFor(5s));
  EXPECT_TRUE(held->disconnected());
  held->Respond(Response::Text(200, "too late"));  // ignored, must not crash
}

TEST_F(ServerTest, StreamsServerSentEventsChunked) {
  router_->Add("GET", "/events", [](std::shared_ptr<Exchange> ex) {
    auto stream = ex->StartStream(Response{.status = 200});
    std::thread([stream] {
      for (int i = 1; i <= 3; ++i) {
        stream->Send(
            SseEvent{.event = "tick", .id = std::to_string(i), .data = "n" + std::to_string(i)});
      }
      stream->Close();
    }).detach();
  });
  StartServer();
  RawSocket s(server_->port());
  ASSERT_TRUE(s.Send("GET /events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const std::string out = s.ReadUntilClose();
  EXPECT_NE(out.find("Content-Type: text/event-stream"), std::string::npos);
  EXPECT_NE(out.find("Transfer-Encoding: chunked"), std::string::npos);
  const size_t a = out.find("data: n1");
  const size_t b = out.find("data: n2");
  const size_t c = out.find("data: n3");
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(c, std::string::npos);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_NE(out.find("\r\n0\r\n\r\n"), std::string::npos);  // the last chunk: a clean end
}

TEST_F(ServerTest, StreamNoticesClientDisconnect) {
  Latch started;
  Latch gone;
  std::shared_ptr<EventStream> stream;
  router_->Add("GET", "/events", [&](std::shared_ptr<Exchange> ex) {
    ex->OnDisconnect([&] { gone.Open(); });
    stream = ex->StartStream(Response{.status = 200});
    stream->Send(SseEvent{.data = "first"});
    started.Open();
  });
  StartServer();
  {
    RawSocket s(server_->port());
    ASSERT_TRUE(s.Send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(started.WaitFor(5s));
  }
  EXPECT_TRUE(gone.WaitFor(5s));
  EXPECT_FALSE(stream->Send(SseEvent{.data = "after"}));
}

TEST_F(ServerTest, HandlerHeaderWithCrLfIsDropped) {
  router_->Add("GET", "/inject", [](const Request&) {
    auto r = Response::Text(200, "x");
    r.headers.Set("X-Evil", "a\r\nSet-Cookie: stolen=1");
    return r;
  });
  StartServer();
  RawSocket s(server_->port());
  ASSERT_TRUE(s.Send("GET /inject HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const std::string out = s.ReadUntilClose();
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 200");
  EXPECT_EQ(out.find("stolen"), std::string::npos);
}

TEST_F(ServerTest, GracefulShutdownDrainsInFlightRequest) {
  Latch arrived;
  std::shared_ptr<Exchange> held;
  router_->Add("GET", "/slow", [&](std::shared_ptr<Exchange> ex) {
    held = ex;
    arrived.Open();
  });
  StartServer();
  RawSocket busy(server_->port());
  RawSocket idle(server_->port());
  ASSERT_TRUE(idle.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(idle.ReadResponse().substr(0, 12), "HTTP/1.1 200");
  ASSERT_TRUE(busy.Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(arrived.WaitFor(5s));

  server_->Shutdown();
  EXPECT_TRUE(idle.ClosedByPeer(5s));  // idle keep-alive connections close at once
  RawSocket late(server_->port());     // no longer accepted
  EXPECT_FALSE(late.connected() && late.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n") &&
               late.ReadResponse(2s).starts_with("HTTP/1.1 200"));

  held->Respond(Response::Text(200, "finished"));  // the in-flight request completes
  const std::string out = busy.ReadUntilClose();
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 200");
  EXPECT_NE(out.find("finished"), std::string::npos);
  EXPECT_NE(out.find("Connection: close"), std::string::npos);
  server_->Wait();
}

TEST_F(ServerTest, ShutdownGraceBoundsAHandlerThatNeverAnswers) {
  ServerOptions o;
  o.shutdown_grace = 200ms;
  Latch arrived;
  std::shared_ptr<Exchange> held;
  router_->Add("GET", "/never", [&](std::shared_ptr<Exchange> ex) {
    held = ex;
    arrived.Open();
  });
  StartServer(o);
  RawSocket s(server_->port());
  ASSERT_TRUE(s.Send("GET /never HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(arrived.WaitFor(5s));
  const auto start = std::chrono::steady_clock::now();
  server_->Shutdown();
  server_->Wait();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_TRUE(s.ClosedByPeer(5s));
}

TEST(ServerLifetimeTest, StreamsAndExchangesMayOutliveTheServer) {
  // A handler (an MCP listen stream, say) may hold its stream after the server is gone; using
  // and dropping it then must be harmless, not a post to a destroyed event loop.
  auto router = std::make_shared<Router>();
  std::shared_ptr<EventStream> kept_stream;
  std::shared_ptr<Exchange> kept_exchange;
  Latch both;
  std::mutex mu;
  router->Add("GET", "/stream", [&](std::shared_ptr<Exchange> ex) {
    std::lock_guard lock(mu);
    kept_stream = ex->StartStream(Response{.status = 200});
    kept_stream->Send(SseEvent{.data = "hello"});
    if (kept_exchange) {
      both.Open();
    }
  });
  router->Add("GET", "/pending", [&](std::shared_ptr<Exchange> ex) {
    std::lock_guard lock(mu);
    kept_exchange = ex;
    if (kept_stream) {
      both.Open();
    }
  });
  auto server =
      std::make_unique<Server>(ServerOptions{.threads = 1, .shutdown_grace = 100ms}, router);
  ASSERT_TRUE(server->Start().has_value());
  RawSocket a(server->port());
  RawSocket b(server->port());
  ASSERT_TRUE(a.Send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(b.Send("GET /pending HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(both.WaitFor(5s));
  server.reset();
  std::lock_guard lock(mu);
  EXPECT_FALSE(kept_stream->Send(SseEvent{.data = "late"}));
  kept_exchange->Respond(Response::Text(200, "late"));
  kept_stream.reset();
  kept_exchange.reset();
}

TEST(ServerBindTest, LocalhostBindsBothLoopbacksOnOnePort) {
  auto router = std::make_shared<Router>();
  router->Add("GET", "/x", [](const Request& r) { return Response::Text(200, r.remote_address); });
  ServerOptions o;
  o.host = "localhost";
  o.threads = 1;
  Server server(o, router);
  ASSERT_TRUE(server.Start().has_value());
  ASSERT_EQ(server.endpoints().size(), 2u);
  Client client;
  auto v4 = client.Send({.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/x"});
  auto v6 = client.Send({.url = "http://[::1]:" + std::to_string(server.port()) + "/x"});
  ASSERT_TRUE(v4.has_value());
  ASSERT_TRUE(v6.has_value()) << v6.error().message();
  EXPECT_EQ(v4->body, "127.0.0.1");
  EXPECT_EQ(v6->body, "::1");
}

TEST(ServerBindTest, AddressInUseIsAnError) {
  auto router = std::make_shared<Router>();
  Server first(ServerOptions{.threads = 1}, router);
  ASSERT_TRUE(first.Start().has_value());
  Server second(ServerOptions{.port = first.port(), .threads = 1}, router);
  EXPECT_FALSE(second.Start().has_value());
}

}  // namespace
}  // namespace mcpauth::http
