#include "mcpauth/oauth/client_registration.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <utility>

namespace mcpauth::oauth {
namespace {

namespace json = boost::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

json::object ParseObject(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  EXPECT_FALSE(ec) << text;
  EXPECT_TRUE(v.is_object()) << text;
  return v.is_object() ? v.get_object() : json::object();
}

// A DCR request body built member by member: starts as the smallest valid request.
class Request {
 public:
  Request() { obj_["redirect_uris"] = json::array{"http://127.0.0.1:3000/callback"}; }
  // Text of any string type, or any JSON value.
  template <class T>
  Request& Set(std::string_view key, T&& value) {
    if constexpr (std::is_convertible_v<T, std::string_view>) {
      obj_[key] = json::string(std::string_view(value));
    } else {
      obj_[key] = json::value(std::forward<T>(value));
    }
    return *this;
  }
  Request& Erase(std::string_view key) {
    obj_.erase(key);
    return *this;
  }
  std::string Body() const { return json::serialize(obj_); }

 private:
  json::object obj_;
};

const ValidatedClient& MustValidate(const RegistrationResult& result) {
  EXPECT_TRUE(result.client.has_value()) << result.error.error << ": " << result.error.description;
  static const ValidatedClient kEmpty;
  return result.client ? *result.client : kEmpty;
}

std::string ErrorOf(std::string_view body) {
  const RegistrationResult result = ValidateRegistrationRequest(body);
  EXPECT_FALSE(result.client.has_value()) << body;
  EXPECT_FALSE(result.error.description.empty()) << body;
  return result.error.error;
}

// ---- DCR: success and defaults --------------------------------------------------------------

TEST(ClientRegistrationTest, MinimalRequestGetsRfc7591Defaults) {
  const auto result = ValidateRegistrationRequest(Request().Body());
  const ValidatedClient& v = MustValidate(result);
  EXPECT_TRUE(result.error.error.empty());
  // RFC 7591 §2 defaults.
  EXPECT_EQ(v.client.token_endpoint_auth_method, "client_secret_basic");
  EXPECT_THAT(v.client.grant_types, ElementsAre("authorization_code"));
  EXPECT_TRUE(v.confidential);
  EXPECT_THAT(v.client.redirect_uris, ElementsAre("http://127.0.0.1:3000/callback"));
  EXPECT_EQ(v.client.source, store::RegistrationSource::kDcr);
  EXPECT_EQ(v.client.application_type, "native");  // loopback only
  EXPECT_EQ(v.client.name, "127.0.0.1");           // the redirect host
  EXPECT_THAT(v.scopes, IsEmpty());
  // The caller sets these.
  EXPECT_EQ(v.client.client_id, "");
  EXPECT_FALSE(v.client.secret_hash.has_value());

  const json::object m = ParseObject(v.client.metadata_json);
  EXPECT_EQ(m.at("token_endpoint_auth_method"), "client_secret_basic");
  EXPECT_EQ(m.at("grant_types"), (json::array{"authorization_code"}));
  EXPECT_EQ(m.at("response_types"), (json::array{"code"}));
  EXPECT_EQ(m.at("application_type"), "native");
  EXPECT_EQ(m.at("client_name"), "127.0.0.1");
  EXPECT_EQ(m.at("redirect_uris"), (json::array{"http://127.0.0.1:3000/callback"}));
  EXPECT_FALSE(m.contains("scope"));
  EXPECT_FALSE(m.contains("client_id"));
}

TEST(ClientRegistrationTest, FullPublicClientIsKept) {
  const std::string body =
      Request()
          .Set("redirect_uris", json::array{"https://app.example.com/cb", "com.example.app:/cb"})
          .Set("token_endpoint_auth_method", "none")
          .Set("grant_types", json::array{"authorization_code", "refresh_token"})
          .Set("response_types", json::array{"code"})
          .Set("client_name", "Example App")
          .Set("client_uri", "https://app.example.com/")
          .Set("logo_uri", "https://app.example.com/logo.png")
          .Set("tos_uri", "https://app.example.com/tos")
          .Set("policy_uri", "http://app.example.com/privacy")
          .Set("scope", "mcp:tools mcp:read mcp:tools")
          .Set("software_id", "4NRB1-0XZABZI9E6-5SM3R")
          .Set("software_version", "2.1")
          .Set("contacts", json::array{"ops@example.com"})
          .Body();
  const auto result = ValidateRegistrationRequest(body);
  const ValidatedClient& v = MustValidate(result);
  EXPECT_FALSE(v.confidential);
  EXPECT_EQ(v.client.token_endpoint_auth_method, "none");
  EXPECT_THAT(v.client.grant_types, ElementsAre("authorization_code", "refresh_token"));
  EXPECT_EQ(v.client.name, "Example App");
  EXPECT_EQ(v.client.application_type, "web");  // has an https redirect
  EXPECT_THAT(v.scopes, ElementsAre("mcp:tools", "mcp:read"));
  const json::object m = ParseObject(v.client.metadata_json);
  EXPECT_EQ(m.at("client_uri"), "https://app.example.com/");
  EXPECT_EQ(m.at("logo_uri"), "https://app.example.com/logo.png");
  EXPECT_EQ(m.at("tos_uri"), "https://app.example.com/tos");
  EXPECT_EQ(m.at("policy_uri"), "http://app.example.com/privacy");
  EXPECT_EQ(m.at("scope"), "mcp:tools mcp:read");
  EXPECT_EQ(m.at("software_id"), "4NRB1-0XZABZI9E6-5SM3R");
  EXPECT_EQ(m.at("software_version"), "2.1");
  EXPECT_EQ(m.at("contacts"), (json::array{"ops@example.com"}));
  EXPECT_EQ(m.at("redirect_uris"),
            (json::array{"https://app.example.com/cb", "com.example.app:/cb"}));
}

TEST(ClientRegistrationTest, ConfidentialMethods) {
  for (std::string_view method : {"client_secret_basic", "client_secret_post"}) {
    const auto result =
        ValidateRegistrationRequest(Request().Set("token_endpoint_auth_method", method).Body());
    const ValidatedClient& v = MustValidate(result);
    EXPECT_TRUE(v.confidential) << method;
    EXPECT_EQ(v.client.token_endpoint_auth_method, method);
  }
  const auto result =
      ValidateRegistrationRequest(Request().Set("token_endpoint_auth_method", "none").Body());
  EXPECT_FALSE(MustValidate(result).confidential);
}

TEST(ClientRegistrationTest, ApplicationTypeDefault) {
  struct Case {
    json::array uris;
    std::string_view expected;
  };
  const Case cases[] = {
      {{"http://127.0.0.1/cb"}, "native"},
      {{"http://[::1]/cb", "http://localhost:8080/cb"}, "native"},
      {{"com.example.app:/cb"}, "native"},
      {{"http://localhost/cb", "com.example.app:/cb"}, "native"},
      {{"https://app.example.com/cb"}, "web"},
      {{"https://localhost/cb"}, "web"},
      {{"http://127.0.0.1/cb", "https://app.example.com/cb"}, "web"},
  };
  for (const auto& c : cases) {
    const auto result = ValidateRegistrationRequest(Request().Set("redirect_uris", c.uris).Body());
    EXPECT_EQ(MustValidate(result).client.application_type, c.expected) << json::serialize(c.uris);
  }
  // An explicit value is kept, whatever the redirect URIs.
  auto result = ValidateRegistrationRequest(Request().Set("application_type", "web").Body());
  EXPECT_EQ(MustValidate(result).client.application_type, "web");
  result = ValidateRegistrationRequest(Request()
                                           .Set("redirect_uris", json::array{"https://a.example/"})
                                           .Set("application_type", "native")
                                           .Body());
  EXPECT_EQ(MustValidate(result).client.application_type, "native");
}

TEST(ClientRegistrationTest, DefaultNameIsFirstRedirectHost) {
  auto result = ValidateRegistrationRequest(
      Request()
          .Set("redirect_uris", json::array{"https://App.Example.com/cb", "http://127.0.0.1/cb"})
          .Body());
  EXPECT_EQ(MustValidate(result).client.name, "app.example.com");
  result = ValidateRegistrationRequest(
      Request().Set("redirect_uris", json::array{"com.example.app:/cb"}).Body());
  EXPECT_EQ(MustValidate(result).client.name, "com.example.app");
  // An empty name is no name.
  result = ValidateRegistrationRequest(Request().Set("client_name", "").Body());
  EXPECT_EQ(MustValidate(result).client.name, "127.0.0.1");
}

// Found by fuzz/client_metadata_fuzz.cpp: the default name escaped the 200-byte cap.
TEST(ClientRegistrationTest, DefaultNameIsCappedLikeClientName) {
  const std::string scheme = "com." + std::string(300, 'a');
  auto result = ValidateRegistrationRequest(
      Request().Set("redirect_uris", json::array{scheme + ":/cb"}).Body());
  EXPECT_EQ(MustValidate(result).client.name, scheme.substr(0, 200));
  const std::string host = std::string(250, 'b') + ".example";
  result = ValidateRegistrationRequest(
      Request().Set("redirect_uris", json::array{"https://" + host + "/cb"}).Body());
  EXPECT_EQ(MustValidate(result).client.name, host.substr(0, 200));
  // What is stored validates again to the same client.
  const ValidatedClient& first = MustValidate(result);
  EXPECT_EQ(MustValidate(ValidateRegistrationRequest(first.client.metadata_json)).client,
            first.client);
}

TEST(ClientRegistrationTest, UnknownMembersIgnoredAndNotEchoed) {
  const std::string body = Request()
                               .Set("jwks_uri", "https://evil.example/jwks")
                               .Set("x_custom", json::object{{"a", 1}})
                               .Set("software_statement", "eyJ...")
                               .Set("client_id", "chosen-by-client")
                               .Set("client_secret", "chosen-by-client")
                               .Set("client_id_issued_at", 1)
                               .Set("registration_access_token", "x")
                               .Body();
  const auto result = ValidateRegistrationRequest(body);
  const ValidatedClient& v = MustValidate(result);
  EXPECT_EQ(v.client.client_id, "");
  EXPECT_FALSE(v.client.secret_hash.has_value());
  const json::object m = ParseObject(v.client.metadata_json);
  for (std::string_view key :
       {"jwks_uri", "x_custom", "software_statement", "client_id", "client_secret",
        "client_id_issued_at", "registration_access_token"}) {
    EXPECT_FALSE(m.contains(key)) << key;
  }
  EXPECT_EQ(v.client.metadata_json.find("chosen-by-client"), std::string::npos);
}

TEST(ClientRegistrationTest, DuplicateListEntriesCollapse) {
  const auto result = ValidateRegistrationRequest(
      Request()
          .Set("redirect_uris", json::array{"http://127.0.0.1/cb", "http://127.0.0.1/cb"})
          .Set("grant_types", json::array{"authorization_code", "authorization_code"})
          .Body());
  const ValidatedClient& v = MustValidate(result);
  EXPECT_THAT(v.client.redirect_uris, ElementsAre("http://127.0.0.1/cb"));
  EXPECT_THAT(v.client.grant_types, ElementsAre("authorization_code"));
}

TEST(ClientRegistrationTest, ManyDuplicatesCollapse) {
  json::array contacts;
  json::array uris;
  for (int i = 0; i < 3000; ++i) {
    contacts.emplace_back(i % 2 == 0 ? "a@example.com" : "b@example.com");
    uris.emplace_back("http://127.0.0.1/cb");
  }
  const auto result = ValidateRegistrationRequest(
      Request().Set("contacts", contacts).Set("redirect_uris", uris).Body());
  const ValidatedClient& v = MustValidate(result);
  EXPECT_THAT(v.client.redirect_uris, ElementsAre("http://127.0.0.1/cb"));
  EXPECT_EQ(ParseObject(v.client.metadata_json).at("contacts"),
            (json::array{"a@example.com", "b@example.com"}));
}

// ---- DCR: errors ----------------------------------------------------------------------------

TEST(ClientRegistrationTest, BodyMustBeAJsonObject) {
  for (std::string_view body : {"", "null", "[]", "\"x\"", "42", "{", "{\"redirect_uris\":}",
                                "{} {}", "{\"a\":\"\xff\"}", "{\"a\":\"\\ud800\"}"}) {
    EXPECT_EQ(ErrorOf(body), "invalid_client_metadata")
        << testing::PrintToString(std::string(body));
  }
}

TEST(ClientRegistrationTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep = "{\"redirect_uris\":[\"http://127.0.0.1/cb\"],\"x\":";
  deep += std::string(100000, '[');
  deep += std::string(100000, ']');
  deep += "}";
  EXPECT_EQ(ErrorOf(deep), "invalid_client_metadata");
}

TEST(ClientRegistrationTest, RedirectUriErrors) {
  const json::value bad_lists[] = {
      json::array{},
      "http://127.0.0.1/cb",  // a string, not an array
      json::array{42},
      json::array{nullptr},
      json::array{"http://127.0.0.1/cb", json::array{}},
      nullptr,
      json::object{},
      json::array{"http://app.example.com/cb"},  // http on a non-loopback host
      json::array{"javascript:alert(1)"},
      json::array{"data:text/html,x"},
      json::array{"file:///etc/passwd"},
      json::array{"ftp://files.example.com/cb"},
      json::array{"https://app.example.com/cb#x"},
      json::array{"http://evil@127.0.0.1/cb"},
      json::array{"/relative"},
      json::array{"http://127.0.0.1/cb", "https://ok.example/cb", "http://bad.example/cb"},
  };
  for (const auto& list : bad_lists) {
    EXPECT_EQ(ErrorOf(Request().Set("redirect_uris", list).Body()), "invalid_redirect_uri")
        << json::serialize(list);
  }
  EXPECT_EQ(ErrorOf(Request().Erase("redirect_uris").Body()), "invalid_redirect_uri");
  EXPECT_EQ(ErrorOf("{}"), "invalid_redirect_uri");
}

TEST(ClientRegistrationTest, AtMostTwentyRedirectUris) {
  json::array twenty;
  for (int i = 0; i < 20; ++i) {
    twenty.emplace_back("http://127.0.0.1/cb" + std::to_string(i));
  }
  EXPECT_EQ(MustValidate(ValidateRegistrationRequest(Request().Set("redirect_uris", twenty).Body()))
                .client.redirect_uris.size(),
            20u);
  json::array twenty_one = twenty;
  twenty_one.emplace_back("http://127.0.0.1/cb20");
  EXPECT_EQ(ErrorOf(Request().Set("redirect_uris", twenty_one).Body()), "invalid_redirect_uri");
}

TEST(ClientRegistrationTest, ErrorDescriptionDoesNotEchoInput) {
  const std::string marker = "zzqmarker";
  for (const std::string& body :
       {Request().Set("redirect_uris", json::array{"http://" + marker + ".example/cb"}).Body(),
        Request().Set("token_endpoint_auth_method", marker).Body(),
        Request().Set("grant_types", json::array{marker}).Body(),
        Request().Set("client_uri", "ftp://" + marker).Body(),
        Request().Set("scope", marker + " \"x\"").Body(),
        Request().Set("client_name", std::string(300, 'z') + marker).Body()}) {
    const auto result = ValidateRegistrationRequest(body);
    ASSERT_FALSE(result.client.has_value()) << body;
    EXPECT_EQ(result.error.description.find(marker), std::string::npos) << result.error.description;
  }
}

TEST(ClientRegistrationTest, AuthMethodErrors) {
  for (const json::value& method :
       {json::value("client_secret_jwt"), json::value("private_key_jwt"),
        json::value("tls_client_auth"), json::value("None"), json::value(""), json::value(1),
        json::value(nullptr)}) {
    EXPECT_EQ(ErrorOf(Request().Set("token_endpoint_auth_method", method).Body()),
              "invalid_client_metadata")
        << json::serialize(method);
  }
}

TEST(ClientRegistrationTest, GrantAndResponseTypes) {
  struct Case {
    json::value grant_types;  // null: absent
    json::value response_types;
    bool ok;
  };
  const Case cases[] = {
      {nullptr, nullptr, true},
      {json::array{"authorization_code"}, nullptr, true},
      {json::array{"authorization_code", "refresh_token"}, json::array{"code"}, true},
      {nullptr, json::array{"code"}, true},
      // RFC 7591 §2.1: refresh_token alone with the default response type "code" is
      // inconsistent, as is "code" without the authorization_code grant.
      {json::array{"refresh_token"}, nullptr, false},
      {json::array{"refresh_token"}, json::array{"code"}, false},
      // Unsupported values.
      {json::array{"implicit"}, nullptr, false},
      {json::array{"password"}, nullptr, false},
      {json::array{"client_credentials"}, nullptr, false},
      {json::array{"authorization_code", "urn:ietf:params:oauth:grant-type:device_code"}, nullptr,
       false},
      {nullptr, json::array{"token"}, false},
      {nullptr, json::array{"code", "id_token"}, false},
      {nullptr, json::array{"code token"}, false},
      // Shapes.
      {json::array{}, nullptr, false},
      {nullptr, json::array{}, false},
      {"authorization_code", nullptr, false},
      {nullptr, "code", false},
      {json::array{1}, nullptr, false},
  };
  for (const auto& c : cases) {
    Request request;
    if (!c.grant_types.is_null()) {
      request.Set("grant_types", c.grant_types);
    }
    if (!c.response_types.is_null()) {
      request.Set("response_types", c.response_types);
    }
    const auto result = ValidateRegistrationRequest(request.Body());
    EXPECT_EQ(result.client.has_value(), c.ok) << request.Body();
    if (!c.ok) {
      EXPECT_EQ(result.error.error, "invalid_client_metadata") << request.Body();
    }
  }
}

TEST(ClientRegistrationTest, ApplicationTypeErrors) {
  for (const json::value& type :
       {json::value("desktop"), json::value("Native"), json::value(""), json::value(true)}) {
    EXPECT_EQ(ErrorOf(Request().Set("application_type", type).Body()), "invalid_client_metadata")
        << json::serialize(type);
  }
}

TEST(ClientRegistrationTest, ClientNameAtMost200Bytes) {
  EXPECT_EQ(MustValidate(ValidateRegistrationRequest(
                             Request().Set("client_name", std::string(200, 'n')).Body()))
                .client.name.size(),
            200u);
  EXPECT_EQ(ErrorOf(Request().Set("client_name", std::string(201, 'n')).Body()),
            "invalid_client_metadata");
  // Bytes, not characters: 67 three-byte characters are 201 bytes.
  std::string euros;
  for (int i = 0; i < 67; ++i) {
    euros += "\xE2\x82\xAC";
  }
  EXPECT_EQ(ErrorOf(Request().Set("client_name", euros).Body()), "invalid_client_metadata");
  euros.resize(euros.size() - 3);
  EXPECT_TRUE(
      ValidateRegistrationRequest(Request().Set("client_name", euros).Body()).client.has_value());
}

TEST(ClientRegistrationTest, ClientNameRefusesControlAndBidiCharacters) {
  for (std::string_view name : {
           std::string_view("a\nb"), std::string_view("a\rb"), std::string_view("a\tb"),
           std::string_view("a\x1b[31mb"), std::string_view("a\x7f"), std::string_view("a\0b", 3),
           std::string_view("a\xC2\x85"),               // U+0085 NEL (C1)
           std::string_view("a\xC2\x9B"),               // U+009B CSI (C1)
           std::string_view("\xE2\x80\xAEmoc.elgoog"),  // U+202E RLO
           std::string_view("a\xE2\x80\xAA"),           // U+202A LRE
           std::string_view("a\xE2\x81\xA6"),           // U+2066 LRI
           std::string_view("a\xE2\x81\xA9"),           // U+2069 PDI
           std::string_view("a\xE2\x80\x8F"),           // U+200F RLM
           std::string_view("a\xD8\x9C"),               // U+061C ALM
           std::string_view("a\xE2\x80\xA8"),           // U+2028 LINE SEPARATOR
       }) {
    EXPECT_EQ(ErrorOf(Request().Set("client_name", json::string(name)).Body()),
              "invalid_client_metadata")
        << testing::PrintToString(std::string(name));
  }
  // Ordinary non-ASCII text is fine, including characters next to the refused ranges.
  for (std::string_view name : {"Café Client", "\xE2\x82\xAC App", "\xC2\xA0nbsp",
                                "\xE2\x80\x94 dash", "\xE2\x81\xA0wj", "Ελληνικά", "日本語"}) {
    const auto result =
        ValidateRegistrationRequest(Request().Set("client_name", json::string(name)).Body());
    EXPECT_EQ(MustValidate(result).client.name, name);
  }
  EXPECT_EQ(ErrorOf(Request().Set("client_name", 5).Body()), "invalid_client_metadata");
}

TEST(ClientRegistrationTest, UrlMembersMustBeWebUrls) {
  for (std::string_view member : {"client_uri", "logo_uri", "tos_uri", "policy_uri"}) {
    for (const json::value& bad :
         {json::value("javascript:alert(1)"), json::value("data:image/png;base64,AAAA"),
          json::value("/relative"), json::value("https://"), json::value("https://a@b.example/"),
          json::value("not a url"), json::value("https://a.example:80x/"), json::value(1),
          json::value(json::array{})}) {
      EXPECT_EQ(ErrorOf(Request().Set(member, bad).Body()), "invalid_client_metadata")
          << member << " = " << json::serialize(bad);
    }
  }
}

TEST(ClientRegistrationTest, ScopeMustParse) {
  for (const json::value& bad : {json::value("a  b"), json::value(" a"), json::value("a\"b"),
                                 json::value(json::array{"a"}), json::value(1)}) {
    EXPECT_EQ(ErrorOf(Request().Set("scope", bad).Body()), "invalid_client_metadata")
        << json::serialize(bad);
  }
  const auto result = ValidateRegistrationRequest(Request().Set("scope", "").Body());
  EXPECT_THAT(MustValidate(result).scopes, IsEmpty());
}

TEST(ClientRegistrationTest, OtherKeptMembersAreTyped) {
  EXPECT_EQ(ErrorOf(Request().Set("software_id", 1).Body()), "invalid_client_metadata");
  EXPECT_EQ(ErrorOf(Request().Set("software_version", json::array{}).Body()),
            "invalid_client_metadata");
  EXPECT_EQ(ErrorOf(Request().Set("contacts", "ops@example.com").Body()),
            "invalid_client_metadata");
  EXPECT_EQ(ErrorOf(Request().Set("contacts", json::array{"a", 1}).Body()),
            "invalid_client_metadata");
}

// ---- the 201 response -------------------------------------------------------------------------

TEST(ClientRegistrationTest, ResponseForConfidentialClient) {
  auto validated = MustValidate(ValidateRegistrationRequest(
      Request().Set("client_name", "App").Set("scope", "mcp:tools").Body()));
  store::Client client = validated.client;
  client.client_id = "dcr_abc123";
  client.created_at = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000)) +
                      std::chrono::milliseconds(999);
  const json::object r =
      ParseObject(RegistrationResponseJson(client, std::string_view("s3cret"), 1700086400));
  EXPECT_EQ(r.at("client_id"), "dcr_abc123");
  EXPECT_EQ(r.at("client_id_issued_at"), 1700000000);
  EXPECT_EQ(r.at("client_secret"), "s3cret");
  EXPECT_EQ(r.at("client_secret_expires_at"), 1700086400);
  EXPECT_EQ(r.at("client_name"), "App");
  EXPECT_EQ(r.at("scope"), "mcp:tools");
  EXPECT_EQ(r.at("token_endpoint_auth_method"), "client_secret_basic");
  EXPECT_EQ(r.at("grant_types"), (json::array{"authorization_code"}));
  EXPECT_EQ(r.at("response_types"), (json::array{"code"}));
  EXPECT_EQ(r.at("redirect_uris"), (json::array{"http://127.0.0.1:3000/callback"}));
  EXPECT_EQ(r.at("application_type"), "native");
}

