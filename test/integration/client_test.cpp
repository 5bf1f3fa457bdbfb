// Integration tests of the HTTP client: our real server on 127.0.0.1 with an OS-chosen port, and,
// for what that server never does on purpose (hand-written chunked bodies, interim responses,
// closing a kept-alive connection mid-request, silence), a scripted socket.
#include "mcpauth/http/client.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "integration/test_certs.hpp"
#include "mcpauth/http/router.hpp"
#include "mcpauth/http/server.hpp"

namespace mcpauth::http {
namespace {

using namespace std::chrono_literals;

boost::system::error_code Code(ClientErrc e) { return make_error_code(e); }

// A TCP socket listening on 127.0.0.1 with an OS-chosen port. Never accepting is a server that
// completes the TCP handshake (the kernel does) and then stays silent.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    port_ = ntohs(addr.sin_port);
  }
  ~Listener() { Close(); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  void Close() {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  int fd() const { return fd_; }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// Serves a script: connection i answers its requests with script[i][0], script[i][1], ... in
// turn (an empty entry: read that request, then close without answering), then closes. Every
// wait is bounded, so a client that never comes cannot hang the test.
class ScriptedServer {
 public:
  using Script = std::vector<std::vector<std::string>>;

  explicit ScriptedServer(Script script)
      : thread_([this, script = std::move(script)] { Serve(script); }) {}
  ~ScriptedServer() { thread_.join(); }

  uint16_t port() const { return listener_.port(); }

 private:
  static bool WaitReadable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 10'000) == 1;
  }

  // Reads up to the end of the next request head; false if the peer closed or went quiet.
  static bool ReadRequestHead(int fd, std::string& pending) {
    for (;;) {
      if (const size_t end = pending.find("\r\n\r\n"); end != std::string::npos) {
        pending.erase(0, end + 4);
        return true;
      }
      char buf[4096];
      if (!WaitReadable(fd)) {
        return false;
      }
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) {
        return false;
      }
      pending.append(buf, static_cast<size_t>(n));
    }
  }

  void Serve(const Script& script) {
    for (const auto& answers : script) {
      if (!WaitReadable(listener_.fd())) {
        return;
      }
      const int fd = ::accept(listener_.fd(), nullptr, nullptr);
      if (fd < 0) {
        return;
      }
      std::string pending;
      for (const std::string& answer : answers) {
        if (!ReadRequestHead(fd, pending) || answer.empty()) {
          break;
        }
        ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
      }
      ::close(fd);
    }
  }

  Listener listener_;  // before thread_: the thread uses it from its first instruction
  std::thread thread_;
};

constexpr std::string_view kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

class ClientTest : public ::testing::Test {
 protected:
  void TearDown() override {
    std::lock_guard lock(mu_);
    for (auto& t : workers_) {
      t.join();
    }
  }

  void StartServer(ServerOptions options = {}) {
    options.port = 0;
    options.threads = 2;
    options.shutdown_grace = 1s;
    server_ = std::make_unique<Server>(options, router_);
    ASSERT_TRUE(server_->Start().has_value());
    ASSERT_NE(server_->port(), 0);
  }

  std::string Url(std::string_view path, std::string_view scheme_host = "http://127.0.0.1") const {
    return std::string(scheme_host) + ":" + std::to_string(server_->port()) + std::string(path);
  }

  // Runs `work` on a thread joined at TearDown (before the server goes away).
  void RunLater(std::function<void()> work) {
    std::lock_guard lock(mu_);
    workers_.emplace_back(std::move(work));
  }

  // GET /events: three "tick" events with ids 1..3, sent from another thread, then the end.
  void AddEventsRoute() {
    router_->Add("GET", "/events", [this](std::shared_ptr<Exchange> ex) {
      std::shared_ptr<EventStream> stream = ex->StartStream(Response{.status = 200});
      RunLater([stream] {
        for (int i = 1; i <= 3; ++i) {
          stream->Send(
              SseEvent{.event = "tick", .id = std::to_string(i), .data = "n" + std::to_string(i)});
        }
        stream->Close();
      });
    });
  }

  void AddHelloRoute() {
    router_->Add("GET", "/hello", [](const Request&) { return Response::Text(200, "hello"); });
  }

