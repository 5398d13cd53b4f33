// Streaming upstream client. Every I/O error becomes a Result here; nothing throws into callers.
#include "gateway/upstream.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cerrno>
#include <limits>
#include <mutex>
#include <variant>
#include <vector>

namespace x402::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kChunkBytes = 16 * 1024;

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

std::string lower_first(std::string text) {
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

std::string millis(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

struct Connection {
  Connection(const asio::any_io_executor& ex, asio::execution_context* context)
      : stream(std::in_place_index<0>, ex), context(context) {}
  Connection(const asio::any_io_executor& ex, ssl::context& tls, asio::execution_context* context)
      : stream(std::in_place_index<1>, ex, tls), context(context) {}

  beast::tcp_stream& tcp() {
    return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); }, stream);
  }
  [[nodiscard]] bool tls() const noexcept { return stream.index() == 1; }

  std::variant<beast::tcp_stream, TlsStream> stream;
  beast::flat_buffer buffer;
  asio::execution_context* context;
  Clock::time_point idle_since{};
};

// Did the upstream close (or send junk on) this idle connection?
bool looks_alive(Connection& conn) {
  char byte = 0;
  const auto n = ::recv(conn.tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return false;
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
  return conn.tls();  // a late TLS 1.3 session ticket; OpenSSL consumes it on the next read
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct Upstream::Impl : std::enable_shared_from_this<Upstream::Impl> {
  Impl(http::Url url, UpstreamOptions opts) : origin(std::move(url)), options(std::move(opts)) {}

  http::Url origin;
  UpstreamOptions options;
  std::optional<ssl::context> tls;

  mutable std::mutex mutex;
  std::vector<std::unique_ptr<Connection>> idle;  // oldest first
  std::vector<asio::execution_context*> watched;

  std::unique_ptr<Connection> acquire(asio::execution_context* context) {
    for (;;) {
      std::unique_ptr<Connection> found;
      std::vector<std::unique_ptr<Connection>> expired;  // closed outside the lock
      {
        std::lock_guard lock(mutex);
        const auto now = Clock::now();
        for (auto it = idle.begin(); it != idle.end();) {
          if (now - (*it)->idle_since > options.idle_timeout) {
            expired.push_back(std::move(*it));
            it = idle.erase(it);
          } else {
            ++it;
          }
        }
        for (auto it = idle.rbegin(); it != idle.rend(); ++it) {
          if ((*it)->context == context) {
            found = std::move(*it);
            idle.erase(std::next(it).base());
            break;
          }
        }
      }
      if (!found) return nullptr;
      if (looks_alive(*found)) return found;
    }
  }

  void release(std::unique_ptr<Connection> conn) {
    if (options.max_idle == 0 || conn->buffer.size() != 0) return;
    conn->idle_since = Clock::now();
    std::unique_ptr<Connection> evicted;
    std::lock_guard lock(mutex);
    std::size_t same_context = 0;
    for (const auto& c : idle) same_context += c->context == conn->context ? 1 : 0;
    if (same_context >= options.max_idle) {
      for (auto it = idle.begin(); it != idle.end(); ++it) {
        if ((*it)->context == conn->context) {
          evicted = std::move(*it);
          idle.erase(it);
          break;
        }
      }
    }
    idle.push_back(std::move(conn));
  }

  void drop_context(asio::execution_context* context) {
    std::vector<std::unique_ptr<Connection>> dropped;
    std::lock_guard lock(mutex);
    for (auto it = idle.begin(); it != idle.end();) {
      if ((*it)->context == context) {
        dropped.push_back(std::move(*it));
        it = idle.erase(it);
      } else {
        ++it;
      }
    }
    std::erase(watched, context);
  }

  void watch(asio::execution_context& context);

  asio::awaitable<Result<std::vector<tcp::endpoint>>> resolve(const asio::any_io_executor& ex);
  asio::awaitable<Result<std::unique_ptr<Connection>>> connect(const asio::any_io_executor& ex,
                                                               asio::execution_context* context);
};

namespace {

// Closes an io_context's pooled upstream connections when it shuts down: sockets must not
// outlive their io_context, and the gateway's server threads come and go with it.
class PoolGuard final : public asio::execution_context::service {
 public:
  using key_type = PoolGuard;
  static inline asio::execution_context::id id;

  explicit PoolGuard(asio::execution_context& context) : service(context) {}

  void add(std::weak_ptr<Upstream::Impl> pool) {
    std::lock_guard lock(mutex_);
    std::erase_if(pools_, [](const auto& p) { return p.expired(); });
    pools_.push_back(std::move(pool));
  }

  void shutdown() override {
    std::vector<std::weak_ptr<Upstream::Impl>> pools;
    {
      std::lock_guard lock(mutex_);
      pools.swap(pools_);
    }
    for (auto& weak : pools)
      if (auto pool = weak.lock()) pool->drop_context(&context());
  }

 private:
  std::mutex mutex_;
  std::vector<std::weak_ptr<Upstream::Impl>> pools_;
};

}  // namespace

void Upstream::Impl::watch(asio::execution_context& context) {
  {
    std::lock_guard lock(mutex);
    if (std::find(watched.begin(), watched.end(), &context) != watched.end()) return;
    watched.push_back(&context);
  }
  asio::use_service<PoolGuard>(context).add(weak_from_this());
}

// getaddrinfo cannot be interrupted: the lookup runs detached and reports through a channel, so a
// hung resolver costs a background thread, never the deadline.
asio::awaitable<Result<std::vector<tcp::endpoint>>> Upstream::Impl::resolve(const asio::any_io_executor& ex) {
  using Results = tcp::resolver::results_type;
  using Channel = asio::experimental::concurrent_channel<void(error_code, Results)>;
  auto channel = std::make_shared<Channel>(ex, 1);
  auto resolver = std::make_shared<tcp::resolver>(ex);
  resolver->async_resolve(origin.host, std::to_string(origin.port),
                          [channel, resolver](const error_code& ec, Results results) {
                            channel->try_send(ec, std::move(results));
                          });
  asio::steady_timer timer(ex, options.connect_timeout);
  using namespace asio::experimental::awaitable_operators;
  auto outcome = co_await (channel->async_receive(kNoThrow) || timer.async_wait(kNoThrow));
  if (outcome.index() == 1)
    co_return make_error(Errc::timeout,
                         "resolve " + origin.host + ": no answer within " + millis(options.connect_timeout));
  auto& [ec, results] = std::get<0>(outcome);
  if (ec)
    co_return make_error(Errc::unavailable, "resolve " + origin.host + ": " + lower_first(ec.message()));
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  if (endpoints.empty()) co_return make_error(Errc::unavailable, "resolve " + origin.host + ": no addresses");
  co_return endpoints;
}

asio::awaitable<Result<std::unique_ptr<Connection>>> Upstream::Impl::connect(
    const asio::any_io_executor& ex, asio::execution_context* context) {
  const auto deadline = Clock::now() + options.connect_timeout;
  const std::string where = origin.origin();
  std::vector<tcp::endpoint> endpoints;
  error_code ec;
  const auto address = asio::ip::make_address(origin.host, ec);
  const bool literal = !ec;
  if (literal) {
    endpoints.emplace_back(address, origin.port);
  } else {
    auto resolved = co_await resolve(ex);
    if (!resolved) co_return resolved.take_error();
    endpoints = std::move(resolved.value());
  }
  auto conn =
      tls ? std::make_unique<Connection>(ex, *tls, context) : std::make_unique<Connection>(ex, context);
  auto& stream = conn->tcp();
  stream.expires_at(deadline);
  auto [connect_ec, endpoint] = co_await stream.async_connect(endpoints, kNoThrow);
  if (connect_ec) {
    if (connect_ec == beast::error::timeout)
      co_return make_error(Errc::timeout,
                           "connect " + where + ": timed out after " + millis(options.connect_timeout));
    co_return make_error(Errc::unavailable, "connect " + where + ": " + lower_first(connect_ec.message()));
  }
  stream.socket().set_option(tcp::no_delay(true), ec);
  if (auto* secure = std::get_if<TlsStream>(&conn->stream)) {
    SSL* native = secure->native_handle();
    if (!literal) SSL_set_tlsext_host_name(native, origin.host.c_str());
    if (options.verify_tls) {
      X509_VERIFY_PARAM* param = SSL_get0_param(native);
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      const int set = literal ? X509_VERIFY_PARAM_set1_ip_asc(param, origin.host.c_str())
                              : X509_VERIFY_PARAM_set1_host(param, origin.host.c_str(), origin.host.size());
      if (set != 1)
        co_return make_error(Errc::invalid_argument, "TLS: cannot verify host '" + origin.host + "'");
    }
    auto [handshake_ec] = co_await secure->async_handshake(ssl::stream_base::client, kNoThrow);
    if (handshake_ec) {
      if (handshake_ec == beast::error::timeout)
        co_return make_error(Errc::timeout, "tls handshake " + where + ": timed out");
      const long verify = SSL_get_verify_result(native);
      std::string why = verify != X509_V_OK ? std::string("certificate verify failed: ") +
                                                  X509_verify_cert_error_string(verify)
                                            : lower_first(handshake_ec.message());
      co_return make_error(Errc::unavailable, "tls handshake " + where + ": " + why);
    }
  }
  stream.expires_never();
  watch(*context);
  co_return conn;
}

// ---------------------------------------------------------------------------------------------

struct UpstreamExchange::Impl {
  std::shared_ptr<Upstream::Impl> owner;
  std::unique_ptr<Connection> conn;
  bhttp::response_parser<bhttp::buffer_body> parser;
  std::array<char, kChunkBytes> chunk{};
  bool failed = false;

  ~Impl() {
    // Only a connection whose response ended cleanly can carry another request.
    if (conn && owner && !failed && parser.is_done() && parser.get().keep_alive())
      owner->release(std::move(conn));
  }

  template <typename Stream>
  asio::awaitable<Result<std::size_t>> read_piece(Stream& stream) {
    for (;;) {
      if (parser.is_done()) co_return std::size_t{0};
      auto& body = parser.get().body();
      body.data = chunk.data();
      body.size = chunk.size();
      body.more = true;
      conn->tcp().expires_after(owner->options.read_timeout);
      auto [ec, n] = co_await bhttp::async_read_some(stream, conn->buffer, parser, kNoThrow);
      if (ec == bhttp::error::need_buffer) ec = {};
      // A TLS peer that closes without close_notify ends a body delimited by the close.
      if (ec == ssl::error::stream_truncated && parser.need_eof()) {
        error_code eof_ec;
        parser.put_eof(eof_ec);
        ec = eof_ec;
      }
      if (ec) {
        failed = true;
        if (ec == beast::error::timeout)
          co_return make_error(Errc::timeout, "upstream " + owner->origin.origin() +
                                                  ": no body data within " +
                                                  millis(owner->options.read_timeout));
        co_return make_error(Errc::unavailable, "upstream " + owner->origin.origin() +
                                                    ": reading body: " + lower_first(ec.message()));
      }
      const std::size_t got = chunk.size() - parser.get().body().size;
      if (got > 0) co_return got;
    }
  }

  asio::awaitable<Result<std::size_t>> read_piece() {
    if (std::holds_alternative<TlsStream>(conn->stream))
      co_return co_await read_piece(std::get<TlsStream>(conn->stream));
    co_return co_await read_piece(std::get<beast::tcp_stream>(conn->stream));
  }
};

UpstreamExchange::UpstreamExchange(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
UpstreamExchange::~UpstreamExchange() = default;
UpstreamExchange::UpstreamExchange(UpstreamExchange&&) noexcept = default;
UpstreamExchange& UpstreamExchange::operator=(UpstreamExchange&&) noexcept = default;

const ResponseHeader& UpstreamExchange::header() const noexcept {
  return impl_->parser.get().base();
}
unsigned UpstreamExchange::status() const noexcept {
  return impl_->parser.get().result_int();
}
std::optional<std::uint64_t> UpstreamExchange::content_length() const noexcept {
  const auto length = impl_->parser.content_length();
  if (!length) return std::nullopt;
  return *length;
}
bool UpstreamExchange::done() const noexcept {
  return impl_->parser.is_done();
}

asio::awaitable<Result<std::string_view>> UpstreamExchange::read_some() {
  auto got = co_await impl_->read_piece();
  if (!got) co_return got.take_error();
  co_return std::string_view(impl_->chunk.data(), *got);
}

asio::awaitable<Result<std::string>> UpstreamExchange::read_all(std::size_t limit) {
  std::string body;
  if (const auto length = content_length(); length && *length > limit)
    co_return make_error(Errc::too_large, "upstream body of " + std::to_string(*length) + " bytes exceeds " +
                                              std::to_string(limit));
  while (!done()) {
    auto got = co_await impl_->read_piece();
    if (!got) co_return got.take_error();
    if (body.size() + *got > limit) {
      impl_->failed = true;
      co_return make_error(Errc::too_large, "upstream body exceeds " + std::to_string(limit) + " bytes");
    }
    body.append(impl_->chunk.data(), *got);
  }
  co_return body;
}

// ---------------------------------------------------------------------------------------------

namespace {

struct SendOutcome {
  std::optional<Error> error;
  bool retryable = false;  // failed before any response byte on a reused connection
};

template <typename Stream>
asio::awaitable<SendOutcome> exchange_header(Stream& stream, Connection& conn, const http::Request& request,
                                             bhttp::response_parser<bhttp::buffer_body>& parser,
                                             const Upstream::Impl& upstream) {
  SendOutcome out;
  auto& tcp = beast::get_lowest_layer(stream);
  const std::string where = "upstream " + upstream.origin.origin();
  tcp.expires_after(upstream.options.header_timeout);
  auto [write_ec, written] = co_await bhttp::async_write(stream, request, kNoThrow);
  if (write_ec) {
    if (write_ec == beast::error::timeout) {
      out.error = make_error(Errc::timeout,
                             where + ": request not sent within " + millis(upstream.options.header_timeout));
    } else {
      out.error =
          make_error(Errc::unavailable, where + ": sending request: " + lower_first(write_ec.message()));
      out.retryable = true;
    }
    co_return out;
  }
  auto [read_ec, read] = co_await bhttp::async_read_header(stream, conn.buffer, parser, kNoThrow);
  if (read_ec) {
    if (read_ec == beast::error::timeout) {
      out.error = make_error(Errc::timeout,
                             where + ": no response within " + millis(upstream.options.header_timeout));
    } else if (read_ec == bhttp::error::header_limit) {
      out.error = make_error(Errc::too_large, where + ": response header too large");
    } else {
      out.error =
          make_error(Errc::unavailable, where + ": reading response: " + lower_first(read_ec.message()));
      out.retryable = !parser.got_some() && conn.buffer.size() == 0;
    }
  }
  co_return out;
}

}  // namespace

Result<std::shared_ptr<Upstream>> Upstream::create(http::Url origin, UpstreamOptions options) {
  if (origin.host.empty() || origin.port == 0)
    return make_error(Errc::invalid_argument, "upstream URL without host");
  auto impl = std::make_shared<Impl>(std::move(origin), std::move(options));
  if (impl->origin.tls) {
    try {
      auto& tls = impl->tls.emplace(ssl::context::tls_client);
      error_code ec;
      tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                          ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                      ec);
      tls.set_default_verify_paths(ec);
      if (ec) return make_error(Errc::unavailable, "TLS: cannot load the system CA store: " + ec.message());
      if (!impl->options.ca_file.empty()) {
        tls.load_verify_file(impl->options.ca_file, ec);
        if (ec)
          return make_error(Errc::invalid_argument, "TLS: cannot load ca_file '" + impl->options.ca_file +
                                                        "': " + lower_first(ec.message()));
      }
      tls.set_verify_mode(impl->options.verify_tls ? ssl::verify_peer : ssl::verify_none, ec);
    } catch (const std::exception& e) {
      return make_error(Errc::internal, std::string("TLS: ") + e.what());
    }
  }
  return std::shared_ptr<Upstream>(new Upstream(std::move(impl)));
}

Upstream::Upstream(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
Upstream::~Upstream() = default;

const http::Url& Upstream::origin() const noexcept {
  return impl_->origin;
}
const UpstreamOptions& Upstream::options() const noexcept {
  return impl_->options;
}

std::size_t Upstream::idle_connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->idle.size();
}

asio::awaitable<Result<UpstreamExchange>> Upstream::send(http::Request request) {
  // The impl (pool, TLS context) stays alive for the whole exchange even if the config that
  // owned this upstream is replaced meanwhile.
  std::shared_ptr<Impl> impl = impl_;
  try {
    request.set(bhttp::field::host, impl->origin.host_header());
    request.prepare_payload();
    const auto ex = co_await asio::this_coro::executor;
    auto* context = &asio::query(ex, asio::execution::context);
    for (int attempt = 0;; ++attempt) {
      std::unique_ptr<Connection> conn = attempt == 0 ? impl->acquire(context) : nullptr;
      const bool reused = conn != nullptr;
      if (!conn) {
        auto fresh = co_await impl->connect(ex, context);
        if (!fresh) co_return fresh.take_error();
        conn = std::move(fresh.value());
      }
      auto state = std::make_unique<UpstreamExchange::Impl>();
      state->owner = impl;
      state->parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // the caller enforces its own
      state->parser.header_limit(static_cast<std::uint32_t>(
          std::min<std::size_t>(impl->options.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
      if (request.method() == http::Verb::head) state->parser.skip(true);
      SendOutcome outcome;
      if (auto* secure = std::get_if<TlsStream>(&conn->stream))
        outcome = co_await exchange_header(*secure, *conn, request, state->parser, *impl);
      else
        outcome = co_await exchange_header(std::get<beast::tcp_stream>(conn->stream), *conn, request,
                                           state->parser, *impl);
      if (!outcome.error) {
        state->conn = std::move(conn);
        co_return UpstreamExchange(std::move(state));
      }
      state->failed = true;
      if (reused && outcome.retryable) continue;
      co_return std::move(*outcome.error);
    }
  } catch (const std::exception& e) {
    co_return make_error(Errc::internal, std::string("upstream: ") + e.what());
  }
}

}  // namespace x402::gateway