TEST(ClientRegistrationTest, ResponseSecretThatNeverExpires) {
  store::Client client;
  client.client_id = "id";
  const json::object r = ParseObject(RegistrationResponseJson(client, std::string_view("s"), 0));
  EXPECT_EQ(r.at("client_secret_expires_at"), 0);  // RFC 7591 §3.2.1: REQUIRED, 0 = never
}

TEST(ClientRegistrationTest, ResponseForPublicClientHasNoSecret) {
  store::Client client;
  client.client_id = "pub";
  client.metadata_json = R"({"client_name":"P","token_endpoint_auth_method":"none"})";
  const json::object r = ParseObject(RegistrationResponseJson(client, std::nullopt, 123));
  EXPECT_EQ(r.at("client_id"), "pub");
  EXPECT_EQ(r.at("client_id_issued_at"), 0);
  EXPECT_EQ(r.at("client_name"), "P");
  EXPECT_FALSE(r.contains("client_secret"));
  EXPECT_FALSE(r.contains("client_secret_expires_at"));
}

TEST(ClientRegistrationTest, ResponseIsTheServersToSay) {
  store::Client client;
  client.client_id = "real";
  client.metadata_json =
      R"({"client_id":"fake","client_secret":"leak","client_secret_expires_at":5,"a":1})";
  const json::object r = ParseObject(RegistrationResponseJson(client, std::nullopt, 0));
  EXPECT_EQ(r.at("client_id"), "real");
  EXPECT_FALSE(r.contains("client_secret"));
  EXPECT_FALSE(r.contains("client_secret_expires_at"));
  EXPECT_EQ(r.at("a"), 1);
  // Corrupt stored metadata still gives a well-formed answer.
  client.metadata_json = "not json";
  const json::object r2 = ParseObject(RegistrationResponseJson(client, std::nullopt, 0));
  EXPECT_EQ(r2.at("client_id"), "real");
}

