#include "mcpauth/keyring/encrypted_file_store.hpp"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/container/pmr/memory_resource.hpp>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <optional>
#include <vector>

#include "fs_util.hpp"

namespace mcpauth::keyring {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

// The header: magic, version, kdf, salt, nonce; all of it is the AES-GCM additional
// authenticated data.
constexpr std::array<uint8_t, 8> kMagic = {'M', 'C', 'P', 'A', 'U', 'T', 'H', 'C'};
constexpr uint8_t kVersion = 1;
constexpr size_t kSaltBytes = 16;
constexpr size_t kNonceBytes = 12;  // 96 bits: GCM's native IV size (NIST SP 800-38D §8.2)
constexpr size_t kTagBytes = 16;
constexpr size_t kHeaderBytes = kMagic.size() + 2 + kSaltBytes + kNonceBytes;
constexpr size_t kKeyBytes = 32;
constexpr size_t kMaxFileBytes = 64 * 1024 * 1024;
constexpr char kHkdfInfo[] = "mcpauth credential file v1";
constexpr char kFormat[] = "mcpauth-credentials";

// scrypt parameters (RFC 7914 §2): N = 2^15, r = 8, p = 1 needs 128 * r * N = 32 MiB, the
// interactive-login cost recommended by the scrypt paper; maxmem leaves OpenSSL headroom.
constexpr uint64_t kScryptN = uint64_t{1} << 15;
constexpr uint64_t kScryptR = 8;
constexpr uint64_t kScryptP = 1;
constexpr uint64_t kScryptMaxMem = 64 * 1024 * 1024;

enum class Kdf : uint8_t { kHkdf = 1, kScrypt = 2 };

const char* KeyHelp() {
  return "set MCPAUTH_STORE_KEY to 64 hex digits (e.g. `openssl rand -hex 32`, kept in your "
         "secret manager) or to a passphrase of at least 12 characters";
}

bool IsHexKey(std::string_view s) {
  return s.size() == 2 * kKeyBytes && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  return c - 'A' + 10;
}

// Key bytes that wipe themselves.
struct KeyBytes {
  std::array<uint8_t, kKeyBytes> bytes{};
  KeyBytes() = default;
  KeyBytes(const KeyBytes&) = default;
  KeyBytes& operator=(const KeyBytes&) = default;
  ~KeyBytes() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

// A buffer that is wiped when it goes away: plaintext never outlives its use in the heap.
struct WipedBuffer {
  std::vector<uint8_t> data;
  explicit WipedBuffer(size_t n) : data(n) {}
  ~WipedBuffer() { OPENSSL_cleanse(data.data(), data.size()); }
};

// A memory resource that wipes every block it frees: the JSON DOM and the parser's temporary
// buffers hold payloads in clear.
class WipingResource final : public boost::container::pmr::memory_resource {
 private:
  void* do_allocate(size_t bytes, size_t align) override {
    return ::operator new(bytes, std::align_val_t(align));
  }
  void do_deallocate(void* p, size_t bytes, size_t align) override {
    OPENSSL_cleanse(p, bytes);
    // Unsized: clang before 19 does not declare sized deallocation unless -fsized-deallocation.
    ::operator delete(p, std::align_val_t(align));
  }
  bool do_is_equal(const memory_resource& other) const noexcept override { return this == &other; }
};

json::storage_ptr WipingStorage() {
  static WipingResource resource;  // stateless: one for the process
  return json::storage_ptr(&resource);
}

struct Header {
  Kdf kdf = Kdf::kHkdf;
  std::array<uint8_t, kSaltBytes> salt{};
  std::array<uint8_t, kNonceBytes> nonce{};

