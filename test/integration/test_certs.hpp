// TestPki: a throwaway certificate authority and server certificates, made at test time.
//
// Tests that need TLS generate an EC P-256 CA and leaf certificates with the subjectAltNames they
// need (RFC 5280 §4.2.1.6) into a fresh temporary directory, so no key or certificate is ever
// committed and none can expire in the repository. Thread-safety: none; one TestPki per test or
// fixture. Ownership: the TestPki owns the directory and removes it in its destructor.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mcpauth::testing {

// PEM file paths of one issued server certificate and its key.
struct CertFiles {
  std::string cert_chain_file;
  std::string private_key_file;
};

class TestPki {
 public:
  // Creates the temporary directory and the CA (written to ca_file()).
  TestPki() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mcpauth-pki-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    dir_ = pattern;
    ca_key_ = NewKey();
    ca_cert_ = NewCert("mcpauth test CA", ca_key_.get(), nullptr);
    AddExtension(ca_cert_.get(), ca_cert_.get(), NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(ca_cert_.get(), ca_cert_.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    AddExtension(ca_cert_.get(), ca_cert_.get(), NID_subject_key_identifier, "hash");
    Sign(ca_cert_.get(), ca_key_.get());
    ca_file_ = (dir_ / "ca.pem").string();
    WriteCert(ca_file_, ca_cert_.get());
  }

  ~TestPki() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  // The CA certificate, PEM: what a client passes as its trust anchor.
  const std::string& ca_file() const { return ca_file_; }

  // Issues a server certificate signed by the CA. `name` names the files; `san` is an OpenSSL
  // subjectAltName list such as "DNS:localhost,IP:127.0.0.1". Clients match the hostname against
  // the SAN only (RFC 6125 §6.4.4), so the subject CN is deliberately not a hostname.
  CertFiles IssueServerCert(std::string_view name, std::string_view san) {
    KeyPtr key = NewKey();
    CertPtr cert = NewCert("mcpauth test server", key.get(), ca_cert_.get());
    AddExtension(cert.get(), ca_cert_.get(), NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(cert.get(), ca_cert_.get(), NID_key_usage, "critical,digitalSignature");
    AddExtension(cert.get(), ca_cert_.get(), NID_ext_key_usage, "serverAuth");
    AddExtension(cert.get(), ca_cert_.get(), NID_authority_key_identifier, "keyid:always");
    AddExtension(cert.get(), ca_cert_.get(), NID_subject_alt_name, std::string(san));
    Sign(cert.get(), ca_key_.get());

    CertFiles files;
    files.cert_chain_file = (dir_ / (std::string(name) + ".crt")).string();
    files.private_key_file = (dir_ / (std::string(name) + ".key")).string();
    WriteCert(files.cert_chain_file, cert.get());
    WriteKey(files.private_key_file, key.get());
    return files;
  }

 private:
  struct KeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  };
  struct CertFree {
    void operator()(X509* p) const { X509_free(p); }
  };
  struct BioFree {
    void operator()(BIO* p) const { BIO_free(p); }
  };
  struct ExtFree {
    void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  };
  using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
  using CertPtr = std::unique_ptr<X509, CertFree>;

  static void Check(bool ok, const char* what) {
    if (!ok) {
      throw std::runtime_error(std::string("TestPki: ") + what + " failed");
    }
  }

  static KeyPtr NewKey() {
    KeyPtr key(EVP_EC_gen("P-256"));
    Check(key != nullptr, "EVP_EC_gen");
    return key;
  }

  // A v3 certificate for `key`, valid from an hour ago (clock skew) for a day, issued by `issuer`
  // (nullptr: self-issued). Extensions are added by the caller, then Sign().
  CertPtr NewCert(const char* common_name, EVP_PKEY* key, X509* issuer) {
    CertPtr cert(X509_new());
    Check(cert != nullptr, "X509_new");
    Check(X509_set_version(cert.get(), X509_VERSION_3) == 1, "X509_set_version");
    Check(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), ++serial_) == 1, "serial");
    Check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr, "notBefore");
    Check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600) != nullptr, "notAfter");
    X509_NAME* name = X509_get_subject_name(cert.get());
    Check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>(common_name), -1, -1,
                                     0) == 1,
          "subject");
    X509_NAME* issuer_name = issuer != nullptr ? X509_get_subject_name(issuer) : name;
    Check(X509_set_issuer_name(cert.get(), issuer_name) == 1, "X509_set_issuer_name");
    Check(X509_set_pubkey(cert.get(), key) == 1, "X509_set_pubkey");
    return cert;
  }

  static void AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    std::unique_ptr<X509_EXTENSION, ExtFree> ext(
        X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value.c_str()));
    Check(ext != nullptr, "X509V3_EXT_nconf_nid");
    Check(X509_add_ext(cert, ext.get(), -1) == 1, "X509_add_ext");
  }

  static void Sign(X509* cert, EVP_PKEY* issuer_key) {
    Check(X509_sign(cert, issuer_key, EVP_sha256()) > 0, "X509_sign");
  }

  static void WriteCert(const std::string& path, X509* cert) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_file(path.c_str(), "w"));
    Check(bio != nullptr, "BIO_new_file");
    Check(PEM_write_bio_X509(bio.get(), cert) == 1, "PEM_write_bio_X509");
  }

  static void WriteKey(const std::string& path, EVP_PKEY* key) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_file(path.c_str(), "w"));
    Check(bio != nullptr, "BIO_new_file");
    Check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "PEM_write_bio_PrivateKey");
  }

  std::filesystem::path dir_;
  std::string ca_file_;
  KeyPtr ca_key_;
  CertPtr ca_cert_;
  long serial_ = 0;
};

}  // namespace mcpauth::testing
