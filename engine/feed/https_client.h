// A small blocking HTTPS GET client (Boost.Beast over OpenSSL, as the feed's
// websocket): one request at a time on one connection, for a worker thread.
// Used to fetch data.binance.vision archives and their checksums. Certificates
// and host names are verified as the feed verifies them.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace alphastream {

struct HttpsClientOptions {
  std::string ca_file;        // added to the system's trust store; empty: the store alone
  bool verify_tls = true;
  std::chrono::milliseconds timeout{30000};  // per connect, and per read without a byte
  std::string user_agent = "alphastream";
};

// https://host[:port]/path, or http:// (tests, proxies on loopback).
struct HttpsUrl {
  bool tls = true;
  std::string host;
  std::string port;
  std::string target;  // path and query
};
Result<HttpsUrl> parse_https_url(std::string_view url);

struct HttpsResponse {
  unsigned status = 0;                 // 200, 206, 404, ...
  std::uint64_t content_length = 0;    // of this response's body; 0 when not given
  std::uint64_t total_length = 0;      // of the whole resource: content_length, or the size in Content-Range
  bool partial = false;                // 206: the body starts at the requested offset
  // Every header of the answer, names in lower case (Retry-After, a venue's
  // rate-limit headers).
  std::vector<std::pair<std::string, std::string>> headers;
  // A non-2xx answer's body, its first kMaxErrorBody bytes (the server's
  // explanation, e.g. Binance's {"code":-1121,"msg":"Invalid symbol."}).
  static constexpr std::size_t kMaxErrorBody = 4096;
  std::string error_body;

  // The value of header `name` (lower case), or empty.
  std::string_view header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (key == name) return value;
    }
    return {};
  }
};

class HttpsClient {
 public:
  explicit HttpsClient(HttpsClientOptions options);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // GETs url and hands the body to `body` in pieces as it arrives (a false
  // return stops the download: an error). From byte `offset` on when offset >
  // 0 (a Range request; a server that ignores it answers 200 from byte 0,
  // which `partial` tells). `head`, when given, sees a 2xx response's
  // headers before the first piece. A non-2xx status is returned with the
  // start of its body in error_body. Errors name the url: connection, TLS, timeout, a body cut
  // short of its Content-Length.
  Result<HttpsResponse> get(const std::string& url, std::uint64_t offset,
                            const std::function<bool(std::string_view piece)>& body,
                            const std::function<void(const HttpsResponse& head)>& head = {});

  // GETs a small text resource (at most max_bytes) whole. *head (when
  // given) gets the status and headers; a non-2xx answer's text is its
  // error_body, not the result.
  Result<std::string> get_text(const std::string& url, std::size_t max_bytes, HttpsResponse* head);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace alphastream