  std::array<uint8_t, kHeaderBytes> Encode() const {
    std::array<uint8_t, kHeaderBytes> out{};
    auto* p = std::copy(kMagic.begin(), kMagic.end(), out.begin());
    *p++ = kVersion;
    *p++ = static_cast<uint8_t>(kdf);
    p = std::copy(salt.begin(), salt.end(), p);
    std::copy(nonce.begin(), nonce.end(), p);
    return out;
  }
};

struct CipherCtx {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
};

// What one read of the file gives.
struct Contents {
  bool exists = false;
  Header header;  // kdf and salt of the existing file
  std::map<CredentialKey, Secret> records;
};

KeyringError Corrupt(const fs::path& path, std::string_view why) {
  return MakeError(Errc::kCorrupt, "credential file " + path.string() + " " + std::string(why));
}

std::string_view KdfName(Kdf kdf) {
  return kdf == Kdf::kHkdf ? "a 64-hex-digit key" : "a passphrase";
}

KeyringStatus WriteAll(int fd, const uint8_t* data, size_t size, const fs::path& path) {
  while (size > 0) {
    const ssize_t n = write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return detail::ErrnoError(errno, "cannot write", path);
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return {};
}

}  // namespace

fs::path DefaultCredentialFilePath() {
  if (const char* data = std::getenv("XDG_DATA_HOME"); data != nullptr && data[0] == '/') {
    return fs::path(data) / "mcpauth" / "credentials.enc";
  }
  const fs::path home = detail::HomeDirectory();
  return home.empty() ? fs::path() : home / ".local" / "share" / "mcpauth" / "credentials.enc";
}

struct EncryptedFileStore::Impl {
  fs::path path;
  fs::path lock_path;
  Secret key;
  Kdf kdf = Kdf::kHkdf;
  SecureRandom* random = nullptr;
  std::chrono::milliseconds lock_timeout{};

  // The derived file key for the last salt seen (scrypt costs ~0.1 s: derive once).
  std::mutex key_mu;
  std::optional<std::array<uint8_t, kSaltBytes>> cached_salt;
  KeyBytes cached_key;

  KeyringResult<KeyBytes> DeriveKey(const std::array<uint8_t, kSaltBytes>& salt);
  KeyringResult<Contents> Load();
  KeyringStatus Save(const Contents& contents);
  KeyringStatus Mutate(const std::function<KeyringStatus(Contents&)>& change);
};

KeyringResult<KeyBytes> EncryptedFileStore::Impl::DeriveKey(
    const std::array<uint8_t, kSaltBytes>& salt) {
  std::lock_guard lock(key_mu);
  if (cached_salt && *cached_salt == salt) {
    return cached_key;
  }
  KeyBytes out;
  const auto secret = key.Reveal();
  bool ok = false;
  if (kdf == Kdf::kHkdf) {
    // RFC 5869: the 256-bit input key is already uniform; HKDF binds it to this file's salt and
    // to our purpose string.
    KeyBytes ikm;
    for (size_t i = 0; i < kKeyBytes; ++i) {
      ikm.bytes[i] =
          static_cast<uint8_t>(HexValue(secret[2 * i]) << 4 | HexValue(secret[2 * i + 1]));
    }
    EVP_KDF* hkdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    EVP_KDF_CTX* ctx = hkdf != nullptr ? EVP_KDF_CTX_new(hkdf) : nullptr;
    if (ctx != nullptr) {
      char digest[] = "SHA256";
      const OSSL_PARAM params[] = {
          OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
          OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ikm.bytes.data(), ikm.bytes.size()),
          OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<uint8_t*>(salt.data()),
                                            salt.size()),
          OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(kHkdfInfo),
                                            sizeof(kHkdfInfo) - 1),
          OSSL_PARAM_construct_end(),
      };
      ok = EVP_KDF_derive(ctx, out.bytes.data(), out.bytes.size(), params) == 1;
    }
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(hkdf);
  } else {
    // RFC 7914: a passphrase has little entropy per byte; scrypt makes each guess cost 32 MiB.
    ok = EVP_PBE_scrypt(secret.data(), secret.size(), salt.data(), salt.size(), kScryptN, kScryptR,
                        kScryptP, kScryptMaxMem, out.bytes.data(), out.bytes.size()) == 1;
  }
  if (!ok) {
    return MakeError(Errc::kUnavailable, "cannot derive the credential file key (OpenSSL error)");
  }
  cached_salt = salt;
  cached_key = out;
  return out;
}

