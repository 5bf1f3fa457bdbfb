// The one test suite every CredentialStore backend passes (memory and file in unit_keyring_test,
// the Secret Service against a real gnome-keyring in keyring_secret_service_test), so backends
// cannot drift apart.
//
// A backend is a type with `static std::unique_ptr<CredentialStore> Make(const
// std::filesystem::path& scratch_dir)`. The backing store may be shared with other tests (the
// real keyring), so every test works under issuers of its own and lists through a filter.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>

#include "mcpauth/keyring/credential_store.hpp"
#include "unit/keyring/keyring_test_support.hpp"

namespace mcpauth::keyring::testing {

template <class Backend>
class CredentialStoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Backend::Make(dir_.path());
    ASSERT_NE(store_, nullptr);
    static std::atomic<int> counter{0};
    prefix_ = "https://as" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
              ".example.test";
  }
  void TearDown() override {
    if (!store_) {
      return;
    }
    for (const char* suffix : {"", "/tenant"}) {
      CredentialFilter filter;
      filter.issuer = prefix_ + suffix;
      if (auto keys = store_->List(filter)) {
        for (const auto& key : *keys) {
          (void)store_->Delete(key);
        }
      }
    }
  }

  // An issuer unique to this test.
  std::string Issuer(const std::string& suffix = "") const { return prefix_ + suffix; }

  static Credential Make(CredentialKey key, std::string payload) {
    return Credential{std::move(key), Secret(std::move(payload))};
  }

  TempDir dir_;
  std::unique_ptr<CredentialStore> store_;
  std::string prefix_;
};

TYPED_TEST_SUITE_P(CredentialStoreContract);

TYPED_TEST_P(CredentialStoreContract, GetOfAMissingKeyIsNotFound) {
  auto r = this->store_->Get(CredentialKey::Tokens(this->Issuer(), "https://mcp/", "c1"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kNotFound) << r.error().message;
}

TYPED_TEST_P(CredentialStoreContract, PutThenGetReturnsThePayload) {
  const auto key = CredentialKey::Tokens(this->Issuer(), "https://mcp.example/mcp", "client-1");
  ASSERT_TRUE(this->store_->Put(this->Make(key, R"({"access_token":"at-1"})")));
  auto r = this->store_->Get(key);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->key, key);
  EXPECT_EQ(r->payload.Reveal(), R"({"access_token":"at-1"})");
}

TYPED_TEST_P(CredentialStoreContract, PutReplacesTheRecord) {
  const auto key = CredentialKey::Registration(this->Issuer());
  ASSERT_TRUE(this->store_->Put(this->Make(key, "one")));
  ASSERT_TRUE(this->store_->Put(this->Make(key, "two")));
  auto r = this->store_->Get(key);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->payload.Reveal(), "two");
  CredentialFilter filter;
  filter.issuer = this->Issuer();
  auto keys = this->store_->List(filter);
  ASSERT_TRUE(keys) << keys.error().message;
  EXPECT_EQ(keys->size(), 1u);
}

// Registrations per issuer; tokens per (issuer, resource, client): none overwrites another.
TYPED_TEST_P(CredentialStoreContract, EveryKeyFieldSeparatesRecords) {
  const std::string as = this->Issuer();
  const CredentialKey keys[] = {
      CredentialKey::Registration(as),
      CredentialKey::Registration(this->Issuer("/tenant")),
      CredentialKey::Tokens(as, "https://mcp.example/mcp", "client-1"),
      CredentialKey::Tokens(as, "https://mcp.example/other", "client-1"),
      CredentialKey::Tokens(as, "https://mcp.example/mcp", "client-2"),
      CredentialKey::Tokens(as, "", ""),
      CredentialKey{CredentialKind::kRegistration, as, "https://mcp.example/mcp", ""},
  };
  for (size_t i = 0; i < std::size(keys); ++i) {
    ASSERT_TRUE(this->store_->Put(this->Make(keys[i], "payload-" + std::to_string(i))));
  }
  for (size_t i = 0; i < std::size(keys); ++i) {
    auto r = this->store_->Get(keys[i]);
    ASSERT_TRUE(r) << i << ": " << r.error().message;
    EXPECT_EQ(r->payload.Reveal(), "payload-" + std::to_string(i)) << i;
  }
}

TYPED_TEST_P(CredentialStoreContract, DeleteRemovesOnlyThatRecord) {
  const auto a = CredentialKey::Tokens(this->Issuer(), "https://mcp/a", "c");
  const auto b = CredentialKey::Tokens(this->Issuer(), "https://mcp/b", "c");
  ASSERT_TRUE(this->store_->Put(this->Make(a, "a")));
  ASSERT_TRUE(this->store_->Put(this->Make(b, "b")));
  ASSERT_TRUE(this->store_->Delete(a));
  auto gone = this->store_->Get(a);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Errc::kNotFound);
  auto kept = this->store_->Get(b);
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_EQ(kept->payload.Reveal(), "b");
  auto again = this->store_->Delete(a);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kNotFound);
}

