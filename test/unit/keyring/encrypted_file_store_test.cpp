#include "mcpauth/keyring/encrypted_file_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "unit/keyring/credential_store_contract.hpp"
#include "unit/keyring/keyring_test_support.hpp"

namespace mcpauth::keyring::testing {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<EncryptedFileStore> OpenFile(const fs::path& path, const char* key = kHexKey) {
  EncryptedFileStoreOptions options;
  options.path = path;
  options.key = Secret(key);
  auto store = EncryptedFileStore::Open(std::move(options));
  if (!store) {
    ADD_FAILURE() << store.error().message;
    return nullptr;
  }
  return std::move(*store);
}

struct FileBackend {
  static std::unique_ptr<CredentialStore> Make(const fs::path& dir) {
    return OpenFile(dir / "credentials.enc");
  }
};
INSTANTIATE_TYPED_TEST_SUITE_P(File, CredentialStoreContract, FileBackend);

constexpr char kToken[] = "at-7f3c9a1e5b2d4f6a8c0e1b3d5f7a9c2e";
constexpr char kIssuer[] = "https://as.example.com";
constexpr char kResource[] = "https://mcp.example.com/mcp";

Credential TokenCredential() {
  return Credential{CredentialKey::Tokens(kIssuer, kResource, "client-1"),
                    Secret(std::string(R"({"access_token":")") + kToken +
                           R"(","refresh_token":"rt-secret-value"})")};
}

class EncryptedFileStoreTest : public ::testing::Test {
 protected:
  fs::path Path() const { return dir_.path() / "store" / "credentials.enc"; }
  TempDir dir_;
};

TEST_F(EncryptedFileStoreTest, GetAndListOnAMissingFileSeeAnEmptyStore) {
  auto store = OpenFile(Path());
  auto get = store->Get(TokenCredential().key);
  ASSERT_FALSE(get);
  EXPECT_EQ(get.error().code, Errc::kNotFound);
  auto list = store->List();
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_TRUE(list->empty());
  EXPECT_FALSE(fs::exists(Path()));
}

TEST_F(EncryptedFileStoreTest, CreatesAPrivateFileInAPrivateDirectory) {
  auto store = OpenFile(Path());
  ASSERT_TRUE(store->Put(TokenCredential()));
  struct stat st {};
  ASSERT_EQ(::stat(Path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(Path().parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  // Rewritten files keep the mode, and no temporary file is left behind.
  ASSERT_TRUE(store->Put(TokenCredential()));
  ASSERT_EQ(::stat(Path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(Path().parent_path())) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"credentials.enc", "credentials.enc.lock"}));
}

// Never a plaintext token on disk: not the token, not the refresh token, not even the URLs.
TEST_F(EncryptedFileStoreTest, NothingOfTheCredentialIsOnDiskInClear) {
  auto store = OpenFile(Path());
  ASSERT_TRUE(store->Put(TokenCredential()));
  ASSERT_TRUE(
      store->Put({CredentialKey::Registration(kIssuer), Secret(R"({"client_secret":"cs-9"})")}));
  for (const auto& entry : fs::recursive_directory_iterator(dir_.path())) {
    if (!entry.is_regular_file()) {
      continue;
    }
    const std::string bytes = ReadFile(entry.path());
    for (const char* needle : {kToken, "rt-secret-value", "cs-9", "access_token", kIssuer,
                               kResource, "client-1", "mcp.example"}) {
      EXPECT_EQ(bytes.find(needle), std::string::npos) << entry.path() << " holds " << needle;
    }
  }
  EXPECT_EQ(ReadFile(Path()).substr(0, 8), "MCPAUTHC");
}

TEST_F(EncryptedFileStoreTest, RecordsSurviveANewStoreObject) {
  ASSERT_TRUE(OpenFile(Path())->Put(TokenCredential()));
  auto r = OpenFile(Path())->Get(TokenCredential().key);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->payload, TokenCredential().payload);
}

// A fresh random nonce per write: the same contents never give the same bytes.
TEST_F(EncryptedFileStoreTest, EveryWriteUsesANewNonce) {
  auto store = OpenFile(Path());
  ASSERT_TRUE(store->Put(TokenCredential()));
  const std::string first = ReadFile(Path());
  ASSERT_TRUE(store->Put(TokenCredential()));
  const std::string second = ReadFile(Path());
  ASSERT_EQ(first.size(), second.size());
  EXPECT_EQ(first.substr(0, 26), second.substr(0, 26)) << "magic, version, kdf and salt stay";
  EXPECT_NE(first.substr(26, 12), second.substr(26, 12)) << "the nonce changes";
  EXPECT_NE(first.substr(38), second.substr(38));
}

// Any modified byte — header (it is the additional authenticated data), ciphertext or tag —
// makes the file untrusted.
TEST_F(EncryptedFileStoreTest, EveryFlippedByteIsCorrupt) {
  auto store = OpenFile(Path());
  ASSERT_TRUE(store->Put({CredentialKey::Registration("https://as"), Secret("{}")}));
  const std::string original = ReadFile(Path());
  for (size_t i = 0; i < original.size(); ++i) {
    std::string tampered = original;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    WriteFile(Path(), tampered);
    auto r = store->List();
    ASSERT_FALSE(r) << "byte " << i;
    EXPECT_EQ(r.error().code, Errc::kCorrupt) << "byte " << i;
  }
  WriteFile(Path(), original);
  EXPECT_TRUE(store->List());
}

TEST_F(EncryptedFileStoreTest, TruncatedExtendedOrForeignFilesAreCorrupt) {
  auto store = OpenFile(Path());
  ASSERT_TRUE(store->Put(TokenCredential()));
  const std::string original = ReadFile(Path());
  const std::string variants[] = {
      original.substr(0, original.size() - 1), original + "x", original.substr(0, 20), "",
      "{\"access_token\":\"not ours\"}",
  };
  for (const auto& bytes : variants) {
    WriteFile(Path(), bytes);
    auto r = store->Get(TokenCredential().key);
    ASSERT_FALSE(r) << bytes.size();
    EXPECT_EQ(r.error().code, Errc::kCorrupt) << bytes.size();
    EXPECT_NE(r.error().message.find(Path().string()), std::string::npos) << r.error().message;
  }
  // A write refuses to replace a file it cannot read (it would lose its records).
  auto put = store->Put(TokenCredential());
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, Errc::kCorrupt);
}