KeyringResult<Contents> EncryptedFileStore::Impl::Load() {
  Contents contents;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return contents;  // no file yet: an empty store
    }
    return detail::ErrnoError(errno, "cannot open credential file", path);
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    close(fd);
    return detail::ErrnoError(err, "cannot read credential file", path);
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return Corrupt(path, "is not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxFileBytes) {
    close(fd);
    return Corrupt(path, "is too large to be a credential file");
  }
  std::vector<uint8_t> file(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < file.size()) {
    const ssize_t n = read(fd, file.data() + got, file.size() - got);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      const int err = errno;
      close(fd);
      return detail::ErrnoError(err, "cannot read credential file", path);
    }
    if (n == 0) {
      break;
    }
    got += static_cast<size_t>(n);
  }
  close(fd);
  file.resize(got);

  if (file.size() < kHeaderBytes + kTagBytes ||
      !std::equal(kMagic.begin(), kMagic.end(), file.begin())) {
    return Corrupt(path, "is not an mcpauth credential file");
  }
  if (file[kMagic.size()] != kVersion) {
    return Corrupt(path, "has format version " + std::to_string(file[kMagic.size()]) +
                             ", which this mcpauth does not read (written by a newer one?)");
  }
  const uint8_t kdf_byte = file[kMagic.size() + 1];
  if (kdf_byte != static_cast<uint8_t>(Kdf::kHkdf) &&
      kdf_byte != static_cast<uint8_t>(Kdf::kScrypt)) {
    return Corrupt(path, "names an unknown key derivation (the file was modified)");
  }
  const auto file_kdf = static_cast<Kdf>(kdf_byte);
  if (file_kdf != kdf) {
    return Corrupt(path, "was encrypted under " + std::string(KdfName(file_kdf)) +
                             " but MCPAUTH_STORE_KEY now holds " + std::string(KdfName(kdf)) +
                             ": set the key the file was written with (or the file was modified)");
  }
  auto* p = file.data() + kMagic.size() + 2;
  std::copy(p, p + kSaltBytes, contents.header.salt.begin());
  std::copy(p + kSaltBytes, p + kSaltBytes + kNonceBytes, contents.header.nonce.begin());
  contents.header.kdf = file_kdf;
  contents.exists = true;

  auto file_key = DeriveKey(contents.header.salt);
  if (!file_key) {
    return file_key.error();
  }
  const uint8_t* ciphertext = file.data() + kHeaderBytes;
  const size_t ciphertext_size = file.size() - kHeaderBytes - kTagBytes;
  WipedBuffer plain(ciphertext_size + 16);
  CipherCtx c;
  int len = 0;
  int final_len = 0;
  const bool opened = c.ctx != nullptr &&
                      EVP_DecryptInit_ex2(c.ctx, EVP_aes_256_gcm(), file_key->bytes.data(),
                                          contents.header.nonce.data(), nullptr) == 1 &&
                      EVP_DecryptUpdate(c.ctx, nullptr, &len, file.data(), kHeaderBytes) == 1 &&
                      EVP_DecryptUpdate(c.ctx, plain.data.data(), &len, ciphertext,
                                        static_cast<int>(ciphertext_size)) == 1 &&
                      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_TAG, kTagBytes,
                                          file.data() + file.size() - kTagBytes) == 1 &&
                      // The tag check: only now may the plaintext be used.
                      EVP_DecryptFinal_ex(c.ctx, plain.data.data() + len, &final_len) == 1;
  if (!opened) {
    return Corrupt(path,
                   "cannot be decrypted: MCPAUTH_STORE_KEY is not the key it was written with, "
                   "or the file was modified");
  }
  const std::string_view text(reinterpret_cast<const char*>(plain.data.data()),
                              static_cast<size_t>(len + final_len));

  json::parser parser(WipingStorage());
  parser.reset(WipingStorage());
  boost::system::error_code ec;
  parser.write(text, ec);
  if (ec) {
    return Corrupt(path, "decrypts to malformed contents");
  }
  const json::value doc = parser.release();
  const auto* root = doc.if_object();
  const auto* format = root ? root->if_contains("format") : nullptr;
  const auto* version = root ? root->if_contains("version") : nullptr;
  const auto* list = root ? root->if_contains("credentials") : nullptr;
  if (format == nullptr || !format->is_string() || format->get_string() != kFormat ||
      version == nullptr || !version->is_int64() || version->get_int64() != 1 || list == nullptr ||
      !list->is_array()) {
    return Corrupt(path, "decrypts to malformed contents");
  }
  for (const auto& item : list->get_array()) {
    const auto* obj = item.if_object();
    auto str = [&](const char* name) -> const json::string* {
      const auto* v = obj ? obj->if_contains(name) : nullptr;
      return v ? v->if_string() : nullptr;
    };
    const auto *kind = str("kind"), *issuer = str("issuer"), *resource = str("resource"),
               *client_id = str("client_id"), *payload = str("payload");
    const auto parsed_kind = kind ? ParseKind(*kind) : std::nullopt;
    if (!parsed_kind || !issuer || !resource || !client_id || !payload) {
      return Corrupt(path, "decrypts to malformed contents");
    }
    CredentialKey key{*parsed_kind, std::string(*issuer), std::string(*resource),
                      std::string(*client_id)};
    contents.records.insert_or_assign(std::move(key), Secret(std::string(*payload)));
  }
  return contents;
}

