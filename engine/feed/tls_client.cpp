#include "feed/tls_client.h"

#include <boost/asio/ip/address.hpp>
#include <openssl/x509_vfy.h>

namespace alphastream {

Status configure_tls_client(boost::asio::ssl::context& context, const std::string& ca_file, bool verify,
                            const std::string& who) {
  boost::system::error_code ec;
  context.set_default_verify_paths(ec);
  if (ec) return Status::error(who + ": cannot load the default trust store: " + ec.message());
  if (!ca_file.empty()) {
    context.load_verify_file(ca_file, ec);
    if (ec) return Status::invalid_input(who + ": ca_file '" + ca_file + "': " + ec.message());
  }
  context.set_verify_mode(verify ? boost::asio::ssl::verify_peer : boost::asio::ssl::verify_none);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  return Status::ok();
}

Status prepare_tls_session(SSL* session, const std::string& host, bool verify) {
  boost::system::error_code not_ip;
  boost::asio::ip::make_address(host, not_ip);
  const bool is_ip = !not_ip;
  if (!is_ip && SSL_set_tlsext_host_name(session, host.c_str()) != 1) {
    return Status::error("cannot set SNI host name '" + host + "'");
  }
  if (!verify) return Status::ok();
  X509_VERIFY_PARAM* param = SSL_get0_param(session);
  const int set = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                        : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  if (set != 1) return Status::error("cannot set the host name to verify '" + host + "'");
  return Status::ok();
}

}  // namespace alphastream
