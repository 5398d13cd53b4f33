// The client's error paths and its pool: refused connections, deadlines, caps, stale connections.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/client.hpp"
#include "http/server.hpp"
#include "http_test_util.hpp"
#include "support/test_support.hpp"

namespace x402::http {
namespace {

namespace asio = boost::asio;
using namespace test;

asio::awaitable<Response> ok_handler(Request request, RequestContext&) {
  co_return make_response(request, 200, std::string(request.target()), "text/plain");
}

TEST(Client, ConnectionRefusedIsUnavailableQuickly) {
  const auto port = x402::test::free_loopback_port();
  BlockingClient client;
  const auto start = SteadyClock::now();
  auto got = client.get(loopback_url(port));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, Errc::unavailable);
  EXPECT_EQ(got.error().message, "connect 127.0.0.1:" + std::to_string(port) + ": connection refused");
  EXPECT_LT(elapsed_since(start), 1s);
}

TEST(Client, ConnectDeadlineIsTimeout) {
  // A listener that never accepts, with its accept queue full: the kernel drops further SYNs, so a
  // connect hangs (on loopback) until the client's deadline.
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    fillers.push_back(fd);
  }
  std::this_thread::sleep_for(50ms);

  ClientOptions options;
  options.connect_timeout = 300ms;
  BlockingClient client(options);
  const auto start = SteadyClock::now();
  auto got = client.get(loopback_url(ntohs(addr.sin_port)));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, Errc::timeout) << got.error().describe();
  EXPECT_EQ(got.error().message,
            "connect 127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + ": timed out after 300 ms");
  EXPECT_GE(elapsed_since(start), 250ms);
  EXPECT_LT(elapsed_since(start), 2s);
  for (const int fd : fillers) ::close(fd);
  ::close(listener);
}

TEST(Client, ServerThatNeverAnswersTimesOut) {
  ScriptedServer silent([](int fd, int) {  // reads the request, never answers, waits for the close
    ScriptedServer::read_request(fd, 3s);
    bool closed = false;
    read_fd(
        fd, SteadyClock::now() + 3s, [](const std::string&) { return false; }, &closed);
  });
  ClientOptions options;
  options.request_timeout = 300ms;
  BlockingClient client(options);
  const auto start = SteadyClock::now();
  auto got = client.get(loopback_url(silent.port(), "/slow"));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, Errc::timeout) << got.error().describe();
  EXPECT_NE(got.error().message.find("/slow"), std::string::npos) << got.error().message;
  EXPECT_GE(elapsed_since(start), 250ms);
  EXPECT_LT(elapsed_since(start), 2s);
  EXPECT_EQ(silent.accepted(), 1);  // a timeout is not retried
}