// ---- metadata document URLs ---------------------------------------------------------------

TEST(ClientRegistrationTest, MetadataDocumentUrlShapes) {
  for (std::string_view url : {
           "https://app.example.com/oauth/client.json",
           "https://app.example.com/c",
           "https://app.example.com:8443/client",
           "https://app.example.com/client?v=1",  // a query is allowed (SHOULD NOT)
           "https://127.0.0.1/client",            // SSRF is the fetcher's job
           "https://app.example.com/a/b/",
       }) {
    EXPECT_TRUE(IsMetadataDocumentUrl(url)) << url;
  }
  for (std::string_view url : {
           "",
           "http://app.example.com/client.json",   // not https
           "HTTPS://app.example.com/client.json",  // the exact string is the id
           "https://app.example.com",              // no path
           "https://app.example.com/",
           "https://app.example.com?x=1",
           "https://app.example.com/client#",
           "https://app.example.com/client#frag",
           "https://user@app.example.com/client",
           "https://user:pw@app.example.com/client",
           "https://@app.example.com/client",
           "https://app.example.com/./client",
           "https://app.example.com/a/../client",
           "https://app.example.com/client/.",
           "https://app.example.com/client/..",
           "https://app.example.com/%2e%2E/client",
           "https://app.example.com/%2E/client",
           "https:///client",
           "https:/client",
           "https://ex%61mple.com/client",
           "https://app.example.com/cli ent",
           "https://app.example.com/client\n",
           "https://app.example.com:443client",  // boostorg/url#680: no port + path here
           "dcr_0123456789abcdef",               // what a DCR client_id looks like
           "urn:ietf:client",
           "com.example.app:/client",
       }) {
    EXPECT_FALSE(IsMetadataDocumentUrl(url)) << testing::PrintToString(std::string(url));
  }
}

