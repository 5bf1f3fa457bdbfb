// A blocking TCP socket for tests that must send exactly the bytes they choose (oversized
// headers, stalled requests, half requests) — what a well-behaved client never would.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace mcpauth::testing {

class RawSocket {
 public:
  explicit RawSocket(uint16_t port, const char* ip = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, ip, &addr.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawSocket() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool connected() const { return connected_; }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        return false;
      }
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads until the peer closes or `timeout` passes; returns what arrived.
  std::string ReadUntilClose(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::string out;
    ReadWhile(
        timeout, [](const std::string&) { return true; }, out);
    return out;
  }

  // Reads one whole response with a Content-Length body (enough for tests).
  std::string ReadResponse(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::string out;
    ReadWhile(
        timeout, [](const std::string& s) { return !Complete(s); }, out);
    return out;
  }

  // True if the peer closed the connection (EOF or reset) within `timeout`.
  bool ClosedByPeer(std::chrono::milliseconds timeout) {
    std::string ignored;
    return ReadWhile(
        timeout, [](const std::string&) { return true; }, ignored);
  }

  static bool Complete(const std::string& s) {
    const size_t end = s.find("\r\n\r\n");
    if (end == std::string::npos) {
      return false;
    }
    size_t length = 0;
    for (std::string_view key : {"Content-Length: ", "content-length: "}) {
      if (const size_t p = s.find(key); p != std::string::npos && p < end) {
        length = std::stoul(s.substr(p + key.size()));
      }
    }
    return s.size() >= end + 4 + length;
  }

 private:
  // Returns true when the peer closed.
  template <class Pred>
  bool ReadWhile(std::chrono::milliseconds timeout, Pred more, std::string& out) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (more(out)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        return false;
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        return false;
      }
      char buf[16384];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        return true;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    return false;
  }

  int fd_ = -1;
  bool connected_ = false;
};

}  // namespace mcpauth::testing
