// HTTP/1.1 client: Beast over Asio coroutines, a keep-alive pool per (origin, io_context), TLS with
// OpenSSL. Every I/O error is converted to a Result at this edge; nothing throws into callers.
#include "http/client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cerrno>
#include <deque>
#include <future>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <variant>

#include <sys/socket.h>

namespace x402::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// "Connection refused" -> "connection refused": messages are embedded mid-sentence.
std::string lower_first(std::string text) {
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

std::string host_port(const Url& url) {
  std::string out = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  out += ':';
  out += std::to_string(url.port);
  return out;
}

std::string millis(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

// One kept-alive connection. Used by one coroutine at a time; the pool hands it over under a lock.
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
  beast::flat_buffer buffer;  // reused across exchanges; empty between them
  asio::execution_context* context;
  Clock::time_point idle_since{};
};

// A cheap check before reuse: did the server close (or write junk on) this idle connection?
bool looks_alive(Connection& conn) {
  char byte = 0;
  const auto n = ::recv(conn.tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return false;  // orderly close by the peer
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
  // Unsolicited bytes: junk on plain HTTP; on TLS possibly a late post-handshake message (a TLS 1.3
  // session ticket), which OpenSSL consumes on the next read.
  return conn.tls();
}

class Pool;

// Closes the pooled connections of an io_context when it shuts down (its sockets must not outlive
// it), so a Client may outlive the io_contexts it was used on.
class PoolGuard final : public asio::execution_context::service {
 public:
  using key_type = PoolGuard;
  static inline asio::execution_context::id id;

  explicit PoolGuard(asio::execution_context& context) : service(context) {}

  void add(std::weak_ptr<Pool> pool) {
    std::lock_guard lock(mutex_);
    std::erase_if(pools_, [](const std::weak_ptr<Pool>& p) { return p.expired(); });  // Clients gone
    pools_.push_back(std::move(pool));
  }

  void shutdown() override;

 private:
  std::mutex mutex_;
  std::vector<std::weak_ptr<Pool>> pools_;
};

class Pool : public std::enable_shared_from_this<Pool> {
 public:
  Pool(std::size_t max_idle_per_origin, std::chrono::milliseconds idle_timeout)
      : max_idle_per_origin_(max_idle_per_origin), idle_timeout_(idle_timeout) {}

  // Most recently used live connection to `origin` on `context`, or null.
  std::unique_ptr<Connection> acquire(const std::string& origin, asio::execution_context* context) {
    for (;;) {
      std::unique_ptr<Connection> found;
      std::vector<std::unique_ptr<Connection>> expired;
      {
        std::lock_guard lock(mutex_);
        auto it = idle_.find(origin);
        if (it == idle_.end()) return nullptr;
        auto& list = it->second;
        const auto now = Clock::now();
        while (!list.empty() && now - list.front()->idle_since > idle_timeout_) {
          expired.push_back(std::move(list.front()));
          list.pop_front();
        }
        for (auto rit = list.rbegin(); rit != list.rend(); ++rit) {
          if ((*rit)->context == context) {
            found = std::move(*rit);
            list.erase(std::next(rit).base());
            break;
          }
        }
      }
      // `expired` closes its sockets here, outside the lock.
      if (!found) return nullptr;
      if (looks_alive(*found)) return found;
    }
  }

  void release(const std::string& origin, std::unique_ptr<Connection> conn) {
    if (max_idle_per_origin_ == 0 || conn->buffer.size() != 0) return;
    conn->idle_since = Clock::now();
    std::unique_ptr<Connection> evicted;
    std::lock_guard lock(mutex_);
    auto& list = idle_[origin];
    list.push_back(std::move(conn));
    if (list.size() > max_idle_per_origin_) {
      evicted = std::move(list.front());
      list.pop_front();
    }
  }

  // Makes sure the io_context of a new connection will close our idle connections on shutdown.
  void watch(asio::execution_context& context) {
    {
      std::lock_guard lock(mutex_);
      if (std::find(watched_.begin(), watched_.end(), &context) != watched_.end()) return;
      watched_.push_back(&context);
    }
    asio::use_service<PoolGuard>(context).add(weak_from_this());
  }

  void drop_context(asio::execution_context* context) {
    std::vector<std::unique_ptr<Connection>> dropped;
    std::lock_guard lock(mutex_);
    for (auto& [origin, list] : idle_) {
      for (auto it = list.begin(); it != list.end();) {
        if ((*it)->context == context) {
          dropped.push_back(std::move(*it));
          it = list.erase(it);
        } else {
          ++it;
        }
      }
    }
    std::erase(watched_, context);
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& [origin, list] : idle_) n += list.size();
    return n;
  }

 private:
  const std::size_t max_idle_per_origin_;
  const std::chrono::milliseconds idle_timeout_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::deque<std::unique_ptr<Connection>>> idle_;
  std::vector<asio::execution_context*> watched_;
};

void PoolGuard::shutdown() {
  std::vector<std::weak_ptr<Pool>> pools;
  {
    std::lock_guard lock(mutex_);
    pools.swap(pools_);
  }
  for (auto& weak : pools) {
    if (auto pool = weak.lock()) pool->drop_context(&context());
  }
}

// The outcome of one request/response exchange on one connection.
struct Exchange {
  std::optional<Response> response;
  Error error;
  bool retryable = false;  // failed before any response byte, not by the deadline
  bool reusable = false;   // the connection may go back to the pool
};

template <typename Stream>
asio::awaitable<Exchange> exchange(Stream& stream, Connection& conn, const Request& request, const Url& url,
                                   const ClientOptions& options) {
  Exchange out;
  auto& tcp = beast::get_lowest_layer(stream);
  auto describe = [&](std::string_view what, const error_code& ec) {
    std::string prefix = std::string(request.method_string()) + " " + url.str() + ": ";
    if (ec == beast::error::timeout) {
      return make_error(Errc::timeout, prefix + "no response within " + millis(options.request_timeout));
    }
    return make_error(Errc::unavailable, prefix + std::string(what) + ": " + lower_first(ec.message()));
  };

  tcp.expires_after(options.request_timeout);  // one deadline for write + read
  auto [write_ec, written] = co_await bhttp::async_write(stream, request, kNoThrow);
  if (write_ec) {
    out.error = describe("send", write_ec);
    out.retryable = write_ec != beast::error::timeout;
    co_return out;
  }

  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(options.max_response_body_bytes);
  parser.header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(options.max_response_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  if (request.method() == Verb::head) parser.skip(true);
  auto [read_ec, read] = co_await bhttp::async_read(stream, conn.buffer, parser, kNoThrow);
  if (read_ec) {
    if (read_ec == bhttp::error::body_limit) {
      out.error = make_error(Errc::too_large, std::string(request.method_string()) + " " + url.str() +
                                                  ": response body exceeds " +
                                                  std::to_string(options.max_response_body_bytes) + " bytes");
    } else if (read_ec == bhttp::error::header_limit) {
      out.error =
          make_error(Errc::too_large, std::string(request.method_string()) + " " + url.str() +
                                          ": response header exceeds " +
                                          std::to_string(options.max_response_header_bytes) + " bytes");
    } else {
      out.error = describe("reading response", read_ec);
      out.retryable = read_ec != beast::error::timeout && !parser.got_some() && conn.buffer.size() == 0;
    }
    co_return out;
  }
  tcp.expires_never();
  out.reusable = parser.get().keep_alive() && conn.buffer.size() == 0;
  out.response.emplace(parser.release());
  co_return out;
}

// Resolves `host` within `timeout`. getaddrinfo cannot be interrupted, so the lookup runs detached
// and reports through a channel: a hung resolver costs a background thread, never the deadline.
asio::awaitable<Result<std::vector<tcp::endpoint>>> resolve(const asio::any_io_executor& ex, const Url& url,
                                                            std::chrono::milliseconds timeout) {
  using Results = tcp::resolver::results_type;
  using Channel = asio::experimental::concurrent_channel<void(error_code, Results)>;
  auto channel = std::make_shared<Channel>(ex, 1);
  auto resolver = std::make_shared<tcp::resolver>(ex);
  resolver->async_resolve(url.host, std::to_string(url.port),
                          [channel, resolver](const error_code& ec, Results results) {
                            channel->try_send(ec, std::move(results));
                          });
  asio::steady_timer timer(ex, timeout);
  using namespace asio::experimental::awaitable_operators;
  auto outcome = co_await (channel->async_receive(kNoThrow) || timer.async_wait(kNoThrow));
  if (outcome.index() == 1) {
    co_return make_error(Errc::timeout, "resolve " + url.host + ": no answer within " + millis(timeout));
  }
  auto& [ec, results] = std::get<0>(outcome);
  if (ec) co_return make_error(Errc::unavailable, "resolve " + url.host + ": " + lower_first(ec.message()));
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  if (endpoints.empty()) co_return make_error(Errc::unavailable, "resolve " + url.host + ": no addresses");
  co_return endpoints;
}

std::string tls_failure(TlsStream& stream, const error_code& ec) {
  const long verify = SSL_get_verify_result(stream.native_handle());
  if (verify != X509_V_OK) {
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
  }
  return lower_first(ec.message());
}

}  // namespace

struct Client::Impl {
  Impl(asio::any_io_executor ex, ClientOptions opts)
      : executor(std::move(ex)),
        options(std::move(opts)),
        pool(std::make_shared<Pool>(options.max_idle_per_origin, options.idle_timeout)) {}

  // The TLS context is built on first use: loading the system CA bundle takes milliseconds.
  Result<ssl::context*> tls_context() {
    std::call_once(tls_once, [this] {
      try {
        tls.emplace(ssl::context::tls_client);
        error_code ec;
        tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                             ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                         ec);
        tls->set_default_verify_paths(ec);
        if (ec) {
          tls_error = make_error(Errc::unavailable, "TLS: cannot load the system CA store: " + ec.message());
          return;
        }
        if (!options.ca_file.empty()) {
          tls->load_verify_file(options.ca_file, ec);
          if (ec) {
            tls_error = make_error(Errc::invalid_argument, "TLS: cannot load ca_file '" + options.ca_file +
                                                               "': " + lower_first(ec.message()));
            return;
          }
        }
        tls->set_verify_mode(options.verify_tls ? ssl::verify_peer : ssl::verify_none, ec);
      } catch (const std::exception& e) {
        tls_error = make_error(Errc::internal, std::string("TLS: ") + e.what());
      }
    });
    if (tls_error) return *tls_error;
    return &*tls;
  }

  asio::awaitable<Result<std::unique_ptr<Connection>>> connect(const asio::any_io_executor& ex,
                                                               asio::execution_context* context,
                                                               const Url& url, ssl::context* tls_ctx) {
    const auto deadline = Clock::now() + options.connect_timeout;
    std::vector<tcp::endpoint> endpoints;
    error_code ec;
    const auto address = asio::ip::make_address(url.host, ec);
    const bool literal = !ec;
    if (literal) {
      endpoints.emplace_back(address, url.port);
    } else {
      auto resolved = co_await resolve(ex, url, options.connect_timeout);
      if (!resolved) co_return resolved.take_error();
      endpoints = std::move(resolved.value());
    }

    auto conn = tls_ctx ? std::make_unique<Connection>(ex, *tls_ctx, context)
                        : std::make_unique<Connection>(ex, context);
    auto& tcp = conn->tcp();
    tcp.expires_at(deadline);
    auto [connect_ec, endpoint] = co_await tcp.async_connect(endpoints, kNoThrow);
    if (connect_ec) {
      if (connect_ec == beast::error::timeout) {
        co_return make_error(Errc::timeout, "connect " + host_port(url) + ": timed out after " +
                                                millis(options.connect_timeout));
      }
      co_return make_error(Errc::unavailable,
                           "connect " + host_port(url) + ": " + lower_first(connect_ec.message()));
    }
    tcp.socket().set_option(tcp::no_delay(true), ec);

    if (auto* tls = std::get_if<TlsStream>(&conn->stream)) {
      SSL* native = tls->native_handle();
      if (!literal) SSL_set_tlsext_host_name(native, url.host.c_str());  // SNI takes names only
      if (options.verify_tls) {
        // OpenSSL's own check (the one ssl::host_name_verification wraps) reports *why* it failed.
        X509_VERIFY_PARAM* param = SSL_get0_param(native);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        const int set = literal ? X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str())
                                : X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), url.host.size());
        if (set != 1)
          co_return make_error(Errc::invalid_argument, "TLS: cannot verify host '" + url.host + "'");
      }
      auto [handshake_ec] = co_await tls->async_handshake(ssl::stream_base::client, kNoThrow);
      if (handshake_ec) {
        if (handshake_ec == beast::error::timeout) {
          co_return make_error(Errc::timeout, "tls handshake " + host_port(url) + ": timed out after " +
                                                  millis(options.connect_timeout));
        }
        co_return make_error(Errc::unavailable,
                             "tls handshake " + host_port(url) + ": " + tls_failure(*tls, handshake_ec));
      }
    }
    tcp.expires_never();
    pool->watch(*context);
    co_return conn;
  }

  asio::awaitable<Result<Response>> send(Url url, Request request) {
    if (url.host.empty() || url.port == 0)
      co_return make_error(Errc::invalid_argument, "URL without host or port");
    ssl::context* tls_ctx = nullptr;
    if (url.tls) {
      auto ctx = tls_context();
      if (!ctx) co_return ctx.take_error();
      tls_ctx = ctx.value();
    }
    request.target(url.target);
    request.set(bhttp::field::host, url.host_header());
    if (!options.user_agent.empty() && request.find(bhttp::field::user_agent) == request.end()) {
      request.set(bhttp::field::user_agent, options.user_agent);
    }
    request.prepare_payload();

    const auto ex = co_await asio::this_coro::executor;
    auto* context = &asio::query(ex, asio::execution::context);
    const std::string origin = url.origin();
    for (int attempt = 0;; ++attempt) {
      std::unique_ptr<Connection> conn = attempt == 0 ? pool->acquire(origin, context) : nullptr;
      const bool reused = conn != nullptr;
      if (!conn) {
        auto fresh = co_await connect(ex, context, url, tls_ctx);
        if (!fresh) co_return fresh.take_error();
        conn = std::move(fresh.value());
      }
      Exchange out = co_await std::visit(
          [&](auto& stream) { return exchange(stream, *conn, request, url, options); }, conn->stream);
      if (out.response) {
        if (out.reusable) pool->release(origin, std::move(conn));
        co_return std::move(*out.response);
      }
      // The server closed a kept-alive connection as we reused it: the request never reached a
      // handler, so one more try on a fresh connection is safe.
      if (reused && out.retryable) continue;
      co_return std::move(out.error);
    }
  }

  // Holds the Impl alive for the whole exchange and turns escaped exceptions into results.
  static asio::awaitable<Result<Response>> send_guarded(std::shared_ptr<Impl> impl, Url url,
                                                        Request request) {
    try {
      co_return co_await impl->send(std::move(url), std::move(request));
    } catch (const std::exception& e) {
      co_return make_error(Errc::internal, std::string("http client: ") + e.what());
    }
  }

  asio::any_io_executor executor;
  const ClientOptions options;
  std::shared_ptr<Pool> pool;
  std::once_flag tls_once;
  std::optional<ssl::context> tls;
  std::optional<Error> tls_error;
};

