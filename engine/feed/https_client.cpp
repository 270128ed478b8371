#include "feed/https_client.h"

#include <cctype>
#include <charconv>
#include <limits>
#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "feed/tls_client.h"

namespace alphastream {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr std::size_t kPieceBytes = 64 * 1024;

// "bytes 100-199/1000" -> 1000.
std::optional<std::uint64_t> content_range_total(std::string_view value) {
  const std::size_t slash = value.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view total = value.substr(slash + 1);
  std::uint64_t n = 0;
  const auto [end, error] = std::from_chars(total.data(), total.data() + total.size(), n);
  if (error != std::errc() || end != total.data() + total.size()) return std::nullopt;
  return n;
}

}  // namespace

Result<HttpsUrl> parse_https_url(std::string_view url) {
  const auto invalid = [&](std::string_view why) {
    return Status::invalid_input("url '" + std::string(url) + "': " + std::string(why));
  };
  HttpsUrl parsed;
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    parsed.tls = false;
    rest = url.substr(7);
  } else {
    return invalid("expected https:// or http://");
  }
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  parsed.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.find_first_of("[@") != std::string_view::npos) {
    return invalid("IPv6 literals and user info are not supported");
  }
  const std::size_t colon = authority.find(':');
  parsed.host = std::string(authority.substr(0, colon));
  if (parsed.host.empty()) return invalid("missing host");
  parsed.port = parsed.tls ? "443" : "80";
  if (colon != std::string_view::npos) {
    const std::string_view port = authority.substr(colon + 1);
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || error != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return invalid("bad port");
    }
    parsed.port = std::string(port);
  }
  return parsed;
}

class HttpsClient::Impl {
 public:
  explicit Impl(HttpsClientOptions options)
      : options_(std::move(options)),
        ssl_(ssl::context::tls_client),
        setup_(configure_tls_client(ssl_, options_.ca_file, options_.verify_tls, "https")) {}

  Result<HttpsResponse> get(const std::string& url, std::uint64_t offset,
                            const std::function<bool(std::string_view)>& body,
                            const std::function<void(const HttpsResponse&)>& head) {
    if (!setup_) return setup_;
    auto parsed = parse_https_url(url);
    if (!parsed) return parsed.status();
    if (parsed->tls) {
      beast::ssl_stream<beast::tcp_stream> stream(io_, ssl_);
      return exchange(stream, *parsed, url, offset, body, head);
    }
    beast::tcp_stream stream(io_);
    return exchange(stream, *parsed, url, offset, body, head);
  }

 private:
  // Runs one asynchronous step to its end; the stream's expiry bounds it.
  template <class Start>
  beast::error_code run(Start start) {
    beast::error_code result;
    io_.restart();
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    io_.run();
    return result;
  }

  Status connect(beast::tcp_stream& socket, const HttpsUrl& url, const std::string& where) {
    tcp::resolver resolver(io_);
    beast::error_code ec;
    const auto endpoints = resolver.resolve(url.host, url.port, ec);
    if (ec) return Status::error(where + ": cannot resolve " + url.host + ": " + ec.message());
    socket.expires_after(options_.timeout);
    ec = run([&](auto done) { socket.async_connect(endpoints, done); });
    if (ec) return Status::error(where + ": cannot connect: " + ec.message());
    return Status::ok();
  }

  Status open(beast::tcp_stream& stream, const HttpsUrl& url, const std::string& where) {
    return connect(stream, url, where);
  }

  Status open(beast::ssl_stream<beast::tcp_stream>& stream, const HttpsUrl& url, const std::string& where) {
    if (Status connected = connect(beast::get_lowest_layer(stream), url, where); !connected) return connected;
    if (Status prepared = prepare_tls_session(stream.native_handle(), url.host, options_.verify_tls); !prepared) {
      return Status::error(where + ": " + prepared.message());
    }
    beast::get_lowest_layer(stream).expires_after(options_.timeout);
    const beast::error_code ec = run([&](auto done) { stream.async_handshake(ssl::stream_base::client, done); });
    if (ec) return Status::error(where + ": TLS handshake failed: " + ec.message());
    return Status::ok();
  }

