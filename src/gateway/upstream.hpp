// The gateway's side of an upstream API: a streaming HTTP/1.1 client (plain or TLS) with a
// keep-alive pool per (upstream, io_context). Unlike http::Client it hands the response body over
// piece by piece as it arrives, so chunked and SSE bodies pass through unbuffered.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/client.hpp"
#include "x402/result.hpp"

namespace x402::gateway {

struct UpstreamOptions {
  std::chrono::milliseconds connect_timeout{5'000};  // resolve + connect + TLS handshake
  std::chrono::milliseconds header_timeout{60'000};  // request written and response header read
  std::chrono::milliseconds read_timeout{60'000};    // each wait for more body (SSE: between events)
  std::chrono::milliseconds idle_timeout{30'000};    // pooled connections idle longer are closed
  std::size_t max_idle = 32;                         // pooled connections per io_context
  std::size_t max_header_bytes = 64 * 1024;
  bool verify_tls = true;
  std::string ca_file;  // extra trusted CAs (PEM)
};

using ResponseHeader = boost::beast::http::response_header<>;

class UpstreamPool;

// One response being read from an upstream. Used by one coroutine at a time, on the executor that
// started it. Destroying it before the body ended closes the connection.
class UpstreamExchange {
 public:
  struct Impl;
  explicit UpstreamExchange(std::unique_ptr<Impl> impl);
  ~UpstreamExchange();
  UpstreamExchange(UpstreamExchange&&) noexcept;
  UpstreamExchange& operator=(UpstreamExchange&&) noexcept;

  [[nodiscard]] const ResponseHeader& header() const noexcept;
  [[nodiscard]] unsigned status() const noexcept;
  // The upstream declared this body length (Content-Length), if any.
  [[nodiscard]] std::optional<std::uint64_t> content_length() const noexcept;
  [[nodiscard]] bool done() const noexcept;  // the whole body has been read

  // The next piece of body as soon as any arrives (empty only once done()). The view is valid
  // until the next call.
  boost::asio::awaitable<Result<std::string_view>> read_some();
  // The rest of the body; Errc::too_large beyond `limit` bytes.
  boost::asio::awaitable<Result<std::string>> read_all(std::size_t limit);

 private:
  std::unique_ptr<Impl> impl_;
};

// One upstream origin (scheme, host, port) with its options and its pooled connections.
// Thread-safe; connections are opened on the awaiting coroutine's executor.
class Upstream {
 public:
  // Builds the TLS context (system CAs + ca_file) up front: no file I/O on I/O threads later.
  [[nodiscard]] static Result<std::shared_ptr<Upstream>> create(http::Url origin, UpstreamOptions options);
  ~Upstream();
  Upstream(const Upstream&) = delete;
  Upstream& operator=(const Upstream&) = delete;

  [[nodiscard]] const http::Url& origin() const noexcept;
  [[nodiscard]] const UpstreamOptions& options() const noexcept;

  // Sends `request` (target, fields and body as given; Host and Content-Length are set here) and
  // reads the response header. Errors: Errc::unavailable (cannot connect, connection broke),
  // Errc::timeout, Errc::too_large (header). A reused connection that turns out dead before any
  // response byte is retried once on a fresh one.
  boost::asio::awaitable<Result<UpstreamExchange>> send(http::Request request);

  // Idle pooled connections (all io_contexts), for tests.
  [[nodiscard]] std::size_t idle_connections() const;

  struct Impl;  // named by the implementation's helpers

 private:
  explicit Upstream(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace x402::gateway
