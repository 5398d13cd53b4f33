// HTTP/1.1 server on Asio coroutines, one io_context thread per core (SO_REUSEPORT acceptors),
// keep-alive, a deadline on every read and write, capped header and body sizes. Each request
// goes through one plain handler function (Boost.Beast example style), or through a streaming
// handler that writes the response itself (chunked pass-through for the reverse proxy).
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
#include <string_view>

#include "http/client.hpp"
#include "x402/result.hpp"

namespace x402::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;                    // 0: pick a free port (see Server::port())
  unsigned threads = 0;                      // 0: one per hardware thread
  std::size_t max_header_bytes = 16 * 1024;  // larger request headers get 431
  std::size_t max_body_bytes = 1024 * 1024;  // larger bodies get 413 without reaching the handler
  // Headers + body of one request, from its first byte; a new connection must also send its first
  // byte within it (a client that connects and stays silent is dropped).
  std::chrono::milliseconds read_timeout{15'000};
  std::chrono::milliseconds write_timeout{15'000};  // each response write
  std::chrono::milliseconds idle_timeout{60'000};   // between keep-alive requests
  std::chrono::milliseconds stop_grace{2'000};      // grace wait() uses after request_stop()
};

struct RequestContext {
  std::string remote_address;             // peer IP
  std::uint16_t remote_port = 0;          // peer port (identifies the connection)
  boost::asio::any_io_executor executor;  // the connection's strand-free executor (its thread)
};

// The handler must not block: it runs on an I/O thread. Exceptions that escape it become 500.
using Handler = std::function<boost::asio::awaitable<Response>(Request, RequestContext&)>;

using ResponseHeader = boost::beast::http::response_header<>;

// Lets a StreamHandler write its response piecewise, each write bounded by write_timeout. Either
// write() once, or write_header() then any number of write_chunk() then finish(). The body is sent
// with chunked encoding unless the header carries a Content-Length. Version and keep-alive are
// filled in from the request. Every call returns an error once the client is gone; stop then.
class ResponseWriter {
 public:
  struct State;  // defined by the server
  explicit ResponseWriter(State& state) noexcept : state_(&state) {}

  boost::asio::awaitable<Status> write(Response response);
  boost::asio::awaitable<Status> write_header(ResponseHeader header);
  boost::asio::awaitable<Status> write_chunk(std::string_view data);
  boost::asio::awaitable<Status> finish();

  [[nodiscard]] bool header_written() const noexcept;
  [[nodiscard]] bool finished() const noexcept;

 private:
  State* state_;
};

// A handler that writes its own response (SSE, chunked pass-through). If it returns without
// writing, the client gets 500; if it leaves a chunked body open, the server finishes it.
using StreamHandler = std::function<boost::asio::awaitable<void>(Request, ResponseWriter&, RequestContext&)>;

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  Server(ServerOptions options, StreamHandler handler);
  ~Server();  // stops and joins
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the worker threads; returns once listening (or the bind error).
  Status start();
  // Stops accepting, closes idle connections, lets in-flight requests finish up to `grace`, then
  // closes the rest and joins. Idempotent; a concurrent second call waits for the first.
  // Must not be called from a handler (it joins the I/O threads).
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2'000));
  // Blocks until stop() is called (from another thread) or request_stop() (e.g. from a signal
  // handler); in the latter case it performs stop(options.stop_grace) itself before returning.
  // Returns at once if the server is not running.
  void wait();
  // Async-signal-safe request to stop (used by SIGINT/SIGTERM handlers).
  void request_stop() noexcept;

  [[nodiscard]] std::uint16_t port() const noexcept;  // the bound port
  [[nodiscard]] unsigned threads() const noexcept;
  // Connections accepted since start(), all threads; for tests and metrics.
  [[nodiscard]] std::uint64_t connections_accepted() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Helpers for handlers. The response copies version and keep-alive from the request and carries
// Content-Length and a version-free `Server: x402` header.
Response make_response(const Request& request, unsigned status, std::string body,
                       std::string_view content_type = "application/json");
// {"error":"<message>"} with the message JSON-escaped.
Response make_json_error(const Request& request, unsigned status, std::string_view message);

}  // namespace x402::http
