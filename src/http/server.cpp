// HTTP/1.1 server: N threads, each with its own io_context and its own SO_REUSEPORT acceptor on the
// shared port (the kernel spreads connections; no cross-thread hand-off), one coroutine per
// connection. Per-thread state is touched only by its thread, so the request path takes no locks.
#include "http/server.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <limits>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

namespace x402::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using boost::system::error_code;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kServerName = "x402";     // no version: nothing for scanners to match
constexpr std::size_t kReadChunk = 8 * 1024;         // first read of a request
constexpr std::size_t kKeepBufferBytes = 64 * 1024;  // a connection's buffer shrinks back above this
constexpr std::size_t kLingerBytes = 1024 * 1024;    // discarded after an error reply, at most
constexpr std::chrono::milliseconds kLingerTime{1'000};

std::string lower_first(std::string text) {
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += kHex[(c >> 4) & 0xf];
          out += kHex[c & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

Response json_error(unsigned version, bool keep_alive, unsigned status, std::string_view message) {
  Response response;
  response.version(version);
  response.result(status);
  response.set(bhttp::field::server, kServerName);
  response.set(bhttp::field::content_type, "application/json");
  response.keep_alive(keep_alive);
  std::string body = "{\"error\":";
  append_json_string(body, message);
  body += '}';
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

// What a malformed request gets; 0 when there is nobody to answer (closed, timed out).
unsigned rejection_status(const error_code& ec) {
  if (ec == bhttp::error::header_limit) return 431;
  if (ec == bhttp::error::body_limit) return 413;
  if (ec.category() != bhttp::make_error_code(bhttp::error::bad_method).category()) return 0;
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
      ec == bhttp::error::need_more) {
    return 0;
  }
  return 400;
}

std::string_view reason(unsigned status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 413:
      return "Payload Too Large";
    case 431:
      return "Request Header Fields Too Large";
    default:
      return "Internal Server Error";
  }
}

// One accepted connection; lives in its serve() coroutine frame, linked into its worker's list so
// that a graceful stop can close it while it waits for a request.
struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;  // reused by every request on the connection
  RequestContext context;
  bool idle = true;  // waiting for the first byte of a request
  Connection* prev = nullptr;
  Connection* next = nullptr;
};

struct Worker {
  Worker() : io(std::make_unique<asio::io_context>(1)) {}
  // Coroutine frames still in the io_context unlink themselves from `connections` as it is
  // destroyed, so it goes first, while the rest of the worker is alive.
  ~Worker() {
    acceptor.reset();
    io.reset();
  }

  void link(Connection& c) noexcept {
    c.next = connections;
    if (connections) connections->prev = &c;
    connections = &c;
  }
  void unlink(Connection& c) noexcept {
    (c.prev ? c.prev->next : connections) = c.next;
    if (c.next) c.next->prev = c.prev;
  }
  // Runs on the worker's thread.
  void drain() {
    draining = true;
    error_code ec;
    if (acceptor) acceptor->close(ec);
    for (Connection* c = connections; c; c = c->next) {
      if (c->idle) c->stream.cancel();
    }
  }

  std::unique_ptr<asio::io_context> io;
  std::optional<tcp::acceptor> acceptor;
  Connection* connections = nullptr;  // only this worker's thread touches these two
  bool draining = false;
  std::thread thread;
};

}  // namespace

// The state behind a ResponseWriter: one response on one connection.
struct ResponseWriter::State {
  beast::tcp_stream& stream;
  std::chrono::milliseconds write_timeout;
  unsigned version = 11;
  bool keep_alive = false;         // the request allows keep-alive
  const bool* draining = nullptr;  // the server is stopping: close after this response
  bool head = false;               // HEAD request: header only
  bool header_written = false;
  bool finished = false;
  bool failed = false;  // the connection cannot carry another response
  bool chunked = false;
  bool until_close = false;          // HTTP/1.0 stream without length: body ends at close
  std::uint64_t remaining = 0;       // Content-Length bytes still owed
  bool response_keep_alive = false;  // the decision sent to the client

  bool allow_keep_alive(bool response_wants) {
    response_keep_alive = keep_alive && response_wants && !(draining && *draining);
    return response_keep_alive;
  }

  Status io_failure(std::string_view what, const error_code& ec) {
    failed = true;
    if (ec == beast::error::timeout)
      return make_error(Errc::timeout, std::string(what) + ": write timed out");
    return make_error(Errc::unavailable, std::string(what) + ": " + lower_first(ec.message()));
  }
};