KeyringStatus EncryptedFileStore::Impl::Save(const Contents& contents) {
  Header header = contents.header;
  if (!contents.exists) {
    header.kdf = kdf;
    random->Fill(header.salt);
  }
  // A fresh random nonce for every write: with one key per file, the chance of a repeat stays
  // negligible for far more writes than a credential file will ever see (SP 800-38D §8.3).
  random->Fill(header.nonce);
  const auto header_bytes = header.Encode();
  auto file_key = DeriveKey(header.salt);
  if (!file_key) {
    return file_key.error();
  }

  json::array list(WipingStorage());
  for (const auto& [key, payload] : contents.records) {
    json::object obj(WipingStorage());
    obj["kind"] = KindName(key.kind);
    obj["issuer"] = key.issuer;
    obj["resource"] = key.resource;
    obj["client_id"] = key.client_id;
    obj["payload"] = payload.Reveal();
    list.push_back(std::move(obj));
  }
  json::object root(WipingStorage());
  root["format"] = kFormat;
  root["version"] = 1;
  root["credentials"] = std::move(list);
  const json::value doc(std::move(root), WipingStorage());

  // The JSON is serialized in chunks straight into the cipher: no plaintext copy of the whole
  // store ever exists, and the chunk buffer is wiped.
  std::vector<uint8_t> out(header_bytes.begin(), header_bytes.end());
  CipherCtx c;
  int len = 0;
  bool ok = c.ctx != nullptr &&
            EVP_EncryptInit_ex2(c.ctx, EVP_aes_256_gcm(), file_key->bytes.data(),
                                header.nonce.data(), nullptr) == 1 &&
            EVP_EncryptUpdate(c.ctx, nullptr, &len, header_bytes.data(), kHeaderBytes) == 1;
  {
    WipedBuffer chunk(4096);
    json::serializer serializer;
    serializer.reset(&doc);
    while (ok && !serializer.done()) {
      const auto piece =
          serializer.read(reinterpret_cast<char*>(chunk.data.data()), chunk.data.size());
      const size_t at = out.size();
      out.resize(at + piece.size() + 16);
      ok = EVP_EncryptUpdate(c.ctx, out.data() + at, &len,
                             reinterpret_cast<const uint8_t*>(piece.data()),
                             static_cast<int>(piece.size())) == 1;
      out.resize(at + static_cast<size_t>(len));
    }
  }
  if (ok) {
    const size_t at = out.size();
    out.resize(at + 16 + kTagBytes);
    ok = EVP_EncryptFinal_ex(c.ctx, out.data() + at, &len) == 1;
    out.resize(at + static_cast<size_t>(len) + kTagBytes);
    ok = ok && EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, kTagBytes,
                                   out.data() + out.size() - kTagBytes) == 1;
  }
  if (!ok) {
    return MakeError(Errc::kIoError, "cannot encrypt the credential file (OpenSSL error)");
  }

  // Atomic replacement: temp file (0600 from creation) + fsync + rename + fsync of the directory.
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (auto s = detail::CreatePrivateDirectories(dir); !s) {
    return s;
  }
  std::string tmp = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
  const int fd = mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) {
    return detail::ErrnoError(errno, "cannot create a temporary file in", dir);
  }
  auto fail = [&](KeyringError e) -> KeyringStatus {
    close(fd);
    unlink(tmp.c_str());
    return e;
  };
  if (fchmod(fd, 0600) != 0) {
    return fail(detail::ErrnoError(errno, "cannot set mode 0600 on", tmp));
  }
  if (auto s = WriteAll(fd, out.data(), out.size(), tmp); !s) {
    return fail(s.error());
  }
  if (fsync(fd) != 0) {
    return fail(detail::ErrnoError(errno, "cannot sync", tmp));
  }
  if (close(fd) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    return detail::ErrnoError(err, "cannot write", tmp);
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    return detail::ErrnoError(err, "cannot replace credential file", path);
  }
  if (const int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    fsync(dfd);  // the rename itself is durable only once the directory is
    close(dfd);
  }
  return {};
}

