// The server against well-behaved clients (our Client) and against raw sockets that send what a
// well-behaved client never would. Every server is stopped by its test; every wait is bounded.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <future>
#include <mutex>
#include <set>
#include <stdexcept>

#include "http/client.hpp"
#include "http/server.hpp"
#include "http_test_util.hpp"

namespace x402::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using namespace test;

// Echoes "<METHOD> <target> <body>" as text.
boost::asio::awaitable<Response> echo(Request request, RequestContext&) {
  std::string body =
      std::string(request.method_string()) + " " + std::string(request.target()) + " " + request.body();
  co_return make_response(request, 200, std::move(body), "text/plain");
}

ServerOptions small_options(unsigned threads = 2) {
  ServerOptions options;
  options.threads = threads;
  return options;
}

class Started {
 public:
  Started(ServerOptions options, Handler handler) : server_(std::move(options), std::move(handler)) {
    check();
  }
  Started(ServerOptions options, StreamHandler handler) : server_(std::move(options), std::move(handler)) {
    check();
  }
  ~Started() { server_.stop(std::chrono::milliseconds(500)); }
  Server& operator*() { return server_; }
  Server* operator->() { return &server_; }
  [[nodiscard]] Url url(std::string target = "/") const {
    return loopback_url(server_.port(), std::move(target));
  }

 private:
  void check() {
    const Status started = server_.start();
    EXPECT_TRUE(started.ok()) << started.error().describe();
    EXPECT_NE(server_.port(), 0);
  }
  Server server_;
};

TEST(Server, GetAndPostRoundTripWithBlockingClient) {
  Started server(small_options(), echo);
  BlockingClient client;
  auto got = client.get(server.url("/hello?x=1"), {{"X-Test", "1"}});
  ASSERT_TRUE(got.ok()) << got.error().describe();
  EXPECT_EQ(got->result_int(), 200U);
  EXPECT_EQ(got->body(), "GET /hello?x=1 ");
  EXPECT_EQ((*got)[bhttp::field::server], "x402");

  auto posted = client.post_json(server.url("/verify"), R"({"a":1})");
  ASSERT_TRUE(posted.ok()) << posted.error().describe();
  EXPECT_EQ(posted->body(), R"(POST /verify {"a":1})");
  server->stop();
}

TEST(Server, HandlerSeesRequestHeadersAndPeer) {
  std::mutex mutex;
  std::string seen_host, seen_type, seen_agent, seen_peer;
  Started server(small_options(1),
                 [&](Request request, RequestContext& context) -> asio::awaitable<Response> {
                   {
                     std::lock_guard lock(mutex);
                     seen_host = std::string(request[bhttp::field::host]);
                     seen_type = std::string(request[bhttp::field::content_type]);
                     seen_agent = std::string(request[bhttp::field::user_agent]);
                     seen_peer = context.remote_address;
                   }
                   co_return make_response(request, 204, "");
                 });
  BlockingClient client;
  auto got = client.post_json(server.url("/x"), "{}");
  ASSERT_TRUE(got.ok()) << got.error().describe();
  EXPECT_EQ(got->result_int(), 204U);
  std::lock_guard lock(mutex);
  EXPECT_EQ(seen_host, "127.0.0.1:" + std::to_string(server->port()));
  EXPECT_EQ(seen_type, "application/json");
  EXPECT_EQ(seen_agent, "x402-cpp");
  EXPECT_EQ(seen_peer, "127.0.0.1");
}

TEST(Server, CoroutineClientRoundTrip) {
  Started server(small_options(), echo);
  const Url url = server.url("/co");
  auto got = run_coroutine<Result<Response>>([&]() -> asio::awaitable<Result<Response>> {
    // Not `Client client(co_await ...)`: GCC 12 bit-copies the defaulted ClientOptions argument
    // of such an initializer into the frame (invalid free). Await first, then construct.
    const auto executor = co_await asio::this_coro::executor;
    Client client(executor);
    co_return co_await client.post_json(url, "[1,2]");
  });
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->ok()) << got->error().describe();
  EXPECT_EQ((*got)->body(), "POST /co [1,2]");
}

TEST(Server, KeepAliveReusesOneConnection) {
  Started server(small_options(), echo);
  BlockingClient client;
  for (int i = 0; i < 20; ++i) {
    auto got = client.get(server.url("/" + std::to_string(i)));
    ASSERT_TRUE(got.ok()) << got.error().describe();
    EXPECT_EQ(got->body(), "GET /" + std::to_string(i) + " ");
  }
  EXPECT_EQ(server->connections_accepted(), 1U);
  EXPECT_EQ(client.async_client().idle_connections(), 1U);
}