  std::shared_ptr<Router> router_ = std::make_shared<Router>();
  std::unique_ptr<Server> server_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
};

TEST_F(ClientTest, GetSendsHeadersAndReturnsStatusHeadersAndBody) {
  router_->Add("GET", "/inspect", [](const Request& req) {
    Response resp = Response::Text(203, req.method + " " + req.target);
    resp.headers.Set("X-Echo", req.headers.Get("X-Test").value_or("(none)"));
    resp.headers.Set("X-Host", req.headers.Get("Host").value_or("(none)"));
    resp.headers.Set("X-User-Agent", req.headers.Get("User-Agent").value_or("(none)"));
    resp.headers.Set("X-Authorization", req.headers.Has("Authorization") ? "present" : "absent");
    resp.headers.Set("X-Content-Length", req.headers.Has("Content-Length") ? "present" : "absent");
    return resp;
  });
  StartServer();
  Client client;
  ClientRequest req{.url = Url("/inspect?a=1&b=%20#fragment")};
  req.headers.Set("X-Test", "abc");
  auto r = client.Send(req);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->status, 203);
  EXPECT_EQ(r->body, "GET /inspect?a=1&b=%20");  // the fragment stays on the client
  EXPECT_EQ(r->headers.Get("x-echo"), "abc");
  EXPECT_EQ(r->headers.Get("X-Host"), "127.0.0.1:" + std::to_string(server_->port()));
  EXPECT_EQ(r->headers.Get("X-User-Agent"), "mcpauth");
  EXPECT_EQ(r->headers.Get("X-Authorization"), "absent");
  EXPECT_EQ(r->headers.Get("X-Content-Length"), "absent");
  EXPECT_EQ(r->headers.Get("Content-Type"), "text/plain; charset=utf-8");
}

TEST_F(ClientTest, PostSendsBodyWithContentLengthAndReadsTheAnswer) {
  router_->Add("POST", "/echo", [](const Request& req) {
    Response resp =
        Response::Text(201, req.body, req.headers.Get("Content-Type").value_or("(none)"));
    resp.headers.Set("X-Content-Length", req.headers.Get("Content-Length").value_or("(none)"));
    return resp;
  });
  StartServer();
  Client client(ClientOptions{.user_agent = "ignored-because-set-below"});
  ClientRequest req{.method = "POST", .url = Url("/echo"), .body = R"({"a":1})"};
  req.headers.Set("Content-Type", "application/json");
  req.headers.Set("User-Agent", "custom/1.0");
  auto r = client.Send(req);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, R"({"a":1})");
  EXPECT_EQ(r->headers.Get("Content-Type"), "application/json");
  EXPECT_EQ(r->headers.Get("X-Content-Length"), "7");

  auto empty = client.Send({.method = "POST", .url = Url("/echo")});
  ASSERT_TRUE(empty.has_value()) << empty.error().message();
  EXPECT_EQ(empty->body, "");
  EXPECT_EQ(empty->headers.Get("X-Content-Length"), "0");  // RFC 9110 §8.6
}

TEST_F(ClientTest, SequentialRequestsReuseOneConnection) {
  AddHelloRoute();
  StartServer();
  Client client;
  for (int i = 0; i < 10; ++i) {
    auto r = client.Send({.url = Url("/hello")});
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->body, "hello");
  }
  EXPECT_EQ(client.connections_opened(), 1u);
  EXPECT_EQ(server_->stats().connections_accepted, 1u);
}

TEST_F(ClientTest, ConcurrentRequestsUseSeparateConnections) {
  AddHelloRoute();
  StartServer();
  Client client;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        auto r = client.Send({.url = Url("/hello")});
        ok += r.has_value() && r->body == "hello";
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(ok.load(), 80);
  // A connection is opened only when every pooled one is busy: never more than the 4 threads.
  EXPECT_GE(client.connections_opened(), 1u);
  EXPECT_LE(client.connections_opened(), 4u);
}

