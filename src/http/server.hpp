// HTTP/1.1 server on Asio coroutines, one io_context thread per core (SO_REUSEPORT acceptors),
// keep-alive, a deadline on every read and write, capped header and body sizes. Each request
// goes through one plain handler function (Boost.Beast example style).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/client.hpp"
#include "x402/result.hpp"

namespace x402::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: pick a free port (see Server::port())
  unsigned threads = 0;    // 0: one per hardware thread
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;  // larger bodies get 413 without reaching the handler
  std::chrono::milliseconds read_timeout{15'000};   // headers + body of one request
  std::chrono::milliseconds write_timeout{15'000};
  std::chrono::milliseconds idle_timeout{60'000};   // between keep-alive requests
};

struct RequestContext {
  std::string remote_address;         // peer IP
  boost::asio::any_io_executor executor;  // the connection's strand-free executor (its thread)
};

// The handler must not block: it runs on an I/O thread. Exceptions that escape it become 500.
using Handler = std::function<boost::asio::awaitable<Response>(Request, RequestContext&)>;

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();  // stops and joins
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the worker threads; returns once listening (or the bind error).
  Status start();
  // Stops accepting, lets in-flight requests finish up to `grace`, then closes and joins.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2'000));
  // Blocks until stop() is called (from another thread or a signal handler via request_stop()).
  void wait();
  // Async-signal-safe request to stop (used by SIGINT/SIGTERM handlers).
  void request_stop() noexcept;

  [[nodiscard]] std::uint16_t port() const noexcept;  // the bound port
  [[nodiscard]] unsigned threads() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Helpers for handlers.
Response make_response(const Request& request, unsigned status, std::string body,
                       std::string_view content_type = "application/json");
Response make_json_error(const Request& request, unsigned status, std::string_view message);

}  // namespace x402::http