TYPED_TEST_P(CredentialStoreContract, ListFiltersAndSorts) {
  const std::string as = this->Issuer();
  ASSERT_TRUE(this->store_->Put(this->Make(CredentialKey::Tokens(as, "https://z/", "c2"), "1")));
  ASSERT_TRUE(this->store_->Put(this->Make(CredentialKey::Tokens(as, "https://a/", "c1"), "2")));
  ASSERT_TRUE(this->store_->Put(this->Make(CredentialKey::Registration(as), "3")));
  ASSERT_TRUE(this->store_->Put(
      this->Make(CredentialKey::Tokens(this->Issuer("/tenant"), "https://a/", "c1"), "4")));

  CredentialFilter by_issuer;
  by_issuer.issuer = as;
  auto all = this->store_->List(by_issuer);
  ASSERT_TRUE(all) << all.error().message;
  const std::vector<CredentialKey> expected = {
      CredentialKey::Registration(as),
      CredentialKey::Tokens(as, "https://a/", "c1"),
      CredentialKey::Tokens(as, "https://z/", "c2"),
  };
  EXPECT_EQ(*all, expected);

  CredentialFilter tokens_for_a = by_issuer;
  tokens_for_a.kind = CredentialKind::kTokens;
  tokens_for_a.resource = "https://a/";
  auto a = this->store_->List(tokens_for_a);
  ASSERT_TRUE(a) << a.error().message;
  ASSERT_EQ(a->size(), 1u);
  EXPECT_EQ((*a)[0], CredentialKey::Tokens(as, "https://a/", "c1"));

  CredentialFilter by_client;
  by_client.client_id = "c1";
  auto c1 = this->store_->List(by_client);
  ASSERT_TRUE(c1) << c1.error().message;
  EXPECT_NE(std::find(c1->begin(), c1->end(), CredentialKey::Tokens(as, "https://a/", "c1")),
            c1->end());
  EXPECT_NE(std::find(c1->begin(), c1->end(),
                      CredentialKey::Tokens(this->Issuer("/tenant"), "https://a/", "c1")),
            c1->end());
  EXPECT_EQ(std::find(c1->begin(), c1->end(), CredentialKey::Tokens(as, "https://z/", "c2")),
            c1->end());
}

TYPED_TEST_P(CredentialStoreContract, InvalidKeysAndPayloadsAreRefused) {
  auto no_issuer = this->store_->Put(this->Make(CredentialKey::Tokens("", "r", "c"), "x"));
  ASSERT_FALSE(no_issuer);
  EXPECT_EQ(no_issuer.error().code, Errc::kInvalidArgument);
  auto nul = this->store_->Get(CredentialKey::Tokens(this->Issuer(), std::string("a\0b", 3), ""));
  ASSERT_FALSE(nul);
  EXPECT_EQ(nul.error().code, Errc::kInvalidArgument);
  auto bad_payload = this->store_->Put(
      this->Make(CredentialKey::Registration(this->Issuer()), std::string("\xff\xfe", 2)));
  ASSERT_FALSE(bad_payload);
  EXPECT_EQ(bad_payload.error().code, Errc::kInvalidArgument);
  auto too_big = this->store_->Put(this->Make(CredentialKey::Registration(this->Issuer()),
                                              std::string(kMaxPayloadBytes + 1, 'x')));
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code, Errc::kInvalidArgument);
}

TYPED_TEST_P(CredentialStoreContract, UnicodeAndLargePayloadsRoundTrip) {
  const auto key = CredentialKey::Tokens(this->Issuer(), "https://mcp.example/ünï/😀", "clïent");
  std::string payload = R"({"note":"grüße 😀 \"quoted\" \\ back","pad":")";
  payload += std::string(100'000, 'p');
  payload += "\"}";
  ASSERT_TRUE(this->store_->Put(this->Make(key, payload)));
  auto r = this->store_->Get(key);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->payload.Reveal() == payload);
}

REGISTER_TYPED_TEST_SUITE_P(CredentialStoreContract, GetOfAMissingKeyIsNotFound,
                            PutThenGetReturnsThePayload, PutReplacesTheRecord,
                            EveryKeyFieldSeparatesRecords, DeleteRemovesOnlyThatRecord,
                            ListFiltersAndSorts, InvalidKeysAndPayloadsAreRefused,
                            UnicodeAndLargePayloadsRoundTrip);

}  // namespace mcpauth::keyring::testing
