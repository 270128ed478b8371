#include "simulator/tls_certificate.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include <gtest/gtest.h>

namespace alphastream {
namespace {

struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

std::unique_ptr<X509, X509Free> read_certificate(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

std::unique_ptr<EVP_PKEY, PkeyFree> read_key(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  std::unique_ptr<EVP_PKEY, PkeyFree> key(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return key;
}

TEST(TlsCertificate, IsSelfSignedForLocalhostAndLoopbackWithAMatchingP256Key) {
  Result<TlsCertificate> made = make_localhost_certificate();
  ASSERT_TRUE(made) << made.error();
  EXPECT_EQ(made->certificate_pem.rfind("-----BEGIN CERTIFICATE-----\n", 0), 0u);
  EXPECT_EQ(made->private_key_pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  auto cert = read_certificate(made->certificate_pem);
  auto key = read_key(made->private_key_pem);
  ASSERT_TRUE(cert);
  ASSERT_TRUE(key);
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
  EXPECT_TRUE(EVP_PKEY_is_a(key.get(), "EC"));
  EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 256);

  // Self-signed: its own public key verifies its signature.
  EXPECT_EQ(X509_verify(cert.get(), key.get()), 1);
  EXPECT_EQ(X509_check_issued(cert.get(), cert.get()), X509_V_OK);
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "example.com", 0, 0, nullptr), 0);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.2", 0), 0);

  // Valid now and for the next 29 days.
  EXPECT_LT(X509_cmp_current_time(X509_get0_notBefore(cert.get())), 0);
  const time_t in_29_days = time(nullptr) + 29 * 24 * 3600;
  EXPECT_GT(X509_cmp_time(X509_get0_notAfter(cert.get()), const_cast<time_t*>(&in_29_days)), 0);
}

TEST(TlsCertificate, EachCallMakesAFreshKey) {
  Result<TlsCertificate> first = make_localhost_certificate();
  Result<TlsCertificate> second = make_localhost_certificate();
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->private_key_pem, second->private_key_pem);
  EXPECT_NE(first->certificate_pem, second->certificate_pem);
}

}  // namespace
}  // namespace alphastream
