// A self-signed TLS certificate made in memory, so a loopback server (the
// feed simulator) can speak wss:// without files or an openssl command.
#pragma once

#include <string>

#include "core/status.h"

namespace alphastream {

struct TlsCertificate {
  std::string certificate_pem;  // "-----BEGIN CERTIFICATE-----..."
  std::string private_key_pem;  // PKCS#8, unencrypted
};

// Returns a fresh EC P-256 key and a self-signed X.509 v3 certificate for
// CN=localhost with subjectAltName DNS:localhost and IP:127.0.0.1, valid
// from an hour ago for 30 days. The certificate is its own CA (a client
// trusts it by loading certificate_pem as its CA file) and verifies for
// either name. Returns an error naming the OpenSSL step that failed.
Result<TlsCertificate> make_localhost_certificate();

}  // namespace alphastream
