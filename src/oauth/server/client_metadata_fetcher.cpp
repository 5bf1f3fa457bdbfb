#include "mcpauth/oauth/client_metadata_fetcher.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mcpauth/core/log.hpp"
#include "mcpauth/http/client.hpp"
#include "mcpauth/http/message.hpp"
#include "mcpauth/store/errc.hpp"

namespace mcpauth::oauth {
namespace {

using std::chrono::seconds;

// Documents kept in memory at most. Each entry is a document someone published and that passed
// validation, so the bound only matters against a flood of distinct valid URLs; then the entry
// closest to expiry goes first.
constexpr size_t kMaxCachedDocuments = 1024;

// How much of a host name an error description shows.
constexpr size_t kMaxShownHostBytes = 100;

// RFC 9111 §1.2.2: delta-seconds past 2^31 are taken as 2^31.
constexpr int64_t kMaxDeltaSeconds = int64_t{1} << 31;

RegistrationResult Failure(std::string error, std::string description) {
  return RegistrationResult{.client = std::nullopt,
                            .error = {std::move(error), std::move(description)}};
}

// RFC 6749 §5.2: error_description is limited to %x20-21 / %x23-5B / %x5D-7E. Every byte outside
// that set (controls, quotes, backslashes, non-ASCII) becomes '?', so nothing a remote party
// chose can break out of a JSON string, a header, or a log line.
std::string Printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
      c = '?';
    }
  }
  return out;
}

// The host of a client_id URL as a person should see it in an error ("app.example.com",
// "[2001:db8::1]"), made printable and capped. The URL is untrusted input.
std::string DisplayHost(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  std::string_view host;
  if (parsed) {
    host = parsed->encoded_host();  // an IPv6 literal keeps its brackets
  }
  if (host.empty()) {
    return "(unknown host)";
  }
  std::string shown = Printable(host.substr(0, kMaxShownHostBytes));
  if (host.size() > kMaxShownHostBytes) {
    shown += "...";
  }
  return shown;
}

std::string FetchErrorDescription(const ErrorCode& ec, const std::string& host, size_t max_bytes) {
  const std::string where = "the metadata document at " + host;
  if (ec == http::ClientErrc::kAddressForbidden) {
    return where +
           " cannot be fetched: the host resolves to a private, loopback, link-local or "
           "reserved address";
  }
  if (ec == http::ClientErrc::kTimeout) {
    return "fetching " + where + " timed out";
  }
  if (ec == http::ClientErrc::kResponseTooLarge) {
    return where + " is larger than " + std::to_string(max_bytes) + " bytes";
  }
  if (ec == http::ClientErrc::kResolveFailed) {
    return where + " cannot be fetched: the host name does not resolve";
  }
  if (ec == http::ClientErrc::kConnectFailed) {
    return where + " cannot be fetched: the connection failed";
  }
  if (ec == http::ClientErrc::kTlsFailed) {
    return where + " cannot be fetched: TLS failed (is the certificate valid for the host?)";
  }
  if (ec == http::ClientErrc::kInvalidUrl) {
    return "the client_id is not a URL that can be fetched";
  }
  // The remaining client errors have fixed messages of our own.
  return "fetching " + where + " failed: " + ec.message();
}

// RFC 9110 §8.3.1 media type, compared case-insensitively without parameters: application/json
// (RFC 8259 §11) or any application/*+json structured syntax suffix (RFC 6839 §3.1).
bool IsJsonMediaType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) {
    type.remove_prefix(1);
  }
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) {
    type.remove_suffix(1);
  }
  constexpr std::string_view kApplication = "application/";
  constexpr std::string_view kJsonSuffix = "+json";
  if (type.size() < kApplication.size() ||
      !http::EqualsIgnoreCase(type.substr(0, kApplication.size()), kApplication)) {
    return false;
  }
  const std::string_view subtype = type.substr(kApplication.size());
  if (http::EqualsIgnoreCase(subtype, "json")) {
    return true;
  }
  return subtype.size() > kJsonSuffix.size() &&
         http::EqualsIgnoreCase(subtype.substr(subtype.size() - kJsonSuffix.size()), kJsonSuffix);
}

