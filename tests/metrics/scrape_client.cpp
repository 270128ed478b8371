#include "scrape_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace alphastream::testing {

int connect_to(const std::string& host, std::uint16_t port) {
  sockaddr_in6 in6{};
  sockaddr_in in4{};
  const sockaddr* address = nullptr;
  socklen_t length = 0;
  if (inet_pton(AF_INET6, host.c_str(), &in6.sin6_addr) == 1) {
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    address = reinterpret_cast<const sockaddr*>(&in6);
    length = sizeof(in6);
  } else if (inet_pton(AF_INET, host.c_str(), &in4.sin_addr) == 1) {
    in4.sin_family = AF_INET;
    in4.sin_port = htons(port);
    address = reinterpret_cast<const sockaddr*>(&in4);
    length = sizeof(in4);
  } else {
    return -1;
  }
  const int fd = ::socket(address->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  // A server that never answers fails the test instead of hanging it.
  const timeval timeout{15, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  if (::connect(fd, address, length) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

HttpResponse http_get(const std::string& host, std::uint16_t port, const std::string& path) {
  const std::string authority = host.find(':') == std::string::npos ? host : "[" + host + "]";
  return http_request(host, port, "GET " + path + " HTTP/1.0\r\nHost: " + authority + "\r\n\r\n");
}

HttpResponse http_request(const std::string& host, std::uint16_t port, const std::string& request) {
  HttpResponse response;
  const int fd = connect_to(host, port);
  if (fd < 0) return response;
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  std::string raw;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof(buffer), 0)) > 0;) raw.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  response.raw = raw;
  const std::size_t header_end = raw.find("\r\n\r\n");
  const bool http = raw.compare(0, 9, "HTTP/1.1 ") == 0 || raw.compare(0, 9, "HTTP/1.0 ") == 0;
  if (header_end == std::string::npos || !http) return response;
  response.status = std::atoi(raw.c_str() + 9);
  response.headers = raw.substr(0, header_end);
  response.body = raw.substr(header_end + 4);
  return response;
}

std::map<std::string, std::string> sample_lines(const std::string& exposition) {
  std::map<std::string, std::string> samples;
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t space = line.rfind(' ');
    samples[line.substr(0, space)] = line.substr(space + 1);
  }
  return samples;
}

std::vector<std::string> lines_starting_with(const std::string& exposition, const std::string& prefix) {
  std::vector<std::string> lines;
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (line.compare(0, prefix.size(), prefix) == 0) lines.push_back(line);
  }
  return lines;
}

ToolRun promtool_check_metrics(const std::string& exposition) {
  char input_path[] = "/tmp/alphastream_metrics_XXXXXX";
  const int fd = ::mkstemp(input_path);
  if (fd < 0) return {};
  ::close(fd);
  std::ofstream(input_path) << exposition;
  const std::string command = std::string("promtool check metrics < ") + input_path + " 2>&1";
  ToolRun run;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0;) run.output.append(buffer, n);
    const int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  ::unlink(input_path);
  return run;
}

}  // namespace alphastream::testing