TEST(ClientRegistrationTest, MetadataDocumentUrlAtMost2048Bytes) {
  const std::string prefix = "https://app.example.com/";
  const std::string at_limit = prefix + std::string(2048 - prefix.size(), 'a');
  EXPECT_EQ(at_limit.size(), 2048u);
  EXPECT_TRUE(IsMetadataDocumentUrl(at_limit));
  EXPECT_FALSE(IsMetadataDocumentUrl(at_limit + "a"));
}

// ---- metadata documents -----------------------------------------------------------------------

constexpr std::string_view kDocUrl = "https://app.example.com/oauth/client.json";

// A metadata document built member by member: starts as the smallest valid one for kDocUrl.
json::object Document() {
  return json::object{{"client_id", kDocUrl},
                      {"client_name", "Example App"},
                      {"redirect_uris", json::array{"http://127.0.0.1/callback"}}};
}

RegistrationResult ValidateDocument(const json::object& doc) {
  return ValidateMetadataDocument(kDocUrl, json::serialize(doc));
}

TEST(ClientRegistrationTest, ValidDocumentGivesPublicCimdClient) {
  json::object doc = Document();
  doc["grant_types"] = json::array{"authorization_code", "refresh_token"};
  doc["scope"] = "mcp:tools";
  doc["logo_uri"] = "https://app.example.com/logo.png";
  doc["token_endpoint_auth_method"] = "none";
  doc["unknown"] = "ignored";
  const auto result = ValidateDocument(doc);
  const ValidatedClient& v = MustValidate(result);
  EXPECT_EQ(v.client.client_id, kDocUrl);
  EXPECT_EQ(v.client.source, store::RegistrationSource::kCimd);
  EXPECT_EQ(v.client.name, "Example App");
  EXPECT_EQ(v.client.token_endpoint_auth_method, "none");
  EXPECT_FALSE(v.confidential);
  EXPECT_FALSE(v.client.secret_hash.has_value());
  EXPECT_THAT(v.client.redirect_uris, ElementsAre("http://127.0.0.1/callback"));
  EXPECT_THAT(v.client.grant_types, ElementsAre("authorization_code", "refresh_token"));
  EXPECT_EQ(v.client.application_type, "native");
  EXPECT_THAT(v.scopes, ElementsAre("mcp:tools"));
  const json::object m = ParseObject(v.client.metadata_json);
  EXPECT_FALSE(m.contains("unknown"));
  EXPECT_EQ(m.at("logo_uri"), "https://app.example.com/logo.png");
}