  // Best effort: an unreadable explanation leaves error_body short.
  template <class Stream, class Parser>
  void read_error_body(Stream& stream, beast::flat_buffer& buffer, Parser& parser, HttpsResponse& response) {
    char piece[1024];
    while (!parser.is_done() && response.error_body.size() < HttpsResponse::kMaxErrorBody) {
      parser.get().body().data = piece;
      parser.get().body().size = sizeof piece;
      beast::get_lowest_layer(stream).expires_after(options_.timeout);
      const beast::error_code ec = run([&](auto done) { http::async_read_some(stream, buffer, parser, done); });
      const std::size_t got = sizeof piece - parser.get().body().size;
      response.error_body.append(piece, std::min(got, HttpsResponse::kMaxErrorBody - response.error_body.size()));
      if (ec && ec != http::error::need_buffer) return;
    }
  }

  template <class Stream>
  Result<HttpsResponse> exchange(Stream& stream, const HttpsUrl& url, const std::string& where, std::uint64_t offset,
                                 const std::function<bool(std::string_view)>& body,
                                 const std::function<void(const HttpsResponse&)>& head) {
    if (Status opened = open(stream, url, where); !opened) return opened;
    http::request<http::empty_body> request{http::verb::get, url.target, 11};
    request.set(http::field::host, url.host);
    request.set(http::field::user_agent, options_.user_agent);
    if (offset > 0) request.set(http::field::range, "bytes=" + std::to_string(offset) + "-");
    beast::get_lowest_layer(stream).expires_after(options_.timeout);
    beast::error_code ec = run([&](auto done) { http::async_write(stream, request, done); });
    if (ec) return Status::error(where + ": cannot send the request: " + ec.message());

    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    // Not boost::none: Boost 1.74 compares a known length against it and
    // finds every body too long.
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    beast::get_lowest_layer(stream).expires_after(options_.timeout);
    ec = run([&](auto done) { http::async_read_header(stream, buffer, parser, done); });
    if (ec) return Status::error(where + ": no answer: " + ec.message());
    HttpsResponse response;
    response.status = parser.get().result_int();
    for (const auto& field : parser.get()) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      response.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    if (response.status < 200 || response.status >= 300) {
      read_error_body(stream, buffer, parser, response);
      return response;
    }
    response.partial = response.status == 206;
    if (const auto length = parser.content_length()) response.content_length = *length;
    response.total_length = response.content_length;
    if (response.partial) {
      const auto range = parser.get().find(http::field::content_range);
      const auto total = range == parser.get().end()
                             ? std::nullopt
                             : content_range_total(std::string_view(range->value().data(), range->value().size()));
      if (!total) return Status::error(where + ": a partial answer without a Content-Range size");
      response.total_length = *total;
    }

    if (head) head(response);
    std::vector<char> piece(kPieceBytes);
    std::uint64_t received = 0;
    while (!parser.is_done()) {
      parser.get().body().data = piece.data();
      parser.get().body().size = piece.size();
      beast::get_lowest_layer(stream).expires_after(options_.timeout);
      ec = run([&](auto done) { http::async_read_some(stream, buffer, parser, done); });
      const std::size_t got = piece.size() - parser.get().body().size;
      received += got;
      if (got > 0 && !body(std::string_view(piece.data(), got))) return Status::error(where + ": download stopped");
      if (ec == http::error::need_buffer) continue;
      if (ec) {
        return Status::error(where + ": body cut short after " + std::to_string(received) + " of " +
                             (response.content_length ? std::to_string(response.content_length) : "?") +
                             " bytes: " + ec.message());
      }
    }
    return response;
  }

  HttpsClientOptions options_;
  asio::io_context io_;
  ssl::context ssl_;
  Status setup_;
};

HttpsClient::HttpsClient(HttpsClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpsClient::~HttpsClient() = default;

Result<HttpsResponse> HttpsClient::get(const std::string& url, std::uint64_t offset,
                                       const std::function<bool(std::string_view)>& body,
                                       const std::function<void(const HttpsResponse&)>& head) {
  return impl_->get(url, offset, body, head);
}

Result<std::string> HttpsClient::get_text(const std::string& url, std::size_t max_bytes, HttpsResponse* head) {
  std::string text;
  bool too_long = false;
  auto response = impl_->get(url, 0, [&](std::string_view piece) {
    if (text.size() + piece.size() > max_bytes) {
      too_long = true;
      return false;
    }
    text.append(piece);
    return true;
  }, {});
  if (too_long) return Status::error(url + ": longer than " + std::to_string(max_bytes) + " bytes");
  if (!response) return response.status();
  if (head != nullptr) *head = std::move(response.value());
  return text;
}

}  // namespace alphastream