TEST_F(ClientTest, RedirectIsReturnedNotFollowed) {
  std::atomic<int> followed{0};
  router_->Add("GET", "/old", [](const Request&) {
    Response resp{.status = 302};
    resp.headers.Set("Location", "/new");
    return resp;
  });
  router_->Add("GET", "/new", [&followed](const Request&) {
    ++followed;
    return Response::Text(200, "new");
  });
  StartServer();
  Client client;
  auto r = client.Send({.url = Url("/old")});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->headers.Get("Location"), "/new");
  EXPECT_EQ(followed, 0);
}

TEST_F(ClientTest, ResponseOverTheCapIsTooLarge) {
  router_->Add("GET", "/exact",
               [](const Request&) { return Response::Text(200, std::string(1000, 'x')); });
  router_->Add("GET", "/big",
               [](const Request&) { return Response::Text(200, std::string(1001, 'x')); });
  StartServer();
  Client client(ClientOptions{.max_response_bytes = 1000});
  auto exact = client.Send({.url = Url("/exact")});
  ASSERT_TRUE(exact.has_value()) << exact.error().message();
  EXPECT_EQ(exact->body.size(), 1000u);
  auto big = client.Send({.url = Url("/big")});
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error(), Code(ClientErrc::kResponseTooLarge));
}

TEST_F(ClientTest, ChunkedResponseOverTheCapIsTooLarge) {
  const std::string sixteen_bytes =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "8\r\n01234567\r\n8\r\n89abcdef\r\n0\r\n\r\n";
  ScriptedServer fits({{sixteen_bytes}});
  ScriptedServer too_big({{sixteen_bytes}});
  Client client(ClientOptions{.max_response_bytes = 16});
  Client tighter(ClientOptions{.max_response_bytes = 15});
  auto ok = client.Send({.url = "http://127.0.0.1:" + std::to_string(fits.port()) + "/"});
  ASSERT_TRUE(ok.has_value()) << ok.error().message();
  EXPECT_EQ(ok->body, "0123456789abcdef");
  auto r = tighter.Send({.url = "http://127.0.0.1:" + std::to_string(too_big.port()) + "/"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), Code(ClientErrc::kResponseTooLarge));
}

TEST_F(ClientTest, HandlerThatNeverAnswersTimesOut) {
  std::mutex mu;
  std::vector<std::shared_ptr<Exchange>> held;
  router_->Add("GET", "/never", [&](std::shared_ptr<Exchange> ex) {
    std::lock_guard lock(mu);
    held.push_back(std::move(ex));
  });
  StartServer();
  Client client;
  const auto start = std::chrono::steady_clock::now();
  auto r = client.Send({.url = Url("/never"), .timeout = 300ms});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), Code(ClientErrc::kTimeout));
  EXPECT_GE(elapsed, 300ms);
  EXPECT_LT(elapsed, 5s);
  std::lock_guard lock(mu);
  ASSERT_EQ(held.size(), 1u);  // the request did arrive: the wait was for the answer
  held.front()->Respond(Response::Text(200, "too late"));
}