TEST_F(EncryptedFileStoreTest, AWrongKeyIsCorruptWithAClearMessage) {
  ASSERT_TRUE(OpenFile(Path())->Put(TokenCredential()));
  auto r = OpenFile(Path(), kOtherHexKey)->Get(TokenCredential().key);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kCorrupt);
  EXPECT_NE(r.error().message.find("MCPAUTH_STORE_KEY is not the key it was written with"),
            std::string::npos)
      << r.error().message;
  auto put = OpenFile(Path(), kOtherHexKey)->Put(TokenCredential());
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, Errc::kCorrupt);
  // The right key still opens it.
  EXPECT_TRUE(OpenFile(Path())->Get(TokenCredential().key));
}

TEST_F(EncryptedFileStoreTest, APassphraseWorksThroughScrypt) {
  constexpr char kPassphrase[] = "correct horse battery staple";
  ASSERT_TRUE(OpenFile(Path(), kPassphrase)->Put(TokenCredential()));
  EXPECT_EQ(ReadFile(Path())[9], 2) << "kdf byte: scrypt";
  auto r = OpenFile(Path(), kPassphrase)->Get(TokenCredential().key);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->payload, TokenCredential().payload);

  auto wrong = OpenFile(Path(), "correct horse battery stapler")->Get(TokenCredential().key);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Errc::kCorrupt);

  // A hex key where the file was written under a passphrase: said so.
  auto hex = OpenFile(Path(), kHexKey)->Get(TokenCredential().key);
  ASSERT_FALSE(hex);
  EXPECT_EQ(hex.error().code, Errc::kCorrupt);
  EXPECT_NE(hex.error().message.find("encrypted under a passphrase"), std::string::npos)
      << hex.error().message;
}