namespace {

asio::awaitable<Status> send_response(ResponseWriter::State& s, Response response) {
  s.header_written = true;
  response.version(s.version);
  response.keep_alive(s.allow_keep_alive(response.keep_alive()));
  if (!response.has_content_length() && !response.chunked()) response.prepare_payload();
  s.stream.expires_after(s.write_timeout);
  error_code ec;
  if (s.head) {
    bhttp::response_serializer<bhttp::string_body> serializer{response};
    std::tie(ec, std::ignore) = co_await bhttp::async_write_header(s.stream, serializer, kNoThrow);
  } else {
    std::tie(ec, std::ignore) = co_await bhttp::async_write(s.stream, response, kNoThrow);
  }
  if (ec) co_return s.io_failure("writing response", ec);
  s.finished = true;
  co_return Status{};
}

std::optional<std::uint64_t> parse_length(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

asio::awaitable<Status> ResponseWriter::write(Response response) {
  if (state_->header_written) co_return make_error(Errc::conflict, "response already started");
  co_return co_await send_response(*state_, std::move(response));
}

asio::awaitable<Status> ResponseWriter::write_header(ResponseHeader header) {
  State& s = *state_;
  if (s.header_written) co_return make_error(Errc::conflict, "response already started");
  s.header_written = true;
  bhttp::response<bhttp::empty_body> message{std::move(header)};
  message.version(s.version);
  const unsigned status = message.result_int();
  const bool bodiless = s.head || status / 100 == 1 || status == 204 || status == 304;
  bool keep = s.allow_keep_alive(message.keep_alive());
  if (auto it = message.find(bhttp::field::content_length); it != message.end()) {
    const auto length = parse_length(it->value());
    if (!length) {
      s.failed = true;
      co_return make_error(Errc::invalid_argument, "invalid Content-Length in streamed response");
    }
    s.remaining = bodiless ? 0 : *length;
  } else if (!bodiless) {
    if (s.version >= 11) {
      message.chunked(true);
      s.chunked = true;
    } else {
      s.until_close = true;  // HTTP/1.0 has no chunked encoding
      keep = s.response_keep_alive = false;
    }
  }
  message.keep_alive(keep);
  bhttp::response_serializer<bhttp::empty_body> serializer{message};
  s.stream.expires_after(s.write_timeout);
  auto [ec, n] = co_await bhttp::async_write_header(s.stream, serializer, kNoThrow);
  if (ec) co_return s.io_failure("writing response header", ec);
  co_return Status{};
}

asio::awaitable<Status> ResponseWriter::write_chunk(std::string_view data) {
  State& s = *state_;
  if (!s.header_written || s.finished) co_return make_error(Errc::conflict, "no open response body");
  if (s.failed) co_return make_error(Errc::unavailable, "connection failed");
  if (data.empty()) co_return Status{};  // an empty chunk would end the body
  if (s.head) co_return Status{};
  s.stream.expires_after(s.write_timeout);
  error_code ec;
  if (s.chunked) {
    std::tie(ec, std::ignore) = co_await asio::async_write(
        s.stream, bhttp::make_chunk(asio::const_buffer(data.data(), data.size())), kNoThrow);
  } else {
    if (!s.until_close) {
      if (data.size() > s.remaining) {
        s.failed = true;
        co_return make_error(Errc::invalid_argument, "streamed body exceeds its Content-Length");
      }
      s.remaining -= data.size();
    }
    std::tie(ec, std::ignore) =
        co_await asio::async_write(s.stream, asio::const_buffer(data.data(), data.size()), kNoThrow);
  }
  if (ec) co_return s.io_failure("writing response body", ec);
  co_return Status{};
}

asio::awaitable<Status> ResponseWriter::finish() {
  State& s = *state_;
  if (!s.header_written) co_return make_error(Errc::conflict, "no response started");
  if (s.finished) co_return Status{};
  if (s.failed) co_return make_error(Errc::unavailable, "connection failed");
  if (s.chunked && !s.head) {
    s.stream.expires_after(s.write_timeout);
    auto [ec, n] = co_await asio::async_write(s.stream, bhttp::make_chunk_last(), kNoThrow);
    if (ec) co_return s.io_failure("writing last chunk", ec);
  } else if (!s.until_close && s.remaining != 0 && !s.head) {
    s.failed = true;
    co_return make_error(Errc::invalid_argument, "streamed body shorter than its Content-Length");
  }
  s.finished = true;
  co_return Status{};
}

bool ResponseWriter::header_written() const noexcept {
  return state_->header_written;
}
bool ResponseWriter::finished() const noexcept {
  return state_->finished;
}

// ---------------------------------------------------------------------------------------------

struct Server::Impl {
  Impl(ServerOptions opts, Handler handler, StreamHandler stream_handler)
      : options(std::move(opts)),
        plain(std::move(handler)),
        streaming(std::move(stream_handler)),
        thread_count(options.threads != 0 ? options.threads
                                          : std::max(1U, std::thread::hardware_concurrency())),
        wake_fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

  ~Impl() {
    stop(options.stop_grace);
    if (wake_fd >= 0) ::close(wake_fd);
  }

  static Status probe_port(const tcp::endpoint& endpoint) {
    asio::io_context io;
    tcp::acceptor probe(io);
    error_code ec;
    probe.open(endpoint.protocol(), ec);
    if (!ec) probe.set_option(asio::socket_base::reuse_address(true), ec);  // TIME_WAIT is fine
    if (!ec) probe.bind(endpoint, ec);
    if (!ec) return {};
    std::ostringstream where;
    where << endpoint;
    return make_error(Errc::io_error, "listen " + where.str() + ": " + lower_first(ec.message()));
  }

  Status start() {
    std::lock_guard lock(stop_mutex);
    if (running) return make_error(Errc::conflict, "server already running");
    if (wake_fd < 0) return make_error(Errc::io_error, "eventfd: " + lower_first(std::strerror(errno)));
    if (!plain && !streaming) return make_error(Errc::invalid_argument, "server has no handler");
    std::uint64_t discard = 0;
    while (::read(wake_fd, &discard, sizeof discard) > 0) {
    }
    error_code ec;
    const auto address = asio::ip::make_address(options.address, ec);
    if (ec) return make_error(Errc::invalid_argument, "invalid listen address '" + options.address + "'");

    if (options.port != 0) {
      // SO_REUSEPORT would let us silently share a fixed port with another process's listener
      // (two instances splitting traffic). A plain bind first fails if anyone listens there.
      if (Status free = probe_port(tcp::endpoint(address, options.port)); !free) return free;
    }

    std::vector<std::unique_ptr<Worker>> fresh;
    std::uint16_t bound = options.port;
    for (unsigned i = 0; i < thread_count; ++i) {
      auto worker = std::make_unique<Worker>();
      auto& acceptor = worker->acceptor.emplace(*worker->io);
      const tcp::endpoint endpoint(address, bound);
      acceptor.open(endpoint.protocol(), ec);
      if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec) {
        // Every acceptor binds the same port; the kernel balances new connections among them.
        const int one = 1;
        if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
          ec.assign(errno, boost::system::system_category());
        }
      }
      if (!ec) acceptor.bind(endpoint, ec);
      if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
      if (!ec && i == 0) bound = acceptor.local_endpoint(ec).port();  // port 0: the rest follow the first
      if (ec) {
        std::ostringstream where;
        where << endpoint;
        return make_error(Errc::io_error, "listen " + where.str() + ": " + lower_first(ec.message()));
      }
      fresh.push_back(std::move(worker));
    }

    bound_port.store(bound);
    workers = std::move(fresh);
    {
      std::lock_guard done(done_mutex);
      running_threads = thread_count;
    }
    running = true;
    try {
      for (auto& worker : workers) {
        asio::co_spawn(*worker->io, accept_loop(*worker), asio::detached);
        worker->thread = std::thread([this, w = worker.get()] { run(*w); });
      }
    } catch (const std::exception& e) {  // no thread or memory left: undo what started
      stop_locked(std::chrono::milliseconds(0));
      return make_error(Errc::internal, std::string("server start: ") + e.what());
    }
    return {};
  }

