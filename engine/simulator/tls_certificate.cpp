#include "simulator/tls_certificate.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace alphastream {
namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

constexpr long kValidFromS = -3600;  // an hour ago: tolerates a client clock behind ours
constexpr long kValidForS = 30L * 24 * 3600;

// The step that failed and OpenSSL's most recent error, then clears the queue.
Status openssl_error(const char* step) {
  std::string message = std::string("tls certificate: ") + step + " failed";
  if (const unsigned long code = ERR_peek_last_error(); code != 0) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    message += ": ";
    message += text;
  }
  ERR_clear_error();
  return Status::error(std::move(message));
}

Status add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
  ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
  if (!extension || X509_add_ext(cert, extension.get(), -1) != 1) {
    return openssl_error(OBJ_nid2sn(nid));
  }
  return Status::ok();
}

Result<std::string> bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  if (size <= 0 || data == nullptr) return openssl_error("BIO_get_mem_data");
  return std::string(data, static_cast<std::size_t>(size));
}

Status fill_certificate(X509* cert, EVP_PKEY* key) {
  if (X509_set_version(cert, 2) != 1) return openssl_error("X509_set_version");
  // A random 64-bit serial: a client that cached an earlier run's
  // certificate never sees the same issuer and serial for another key.
  BignumPtr serial(BN_new());
  if (!serial || BN_rand(serial.get(), 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) == nullptr) {
    return openssl_error("serial number");
  }
  if (X509_gmtime_adj(X509_getm_notBefore(cert), kValidFromS) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert), kValidForS) == nullptr) {
    return openssl_error("X509_gmtime_adj");
  }
  X509_NAME* name = X509_get_subject_name(cert);
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert, name) != 1) {
    return openssl_error("X509_NAME_add_entry_by_txt");
  }
  if (X509_set_pubkey(cert, key) != 1) return openssl_error("X509_set_pubkey");
  const std::pair<int, const char*> extensions[] = {
      {NID_basic_constraints, "critical,CA:TRUE"},
      {NID_key_usage, "critical,digitalSignature,keyCertSign"},
      {NID_ext_key_usage, "serverAuth"},
      {NID_subject_key_identifier, "hash"},
      {NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
  };
  for (const auto& [nid, value] : extensions) {
    if (Status added = add_extension(cert, nid, value); !added) return added;
  }
  if (X509_sign(cert, key, EVP_sha256()) <= 0) return openssl_error("X509_sign");
  return Status::ok();
}

}  // namespace

Result<TlsCertificate> make_localhost_certificate() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return openssl_error("EVP_EC_gen(P-256)");
  X509Ptr cert(X509_new());
  if (!cert) return openssl_error("X509_new");
  if (Status filled = fill_certificate(cert.get(), key.get()); !filled) return filled;

  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  BioPtr key_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || !key_bio) return openssl_error("BIO_new");
  if (PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1) return openssl_error("PEM_write_bio_X509");
  if (PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return openssl_error("PEM_write_bio_PrivateKey");
  }
  Result<std::string> cert_pem = bio_text(cert_bio.get());
  if (!cert_pem) return cert_pem.status();
  Result<std::string> key_pem = bio_text(key_bio.get());
  if (!key_pem) return key_pem.status();
  return TlsCertificate{std::move(cert_pem).value(), std::move(key_pem).value()};
}

}  // namespace alphastream
