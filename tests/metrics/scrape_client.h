// Test helpers: a plain-socket HTTP GET and a reader for the Prometheus text
// exposition, so tests check what a real scraper would receive.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace alphastream::testing {

struct HttpResponse {
  int status = 0;  // 0 if the connection or the status line failed
  std::string headers;
  std::string body;  // everything after the first response's header
  std::string raw;   // everything received
};

// GET http://host:port/path over a new TCP connection (HTTP/1.0, so the
// server closes it after the response). host is a numeric IPv4 or IPv6
// address ("127.0.0.1", "::1").
HttpResponse http_get(const std::string& host, std::uint16_t port, const std::string& path);

// Sends request verbatim over a new TCP connection, then reads until the
// server closes it (or 15 s pass without a byte). A send the server cut
// short still reads what it answered.
HttpResponse http_request(const std::string& host, std::uint16_t port, const std::string& request);

// A connected TCP socket to host:port whose reads and writes give up after
// 15 s, or -1. The caller closes it.
int connect_to(const std::string& host, std::uint16_t port);

// Sample lines keyed by everything before the value ("name{a=\"b\"}"),
// mapped to the value text exactly as served.
std::map<std::string, std::string> sample_lines(const std::string& exposition);

// Lines starting with prefix, in order.
std::vector<std::string> lines_starting_with(const std::string& exposition, const std::string& prefix);

struct ToolRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `promtool check metrics` on the exposition (promtool reads stdin).
ToolRun promtool_check_metrics(const std::string& exposition);

}  // namespace alphastream::testing