  void stop(std::chrono::milliseconds grace) {
    std::lock_guard lock(stop_mutex);
    stop_locked(grace);
  }

  void stop_locked(std::chrono::milliseconds grace) {
    if (!running) return;
    const auto deadline = std::chrono::steady_clock::now() + grace;
    for (auto& worker : workers) {
      asio::post(*worker->io, [w = worker.get()] { w->drain(); });
    }
    {
      // A worker's run() returns once its acceptor and connections are gone.
      std::unique_lock done(done_mutex);
      done_cv.wait_until(done, deadline, [this] { return running_threads == 0; });
    }
    for (auto& worker : workers) worker->io->stop();
    for (auto& worker : workers) {
      if (worker->thread.joinable()) worker->thread.join();
    }
    workers.clear();  // closes connections that outlived the grace
    running = false;
    const std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(wake_fd, &one, sizeof one);  // wakes wait()
  }

  void wait() {
    if (!running || wake_fd < 0) return;
    pollfd fd{wake_fd, POLLIN, 0};
    while (::poll(&fd, 1, -1) < 0 && errno == EINTR) {
    }
    stop(options.stop_grace);  // no-op when stop() woke us; waits for it to finish if in progress
  }

  void request_stop() noexcept {
    if (wake_fd < 0) return;
    const std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(wake_fd, &one, sizeof one);  // async-signal-safe
  }