TEST(ClientRegistrationTest, DocumentWithoutAuthMethodIsPublic) {
  const auto result = ValidateDocument(Document());
  const ValidatedClient& v = MustValidate(result);
  EXPECT_EQ(v.client.token_endpoint_auth_method, "none");
  EXPECT_FALSE(v.confidential);
  EXPECT_THAT(v.client.grant_types, ElementsAre("authorization_code"));
}

TEST(ClientRegistrationTest, DocumentClientIdMustEqualUrlExactly) {
  for (const json::value& id : {
           json::value("https://app.example.com/oauth/client.json/"),
           json::value("https://APP.example.com/oauth/client.json"),
           json::value("https://app.example.com:443/oauth/client.json"),
           json::value("https://app.example.com/oauth/other.json"),
           json::value("https://app.example.com/oauth/client.json?"),
           json::value(""),
           json::value(nullptr),
           json::value(1),
       }) {
    json::object doc = Document();
    doc["client_id"] = id;
    const auto result = ValidateDocument(doc);
    EXPECT_FALSE(result.client.has_value()) << json::serialize(id);
    EXPECT_EQ(result.error.error, "invalid_client");
  }
  json::object doc = Document();
  doc.erase("client_id");
  EXPECT_EQ(ValidateDocument(doc).error.error, "invalid_client");
}