namespace {

Request build_request(Verb verb, const Headers& headers) {
  Request request{verb, "/", 11};
  for (const auto& [name, value] : headers) request.set(name, value);
  return request;
}

}  // namespace

Client::Client(asio::any_io_executor executor, ClientOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {}

Client::~Client() = default;

asio::awaitable<Result<Response>> Client::send(Url url, Request request) {
  return Impl::send_guarded(impl_, std::move(url), std::move(request));
}

asio::awaitable<Result<Response>> Client::get(Url url) {
  return get(std::move(url), Headers{});
}

// NOLINTNEXTLINE(performance-unnecessary-value-param): a lazily started coroutine owns its arguments
asio::awaitable<Result<Response>> Client::get(Url url, Headers headers) {
  return Impl::send_guarded(impl_, std::move(url), build_request(Verb::get, headers));
}

asio::awaitable<Result<Response>> Client::post_json(Url url, std::string body) {
  return post_json(std::move(url), std::move(body), Headers{});
}

// NOLINTNEXTLINE(performance-unnecessary-value-param): a lazily started coroutine owns its arguments
asio::awaitable<Result<Response>> Client::post_json(Url url, std::string body, Headers headers) {
  Request request = build_request(Verb::post, headers);
  if (request.find(bhttp::field::content_type) == request.end()) {
    request.set(bhttp::field::content_type, "application/json");
  }
  request.body() = std::move(body);
  return Impl::send_guarded(impl_, std::move(url), std::move(request));
}

const ClientOptions& Client::options() const noexcept {
  return impl_->options;
}

std::size_t Client::idle_connections() const {
  return impl_->pool->size();
}

// ---------------------------------------------------------------------------------------------

struct BlockingClient::Impl {
  explicit Impl(ClientOptions options) : client(io.get_executor(), std::move(options)) {
    thread = std::thread([this] {
      for (;;) {
        try {
          io.run();
          return;
        } catch (...) {  // nothing we spawn throws; keep the thread alive regardless
        }
      }
    });
  }
  ~Impl() {
    work.reset();
    io.stop();
    thread.join();
  }

  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  Client client;  // destroyed before `io`: its pooled sockets belong to it
  std::thread thread;
};

namespace {

// co_spawn needs a default-constructible result for its completion handler; Result<T> is not, so
// the result travels through a promise from an awaitable<void>.
asio::awaitable<void> fulfil(asio::awaitable<Result<Response>> work, std::promise<Result<Response>> promise) {
  try {
    promise.set_value(co_await std::move(work));
  } catch (const std::exception& e) {
    promise.set_value(make_error(Errc::internal, std::string("http client: ") + e.what()));
  }
}

}  // namespace

BlockingClient::BlockingClient(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

BlockingClient::~BlockingClient() = default;

Result<Response> BlockingClient::send(const Url& url, Request request) {
  try {
    std::promise<Result<Response>> promise;
    auto future = promise.get_future();
    asio::co_spawn(impl_->io, fulfil(impl_->client.send(url, std::move(request)), std::move(promise)),
                   asio::detached);
    return future.get();
  } catch (const std::exception& e) {
    return make_error(Errc::internal, std::string("http client: ") + e.what());
  }
}

Result<Response> BlockingClient::get(const Url& url, const Headers& headers) {
  Request request = build_request(Verb::get, headers);
  return send(url, std::move(request));
}

Result<Response> BlockingClient::post_json(const Url& url, std::string body, const Headers& headers) {
  Request request = build_request(Verb::post, headers);
  if (request.find(bhttp::field::content_type) == request.end()) {
    request.set(bhttp::field::content_type, "application/json");
  }
  request.body() = std::move(body);
  return send(url, std::move(request));
}

Client& BlockingClient::async_client() noexcept {
  return impl_->client;
}

asio::any_io_executor BlockingClient::executor() const noexcept {
  return impl_->io.get_executor();
}

}  // namespace x402::http