TEST(Server, ServerClosingAPooledConnectionDoesNotFailTheNextRequest) {
  ServerOptions options = small_options();
  options.idle_timeout = 100ms;
  Started server(options, echo);
  BlockingClient client;
  ASSERT_TRUE(client.get(server.url("/1")).ok());
  EXPECT_EQ(client.async_client().idle_connections(), 1U);
  std::this_thread::sleep_for(400ms);  // the server closes the idle connection meanwhile
  auto got = client.get(server.url("/2"));
  ASSERT_TRUE(got.ok()) << got.error().describe();
  EXPECT_EQ(got->body(), "GET /2 ");
  EXPECT_EQ(server->connections_accepted(), 2U);
}

TEST(Server, ConnectionCloseIsHonouredBothWays) {
  Started server(small_options(), echo);
  BlockingClient client;
  Request request{Verb::get, "/", 11};
  request.keep_alive(false);
  auto got = client.send(server.url("/bye"), std::move(request));
  ASSERT_TRUE(got.ok()) << got.error().describe();
  EXPECT_FALSE(got->keep_alive());
  EXPECT_EQ(client.async_client().idle_connections(), 0U);
  ASSERT_TRUE(client.get(server.url("/again")).ok());
  EXPECT_EQ(server->connections_accepted(), 2U);

  // The server's own close: a handler answering Connection: close is not pooled either.
  Started closing(small_options(1), [](Request request, RequestContext&) -> asio::awaitable<Response> {
    Response response = make_response(request, 200, "x");
    response.keep_alive(false);
    co_return response;
  });
  ASSERT_TRUE(client.get(closing.url()).ok());
  ASSERT_TRUE(client.get(closing.url()).ok());
  EXPECT_EQ(closing->connections_accepted(), 2U);
}

TEST(Server, HeadGetsHeadersWithoutBody) {
  Started server(small_options(1), echo);
  BlockingClient client;
  Request request{Verb::head, "/", 11};
  auto got = client.send(server.url("/h"), std::move(request));
  ASSERT_TRUE(got.ok()) << got.error().describe();
  EXPECT_EQ(got->result_int(), 200U);
  EXPECT_TRUE(got->body().empty());
  EXPECT_EQ((*got)[bhttp::field::content_length], "8");  // "HEAD /h "
  ASSERT_TRUE(client.get(server.url("/after")).ok());    // the connection is still in sync
  EXPECT_EQ(server->connections_accepted(), 1U);
}

TEST(Server, OversizeBodyGets413WithoutReachingTheHandler) {
  ServerOptions options = small_options(1);
  options.max_body_bytes = 1024;
  std::atomic<int> calls{0};
  Started server(options, [&](Request request, RequestContext& context) -> asio::awaitable<Response> {
    ++calls;
    co_return co_await echo(std::move(request), context);
  });

  RawSocket declared(server->port());
  ASSERT_TRUE(declared.connected());
  ASSERT_TRUE(declared.send("POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n" +
                            std::string(4096, 'x')));
  const std::string response = declared.read_response();
  EXPECT_EQ(status_of(response), 413) << response;
  EXPECT_EQ(body_of(response), R"({"error":"Payload Too Large"})");
  EXPECT_NE(response.find("Connection: close"), std::string::npos);
  bool closed = false;
  declared.read_until_close(3s, &closed);
  EXPECT_TRUE(closed);

  RawSocket chunked(server->port());
  ASSERT_TRUE(chunked.send("POST /big HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
                           std::string(2048, 'y') + "\r\n"));
  EXPECT_EQ(status_of(chunked.read_response()), 413);
  EXPECT_EQ(calls.load(), 0);

  BlockingClient client;  // bodies at the limit pass
  auto ok = client.post_json(server.url(), std::string(1024, 'z'));
  ASSERT_TRUE(ok.ok()) << ok.error().describe();
  EXPECT_EQ(ok->result_int(), 200U);
  EXPECT_EQ(calls.load(), 1);
}

TEST(Server, OversizeHeadersGet431) {
  ServerOptions options = small_options(1);
  options.max_header_bytes = 4096;
  Started server(options, echo);
  RawSocket raw(server->port());
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.send("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n"));
  const std::string response = raw.read_response();
  EXPECT_EQ(status_of(response), 431) << response;
  EXPECT_EQ(body_of(response), R"({"error":"Request Header Fields Too Large"})");
  bool closed = false;
  raw.read_until_close(3s, &closed);
  EXPECT_TRUE(closed);
}