TEST(ClientRegistrationTest, DocumentRequiresRedirectUrisAndName) {
  json::object doc = Document();
  doc.erase("redirect_uris");
  EXPECT_EQ(ValidateDocument(doc).error.error, "invalid_client");
  doc = Document();
  doc["redirect_uris"] = json::array{};
  EXPECT_EQ(ValidateDocument(doc).error.error, "invalid_client");
  doc = Document();
  doc["redirect_uris"] = json::array{"http://app.example.com/cb"};
  EXPECT_EQ(ValidateDocument(doc).error.error, "invalid_client");
  doc = Document();
  doc["redirect_uris"] = json::array{"javascript:alert(1)"};
  EXPECT_EQ(ValidateDocument(doc).error.error, "invalid_client");
  doc = Document();
  doc.erase("client_name");
  EXPECT_EQ(ValidateDocument(doc).error.error, "invalid_client");
  doc = Document();
  doc["client_name"] = "";
  EXPECT_EQ(ValidateDocument(doc).error.error, "invalid_client");
  doc = Document();
  doc["client_name"] = "\xE2\x80\xAEppa";
  EXPECT_EQ(ValidateDocument(doc).error.error, "invalid_client");
}

TEST(ClientRegistrationTest, DocumentRefusesSharedSecrets) {
  json::object doc = Document();
  doc["client_secret"] = "published-secret";
  auto result = ValidateDocument(doc);
  EXPECT_FALSE(result.client.has_value());
  EXPECT_EQ(result.error.error, "invalid_client");
  doc["client_secret"] = nullptr;  // the member itself is refused
  EXPECT_FALSE(ValidateDocument(doc).client.has_value());

  for (const json::value& method :
       {json::value("client_secret_basic"), json::value("client_secret_post"),
        json::value("client_secret_jwt"), json::value("private_key_jwt"), json::value("None"),
        json::value(nullptr), json::value(1)}) {
    doc = Document();
    doc["token_endpoint_auth_method"] = method;
    result = ValidateDocument(doc);
    EXPECT_FALSE(result.client.has_value()) << json::serialize(method);
    EXPECT_EQ(result.error.error, "invalid_client");
  }
}