// RFC 9111 §1.2.2 delta-seconds = 1*DIGIT, saturating at 2^31.
std::optional<int64_t> ParseDeltaSeconds(std::string_view digits) {
  if (digits.empty()) {
    return std::nullopt;
  }
  int64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = std::min(kMaxDeltaSeconds, value * 10 + (c - '0'));
  }
  return value;
}

// What the Cache-Control fields of a response say about keeping it (RFC 9111 §5.2.2). Other
// directives (s-maxage, must-revalidate, private, ...) change nothing here: this cache is the
// server's own, and it never revalidates, it refetches.
struct CacheDirectives {
  bool no_store = false;
  bool no_cache = false;           // qualified (no-cache="field") or not: either way, revalidate
  std::optional<int64_t> max_age;  // the first occurrence (RFC 9111 §4.2.1)
  bool max_age_invalid = false;    // non-numeric: the response counts as stale (§4.2.1)
};

bool IsOws(char c) { return c == ' ' || c == '\t'; }

// Parses one Cache-Control field value (RFC 9111 §5.2):
//   #( token [ "=" ( token / quoted-string ) ] ), names case-insensitive.
// A malformed directive is skipped up to the next comma outside a quoted string, so one bad
// directive cannot hide the others; unknown directives are ignored (§5.2.3).
void ParseCacheControl(std::string_view v, CacheDirectives& out) {
  size_t i = 0;
  const auto skip_to_next_comma = [&] {
    bool quoted = false;
    for (; i < v.size(); ++i) {
      if (quoted && v[i] == '\\') {
        ++i;
      } else if (v[i] == '"') {
        quoted = !quoted;
      } else if (!quoted && v[i] == ',') {
        return;
      }
    }
  };
  while (i < v.size()) {
    while (i < v.size() && (IsOws(v[i]) || v[i] == ',')) {
      ++i;
    }
    const size_t name_start = i;
    while (i < v.size() && http::IsTokenChar(v[i])) {
      ++i;
    }
    const std::string_view name = v.substr(name_start, i - name_start);
    std::optional<std::string> value;
    bool well_formed = !name.empty();
    if (well_formed && i < v.size() && v[i] == '=') {
      ++i;
      if (i < v.size() && v[i] == '"') {
        // RFC 9110 §5.6.4 quoted-string with quoted-pair. Recipients accept this form even for
        // directives defined with a token argument (RFC 9111 §5.2).
        std::string text;
        bool closed = false;
        for (++i; i < v.size(); ++i) {
          if (v[i] == '\\' && i + 1 < v.size()) {
            text += v[++i];
          } else if (v[i] == '"') {
            closed = true;
            ++i;
            break;
          } else {
            text += v[i];
          }
        }
        well_formed = closed;
        value = std::move(text);
      } else {
        const size_t value_start = i;
        while (i < v.size() && http::IsTokenChar(v[i])) {
          ++i;
        }
        value = std::string(v.substr(value_start, i - value_start));
      }
    }
    while (i < v.size() && IsOws(v[i])) {
      ++i;
    }
    if (i < v.size() && v[i] != ',') {
      well_formed = false;
    }
    if (!well_formed) {
      skip_to_next_comma();
      continue;
    }
    if (http::EqualsIgnoreCase(name, "no-store")) {
      out.no_store = true;
    } else if (http::EqualsIgnoreCase(name, "no-cache")) {
      out.no_cache = true;
    } else if (http::EqualsIgnoreCase(name, "max-age") && !out.max_age && !out.max_age_invalid) {
      out.max_age = value ? ParseDeltaSeconds(*value) : std::nullopt;
      out.max_age_invalid = !out.max_age;
    }
  }
}