TEST_F(EncryptedFileStoreTest, AHexKeyUsesHkdf) {
  ASSERT_TRUE(OpenFile(Path())->Put(TokenCredential()));
  const std::string bytes = ReadFile(Path());
  EXPECT_EQ(bytes[8], 1) << "format version";
  EXPECT_EQ(bytes[9], 1) << "kdf byte: HKDF";
  // Upper-case hex is the same key.
  std::string upper = kHexKey;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  EXPECT_TRUE(OpenFile(Path(), upper.c_str())->Get(TokenCredential().key));
}

TEST_F(EncryptedFileStoreTest, AMissingOrUnusableKeyIsUnavailable) {
  {
    ScopedEnv env(kStoreKeyVariable, std::nullopt);
    auto r = EncryptedFileStore::KeyFromEnvironment();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::kUnavailable);
    EXPECT_NE(r.error().message.find("MCPAUTH_STORE_KEY is not set"), std::string::npos);
  }
  {
    ScopedEnv env(kStoreKeyVariable, std::string(kHexKey));
    auto r = EncryptedFileStore::KeyFromEnvironment();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->Reveal(), kHexKey);
  }
  for (const char* key : {"", "short", "12345678901"}) {
    EncryptedFileStoreOptions options;
    options.path = Path();
    options.key = Secret(key);
    auto r = EncryptedFileStore::Open(std::move(options));
    ASSERT_FALSE(r) << key;
    EXPECT_EQ(r.error().code, Errc::kUnavailable) << key;
    EXPECT_NE(r.error().message.find("MCPAUTH_STORE_KEY"), std::string::npos);
  }
}

// (Permission failures map through detail::ErrnoError; as root they cannot be provoked, so the
// mapping itself is tested in credential_lock_test.cpp.)
TEST_F(EncryptedFileStoreTest, APathThroughAFileIsAnIoError) {
  WriteFile(dir_.path() / "plain", "x");
  auto store = OpenFile(dir_.path() / "plain" / "credentials.enc");
  auto r = store->Put(TokenCredential());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kIoError);
  EXPECT_NE(r.error().message.find("plain"), std::string::npos) << r.error().message;
}

// Writers are serialized by the file's lock: concurrent puts from threads lose nothing.
TEST_F(EncryptedFileStoreTest, ConcurrentWritersInOneProcessLoseNothing) {
  auto store = OpenFile(Path());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 8;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto s = store->Put({CredentialKey::Tokens("https://as", "https://mcp/" + std::to_string(t),
                                                   std::to_string(i)),
                             Secret("p")});
        EXPECT_TRUE(s) << s.error().message;
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  auto list = store->List();
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->size(), static_cast<size_t>(kThreads * kPerThread));
}

// ... and from processes, each with its own store object on the same file.
TEST_F(EncryptedFileStoreTest, ConcurrentWritersInSeveralProcessesLoseNothing) {
  constexpr int kProcesses = 3;
  constexpr int kPerProcess = 8;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto store = OpenFile(Path());
      int failures = 0;
      for (int i = 0; i < kPerProcess; ++i) {
        if (!store->Put({CredentialKey::Tokens("https://as", "https://mcp/" + std::to_string(p),
                                               std::to_string(i)),
                         Secret("p")})) {
          ++failures;
        }
      }
      ::_exit(failures == 0 ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  auto list = OpenFile(Path())->List();
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->size(), static_cast<size_t>(kProcesses * kPerProcess));
}

}  // namespace
}  // namespace mcpauth::keyring::testing
