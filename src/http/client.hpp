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

struct Url {
  bool tls = false;      // https
  std::string host;      // "127.0.0.1", "x402.org"
  std::uint16_t port = 0;
  std::string target;    // path + query, at least "/"
  [[nodiscard]] std::string origin() const;  // "https://x402.org" (port only when not default)
  [[nodiscard]] std::string str() const;     // origin() + target
};

// http:// and https:// URLs only; rejects userinfo, fragments are dropped.
[[nodiscard]] Result<Url> parse_url(std::string_view text) noexcept;

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds request_timeout{30'000};  // whole exchange: write + read
  std::size_t max_idle_per_origin = 64;               // kept-alive connections per origin
  std::size_t max_response_body_bytes = 16 * 1024 * 1024;
  bool verify_tls = true;                             // peer verification with the system CAs
  std::string user_agent = "x402-cpp";
};

// Thread-safe: one Client may be shared by all threads of an io_context pool. Connections are
// reused per origin (scheme, host, port); a connection that fails on reuse is retried once on a
// fresh one when the request is idempotent or was never written.
class Client {
 public:
  explicit Client(boost::asio::any_io_executor executor, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends `request` to `url` (sets Host, target, User-Agent, Content-Length; keeps other fields).
  // Errors: Errc::unavailable (resolve/connect/TLS/IO), Errc::timeout, Errc::too_large.
  boost::asio::awaitable<Result<Response>> send(const Url& url, Request request);

  // Convenience: GET, and POST with a JSON body (Content-Type: application/json).
  boost::asio::awaitable<Result<Response>> get(
      const Url& url, std::vector<std::pair<std::string, std::string>> headers = {});
  boost::asio::awaitable<Result<Response>> post_json(
      const Url& url, std::string body, std::vector<std::pair<std::string, std::string>> headers = {});

  [[nodiscard]] const ClientOptions& options() const noexcept;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// For code that is not on an io_context (CLI commands, tests): owns one I/O thread and blocks
// the caller until each exchange completes.
class BlockingClient {
 public:
  explicit BlockingClient(ClientOptions options = {});
  ~BlockingClient();
  BlockingClient(const BlockingClient&) = delete;
  BlockingClient& operator=(const BlockingClient&) = delete;

  Result<Response> send(const Url& url, Request request);
  Result<Response> get(const Url& url, std::vector<std::pair<std::string, std::string>> headers = {});
  Result<Response> post_json(const Url& url, std::string body,
                             std::vector<std::pair<std::string, std::string>> headers = {});

  // The client the I/O thread uses, for code that wants to co_await itself.
  Client& async_client() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace x402::http
