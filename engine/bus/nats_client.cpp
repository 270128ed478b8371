#include "bus/nats_client.h"

namespace alphastream {

std::string nats_error(std::string_view what, natsStatus status, jsErrCode js_code) {
  std::string out = "bus: " + std::string(what) + ": " + natsStatus_GetText(status);
  if (const char* last = nats_GetLastError(nullptr); last != nullptr && *last != '\0') out += " (" + std::string(last) + ")";
  if (js_code != 0) out += " [JetStream error " + std::to_string(static_cast<int>(js_code)) + "]";
  return out;
}

namespace {

natsStatus apply_access(natsOptions* options, const BusAccess& access) {
  natsStatus s = NATS_OK;
  if (!access.user.empty()) s = natsOptions_SetUserInfo(options, access.user.c_str(), access.password.c_str());
  if (s == NATS_OK && !access.token.empty()) s = natsOptions_SetToken(options, access.token.c_str());
  if (s == NATS_OK && !access.credentials_file.empty()) {
    s = natsOptions_SetUserCredentialsFromFiles(options, access.credentials_file.c_str(), nullptr);
  }
  if (s == NATS_OK && access.tls()) s = natsOptions_SetSecure(options, true);
  if (s == NATS_OK && !access.tls_ca_file.empty()) {
    s = natsOptions_LoadCATrustedCertificates(options, access.tls_ca_file.c_str());
  }
  if (s == NATS_OK && !access.tls_cert_file.empty()) {
    s = natsOptions_LoadCertificatesChain(options, access.tls_cert_file.c_str(), access.tls_key_file.c_str());
  }
  return s;
}

}  // namespace

Status connect_nats(const std::vector<std::string>& servers, const BusAccess& access, natsConnection** connection) {
  natsOptions* options = nullptr;
  if (natsStatus s = natsOptions_Create(&options); s != NATS_OK) return Status::error(nats_error("options", s));
  std::vector<const char*> urls;
  for (const std::string& server : servers) urls.push_back(server.c_str());
  natsStatus s = natsOptions_SetServers(options, urls.data(), static_cast<int>(urls.size()));
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(options, -1);  // for ever: the bus is the feed
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(options, 250);
  if (s == NATS_OK) {
    s = apply_access(options, access);
    if (s != NATS_OK) {
      natsOptions_Destroy(options);
      return Status::invalid_input(nats_error("credentials or TLS files of the bus section", s));
    }
  }
  if (s == NATS_OK) s = natsConnection_Connect(connection, options);
  natsOptions_Destroy(options);
  if (s != NATS_OK) {
    std::string list;
    for (const std::string& server : servers) list.append(list.empty() ? "" : ", ").append(server);
    const std::string message = nats_error("cannot connect to " + list, s);
    // No server answering may change by the next start (a restart may
    // retry it); a refused login or certificate will not.
    const bool unreachable = s == NATS_NO_SERVER || s == NATS_TIMEOUT || s == NATS_IO_ERROR ||
                             s == NATS_CONNECTION_CLOSED || s == NATS_CONNECTION_DISCONNECTED;
    return unreachable ? Status::error(message) : Status::invalid_input(message);
  }
  return Status::ok();
}

}  // namespace alphastream
