// The TLS client settings every outgoing connection of the engine uses (the
// feed's websocket, archive downloads): the system's trust store plus an
// optional CA file, TLS 1.2 or later, SNI, and the certificate checked
// against the host name or address.
#pragma once

#include <string>

#include <boost/asio/ssl/context.hpp>
#include <openssl/ssl.h>

#include "core/status.h"

namespace alphastream {

// Loads the trust store (and ca_file when not empty) into context and sets
// verification. `who` starts each message ("stream client", "https"); a bad
// ca_file is Status::invalid_input naming it.
Status configure_tls_client(boost::asio::ssl::context& context, const std::string& ca_file, bool verify,
                            const std::string& who);

// Before a connection's handshake: SNI for a host name, and with `verify`
// the name (or IP address) the certificate must carry.
Status prepare_tls_session(SSL* session, const std::string& host, bool verify);

}  // namespace alphastream
