// How a process proves itself to the NATS servers of the trade bus: the bus
// section's credentials and TLS keys. Plain data shared by the config and
// the bus; an empty field is not used.
#pragma once

#include <string>

namespace alphastream {

struct BusAccess {
  std::string user;              // with password: the servers' user/password authorization
  std::string password;
  std::string token;             // or a token
  std::string credentials_file;  // or a .creds file (an account's user JWT and NKey seed)
  std::string tls_ca_file;       // trust anchor for the servers' certificates (tls:// URLs, or any set here)
  std::string tls_cert_file;     // with tls_key_file: this client's certificate (mutual TLS)
  std::string tls_key_file;

  bool tls() const { return !tls_ca_file.empty() || !tls_cert_file.empty(); }
  bool operator==(const BusAccess&) const = default;
};

}  // namespace alphastream