TEST(ClientRegistrationTest, DocumentMustBeAJsonObject) {
  for (std::string_view body :
       {"", "null", "[]", "\"https://app.example.com/oauth/client.json\"", "{", "1", "{}{}"}) {
    const auto result = ValidateMetadataDocument(kDocUrl, body);
    EXPECT_FALSE(result.client.has_value()) << body;
    EXPECT_EQ(result.error.error, "invalid_client") << body;
  }
}

TEST(ClientRegistrationTest, DocumentForBadUrlIsRefused) {
  json::object doc = Document();
  doc["client_id"] = "http://app.example.com/oauth/client.json";
  const auto result =
      ValidateMetadataDocument("http://app.example.com/oauth/client.json", json::serialize(doc));
  EXPECT_FALSE(result.client.has_value());
  EXPECT_EQ(result.error.error, "invalid_client");
}

TEST(ClientRegistrationTest, DocumentOtherMetadataErrorsAreInvalidClient) {
  for (auto [key, value] : std::initializer_list<std::pair<std::string_view, json::value>>{
           {"grant_types", json::array{"refresh_token"}},
           {"grant_types", json::array{"client_credentials"}},
           {"response_types", json::array{"token"}},
           {"application_type", "desktop"},
           {"logo_uri", "javascript:alert(1)"},
           {"scope", "a  b"},
       }) {
    json::object doc = Document();
    doc[key] = value;
    const auto result = ValidateDocument(doc);
    EXPECT_FALSE(result.client.has_value()) << key;
    EXPECT_EQ(result.error.error, "invalid_client") << key;
  }
}

}  // namespace
}  // namespace mcpauth::oauth
