// HTTP/1.1 client on Asio coroutines: HTTP and HTTPS (OpenSSL, system CAs), a keep-alive
// connection pool per origin, a deadline on every operation, capped response sizes.
// Used for JSON-RPC to chain nodes, for facilitator calls from sellers, and by the buyer client.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "x402/result.hpp"

namespace x402::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Verb = boost::beast::http::verb;
using Headers = std::vector<std::pair<std::string, std::string>>;  // extra request fields

struct Url {
  bool tls = false;  // https
  std::string host;  // "127.0.0.1", "x402.org", "::1" (IPv6 without brackets)
  std::uint16_t port = 0;
  std::string target;                        // path + query, at least "/"
  [[nodiscard]] std::string origin() const;  // "https://x402.org" (port only when not default)
  [[nodiscard]] std::string str() const;     // origin() + target
  // "host" or "host:port" (port only when not default), as sent in the Host header.
  [[nodiscard]] std::string host_header() const;
};

// http:// and https:// URLs only; rejects userinfo, fragments are dropped.
[[nodiscard]] Result<Url> parse_url(std::string_view text) noexcept;

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{5'000};   // resolve + TCP connect + TLS handshake
  std::chrono::milliseconds request_timeout{30'000};  // whole exchange: write + read
  std::chrono::milliseconds idle_timeout{30'000};     // pooled connections idle longer are closed
  std::size_t max_idle_per_origin = 64;               // kept-alive connections per origin
  std::size_t max_response_body_bytes = 16 * 1024 * 1024;
  std::size_t max_response_header_bytes = 64 * 1024;
  bool verify_tls = true;  // peer verification (chain + host name) with the system CAs
  std::string ca_file;     // extra trusted CA certificates (PEM), added to the system store
  std::string user_agent = "x402-cpp";
};

// Thread-safe: one Client may be shared by coroutines on any number of io_contexts and threads.
// Connections are opened on the calling coroutine's executor and pooled per (origin, io_context),
// so the I/O of a request stays on the caller's thread. A pooled connection that fails before any
// response byte (the server closed it while idle) is retried once on a fresh connection.
// Pooled connections of an io_context are closed when that io_context is destroyed, so a Client
// may outlive the io_contexts it was used on.
class Client {
 public:
  // `executor` is kept for API symmetry; connections use the executor of the awaiting coroutine.
  explicit Client(boost::asio::any_io_executor executor, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends `request` to `url` (sets Host, target, User-Agent, Content-Length; keeps other fields).
  // Errors: Errc::unavailable (resolve/connect/TLS/IO), Errc::timeout, Errc::too_large,
  // Errc::invalid_argument (unusable ca_file). The returned awaitable does not refer to `*this`
  // or to the arguments: the Client may be destroyed while a request is in flight.
  boost::asio::awaitable<Result<Response>> send(Url url, Request request);

  // Convenience: GET, and POST with a JSON body (Content-Type: application/json). Overloads rather
  // than default arguments: GCC 12 mishandles defaulted class-type arguments of a call inside a
  // co_await expression (it bit-copies them into the coroutine frame).
  boost::asio::awaitable<Result<Response>> get(Url url);
  boost::asio::awaitable<Result<Response>> get(Url url, Headers headers);
  boost::asio::awaitable<Result<Response>> post_json(Url url, std::string body);
  boost::asio::awaitable<Result<Response>> post_json(Url url, std::string body, Headers headers);

  [[nodiscard]] const ClientOptions& options() const noexcept;

  // Idle connections currently pooled (all origins); for tests and metrics.
  [[nodiscard]] std::size_t idle_connections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// For code that is not on an io_context (CLI commands, tests): owns one I/O thread and blocks
// the caller until each exchange completes. Do not call from that I/O thread (it would deadlock).
class BlockingClient {
 public:
  explicit BlockingClient(ClientOptions options = {});
  ~BlockingClient();
  BlockingClient(const BlockingClient&) = delete;
  BlockingClient& operator=(const BlockingClient&) = delete;

  Result<Response> send(const Url& url, Request request);
  Result<Response> get(const Url& url, const Headers& headers = {});
  Result<Response> post_json(const Url& url, std::string body, const Headers& headers = {});

  // The client the I/O thread uses, for code that wants to co_await itself.
  Client& async_client() noexcept;
  // The executor of the I/O thread (co_await async_client() from coroutines spawned on it).
  [[nodiscard]] boost::asio::any_io_executor executor() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace x402::http