  void run(Worker& worker) {
    for (;;) {
      try {
        worker.io->run();
        break;
      } catch (const std::exception& e) {  // nothing we post throws; keep serving if a user task does
        spdlog::error("http server: task threw: {}", e.what());
      } catch (...) {
        spdlog::error("http server: task threw");
      }
      if (worker.io->stopped()) break;
    }
    {
      std::lock_guard done(done_mutex);
      --running_threads;
    }
    done_cv.notify_all();
  }

  asio::awaitable<void> accept_loop(Worker& worker) {
    for (;;) {
      auto [ec, socket] = co_await worker.acceptor->async_accept(kNoThrow);
      if (ec) {
        if (worker.draining || !worker.acceptor->is_open() || ec == asio::error::operation_aborted) co_return;
        // Out of descriptors or memory: back off instead of spinning; connections will close.
        asio::steady_timer pause(*worker.io, std::chrono::milliseconds(20));
        co_await pause.async_wait(kNoThrow);
        continue;
      }
      accepted.fetch_add(1, std::memory_order_relaxed);
      asio::co_spawn(*worker.io, serve(worker, std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(Worker& worker, tcp::socket socket) {
    Connection conn(std::move(socket));
    worker.link(conn);
    struct Unlink {
      Worker& worker;
      Connection& conn;
      ~Unlink() { worker.unlink(conn); }
    } unlink{worker, conn};
    try {
      co_await serve_requests(worker, conn);
    } catch (const std::exception& e) {
      spdlog::error("http server: connection failed: {}", e.what());
    }
    error_code ec;
    conn.stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    conn.stream.close();
  }

  asio::awaitable<void> serve_requests(Worker& worker, Connection& conn) {
    error_code ec;
    auto& socket = conn.stream.socket();
    socket.set_option(tcp::no_delay(true), ec);
    const auto peer = socket.remote_endpoint(ec);
    if (!ec) {
      conn.context.remote_address = peer.address().to_string();
      conn.context.remote_port = peer.port();
    }
    conn.context.executor = worker.io->get_executor();

    const auto header_limit = static_cast<std::uint32_t>(
        std::min<std::size_t>(options.max_header_bytes, std::numeric_limits<std::uint32_t>::max()));
    std::optional<bhttp::request_parser<bhttp::string_body>> parser;
    bool first = true;
    for (;;) {
      if (conn.buffer.size() == 0) {
        // Idle between requests: the only state in which a graceful stop closes the connection.
        if (worker.draining) co_return;
        if (conn.buffer.capacity() > kKeepBufferBytes) conn.buffer.shrink_to_fit();
        conn.idle = true;
        conn.stream.expires_after(first ? options.read_timeout : options.idle_timeout);
        auto [idle_ec, n] = co_await conn.stream.async_read_some(conn.buffer.prepare(kReadChunk), kNoThrow);
        conn.idle = false;
        if (idle_ec) co_return;  // closed by the client, idle timeout, or stopping
        conn.buffer.commit(n);
      }
      first = false;

      parser.emplace();
      parser->header_limit(header_limit);
      parser->body_limit(options.max_body_bytes);
      conn.stream.expires_after(options.read_timeout);  // the whole request, however slowly it comes
      auto [header_ec, header_bytes] =
          co_await bhttp::async_read_header(conn.stream, conn.buffer, *parser, kNoThrow);
      if (!header_ec && !parser->is_done()) {
        // curl and others wait for this before sending a large body.
        if (bhttp::token_list{parser->get()[bhttp::field::expect]}.exists("100-continue") &&
            parser->get().version() >= 11) {
          static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          auto [continue_ec, n] = co_await asio::async_write(conn.stream, asio::buffer(kContinue), kNoThrow);
          if (continue_ec) co_return;
        }
        std::tie(header_ec, header_bytes) =
            co_await bhttp::async_read(conn.stream, conn.buffer, *parser, kNoThrow);
      }
      if (header_ec) {
        if (const unsigned status = rejection_status(header_ec); status != 0) co_await reject(conn, status);
        co_return;
      }

      Request request = parser->release();
      if (!co_await dispatch(worker, conn, std::move(request))) co_return;
    }
  }

  // Runs the handler and writes its response; true when the connection stays open.
  asio::awaitable<bool> dispatch(Worker& worker, Connection& conn, Request request) {
    ResponseWriter::State state{conn.stream, options.write_timeout};
    state.version = request.version() == 10 ? 10 : 11;
    state.keep_alive = request.keep_alive();
    state.draining = &worker.draining;
    state.head = request.method() == Verb::head;

    if (plain) {
      std::optional<Response> response;
      try {
        response.emplace(co_await plain(std::move(request), conn.context));
      } catch (const std::exception& e) {
        spdlog::error("http server: handler threw: {}", e.what());
      } catch (...) {
        spdlog::error("http server: handler threw");
      }
      if (!response) response.emplace(json_error(state.version, true, 500, reason(500)));
      const Status sent = co_await send_response(state, std::move(*response));
      co_return sent.ok() && state.response_keep_alive;
    }

    ResponseWriter writer(state);
    bool threw = false;
    try {
      co_await streaming(std::move(request), writer, conn.context);
    } catch (const std::exception& e) {
      threw = true;
      spdlog::error("http server: stream handler threw: {}", e.what());
    } catch (...) {
      threw = true;
      spdlog::error("http server: stream handler threw");
    }
    if (!state.header_written) {
      const Status sent = co_await send_response(state, json_error(state.version, true, 500, reason(500)));
      co_return sent.ok() && state.response_keep_alive;
    }
    // A handler that failed mid-body must not have its truncated body look complete.
    if (threw || state.failed) co_return false;
    if (!state.finished && !(co_await writer.finish()).ok()) co_return false;
    co_return state.response_keep_alive && !state.until_close;
  }

  // Answers a malformed request and closes; unread input is drained first so that the close does
  // not turn into a reset that destroys the answer before the client reads it.
  asio::awaitable<void> reject(Connection& conn, unsigned status) {
    ResponseWriter::State state{conn.stream, options.write_timeout};
    const Status sent = co_await send_response(state, json_error(11, false, status, reason(status)));
    if (!sent) co_return;
    error_code ec;
    conn.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    conn.stream.expires_after(std::min(kLingerTime, options.read_timeout));
    std::size_t drained = 0;
    while (drained < kLingerBytes) {
      conn.buffer.clear();
      auto [read_ec, n] = co_await conn.stream.async_read_some(conn.buffer.prepare(kReadChunk), kNoThrow);
      if (read_ec) break;
      drained += n;
    }
    conn.buffer.clear();
  }

  const ServerOptions options;
  const Handler plain;
  const StreamHandler streaming;
  const unsigned thread_count;
  const int wake_fd;  // eventfd: request_stop() and stop() wake wait() through it

  std::mutex stop_mutex;  // serialises start() and stop()
  std::atomic<bool> running{false};
  std::atomic<std::uint16_t> bound_port{0};
  std::atomic<std::uint64_t> accepted{0};
  std::vector<std::unique_ptr<Worker>> workers;
  std::mutex done_mutex;
  std::condition_variable done_cv;
  unsigned running_threads = 0;
};

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), StreamHandler{})) {}

Server::Server(ServerOptions options, StreamHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), Handler{}, std::move(handler))) {}

Server::~Server() = default;

Status Server::start() {
  return impl_->start();
}
void Server::stop(std::chrono::milliseconds grace) {
  impl_->stop(grace);
}
void Server::wait() {
  impl_->wait();
}
void Server::request_stop() noexcept {
  impl_->request_stop();
}
std::uint16_t Server::port() const noexcept {
  return impl_->bound_port.load();
}
unsigned Server::threads() const noexcept {
  return impl_->thread_count;
}
std::uint64_t Server::connections_accepted() const noexcept {
  return impl_->accepted.load(std::memory_order_relaxed);
}

Response make_response(const Request& request, unsigned status, std::string body,
                       std::string_view content_type) {
  Response response;
  response.version(request.version() == 10 ? 10 : 11);
  response.result(status);
  response.set(bhttp::field::server, kServerName);
  if (!content_type.empty()) response.set(bhttp::field::content_type, content_type);
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response make_json_error(const Request& request, unsigned status, std::string_view message) {
  return json_error(request.version() == 10 ? 10 : 11, request.keep_alive(), status, message);
}

}  // namespace x402::http