TEST_F(ClientTest, SilentPeerTimesOutWithinTheRequestTimeout) {
  Listener silent;  // never accepts, never answers
  Client client(ClientOptions{.request_timeout = 250ms});
  const auto start = std::chrono::steady_clock::now();
  auto r = client.Send({.url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/"});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), Code(ClientErrc::kTimeout));
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 5s);
}

TEST_F(ClientTest, RefusedConnectionIsConnectFailed) {
  uint16_t port = 0;
  {
    Listener closed;
    port = closed.port();
  }  // nothing listens on `port` any more
  Client client;
  auto r = client.Send({.url = "http://127.0.0.1:" + std::to_string(port) + "/"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), Code(ClientErrc::kConnectFailed));
  EXPECT_EQ(client.connections_opened(), 0u);
}

// RFC 6761 §6.4: ".invalid" never resolves.
TEST_F(ClientTest, UnresolvableHostIsResolveFailed) {
  Client client;
  auto r = client.Send({.url = "http://no-such-host.invalid/"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), Code(ClientErrc::kResolveFailed));
  EXPECT_EQ(client.connections_opened(), 0u);
}

TEST_F(ClientTest, InvalidUrlsAndOtherSchemesAreRefusedBeforeConnecting) {
  Client client;
  for (const char* url :
       {"", "not a url", "/relative/path", "//127.0.0.1/no-scheme", "ftp://127.0.0.1/file",
        "ws://127.0.0.1/", "http:/no-authority", "http://", "http://user:secret@127.0.0.1/",
        "http://127.0.0.1:99999/", "http://127.0.0.1:0/", "http://[v1.x]/", "http://bad%00host/"}) {
    auto r = client.Send({.url = url});
    ASSERT_FALSE(r.has_value()) << url;
    EXPECT_EQ(r.error(), Code(ClientErrc::kInvalidUrl)) << url;
  }
  EXPECT_EQ(client.connections_opened(), 0u);
}

TEST_F(ClientTest, HeaderInjectionAndBadMethodsAreRefusedBeforeConnecting) {
  AddHelloRoute();
  StartServer();
  Client client;
  const auto invalid = make_error_code(ClientErrc::kInvalidRequest);
  ClientRequest injected{.url = Url("/hello")};
  injected.headers.Set("X-Token", "abc\r\nX-Injected: yes");
  auto r1 = client.Send(injected);
  ASSERT_FALSE(r1.has_value());
  EXPECT_EQ(r1.error(), invalid);
  ClientRequest bad_name{.url = Url("/hello")};
  bad_name.headers.Set("Bad Name", "x");
  auto r2 = client.Send(bad_name);
  ASSERT_FALSE(r2.has_value());
  EXPECT_EQ(r2.error(), invalid);
  auto r3 = client.Send({.method = "GET /x", .url = Url("/hello")});
  ASSERT_FALSE(r3.has_value());
  EXPECT_EQ(r3.error(), invalid);
  EXPECT_EQ(client.connections_opened(), 0u);
}

TEST_F(ClientTest, HeadResponseHasNoBodyAndKeepsTheConnection) {
  AddHelloRoute();
  StartServer();
  Client client;
  auto head = client.Send({.method = "HEAD", .url = Url("/hello")});
  ASSERT_TRUE(head.has_value()) << head.error().message();
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  auto get = client.Send({.url = Url("/hello")});
  ASSERT_TRUE(get.has_value()) << get.error().message();
  EXPECT_EQ(get->body, "hello");
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST_F(ClientTest, ChunkedResponseIsDecoded) {
  ScriptedServer server(
      {{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"}});
  Client client;
  auto r = client.Send({.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/"});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->body, "hello world");
}

TEST_F(ClientTest, InterimResponsesAreSkipped) {
  ScriptedServer server(
      {{"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal"}});
  Client client;
  auto r = client.Send({.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/"});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "final");
}

TEST_F(ClientTest, GarbageIsAProtocolError) {
  ScriptedServer server({{"SSH-2.0-OpenSSH_9.2\r\n\r\n"}});
  Client client;
  auto r = client.Send({.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), Code(ClientErrc::kProtocolError));
}

TEST_F(ClientTest, TruncatedBodyIsConnectionClosed) {
  ScriptedServer server({{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"}});
  Client client;
  auto r = client.Send({.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), Code(ClientErrc::kConnectionClosed));
}

// RFC 9112 §9.3.1: the server closes a kept-alive connection as the next request arrives. A GET
// is retried once on a new connection; a POST is not (it might have been processed).
TEST_F(ClientTest, GetOnAConnectionClosedUnderItIsRetriedOnce) {
  ScriptedServer server({{std::string(kOk), ""}, {std::string(kOk)}});
  Client client;
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  auto first = client.Send({.url = url});
  ASSERT_TRUE(first.has_value()) << first.error().message();
  auto second = client.Send({.url = url});
  ASSERT_TRUE(second.has_value()) << second.error().message();
  EXPECT_EQ(second->body, "ok");
  EXPECT_EQ(client.connections_opened(), 2u);
}

TEST_F(ClientTest, PostOnAConnectionClosedUnderItIsNotRetried) {
  ScriptedServer server({{std::string(kOk), ""}});
  Client client;
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  auto first = client.Send({.method = "POST", .url = url, .body = "a"});
  ASSERT_TRUE(first.has_value()) << first.error().message();
  auto second = client.Send({.method = "POST", .url = url, .body = "b"});
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error(), Code(ClientErrc::kConnectionClosed));
  EXPECT_EQ(client.connections_opened(), 1u);
}

// RFC 9112 §9.6: after "Connection: close" the next request goes on a new connection. Were the
// client to reuse the first one, the script would answer it there.
TEST_F(ClientTest, ConnectionClosedByTheServerIsNotReused) {
  const std::string close = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye";
  ScriptedServer server({{close, std::string(kOk)}, {std::string(kOk)}});
  Client client;
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  auto first = client.Send({.url = url});
  ASSERT_TRUE(first.has_value()) << first.error().message();
  EXPECT_EQ(first->body, "bye");
  auto second = client.Send({.url = url});
  ASSERT_TRUE(second.has_value()) << second.error().message();
  EXPECT_EQ(second->body, "ok");
  EXPECT_EQ(client.connections_opened(), 2u);
}

TEST_F(ClientTest, StreamDeliversEventsInOrderThenTheConnectionIsReused) {
  AddEventsRoute();
  AddHelloRoute();
  StartServer();
  Client client;
  std::vector<SseEvent> events;
  auto r = client.Stream({.url = Url("/events")}, [&](const SseEvent& e) {
    events.push_back(e);
    return true;
  });
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->headers.Get("Content-Type"), "text/event-stream");
  ASSERT_EQ(events.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(events[i].event, "tick");
    EXPECT_EQ(events[i].id, std::to_string(i + 1));
    EXPECT_EQ(events[i].data, "n" + std::to_string(i + 1));
  }
  // The chunked stream ended cleanly, so its connection carries the next request.
  auto next = client.Send({.url = Url("/hello")});
  ASSERT_TRUE(next.has_value()) << next.error().message();
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST_F(ClientTest, StreamStopsWhenTheCallbackReturnsFalse) {
  AddEventsRoute();
  AddHelloRoute();
  StartServer();
  Client client;
  std::vector<std::string> ids;
  auto r = client.Stream({.url = Url("/events")}, [&](const SseEvent& e) {
    ids.push_back(e.id);
    return false;
  });
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), Code(ClientErrc::kCancelled));
  EXPECT_EQ(ids, std::vector<std::string>{"1"});
  // The abandoned stream's connection is closed, never handed to the next request.
  auto next = client.Send({.url = Url("/hello")});
  ASSERT_TRUE(next.has_value()) << next.error().message();
  EXPECT_EQ(client.connections_opened(), 2u);
}

TEST_F(ClientTest, StreamOfAnOrdinaryResponseReturnsItsBody) {
  router_->Add("GET", "/json", [](const Request&) { return Response::Json(200, "{}"); });
  StartServer();
  Client client;
  int calls = 0;
  auto r = client.Stream({.url = Url("/json")}, [&](const SseEvent&) {
    ++calls;
    return true;
  });
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->body, "{}");
  EXPECT_EQ(calls, 0);
}

TEST_F(ClientTest, StreamTimesOutWhenTheServerGoesQuiet) {
  std::mutex mu;
  std::shared_ptr<EventStream> held;
  router_->Add("GET", "/quiet", [&](std::shared_ptr<Exchange> ex) {
    auto stream = ex->StartStream(Response{.status = 200});
    stream->Send(SseEvent{.data = "only"});
    std::lock_guard lock(mu);
    held = stream;  // kept open, never written again
  });
  StartServer();
  Client client;
  int calls = 0;
  auto r = client.Stream({.url = Url("/quiet"), .timeout = 300ms}, [&](const SseEvent& e) {
    calls += e.data == "only";
    return true;
  });
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), Code(ClientErrc::kTimeout));
  EXPECT_EQ(calls, 1);
  std::lock_guard lock(mu);
  ASSERT_NE(held, nullptr);
  held->Close();
}

// A stream has no total cap, but an event that never ends cannot grow without bound.
TEST_F(ClientTest, StreamEventOverTheCapIsTooLarge) {
  ScriptedServer server(
      {{"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
        "data: a\n\ndata: " +
        std::string(200, 'x')}});
  Client client(ClientOptions{.max_response_bytes = 100});
  std::vector<std::string> data;
  auto r = client.Stream({.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/"},
                         [&](const SseEvent& e) {
                           data.push_back(e.data);
                           return true;
                         });
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), Code(ClientErrc::kResponseTooLarge));
  EXPECT_EQ(data, std::vector<std::string>{"a"});
}

// RFC 9112 §6.3 rule 8: without Content-Length or chunking, closing ends the body (and stream).
TEST_F(ClientTest, StreamDelimitedByCloseEndsCleanly) {
  ScriptedServer server(
      {{"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
        "id: 7\ndata: a\n\n: comment\n\ndata: b\n\n"}});
  Client client;
  std::vector<std::string> data;
  auto r = client.Stream({.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/"},
                         [&](const SseEvent& e) {
                           data.push_back(e.id + "/" + e.data);
                           return true;
                         });
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(data, (std::vector<std::string>{"7/a", "7/b"}));
}

TEST(ClientOptionsTest, UnreadableCaFileIsAConfigurationError) {
  EXPECT_THROW(Client(ClientOptions{.ca_file = "/nonexistent/ca.pem"}), std::invalid_argument);
}

// TLS against our server with a certificate from a CA made for the test.
class ClientTlsTest : public ClientTest {
 protected:
  void StartTlsServer(std::string_view san) {
    const testing::CertFiles files = pki_.IssueServerCert("server", san);
    ServerOptions options;
    options.tls = TlsFiles{.cert_chain_file = files.cert_chain_file,
                           .private_key_file = files.private_key_file};
    AddHelloRoute();
    StartServer(options);
  }

  ClientOptions TrustingOptions() const { return ClientOptions{.ca_file = pki_.ca_file()}; }

  testing::TestPki pki_;
};

TEST_F(ClientTlsTest, HttpsToLocalhostWithTheTrustedCaSucceedsAndReuses) {
  StartTlsServer("DNS:localhost,IP:127.0.0.1");
  Client client(TrustingOptions());
  for (int i = 0; i < 3; ++i) {
    auto r = client.Send({.url = Url("/hello", "https://localhost")});
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "hello");
  }
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST_F(ClientTlsTest, HttpsToAnIpLiteralMatchesTheIpSan) {
  StartTlsServer("DNS:localhost,IP:127.0.0.1");
  Client client(TrustingOptions());
  auto r = client.Send({.url = Url("/hello", "https://127.0.0.1")});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->body, "hello");
}

TEST_F(ClientTlsTest, CertificateForAnotherHostIsRefused) {
  StartTlsServer("DNS:other.example");
  Client client(TrustingOptions());
  auto r = client.Send({.url = Url("/hello", "https://localhost")});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), Code(ClientErrc::kTlsFailed));
}

// RFC 6125 §6.4: an IP literal is matched only against iPAddress SANs, never a DNS name.
TEST_F(ClientTlsTest, IpLiteralNotInTheCertificateIsRefused) {
  StartTlsServer("DNS:localhost");
  Client client(TrustingOptions());
  auto r = client.Send({.url = Url("/hello", "https://127.0.0.1")});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), Code(ClientErrc::kTlsFailed));
}

TEST_F(ClientTlsTest, UntrustedCaIsRefused) {
  StartTlsServer("DNS:localhost,IP:127.0.0.1");
  Client client;  // system roots only: the test CA is unknown to them
  auto r = client.Send({.url = Url("/hello", "https://localhost")});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), Code(ClientErrc::kTlsFailed));
}

TEST_F(ClientTlsTest, PlainHttpToATlsPortFails) {
  StartTlsServer("DNS:localhost,IP:127.0.0.1");
  Client client(ClientOptions{.request_timeout = 2s});
  auto r = client.Send({.url = Url("/hello")});
  EXPECT_FALSE(r.has_value());
}

TEST_F(ClientTlsTest, StreamOverTls) {
  AddEventsRoute();
  StartTlsServer("DNS:localhost,IP:127.0.0.1");
  Client client(TrustingOptions());
  std::vector<std::string> data;
  auto r = client.Stream({.url = Url("/events", "https://localhost")}, [&](const SseEvent& e) {
    data.push_back(e.data);
    return true;
  });
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(data, (std::vector<std::string>{"n1", "n2", "n3"}));
}

}  // namespace
}  // namespace mcpauth::http
