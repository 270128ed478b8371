#include "bus/nats_client.h"

namespace alphastream {

std::string nats_error(std::string_view what, natsStatus status, jsErrCode js_code) {
  std::string out = "bus: " + std::string(what) + ": " + natsStatus_GetText(status);
  if (const char* last = nats_GetLastError(nullptr); last != nullptr && *last != '\0') out += " (" + std::string(last) + ")";
  if (js_code != 0) out += " [JetStream error " + std::to_string(static_cast<int>(js_code)) + "]";
  return out;
}

Status connect_nats(const std::vector<std::string>& servers, natsConnection** connection) {
  natsOptions* options = nullptr;
  if (natsStatus s = natsOptions_Create(&options); s != NATS_OK) return Status::error(nats_error("options", s));
  std::vector<const char*> urls;
  for (const std::string& server : servers) urls.push_back(server.c_str());
  natsStatus s = natsOptions_SetServers(options, urls.data(), static_cast<int>(urls.size()));
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(options, -1);  // for ever: the bus is the feed
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(options, 250);
  if (s == NATS_OK) s = natsConnection_Connect(connection, options);
  natsOptions_Destroy(options);
  if (s != NATS_OK) {
    std::string list;
    for (const std::string& server : servers) list.append(list.empty() ? "" : ", ").append(server);
    return Status::error(nats_error("cannot connect to " + list, s));
  }
  return Status::ok();
}

}  // namespace alphastream