TEST(Server, GarbageGets400AndClose) {
  Started server(small_options(1), echo);
  for (const std::string& garbage :
       {std::string("NOT HTTP AT ALL\r\n\r\n"), std::string("\x01\x02\x03 / HTTP/1.1\r\n\r\n"),
        std::string("GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n")}) {
    RawSocket raw(server->port());
    ASSERT_TRUE(raw.send(garbage));
    const std::string response = raw.read_response();
    EXPECT_EQ(status_of(response), 400) << garbage;
    EXPECT_EQ(body_of(response), R"({"error":"Bad Request"})");
    bool closed = false;
    raw.read_until_close(3s, &closed);
    EXPECT_TRUE(closed) << garbage;
  }
}

TEST(Server, SlowLorisIsDisconnectedAfterReadTimeout) {
  ServerOptions options = small_options(1);
  options.read_timeout = 300ms;
  options.idle_timeout = 10s;
  Started server(options, echo);

  RawSocket slow(server->port());
  ASSERT_TRUE(slow.connected());
  const auto start = SteadyClock::now();
  ASSERT_TRUE(slow.send("GET / HTTP/1.1\r\n"));
  bool closed = false;
  while (!closed && elapsed_since(start) < 3s) {
    slow.send("X-Drip: 1\r\n");  // one header line every 50 ms, never the end of the headers
    slow.read_until_close(50ms, &closed);
  }
  EXPECT_TRUE(closed);
  EXPECT_GE(elapsed_since(start), 250ms);
  EXPECT_LT(elapsed_since(start), 2s);

  RawSocket silent(server->port());  // connects and never sends: same deadline
  const auto silent_start = SteadyClock::now();
  silent.read_until_close(3s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_LT(elapsed_since(silent_start), 2s);

  BlockingClient client;  // and the server still serves
  ASSERT_TRUE(client.get(server.url()).ok());
}

TEST(Server, HandlerExceptionBecomes500WithoutItsText) {
  Started server(small_options(1), [](Request request, RequestContext&) -> asio::awaitable<Response> {
    if (request.target() == "/sync")
      throw std::runtime_error("secret-db-password");  // before the first co_await
    asio::steady_timer timer(co_await asio::this_coro::executor, 1ms);
    co_await timer.async_wait(asio::use_awaitable);
    if (request.target() == "/async") throw std::runtime_error("secret-db-password");
    co_return make_response(request, 200, "fine");
  });
  BlockingClient client;
  for (const char* target : {"/sync", "/async"}) {
    auto got = client.get(server.url(target));
    ASSERT_TRUE(got.ok()) << got.error().describe();
    EXPECT_EQ(got->result_int(), 500U);
    EXPECT_EQ(got->body(), R"({"error":"Internal Server Error"})");
    EXPECT_EQ(got->body().find("secret"), std::string::npos);
  }
  auto fine = client.get(server.url("/ok"));  // same connection, still usable
  ASSERT_TRUE(fine.ok());
  EXPECT_EQ(fine->body(), "fine");
  EXPECT_EQ(server->connections_accepted(), 1U);
}

TEST(Server, ExpectContinueGetsInterimResponse) {
  Started server(small_options(1), echo);
  RawSocket raw(server->port());
  ASSERT_TRUE(raw.send("POST /e HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  const std::string interim = raw.read_response();
  EXPECT_EQ(status_of(interim), 100) << interim;
  ASSERT_TRUE(raw.send("hello"));
  const std::string response = raw.read_response();
  EXPECT_EQ(status_of(response), 200) << response;
  EXPECT_EQ(body_of(response), "POST /e hello");
}

TEST(Server, PipelinedRequestsAreAnsweredInOrder) {
  Started server(small_options(1), echo);
  RawSocket raw(server->port());
  ASSERT_TRUE(raw.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string both = read_fd(raw.fd(), SteadyClock::now() + 5s, [](const std::string& data) {
    return data.find("GET /b ") != std::string::npos;
  });
  const auto a = both.find("GET /a ");
  const auto b = both.find("GET /b ");
  ASSERT_NE(a, std::string::npos) << both;
  ASSERT_NE(b, std::string::npos) << both;
  EXPECT_LT(a, b);
}

TEST(Server, AcceptorsOnAllThreadsShareThePort) {
  std::mutex mutex;
  std::set<std::thread::id> threads;
  Started server(small_options(2), [&](Request request, RequestContext&) -> asio::awaitable<Response> {
    {
      std::lock_guard lock(mutex);
      threads.insert(std::this_thread::get_id());
    }
    co_return make_response(request, 200, "ok");
  });
  EXPECT_EQ(server->threads(), 2U);
  std::vector<std::unique_ptr<RawSocket>> sockets;
  for (int i = 0; i < 64; ++i) {
    sockets.push_back(std::make_unique<RawSocket>(server->port()));
    ASSERT_TRUE(sockets.back()->send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  }
  for (auto& socket : sockets) EXPECT_EQ(status_of(socket->read_response()), 200);
  EXPECT_EQ(server->connections_accepted(), 64U);
  std::lock_guard lock(mutex);
  EXPECT_EQ(threads.size(), 2U) << "the kernel should spread 64 connections over both acceptors";
}

TEST(Server, ConcurrentCoroutineClientsAcrossServerThreads) {
  Started server(small_options(2), echo);
  asio::io_context io;
  Client client(io.get_executor());
  std::atomic<int> good{0};
  std::atomic<int> bad{0};
  std::mutex mutex;
  std::string first_error;
  for (int c = 0; c < 8; ++c) {
    asio::co_spawn(
        io,
        [&, c]() -> asio::awaitable<void> {
          for (int i = 0; i < 200; ++i) {
            const std::string target = "/" + std::to_string(c) + "/" + std::to_string(i);
            auto got = co_await client.post_json(server.url(target), std::to_string(c * 1000 + i));
            if (got.ok() && got->body() == "POST " + target + " " + std::to_string(c * 1000 + i)) {
              ++good;
            } else {
              ++bad;
              std::lock_guard lock(mutex);
              if (first_error.empty()) first_error = got.ok() ? got->body() : got.error().describe();
            }
          }
        },
        asio::detached);
  }
  std::thread second([&] { io.run_for(60s); });  // two client threads share the pool
  io.run_for(60s);
  second.join();
  EXPECT_EQ(good.load(), 1600) << first_error;
  EXPECT_EQ(bad.load(), 0) << first_error;
  EXPECT_LE(server->connections_accepted(), 8U);
  EXPECT_LE(client.idle_connections(), 8U);
}

TEST(Server, BindConflictIsReported) {
  ScriptedServer occupant([](int, int) {});  // listens without SO_REUSEPORT
  ServerOptions options = small_options(1);
  options.port = occupant.port();
  Server server(options, echo);
  const Status started = server.start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, Errc::io_error);
  EXPECT_NE(started.error().message.find("address already in use"), std::string::npos)
      << started.error().message;
  server.wait();  // not running: returns at once
}

TEST(Server, SecondServerOnTheSameFixedPortIsRefused) {
  // Both would bind with SO_REUSEPORT; without the check they would silently split the traffic.
  Started first(small_options(2), echo);
  ServerOptions options = small_options(2);
  options.port = first->port();
  Server second(options, echo);
  const Status started = second.start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().message.find("address already in use"), std::string::npos)
      << started.error().message;
  BlockingClient client;  // the first one is unaffected
  ASSERT_TRUE(client.get(first.url()).ok());
}

TEST(Server, FixedPortCanBeReusedAfterStop) {
  ServerOptions options = small_options(2);
  {
    Started first(small_options(1), echo);
    options.port = first->port();
    BlockingClient client;
    ASSERT_TRUE(client.get(first.url()).ok());  // leaves a connection to close (TIME_WAIT)
  }
  Started again(options, echo);
  EXPECT_EQ(again->port(), options.port);
  BlockingClient client;
  ASSERT_TRUE(client.get(again.url()).ok());
}

TEST(Server, GracefulStopFinishesAnInFlightRequest) {
  std::atomic<bool> started{false};
  Server server(small_options(2), [&](Request request, RequestContext& context) -> asio::awaitable<Response> {
    started = true;
    asio::steady_timer timer(context.executor, 300ms);
    co_await timer.async_wait(asio::use_awaitable);
    co_return make_response(request, 200, "done");
  });
  ASSERT_TRUE(server.start().ok());
  const Url url = loopback_url(server.port());
  auto pending = std::async(std::launch::async, [url] {
    BlockingClient client;
    return client.get(url);
  });
  ASSERT_TRUE(eventually([&] { return started.load(); }));
  const auto stop_start = SteadyClock::now();
  server.stop(5s);
  EXPECT_LT(elapsed_since(stop_start), 3s);
  ASSERT_EQ(pending.wait_for(5s), std::future_status::ready);
  auto got = pending.get();
  ASSERT_TRUE(got.ok()) << got.error().describe();
  EXPECT_EQ(got->body(), "done");
  EXPECT_FALSE(got->keep_alive());  // stopping: the connection is not kept
  RawSocket late(server.port());
  EXPECT_FALSE(late.connected());
}

TEST(Server, StopClosesIdleConnectionsAtOnce) {
  Started server(small_options(2), echo);
  RawSocket idle(server->port());
  ASSERT_TRUE(idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(status_of(idle.read_response()), 200);
  const auto start = SteadyClock::now();
  server->stop(10s);
  EXPECT_LT(elapsed_since(start), 2s);
  bool closed = false;
  idle.read_until_close(2s, &closed);
  EXPECT_TRUE(closed);
}

TEST(Server, StopAbandonsHandlersAfterTheGrace) {
  std::atomic<bool> started{false};
  Server server(small_options(1), [&](Request request, RequestContext& context) -> asio::awaitable<Response> {
    started = true;
    asio::steady_timer timer(context.executor, 30s);
    co_await timer.async_wait(asio::use_awaitable);
    co_return make_response(request, 200, "too late");
  });
  ASSERT_TRUE(server.start().ok());
  RawSocket raw(server.port());
  ASSERT_TRUE(raw.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(eventually([&] { return started.load(); }));
  const auto start = SteadyClock::now();
  server.stop(200ms);
  EXPECT_LT(elapsed_since(start), 2s);
  bool closed = false;
  const std::string data = raw.read_until_close(2s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(data.empty());
}

TEST(Server, RequestStopWakesWait) {
  Server server(small_options(1), echo);
  ASSERT_TRUE(server.start().ok());
  std::atomic<bool> returned{false};
  std::thread waiter([&] {
    server.wait();
    returned = true;
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(returned.load());
  server.request_stop();
  EXPECT_TRUE(eventually([&] { return returned.load(); }, 5s));
  if (!returned) server.stop();  // unblock the waiter before joining
  waiter.join();
  RawSocket late(server.port());
  EXPECT_FALSE(late.connected());
}

TEST(Server, StreamHandlerSendsChunksAndKeepsTheConnection) {
  Started server(small_options(1),
                 [](Request request, ResponseWriter& writer, RequestContext&) -> asio::awaitable<void> {
                   if (request.target() == "/nothing") co_return;  // answered with 500 by the server
                   ResponseHeader header;
                   header.result(200);
                   header.set(bhttp::field::content_type, "text/event-stream");
                   auto status = co_await writer.write_header(std::move(header));
                   if (!status) co_return;
                   for (int i = 0; i < 3; ++i) {
                     if (!(co_await writer.write_chunk("data: " + std::to_string(i) + "\n\n"))) co_return;
                   }
                   if (request.target() == "/finish")
                     co_await writer.finish();  // otherwise the server finishes
                 });

  RawSocket raw(server->port());
  ASSERT_TRUE(raw.send("GET /finish HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string wire = read_fd(raw.fd(), SteadyClock::now() + 5s, [](const std::string& data) {
    return data.size() >= 5 && data.compare(data.size() - 5, 5, "0\r\n\r\n") == 0;
  });
  EXPECT_NE(wire.find("Transfer-Encoding: chunked"), std::string::npos) << wire;
  EXPECT_NE(wire.find("\r\n9\r\ndata: 0\n\n\r\n"), std::string::npos) << wire;

  BlockingClient client;
  for (const char* target : {"/finish", "/open"}) {
    auto got = client.get(server.url(target));
    ASSERT_TRUE(got.ok()) << got.error().describe();
    EXPECT_EQ(got->body(), "data: 0\n\ndata: 1\n\ndata: 2\n\n");
    EXPECT_EQ((*got)[bhttp::field::content_type], "text/event-stream");
  }
  auto nothing = client.get(server.url("/nothing"));
  ASSERT_TRUE(nothing.ok()) << nothing.error().describe();
  EXPECT_EQ(nothing->result_int(), 500U);
  EXPECT_EQ(server->connections_accepted(), 2U);  // the raw socket and the client's one connection
}

}  // namespace
}  // namespace x402::http
