// AsHarness: a real authorization server for integration tests — SQLite store in a temporary
// directory, the real HTTP server on 127.0.0.1, a FakeClock the test moves, fast Argon2 params —
// and a cookie-keeping "browser" that fills the real login and consent forms.
#pragma once

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "mcpauth/core/base64url.hpp"
#include "mcpauth/core/crypto.hpp"
#include "mcpauth/core/worker_pool.hpp"
#include "mcpauth/http/client.hpp"
#include "mcpauth/http/form.hpp"
#include "mcpauth/http/server.hpp"
#include "mcpauth/oauth/authorization_server.hpp"
#include "mcpauth/store/store.hpp"

namespace mcpauth::testing {

inline uint16_t FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), len) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

// The value of every <input name=... value=...> of the page, HTML entities decoded.
inline std::vector<std::pair<std::string, std::string>> PageInputs(const std::string& html) {
  static const std::regex input(R"(<input\b[^>]*>)", std::regex::icase);
  static const std::regex name(R"re(\bname="([^"]*)")re");
  static const std::regex value(R"re(\bvalue="([^"]*)")re");
  auto unescape = [](std::string s) {
    const std::pair<const char*, const char*> entities[] = {
        {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
    for (auto [from, to] : entities) {
      for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += strlen(to)) {
        s.replace(pos, strlen(from), to);
      }
    }
    return s;
  };
  std::vector<std::pair<std::string, std::string>> out;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), input);
       it != std::sregex_iterator(); ++it) {
    const std::string tag = it->str();
    std::smatch n, v;
    if (std::regex_search(tag, n, name)) {
      std::string val = std::regex_search(tag, v, value) ? v[1].str() : "";
      out.emplace_back(unescape(n[1].str()), unescape(val));
    }
  }
  return out;
}

// The visible text of a page (tags and the style sheet dropped), for failure messages.
inline std::string PageText(const std::string& html) {
  static const std::regex style(R"(<style>[\s\S]*?</style>)");
  static const std::regex tag(R"(<[^>]+>)");
  static const std::regex space(R"(\s+)");
  std::string text = std::regex_replace(html, style, " ");
  text = std::regex_replace(text, tag, " ");
  return std::regex_replace(text, space, " ");
}

inline std::string InputValue(const std::string& html, std::string_view input_name) {
  for (auto& [n, v] : PageInputs(html)) {
    if (n == input_name) {
      return v;
    }
  }
  return "";
}

// S256 of a verifier (RFC 7636 §4.2).
inline std::string S256(std::string_view verifier) {
  auto digest = core::Sha256(verifier);
  return core::Base64UrlEncode(digest);
}

// The query parameters of a URL (after '?').
inline std::map<std::string, std::string> QueryOf(const std::string& url) {
  std::map<std::string, std::string> out;
  auto q = url.find('?');
  if (q == std::string::npos) {
    return out;
  }
  auto form = http::ParseForm(url.substr(q + 1));
  if (form) {
    for (auto& [k, v] : *form) {
      out[k] = v;
    }
  }
  return out;
}

struct AsHarnessOptions {
  std::function<void(oauth::AuthorizationServerConfig&)> configure;
  std::function<void(oauth::AuthorizationServerLimits&)> limits;
  // Non-empty: accept Client ID Metadata Documents, fetched over TLS trusting this CA, from
  // loopback (the test's document server).
  std::string cimd_ca_file;
  // Accept metadata documents as in production: public addresses only (the SSRF guard on).
  bool cimd_public_only = false;
};

class AsHarness {
 public:
  static constexpr const char* kUser = "alice";
  static constexpr const char* kPassword = "correct horse battery staple";

  explicit AsHarness(AsHarnessOptions options = {}) {
    dir_ = std::filesystem::temp_directory_path() /
           ("mcpauth-as-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::create_directories(dir_);
    auto opened = store::OpenStore("sqlite:" + (dir_ / "mcpauth.db").string());
    if (!opened) {
      throw std::runtime_error("cannot open the store");
    }
    store_ = std::move(*opened);
    port_ = FreeLoopbackPort();
    issuer = "http://127.0.0.1:" + std::to_string(port_);
    resource = issuer + "/mcp";
    config.issuer = issuer;
    config.resources.push_back({resource, "Test MCP server", {"mcp:read", "mcp:tools"}});
    if (options.configure) {
      options.configure(config);
    }
    keys_ = std::make_unique<oauth::SigningKeyManager>(*store_, clock);
    if (!keys_->EnsureActiveKey()) {
      throw std::runtime_error("no signing key");
    }
    passwords_ = std::make_unique<oauth::PasswordHasher>(OpenSslRandom::Instance(),
                                                         oauth::PasswordHasher::Params::ForTests());
    pool_ = std::make_unique<core::WorkerPool>(2);
    oauth::AuthorizationServerLimits limits;
    if (options.limits) {
      options.limits(limits);
    }
    if (!options.cimd_ca_file.empty() || options.cimd_public_only) {
      fetcher_ = std::make_unique<oauth::ClientMetadataFetcher>(
          *store_, clock,
          oauth::ClientMetadataFetcherOptions{.allow_private_addresses = !options.cimd_public_only,
                                              .ca_file = options.cimd_ca_file});
    }
    as_ = std::make_unique<oauth::AuthorizationServer>(
        oauth::AuthorizationServerDeps{.config = config,
                                       .store = *store_,
                                       .keys = *keys_,
                                       .passwords = *passwords_,
                                       .pool = *pool_,
                                       .clock = clock,
                                       .random = OpenSslRandom::Instance(),
                                       .metadata_fetcher = fetcher_.get(),
                                       .limits = limits});
    router = std::make_shared<http::Router>();
    as_->Register(*router);
    AddUser(kUser, kPassword);
  }

  // Starts serving; call after adding any extra routes to `router`.
  void Start() {
    http::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = port_;
    options.threads = 2;
    server_ = std::make_unique<http::Server>(options, router);
    if (!server_->Start()) {
      throw std::runtime_error("cannot start the server");
    }
  }

  ~AsHarness() {
    server_.reset();
    pool_.reset();
    as_.reset();
    fetcher_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void AddUser(const std::string& name, const std::string& password) {
    auto hash = passwords_->Hash(Secret(password));
    store::User user{
        .id = "u_" + name, .username = name, .password_hash = *hash, .created_at = clock.Now()};
    ASSERT_TRUE(store_->CreateUser(user).has_value());
  }

  std::string Url(std::string_view path) const { return issuer + std::string(path); }

  http::Response Send(http::ClientRequest request) {
    auto r = client_.Send(request);
    if (!r) {
      ADD_FAILURE() << "request failed: " << r.error().message();
      return {};
    }
    return *r;
  }
  http::Response PostForm(std::string_view path,
                          const std::vector<std::pair<std::string, std::string>>& params,
                          http::Headers headers = {}) {
    headers.Set("Content-Type", "application/x-www-form-urlencoded");
    return Send(
        {.method = "POST", .url = Url(path), .headers = headers, .body = http::EncodeForm(params)});
  }
  http::Response PostJson(std::string_view path, const std::string& json) {
    http::Headers headers;
    headers.Set("Content-Type", "application/json");
    return Send({.method = "POST", .url = Url(path), .headers = headers, .body = json});
  }

  // Registers a client with DCR; returns the parsed 201 body (client_id, client_secret...).
  boost::json::object Register(const std::string& json) {
    auto r = PostJson("/register", json);
    EXPECT_EQ(r.status, 201) << r.body;
    auto v = boost::json::parse(r.body);
    return v.as_object();
  }
  std::string RegisterPublic(const std::string& redirect_uri = "http://127.0.0.1:9/callback",
                             const std::string& extra = "") {
    auto body = Register(
        R"({"client_name":"Test App","redirect_uris":[")" + redirect_uri +
        R"("],"token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"])" +
        extra + "}");
    return std::string(body["client_id"].as_string());
  }

  // The cookie-keeping browser.
  struct Browser {
    AsHarness* as;
    std::map<std::string, std::string> cookies;

    http::Response Go(const std::string& method, const std::string& url,
                      const std::string& body = "") {
      http::ClientRequest request{.method = method, .url = url};
      std::string cookie_header;
      for (auto& [k, v] : cookies) {
        cookie_header += (cookie_header.empty() ? "" : "; ") + k + "=" + v;
      }
      if (!cookie_header.empty()) {
        request.headers.Set("Cookie", cookie_header);
      }
      if (method == "POST") {
        request.headers.Set("Content-Type", "application/x-www-form-urlencoded");
        request.body = body;
      }
      auto r = as->Send(request);
      for (auto set : r.headers.GetAll("Set-Cookie")) {
        std::string s(set);
        auto eq = s.find('=');
        auto semi = s.find(';');
        std::string name = s.substr(0, eq);
        std::string value =
            s.substr(eq + 1, semi == std::string::npos ? std::string::npos : semi - eq - 1);
        if (value.empty() || s.find("Max-Age=0") != std::string::npos) {
          cookies.erase(name);
        } else {
          cookies[name] = value;
        }
      }
      return r;
    }
    // Submits the page's form whose action is `action` (as a browser does: only that form's
    // inputs, as the page set them), with overrides.
    http::Response Submit(const http::Response& page, const std::string& action,
                          std::map<std::string, std::string> overrides) {
      std::string form_html;
      static const std::regex form_re(
          R"re(<form\b[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)</form>)re");
      for (auto it = std::sregex_iterator(page.body.begin(), page.body.end(), form_re);
           it != std::sregex_iterator(); ++it) {
        std::string form_action = (*it)[1].str();
        if (form_action == action || form_action == as->Url(action)) {
          if (form_html.empty() || (overrides.count("client_id") != 0u &&
                                    (*it)[2].str().find("value=\"" + overrides["client_id"] +
                                                        "\"") != std::string::npos)) {
            form_html = (*it)[2].str();
          }
        }
      }
      if (form_html.empty()) {
        ADD_FAILURE() << "no form posting to " << action << ": " << PageText(page.body);
      }
      std::vector<std::pair<std::string, std::string>> fields;
      for (auto& [n, v] : PageInputs(form_html)) {
        if (overrides.count(n) != 0u) {
          fields.emplace_back(n, overrides[n]);
          overrides.erase(n);
        } else {
          fields.emplace_back(n, v);
        }
      }
      for (auto& [n, v] : overrides) {
        fields.emplace_back(n, v);
      }
      return Go("POST", as->Url(action), http::EncodeForm(fields));
    }
    http::Response Login(const http::Response& login_page, const std::string& user,
                         const std::string& password) {
      return Submit(login_page, "/login", {{"username", user}, {"password", password}});
    }
  };
  Browser NewBrowser() { return Browser{this, {}}; }

  struct Authorization {
    std::string code;
    std::string location;  // the final redirect to the client
    bool saw_login = false;
    bool saw_consent = false;
  };
  // Runs /authorize through login and consent with `decision`; follows our own redirects.
  Authorization Authorize(Browser& browser,
                          const std::vector<std::pair<std::string, std::string>>& params,
                          const std::string& decision = "approve") {
    Authorization out;
    auto r = browser.Go("GET", Url("/authorize?" + http::EncodeForm(params)));
    for (int step = 0; step < 6; ++step) {
      if (r.status == 303 || r.status == 302) {
        std::string location(r.headers.Get("Location").value_or(""));
        if (location.rfind("/", 0) == 0) {
          r = browser.Go("GET", Url(location));
          continue;
        }
        if (location.rfind(issuer + "/", 0) == 0) {
          r = browser.Go("GET", location);
          continue;
        }
        out.location = location;
        out.code = QueryOf(location)["code"];
        return out;
      }
      if (r.status != 200) {
        ADD_FAILURE() << "unexpected status " << r.status << ": " << PageText(r.body);
        return out;
      }
      if (r.body.find("name=\"password\"") != std::string::npos) {
        out.saw_login = true;
        r = browser.Login(r, kUser, kPassword);
      } else if (r.body.find("name=\"decision\"") != std::string::npos) {
        out.saw_consent = true;
        r = browser.Submit(r, "/authorize", {{"decision", decision}});
      } else {
        ADD_FAILURE() << "a page without a form: " << r.body.substr(0, 400);
        return out;
      }
    }
    ADD_FAILURE() << "too many steps";
    return out;
  }

  // Standard authorization parameters for a public client with PKCE.
  std::vector<std::pair<std::string, std::string>> AuthParams(
      const std::string& client_id, const std::string& redirect_uri, const std::string& verifier,
      const std::string& scope = "mcp:tools") {
    return {{"response_type", "code"},
            {"client_id", client_id},
            {"redirect_uri", redirect_uri},
            {"code_challenge", S256(verifier)},
            {"code_challenge_method", "S256"},
            {"scope", scope},
            {"state", "xyz-state"},
            {"resource", resource}};
  }

  http::Response ExchangeCode(const std::string& client_id, const std::string& code,
                              const std::string& verifier, const std::string& redirect_uri) {
    return PostForm("/token", {{"grant_type", "authorization_code"},
                               {"client_id", client_id},
                               {"code", code},
                               {"code_verifier", verifier},
                               {"redirect_uri", redirect_uri}});
  }
  http::Response RefreshToken(const std::string& client_id, const std::string& refresh_token) {
    return PostForm("/token", {{"grant_type", "refresh_token"},
                               {"client_id", client_id},
                               {"refresh_token", refresh_token}});
  }

  store::Store& store() { return *store_; }
  oauth::SigningKeyManager& keys() { return *keys_; }
  oauth::PasswordHasher& passwords() { return *passwords_; }
  oauth::AuthorizationServer& as() { return *as_; }

  FakeClock clock;
  oauth::AuthorizationServerConfig config;
  std::string issuer;
  std::string resource;
  std::shared_ptr<http::Router> router;

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  uint16_t port_ = 0;
  std::unique_ptr<oauth::SigningKeyManager> keys_;
  std::unique_ptr<oauth::PasswordHasher> passwords_;
  std::unique_ptr<core::WorkerPool> pool_;
  std::unique_ptr<oauth::ClientMetadataFetcher> fetcher_;
  std::unique_ptr<oauth::AuthorizationServer> as_;
  std::unique_ptr<http::Server> server_;
  http::Client client_;
};

}  // namespace mcpauth::testing