KeyringStatus EncryptedFileStore::Impl::Mutate(
    const std::function<KeyringStatus(Contents&)>& change) {
  // Read-modify-write under the file's lock: two writers (threads or processes) never lose
  // each other's records.
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (auto s = detail::CreatePrivateDirectories(dir); !s) {
    return s;
  }
  auto lock = detail::FileLock::Acquire(lock_path, lock_timeout);
  if (!lock) {
    return lock.error();
  }
  auto contents = Load();
  if (!contents) {
    return contents.error();
  }
  if (auto s = change(*contents); !s) {
    return s;
  }
  return Save(*contents);
}

EncryptedFileStore::EncryptedFileStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EncryptedFileStore::~EncryptedFileStore() = default;

KeyringResult<Secret> EncryptedFileStore::KeyFromEnvironment() {
  const char* value = std::getenv(kStoreKeyVariable);
  if (value == nullptr || value[0] == '\0') {
    return MakeError(Errc::kUnavailable,
                     std::string("MCPAUTH_STORE_KEY is not set: the file store encrypts "
                                 "credentials under a key from it; ") +
                         KeyHelp());
  }
  return Secret(value);
}

KeyringResult<std::unique_ptr<EncryptedFileStore>> EncryptedFileStore::Open(
    EncryptedFileStoreOptions options) {
  const auto key = options.key.Reveal();
  if (key.empty()) {
    return MakeError(Errc::kUnavailable, std::string("MCPAUTH_STORE_KEY is empty; ") + KeyHelp());
  }
  const bool hex = IsHexKey(key);
  if (!hex && key.size() < kMinPassphraseBytes) {
    return MakeError(Errc::kUnavailable,
                     std::string("MCPAUTH_STORE_KEY is too short for a passphrase; ") + KeyHelp());
  }
  auto impl = std::make_unique<Impl>();
  impl->path = options.path.empty() ? DefaultCredentialFilePath() : options.path;
  if (impl->path.empty()) {
    return MakeError(Errc::kUnavailable,
                     "no path for the credential file: HOME is unset; give one with --store "
                     "file:PATH");
  }
  impl->lock_path = impl->path;
  impl->lock_path += ".lock";
  impl->key = std::move(options.key);
  impl->kdf = hex ? Kdf::kHkdf : Kdf::kScrypt;
  impl->random = options.random != nullptr ? options.random : &OpenSslRandom::Instance();
  impl->lock_timeout = options.lock_timeout;
  return std::unique_ptr<EncryptedFileStore>(new EncryptedFileStore(std::move(impl)));
}

KeyringResult<Credential> EncryptedFileStore::Get(const CredentialKey& key) {
  if (auto s = ValidateKey(key); !s) {
    return s.error();
  }
  auto contents = impl_->Load();
  if (!contents) {
    return contents.error();
  }
  auto it = contents->records.find(key);
  if (it == contents->records.end()) {
    return MakeError(Errc::kNotFound, "no stored " + key.Describe());
  }
  return Credential{key, std::move(it->second)};
}

KeyringStatus EncryptedFileStore::Put(const Credential& credential) {
  if (auto s = ValidateCredential(credential); !s) {
    return s;
  }
  return impl_->Mutate([&](Contents& contents) -> KeyringStatus {
    contents.records.insert_or_assign(credential.key, credential.payload);
    return {};
  });
}

KeyringStatus EncryptedFileStore::Delete(const CredentialKey& key) {
  if (auto s = ValidateKey(key); !s) {
    return s;
  }
  return impl_->Mutate([&](Contents& contents) -> KeyringStatus {
    if (contents.records.erase(key) == 0) {
      return MakeError(Errc::kNotFound, "no stored " + key.Describe());
    }
    return {};
  });
}

KeyringResult<std::vector<CredentialKey>> EncryptedFileStore::List(const CredentialFilter& filter) {
  auto contents = impl_->Load();
  if (!contents) {
    return contents.error();
  }
  std::vector<CredentialKey> out;
  for (const auto& [key, payload] : contents->records) {
    if (filter.Matches(key)) {
      out.push_back(key);
    }
  }
  return out;
}

std::string EncryptedFileStore::Describe() const {
  return "file " + impl_->path.string() + " (AES-256-GCM)";
}

}  // namespace mcpauth::keyring
