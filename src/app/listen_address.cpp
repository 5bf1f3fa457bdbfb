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
