#include "app/listen_address.hpp"

#include <boost/url/grammar/parse.hpp>
#include <boost/url/parse.hpp>

namespace mcpauth::app {

std::optional<ListenAddress> ParseListenAddress(std::string_view text) {
  // RFC 3986 authority grammar via Boost.URL: handles "[::1]:8080" and rejects userinfo.
  auto r = boost::urls::parse_authority(text);
  if (!r || r->has_userinfo() || !r->has_port() || r->port().empty()) {
    return std::nullopt;
  }
  const auto number = r->port_number();
  if (number == 0 && r->port() != "0") {
    return std::nullopt;  // out of range
  }
  ListenAddress out;
  switch (r->host_type()) {
    case boost::urls::host_type::ipv4:
      out.host = r->host_address();
      break;
    case boost::urls::host_type::ipv6:
      out.host = r->host_ipv6_address().to_string();
      break;
    case boost::urls::host_type::name:
      if (r->host_name() != "localhost") {
        return std::nullopt;
      }
      out.host = "localhost";
      break;
    default:
      return std::nullopt;
  }
  out.port = number;
  return out;
}

}  // namespace mcpauth::app

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mcpauth::app {

uint16_t PickFreePort(const std::string& host) {
  const bool v6 = host.find(':') != std::string::npos;
  const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return 0;
  }
  uint16_t port = 0;
  sockaddr_storage storage{};
  socklen_t len = 0;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
    a->sin6_family = AF_INET6;
    ::inet_pton(AF_INET6, host.c_str(), &a->sin6_addr);
    len = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&storage);
    a->sin_family = AF_INET;
    ::inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host.c_str(), &a->sin_addr);
    len = sizeof(sockaddr_in);
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), len) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &len) == 0) {
    port = v6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port)
              : ntohs(reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace mcpauth::app
