#include "mcpauth/keyring/credential.hpp"

#include <gtest/gtest.h>

#include <boost/system/system_error.hpp>

#include "mcpauth/keyring/credential_store.hpp"
#include "mcpauth/keyring/encrypted_file_store.hpp"
#include "mcpauth/keyring/memory_store.hpp"
#include "unit/keyring/credential_store_contract.hpp"
#include "unit/keyring/keyring_test_support.hpp"

namespace mcpauth::keyring::testing {
namespace {

struct MemoryBackend {
  static std::unique_ptr<CredentialStore> Make(const std::filesystem::path&) {
    return std::make_unique<MemoryCredentialStore>();
  }
};
INSTANTIATE_TYPED_TEST_SUITE_P(Memory, CredentialStoreContract, MemoryBackend);

TEST(CredentialKeyTest, KindNamesRoundTrip) {
  for (auto kind : {CredentialKind::kRegistration, CredentialKind::kTokens}) {
    EXPECT_EQ(ParseKind(KindName(kind)), kind);
  }
  EXPECT_EQ(KindName(CredentialKind::kRegistration), "registration");
  EXPECT_EQ(KindName(CredentialKind::kTokens), "tokens");
  EXPECT_FALSE(ParseKind("token"));
  EXPECT_FALSE(ParseKind(""));
}

TEST(CredentialKeyTest, FactoriesFillTheRightFields) {
  const auto reg = CredentialKey::Registration("https://as.example");
  EXPECT_EQ(reg.kind, CredentialKind::kRegistration);
  EXPECT_EQ(reg.issuer, "https://as.example");
  EXPECT_TRUE(reg.resource.empty());
  EXPECT_TRUE(reg.client_id.empty());
  const auto tok = CredentialKey::Tokens("https://as.example", "https://mcp.example/mcp", "c");
  EXPECT_EQ(tok.kind, CredentialKind::kTokens);
  EXPECT_EQ(tok.resource, "https://mcp.example/mcp");
  EXPECT_EQ(tok.client_id, "c");
}

// Fields joined by NUL, which no field may contain: a value cannot slide into its neighbour.
TEST(CredentialKeyTest, CanonicalFormIsUnambiguous) {
  const auto a = CredentialKey::Tokens("https://as", "ab", "");
  const auto b = CredentialKey::Tokens("https://as", "a", "b");
  const auto c = CredentialKey::Tokens("https://as", "", "ab");
  EXPECT_NE(a.Canonical(), b.Canonical());
  EXPECT_NE(a.Canonical(), c.Canonical());
  EXPECT_NE(b.Canonical(), c.Canonical());
  EXPECT_NE(CredentialKey::Registration("https://as").Canonical(),
            CredentialKey::Tokens("https://as", "", "").Canonical());
  EXPECT_EQ(a.Canonical(), std::string("tokens\0https://as\0ab\0", 21));
}

TEST(CredentialKeyTest, DescribeNamesResourceIssuerAndClient) {
  EXPECT_EQ(CredentialKey::Registration("https://as").Describe(),
            "client registration at https://as");
  EXPECT_EQ(CredentialKey::Tokens("https://as", "https://mcp/", "c1").Describe(),
            "tokens for https://mcp/ from https://as (client c1)");
}

struct KeyCase {
  const char* name;
  CredentialKey key;
  bool valid;
};

TEST(CredentialKeyTest, ValidationFollowsTheContract) {
  const KeyCase cases[] = {
      {"plain", CredentialKey::Tokens("https://as", "https://mcp/", "c"), true},
      {"registration", CredentialKey::Registration("https://as"), true},
      {"unicode", CredentialKey::Tokens("https://äs.example", "https://mcp/😀", "ç"), true},
      {"empty issuer", CredentialKey::Tokens("", "https://mcp/", "c"), false},
      {"NUL", CredentialKey::Tokens("https://as", std::string("a\0b", 3), "c"), false},
      {"lone continuation byte", CredentialKey::Tokens("https://as\x80", "", ""), false},
      {"overlong slash", CredentialKey::Tokens("https://as", "\xc0\xaf", ""), false},
      {"surrogate", CredentialKey::Tokens("https://as", "\xed\xa0\x80", ""), false},
      {"above U+10FFFF", CredentialKey::Tokens("https://as", "\xf4\x90\x80\x80", ""), false},
      {"truncated sequence", CredentialKey::Tokens("https://as", "\xe2\x82", ""), false},
      {"too long", CredentialKey::Tokens("https://as", std::string(kMaxKeyFieldBytes + 1, 'a'), ""),
       false},
      {"longest", CredentialKey::Tokens("https://as", std::string(kMaxKeyFieldBytes, 'a'), ""),
       true},
  };
  for (const auto& c : cases) {
    auto s = ValidateKey(c.key);
    EXPECT_EQ(static_cast<bool>(s), c.valid) << c.name;
    if (!s) {
      EXPECT_EQ(s.error().code, Errc::kInvalidArgument) << c.name;
      EXPECT_FALSE(s.error().message.empty()) << c.name;
    }
  }
}

TEST(CredentialKeyTest, FilterMatchesEverySetField) {
  const auto key = CredentialKey::Tokens("https://as", "https://mcp/", "c");
  CredentialFilter f;
  EXPECT_TRUE(f.Matches(key));
  f.kind = CredentialKind::kTokens;
  f.issuer = "https://as";
  f.resource = "https://mcp/";
  f.client_id = "c";
  EXPECT_TRUE(f.Matches(key));
  auto wrong = f;
  wrong.client_id = "d";
  EXPECT_FALSE(wrong.Matches(key));
  wrong = f;
  wrong.kind = CredentialKind::kRegistration;
  EXPECT_FALSE(wrong.Matches(key));
}

TEST(KeyringErrorTest, ValueOnAnErrorThrowsWithTheMessage) {
  KeyringResult<int> r = MakeError(Errc::kUnavailable, "do this instead");
  EXPECT_TRUE(r.error() == Errc::kUnavailable);
  try {
    (void)r.value();
    FAIL() << "value() did not throw";
  } catch (const boost::system::system_error& e) {
    EXPECT_EQ(e.code(), Errc::kUnavailable);
    EXPECT_NE(std::string(e.what()).find("do this instead"), std::string::npos);
  }
  EXPECT_EQ(MakeError(Errc::kNotFound).message, "no such credential");
}

TEST(OpenCredentialStoreTest, ChoosesTheBackendBySpec) {
  TempDir dir;
  ScopedEnv key(kStoreKeyVariable, std::string(kHexKey));
  auto memory = OpenCredentialStore("memory");
  ASSERT_TRUE(memory);
  EXPECT_EQ((*memory)->Describe(), "memory");
  auto keyring = OpenCredentialStore("secret-service");
  ASSERT_TRUE(keyring);
  EXPECT_NE((*keyring)->Describe().find("Secret Service"), std::string::npos);
  auto by_default = OpenCredentialStore("");
  ASSERT_TRUE(by_default);
  EXPECT_NE((*by_default)->Describe().find("Secret Service"), std::string::npos);
  const auto path = dir.path() / "creds.enc";
  auto file = OpenCredentialStore("file:" + path.string());
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_NE((*file)->Describe().find(path.string()), std::string::npos);
  ASSERT_TRUE((*file)->Put({CredentialKey::Registration("https://as"), Secret("x")}));
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST(OpenCredentialStoreTest, RefusesUnknownSpecs) {
  for (const char* spec : {"keychain", "file:", "sqlite:/tmp/x", "Memory"}) {
    auto r = OpenCredentialStore(spec);
    ASSERT_FALSE(r) << spec;
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument) << spec;
  }
}

TEST(OpenCredentialStoreTest, FileWithoutKeyIsUnavailableAndSaysWhatToDo) {
  ScopedEnv key(kStoreKeyVariable, std::nullopt);
  auto r = OpenCredentialStore("file");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kUnavailable);
  EXPECT_NE(r.error().message.find("MCPAUTH_STORE_KEY is not set"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("openssl rand -hex 32"), std::string::npos);
}

TEST(OpenCredentialStoreTest, DefaultFilePathFollowsXdgDataHome) {
  {
    ScopedEnv data("XDG_DATA_HOME", std::string("/data/home"));
    EXPECT_EQ(DefaultCredentialFilePath(), "/data/home/mcpauth/credentials.enc");
  }
  ScopedEnv data("XDG_DATA_HOME", std::nullopt);
  ScopedEnv home("HOME", std::string("/home/someone"));
  EXPECT_EQ(DefaultCredentialFilePath(), "/home/someone/.local/share/mcpauth/credentials.enc");
}

}  // namespace
}  // namespace mcpauth::keyring::testing
