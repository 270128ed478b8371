// What the bus's classes share of the NATS C client: connecting and error
// text. Included by their .cpp files only, so nats.h stays inside the layer.
#pragma once

#include <nats/nats.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/bus_access.h"
#include "core/status.h"

namespace alphastream {

// "bus: <what>: <status text> (<client's last error>) [JetStream error N]"
std::string nats_error(std::string_view what, natsStatus status, jsErrCode js_code = static_cast<jsErrCode>(0));

// Connects to the first of servers that answers, with access's credentials
// and TLS, reconnecting for ever afterwards; the error names every server
// tried and what the server or the TLS handshake said (e.g. "Authorization
// Violation"): Status::error when no server answered (a later start may
// succeed), Status::invalid_input when one refused the login or the TLS.
Status connect_nats(const std::vector<std::string>& servers, const BusAccess& access, natsConnection** connection);

}  // namespace alphastream