// RFC 9110 §5.6.7 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the form every current server
// sends. The obsolete RFC 850 and asctime forms are not parsed: an Expires in those forms counts
// as invalid, which RFC 9111 §5.3 says to treat as already expired (min_cache applies).
std::optional<Clock::TimePoint> ParseImfFixdate(std::string_view s) {
  static constexpr std::string_view kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s[25] != ' ' || s.substr(26) != "GMT" ||
      std::find(std::begin(kDays), std::end(kDays), s.substr(0, 3)) == std::end(kDays)) {
    return std::nullopt;
  }
  const auto number = [&](size_t pos, size_t len) -> std::optional<int> {
    int n = 0;
    const char* first = s.data() + pos;
    const auto [end, ec] = std::from_chars(first, first + len, n);
    if (ec != std::errc() || end != first + len) {
      return std::nullopt;
    }
    return n;
  };
  const auto month = std::find(std::begin(kMonths), std::end(kMonths), s.substr(8, 3));
  const auto day = number(5, 2);
  const auto year = number(12, 4);
  const auto hour = number(17, 2);
  const auto minute = number(20, 2);
  const auto second = number(23, 2);
  if (month == std::end(kMonths) || !day || !year || !hour || !minute || !second || *hour > 23 ||
      *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{
      std::chrono::year(*year),
      std::chrono::month(static_cast<unsigned>(month - std::begin(kMonths) + 1)),
      std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) {
    return std::nullopt;
  }
  return Clock::TimePoint(std::chrono::sys_days(date)) + std::chrono::hours(*hour) +
         std::chrono::minutes(*minute) + seconds(*second);
}

// How long a fetched document may be used (RFC 9111 §4.2.1 freshness lifetime minus §4.2.3 age),
// clamped to [min_cache, max_cache]. `no-store` and `no-cache` would mean "ask every time"; the
// floor keeps a flood of authorization requests from turning into a flood of fetches.
seconds CacheLifetime(const http::Headers& headers, Clock::TimePoint received,
                      const ClientMetadataFetcherOptions& options) {
  CacheDirectives directives;
  for (std::string_view value : headers.GetAll("Cache-Control")) {
    ParseCacheControl(value, directives);
  }
  seconds lifetime = options.default_cache;
  if (directives.no_store || directives.no_cache || directives.max_age_invalid) {
    lifetime = seconds(0);
  } else if (directives.max_age) {  // overrides Expires (RFC 9111 §5.3)
    lifetime = seconds(*directives.max_age);
  } else if (const auto expires_field = headers.Get("Expires")) {
    // Expires is on the origin's clock, so it is measured from the origin's Date when there is
    // one (RFC 9111 §4.2.1), which makes a skewed clock on either side harmless.
    const auto expires = headers.Count("Expires") == 1 ? ParseImfFixdate(*expires_field)
                                                       : std::nullopt;  // §5.3: invalid
    const auto date_field = headers.Get("Date");
    const auto date = date_field ? ParseImfFixdate(*date_field) : std::nullopt;
    lifetime =
        expires ? std::chrono::floor<seconds>(*expires - date.value_or(received)) : seconds(0);
  }
  if (const auto age_field = headers.Get("Age")) {
    if (const auto age = ParseDeltaSeconds(*age_field)) {
      lifetime -= seconds(*age);
    }
  }
  // Not std::clamp: a configuration with min_cache > max_cache must not be undefined behaviour.
  return std::max(options.min_cache, std::min(lifetime, options.max_cache));
}

// The `scope` member kept in a client's metadata_json, split (it was validated when the document
// was), for answers served from the cache.
std::vector<std::string> ScopesOf(const store::Client& client) {
  std::vector<std::string> scopes;
  boost::system::error_code ec;
  const boost::json::value metadata = boost::json::parse(client.metadata_json, ec);
  const boost::json::value* scope =
      !ec && metadata.is_object() ? metadata.as_object().if_contains("scope") : nullptr;
  if (scope == nullptr || !scope->is_string()) {
    return scopes;
  }
  std::string_view rest = scope->as_string();
  while (!rest.empty()) {
    const size_t space = rest.find(' ');
    if (space != 0) {
      scopes.emplace_back(rest.substr(0, space));
    }
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
  }
  return scopes;
}

http::ClientOptions HttpOptions(const ClientMetadataFetcherOptions& options) {
  http::ClientOptions http;
  http.connect_timeout = options.timeout;
  http.request_timeout = options.timeout;
  http.max_response_bytes = options.max_document_bytes;
  http.ca_file = options.ca_file;
  // Documents are fetched rarely (each is cached) from hosts chosen by whoever sends an
  // authorization request: idle connections to them would be a resource anyone could pin.
  http.max_idle_per_origin = 0;
  http.public_addresses_only = !options.allow_private_addresses;
  return http;
}

}  // namespace

ClientMetadataFetcher::ClientMetadataFetcher(store::ClientStore& store, const Clock& clock,
                                             ClientMetadataFetcherOptions options)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      http_(std::make_unique<http::Client>(HttpOptions(options_))) {}