TEST(Client, ResponseOverTheCapIsTooLarge) {
  Server server(
      ServerOptions{.threads = 1}, [](Request request, RequestContext&) -> asio::awaitable<Response> {
        co_return make_response(request, 200, std::string(request.target() == "/big" ? 100'000 : 10, 'x'));
      });
  ASSERT_TRUE(server.start().ok());
  ClientOptions options;
  options.max_response_body_bytes = 10'000;
  BlockingClient client(options);
  auto big = client.get(loopback_url(server.port(), "/big"));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, Errc::too_large) << big.error().describe();
  auto small = client.get(loopback_url(server.port(), "/small"));  // the client recovers
  ASSERT_TRUE(small.ok()) << small.error().describe();
  EXPECT_EQ(small->body().size(), 10U);
  server.stop();
}

TEST(Client, StalePooledConnectionIsRetriedOnceOnAFreshOne) {
  // Connection 0 answers one request, then reads the next and closes without a byte: what a
  // keep-alive race with the server's idle close looks like. Connection 1 answers normally.
  ScriptedServer server([](int fd, int index) {
    if (index == 0) {
      ScriptedServer::read_request(fd);
      ScriptedServer::respond(fd, "first");
      ScriptedServer::read_request(fd);
      return;
    }
    while (!ScriptedServer::read_request(fd, 1s).empty()) ScriptedServer::respond(fd, "fresh");
  });
  BlockingClient client;
  auto first = client.post_json(loopback_url(server.port()), "{}");
  ASSERT_TRUE(first.ok()) << first.error().describe();
  EXPECT_EQ(first->body(), "first");
  auto second = client.post_json(loopback_url(server.port()), "{}");
  ASSERT_TRUE(second.ok()) << second.error().describe();
  EXPECT_EQ(second->body(), "fresh");
  EXPECT_EQ(server.accepted(), 2);
}

TEST(Client, FreshConnectionFailureIsNotRetried) {
  ScriptedServer server([](int fd, int) { ScriptedServer::read_request(fd); });  // closes without answering
  BlockingClient client;
  auto got = client.get(loopback_url(server.port()));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, Errc::unavailable) << got.error().describe();
  EXPECT_TRUE(eventually([&] { return server.accepted() >= 1; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(server.accepted(), 1);
}

TEST(Client, PoolKeepsAtMostMaxIdlePerOrigin) {
  ServerOptions server_options;
  server_options.threads = 1;
  Server server(server_options, [](Request request, RequestContext& context) -> asio::awaitable<Response> {
    asio::steady_timer timer(context.executor, 50ms);  // hold each request so that they overlap
    co_await timer.async_wait(asio::use_awaitable);
    co_return make_response(request, 200, "ok");
  });
  ASSERT_TRUE(server.start().ok());
  ClientOptions options;
  options.max_idle_per_origin = 2;
  asio::io_context io;
  Client client(io.get_executor(), options);
  std::atomic<int> good{0};
  for (int i = 0; i < 5; ++i) {
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          auto got = co_await client.get(loopback_url(server.port()));
          if (got.ok()) ++good;
        },
        asio::detached);
  }
  io.run_for(10s);
  EXPECT_EQ(good.load(), 5);
  EXPECT_EQ(server.connections_accepted(), 5U);
  EXPECT_EQ(client.idle_connections(), 2U);
  server.stop();
}

TEST(Client, IdleConnectionsOfADestroyedIoContextAreDropped) {
  Server server(ServerOptions{.threads = 1}, ok_handler);
  ASSERT_TRUE(server.start().ok());
  asio::io_context home;
  Client client(home.get_executor());
  {
    auto io = std::make_unique<asio::io_context>();
    std::optional<Result<Response>> got;
    asio::co_spawn(
        *io,
        [&]() -> asio::awaitable<void> { got.emplace(co_await client.get(loopback_url(server.port()))); },
        asio::detached);
    io->run_for(5s);
    ASSERT_TRUE(got.has_value());
    ASSERT_TRUE(got->ok()) << got->error().describe();
    EXPECT_EQ(client.idle_connections(), 1U);
    io.reset();  // its sockets must not outlive it
  }
  EXPECT_EQ(client.idle_connections(), 0U);
  // The client still works, on another io_context.
  auto again = run_coroutine<Result<Response>>([&]() -> asio::awaitable<Result<Response>> {
    co_return co_await client.get(loopback_url(server.port(), "/2"));
  });
  ASSERT_TRUE(again.has_value());
  ASSERT_TRUE(again->ok()) << again->error().describe();
  EXPECT_EQ((*again)->body(), "/2");
  server.stop();
}

TEST(Client, ClientMayBeDestroyedWhileARequestIsInFlight) {
  Server server(ServerOptions{.threads = 1},
                [](Request request, RequestContext& context) -> asio::awaitable<Response> {
                  asio::steady_timer timer(context.executor, 100ms);
                  co_await timer.async_wait(asio::use_awaitable);
                  co_return make_response(request, 200, "late");
                });
  ASSERT_TRUE(server.start().ok());
  asio::io_context io;
  std::optional<Result<Response>> got;
  {
    auto client = std::make_unique<Client>(io.get_executor());
    asio::co_spawn(
        io,
        [](asio::awaitable<Result<Response>> request,
           std::optional<Result<Response>>& out) -> asio::awaitable<void> {
          out.emplace(co_await std::move(request));
        }(client->get(loopback_url(server.port())), got),
        asio::detached);
  }  // the Client is gone before its request runs
  io.run_for(5s);
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->ok()) << got->error().describe();
  EXPECT_EQ((*got)->body(), "late");
  server.stop();
}

TEST(Client, HostNamesAreResolved) {
  Server server(ServerOptions{.threads = 1}, ok_handler);
  ASSERT_TRUE(server.start().ok());
  BlockingClient client;
  auto url = parse_url("http://localhost:" + std::to_string(server.port()) + "/named");
  ASSERT_TRUE(url.ok());
  auto got = client.get(*url);
  ASSERT_TRUE(got.ok()) << got.error().describe();
  EXPECT_EQ(got->body(), "/named");
  server.stop();
}

TEST(Client, UnreadableCaFileIsAnInvalidArgument) {
  ClientOptions options;
  options.ca_file = "/nonexistent/ca.pem";
  BlockingClient client(options);
  auto got = client.get(*parse_url("https://127.0.0.1:1/"));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, Errc::invalid_argument) << got.error().describe();
  EXPECT_NE(got.error().message.find("/nonexistent/ca.pem"), std::string::npos);
}

}  // namespace
}  // namespace x402::http