ClientMetadataFetcher::~ClientMetadataFetcher() = default;

RegistrationResult ClientMetadataFetcher::Resolve(std::string_view client_id) {
  if (!IsMetadataDocumentUrl(client_id)) {
    return Failure("invalid_client",
                   "the client_id is not a metadata document URL (https, with a path, without "
                   "fragment, credentials or dot segments)");
  }
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(client_id); it != cache_.end()) {
      if (clock_.Now() < it->second.expires_at) {
        const store::Client& client = it->second.client;
        return RegistrationResult{
            .client = ValidatedClient{.client = client, .scopes = ScopesOf(client)}, .error = {}};
      }
      cache_.erase(it);
    }
  }
  // Fetched without the lock: two concurrent first requests for one URL may both fetch, which
  // is harmless (same document, same row) and keeps one slow host from stalling every other.
  const std::string host = DisplayHost(client_id);

  // A client registered otherwise (static configuration) under a URL-shaped id is never
  // replaced by whatever that URL serves.
  std::optional<store::TimePoint> first_seen;
  if (auto stored = store_.GetClient(client_id)) {
    if (stored->source != store::RegistrationSource::kCimd) {
      return Failure("invalid_client",
                     "the client_id is registered on this server and is not resolved as a "
                     "metadata document");
    }
    first_seen = stored->created_at;
  }

  http::ClientRequest request{.method = "GET", .url = std::string(client_id)};
  request.headers.Set("Accept", "application/json");
  Result<http::Response> response = http_->Send(request);
  if (!response) {
    log::Info("client metadata document from {}: {}", host, response.error().message());
    return Failure("invalid_client", Printable(FetchErrorDescription(response.error(), host,
                                                                     options_.max_document_bytes)));
  }
  const Clock::TimePoint received = clock_.Now();
  log::Debug("client metadata document from {}: HTTP {}", host, response->status);
  // SPEC-CHECKLIST AS24 (CIMD draft): redirects are not followed — a redirect would let the
  // document live somewhere its client_id does not name, and would be a second, unchecked URL.
  if (response->status >= 300 && response->status < 400 && response->status != 304) {
    return Failure("invalid_client", "the metadata document at " + host + " redirected (HTTP " +
                                         std::to_string(response->status) +
                                         "); redirects are not followed");
  }
  if (response->status != 200) {
    return Failure("invalid_client", "fetching the metadata document at " + host +
                                         " returned HTTP " + std::to_string(response->status) +
                                         " instead of 200");
  }
  if (!IsJsonMediaType(response->headers.Get("Content-Type").value_or(""))) {
    return Failure("invalid_client", "the metadata document at " + host +
                                         " is not served as JSON (Content-Type must be "
                                         "application/json)");
  }
  RegistrationResult validated = ValidateMetadataDocument(client_id, response->body);
  if (!validated.client) {
    return Failure("invalid_client", Printable("the metadata document at " + host +
                                               " is not valid: " + validated.error.description));
  }

  store::Client& client = validated.client->client;
  client.client_id = std::string(client_id);
  client.secret_hash = std::nullopt;  // a published document cannot hold a shared secret
  client.source = store::RegistrationSource::kCimd;
  client.created_at = first_seen.value_or(received);
  const Clock::TimePoint expires_at =
      received + CacheLifetime(response->headers, received, options_);
  client.expires_at = expires_at;
  validated.client->confidential = false;
  if (Status put = store_.PutClient(client); !put) {
    log::Error("storing the client from the metadata document at {} failed: {}", host,
               put.error().message());
    return Failure("server_error", "the client could not be stored; try again later");
  }

  std::lock_guard lock(mu_);
  if (cache_.size() >= kMaxCachedDocuments) {
    std::erase_if(cache_, [&](const auto& entry) { return entry.second.expires_at <= received; });
  }
  if (cache_.size() >= kMaxCachedDocuments) {
    cache_.erase(std::min_element(cache_.begin(), cache_.end(), [](const auto& a, const auto& b) {
      return a.second.expires_at < b.second.expires_at;
    }));
  }
  cache_.insert_or_assign(std::string(client_id),
                          Cached{.client = client, .expires_at = expires_at});
  return validated;
}

}  // namespace mcpauth::oauth
