// The proxy mechanics, without payments: forwarding, header rules, streaming, limits, endpoints,
// reload. The gateway runs in-process in front of a scripted loopback upstream.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "gateway/gateway.hpp"
#include "gateway/gateway_test_support.hpp"

namespace x402::gateway::test {
namespace {

struct Running {
  x402::test::TempDir dir;
  std::unique_ptr<Gateway> gateway;
  [[nodiscard]] std::uint16_t port() const { return gateway->port(); }
};

std::unique_ptr<Running> start(const std::string& toml) {
  auto running = std::make_unique<Running>();
  auto config = parse_config(toml, running->dir.path());
  if (!config) throw std::runtime_error(config.error().describe());
  const std::string text = toml;
  const std::filesystem::path base = running->dir.path();
  auto gateway = Gateway::create(std::move(*config), [text, base] { return parse_config(text, base); });
  if (!gateway) throw std::runtime_error(gateway.error().describe());
  if (auto started = (*gateway)->start(); !started) throw std::runtime_error(started.error().describe());
  running->gateway = std::move(*gateway);
  return running;
}

std::string basic_config(const TestUpstream& upstream, const std::string& extra = "") {
  return "listen = \"127.0.0.1:0\"\n" + extra + "\n[[upstreams]]\nname = \"api\"\nurl = \"" + upstream.url() +
         "\"\n";
}

boost::json::object json_of(const http::Response& response) {
  return boost::json::parse(response.body()).as_object();
}

TEST(GatewayProxy, ForwardsTheUpstreamResponseByteForByte) {
  TestUpstream upstream;
  auto gw = start(basic_config(upstream));
  const auto response = fetch(gw->port(), "/json");
  EXPECT_EQ(response.result_int(), 200u);
  EXPECT_EQ(response.body(), kJsonBody);
  EXPECT_EQ(response["X-Upstream"], "yes");
  EXPECT_EQ(upstream.calls("/json"), 1);
}

TEST(GatewayProxy, ForwardsPathAndQueryUnchanged) {
  TestUpstream upstream;
  auto gw = start(basic_config(upstream));
  const std::string target = "/echo/A%20b/./c?x=1&y=%2F&z=%C3%BC#frag";
  const auto response = fetch(gw->port(), target.substr(0, target.find('#')));
  ASSERT_EQ(response.result_int(), 200u);
  EXPECT_EQ(json_of(response).at("target").as_string(), "/echo/A%20b/./c?x=1&y=%2F&z=%C3%BC");
}

TEST(GatewayProxy, InjectsUpstreamHeadersAndStripsPaymentAndHopByHopHeaders) {
  ::setenv("GW_TEST_UPSTREAM_KEY", "upstream-secret-123", 1);
  TestUpstream upstream;
  auto gw =
      start("listen = \"127.0.0.1:0\"\n[[upstreams]]\nurl = \"" + upstream.url() +
            "\"\nheaders = { Authorization = \"Bearer ${GW_TEST_UPSTREAM_KEY}\", X-Api-Version = \"7\" }\n");
  http::Headers headers{{"Authorization", "Bearer client-token"},
                        {"PAYMENT-SIGNATURE", "eyJ4NDAyVmVyc2lvbiI6Mn0="},
                        {"X-PAYMENT", "eyJ4NDAyVmVyc2lvbiI6MX0="},
                        {"X-Custom", "kept"},
                        {"Connection", "keep-alive, X-Drop-Me"},
                        {"X-Drop-Me", "1"},
                        {"Keep-Alive", "timeout=5"},
                        {"TE", "trailers"},
                        {"Proxy-Authorization", "Basic abc"},
                        {"Upgrade", "h2c"},
                        {"X-Forwarded-For", "10.0.0.1"}};
  const auto response = fetch(gw->port(), "/echo", headers, http::Verb::post, "hello body");
  ASSERT_EQ(response.result_int(), 200u) << response.body();
  const auto echo = json_of(response);
  const auto& seen = echo.at("headers").as_object();
  EXPECT_EQ(seen.at("authorization").as_string(), "Bearer upstream-secret-123");
  EXPECT_EQ(seen.at("x-api-version").as_string(), "7");
  EXPECT_EQ(seen.at("x-custom").as_string(), "kept");
  for (const char* gone :
       {"payment-signature", "x-payment", "x-drop-me", "keep-alive", "te", "proxy-authorization", "upgrade"})
    EXPECT_FALSE(seen.contains(gone)) << gone;
  EXPECT_EQ(seen.at("host").as_string(), "127.0.0.1:" + std::to_string(upstream.port()));
  EXPECT_EQ(seen.at("x-forwarded-for").as_string(), "10.0.0.1, 127.0.0.1");
  EXPECT_EQ(seen.at("x-forwarded-host").as_string(), "127.0.0.1:" + std::to_string(gw->port()));
  EXPECT_EQ(seen.at("x-forwarded-proto").as_string(), "http");
  EXPECT_EQ(echo.at("body").as_string(), "hello body");
}

TEST(GatewayProxy, StreamsServerSentEventsAsTheyAreProduced) {
  TestUpstream upstream;
  auto gw = start(basic_config(upstream, "[[routes]]\nroute = \"GET /sse\"\n"));
  RawConnection connection(gw->port());
  connection.send("GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
  // The upstream holds back everything after the first event until released: the first event can
  // only arrive here if the gateway does not buffer.
  ASSERT_TRUE(connection.read_until("data: one", 5s)) << connection.received();
  EXPECT_FALSE(upstream.sse_finished());
  EXPECT_EQ(connection.received().find("data: two"), std::string::npos);
  EXPECT_NE(connection.received().find("Content-Type: text/event-stream"), std::string::npos);
  EXPECT_NE(connection.received().find("Transfer-Encoding: chunked"), std::string::npos);
  upstream.release_sse();
  ASSERT_TRUE(connection.read_until("0\r\n\r\n", 5s)) << connection.received();
  EXPECT_NE(connection.received().find("data: three"), std::string::npos);
  EXPECT_TRUE(upstream.sse_finished());
}

TEST(GatewayProxy, PassesChunkedBodiesThrough) {
  TestUpstream upstream;
  auto gw = start(basic_config(upstream));
  const auto response = fetch(gw->port(), "/chunked");
  ASSERT_EQ(response.result_int(), 200u);
  EXPECT_EQ(response.body(), "piece 0\npiece 1\npiece 2\npiece 3\npiece 4\n");
}

TEST(GatewayProxy, HeadRequestsGetTheHeaderOnly) {
  TestUpstream upstream;
  auto gw = start(basic_config(upstream));
  RawConnection connection(gw->port());
  connection.send("HEAD /json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  connection.read_to_close(5s);
  EXPECT_NE(connection.received().find("HTTP/1.1 200"), std::string::npos);
  EXPECT_NE(connection.received().find("Content-Length: " + std::to_string(kJsonBody.size())),
            std::string::npos)
      << connection.received();
  EXPECT_EQ(connection.received().find("sunny"), std::string::npos);
}

TEST(GatewayProxy, RequestBodyOverTheLimitGets413) {
  TestUpstream upstream;
  auto gw = start(basic_config(upstream, "max_request_body_bytes = 1024"));
  const auto small = fetch(gw->port(), "/echo", {}, http::Verb::post, std::string(1000, 'a'));
  EXPECT_EQ(small.result_int(), 200u);
  const auto large = fetch(gw->port(), "/echo", {}, http::Verb::post, std::string(4000, 'a'));
  EXPECT_EQ(large.result_int(), 413u);
  EXPECT_EQ(upstream.calls("/echo"), 1);
}

TEST(GatewayProxy, ResponseBodyOverTheLimitIsRefused) {
  TestUpstream upstream;
  auto gw = start(basic_config(upstream, "max_response_body_bytes = 1000"));
  EXPECT_EQ(fetch(gw->port(), "/big?n=900").result_int(), 200u);
  const auto large = fetch(gw->port(), "/big?n=5000");
  EXPECT_EQ(large.result_int(), 502u);
  EXPECT_NE(large.body().find("too large"), std::string::npos);
}

TEST(GatewayProxy, UnreachableUpstreamGives502) {
  const auto closed = x402::test::free_loopback_port();
  auto gw =
      start("listen = \"127.0.0.1:0\"\n[[upstreams]]\nurl = \"http://127.0.0.1:" + std::to_string(closed) +
            "\"\nconnect_timeout_ms = 2000\n");
  const auto response = fetch(gw->port(), "/json");
  EXPECT_EQ(response.result_int(), 502u);
  EXPECT_NE(gw->gateway->metrics_text().find(
                "x402_gateway_upstream_errors_total{route=\"unmatched\",kind=\"unavailable\"} 1"),
            std::string::npos);
}

TEST(GatewayProxy, UnmatchedRequestsCanBeRejected) {
  TestUpstream upstream;
  auto gw = start(basic_config(upstream, "unmatched = \"reject\"\n[[routes]]\nroute = \"GET /json\"\n"));
  EXPECT_EQ(fetch(gw->port(), "/json").result_int(), 200u);
  EXPECT_EQ(fetch(gw->port(), "/chunked").result_int(), 404u);
  EXPECT_EQ(fetch(gw->port(), "/json", {}, http::Verb::post).result_int(), 404u);
  EXPECT_EQ(upstream.calls("/chunked"), 0);
}

TEST(GatewayProxy, HealthAndMetrics) {
  TestUpstream upstream;
  auto gw = start(basic_config(upstream, "[[routes]]\nroute = \"GET /json\"\n"));
  const auto health = fetch(gw->port(), "/health");
  EXPECT_EQ(health.result_int(), 200u);
  EXPECT_EQ(json_of(health).at("status").as_string(), "ok");
  fetch(gw->port(), "/json");
  fetch(gw->port(), "/json");
  fetch(gw->port(), "/nothing-here");
  // A request is counted once its exchange is over, which may be a moment after the client has
  // read the response: scrape until all three show (bounded), then check the scrape.
  const std::vector<std::string> counted{
      "x402_gateway_requests_total{route=\"GET /json\",status=\"200\"} 2",
      "x402_gateway_requests_total{route=\"unmatched\",status=\"404\"} 1",
      "x402_gateway_upstream_latency_seconds_count{route=\"GET /json\"} 2"};
  const auto all_counted = [&](const std::string& text) {
    return std::all_of(counted.begin(), counted.end(),
                       [&](const std::string& line) { return text.find(line) != std::string::npos; });
  };
  auto metrics = fetch(gw->port(), "/metrics");
  for (int attempt = 0; attempt < 100 && !all_counted(metrics.body()); ++attempt) {
    std::this_thread::sleep_for(20ms);
    metrics = fetch(gw->port(), "/metrics");
  }
  EXPECT_EQ(metrics.result_int(), 200u);
  EXPECT_NE(metrics[boost::beast::http::field::content_type].find("text/plain"), std::string::npos);
  const std::string& text = metrics.body();
  for (const auto& line : counted) EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  EXPECT_NE(text.find("x402_gateway_payments_settled_total 0"), std::string::npos) << text;
  // The admin endpoints are not forwarded.
  EXPECT_EQ(upstream.calls("/health"), 0);
  EXPECT_EQ(upstream.calls("/metrics"), 0);
}

TEST(GatewayProxy, ReloadAppliesToNewRequestsAndKeepsInFlightOnes) {
  ::setenv("GW_TEST_RELOAD_VERSION", "1", 1);
  TestUpstream upstream;
  const std::string toml = "listen = \"127.0.0.1:0\"\n[[upstreams]]\nurl = \"" + upstream.url() +
                           "\"\nheaders = { X-Config = \"${GW_TEST_RELOAD_VERSION}\" }\n";
  auto gw = start(toml);
  EXPECT_EQ(json_of(fetch(gw->port(), "/echo")).at("headers").as_object().at("x-config").as_string(), "1");

  // A stream in flight across the reload.
  RawConnection stream(gw->port());
  stream.send("GET /sse HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(stream.read_until("data: one", 5s));

  ::setenv("GW_TEST_RELOAD_VERSION", "2", 1);
  ASSERT_TRUE(gw->gateway->reload().ok());
  EXPECT_EQ(gw->gateway->generation(), 2u);
  EXPECT_EQ(json_of(fetch(gw->port(), "/echo")).at("headers").as_object().at("x-config").as_string(), "2");

  upstream.release_sse();
  ASSERT_TRUE(stream.read_until("0\r\n\r\n", 5s)) << stream.received();
  EXPECT_NE(stream.received().find("data: three"), std::string::npos);

  // A broken configuration is refused and the current one stays.
  ::unsetenv("GW_TEST_RELOAD_VERSION");
  EXPECT_FALSE(gw->gateway->reload().ok());
  EXPECT_EQ(gw->gateway->generation(), 2u);
  EXPECT_EQ(json_of(fetch(gw->port(), "/echo")).at("headers").as_object().at("x-config").as_string(), "2");
  const auto metrics = gw->gateway->metrics_text();
  EXPECT_NE(metrics.find("x402_gateway_config_reloads_total{result=\"ok\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("x402_gateway_config_reloads_total{result=\"error\"} 1"), std::string::npos);
}

TEST(GatewayProxy, RoutesPickTheirUpstream) {
  TestUpstream first, second;
  auto gw = start("listen = \"127.0.0.1:0\"\n[[upstreams]]\nname = \"a\"\nurl = \"" + first.url() +
                  "\"\n[[upstreams]]\nname = \"b\"\nurl = \"" + second.url() +
                  "\"\n[[routes]]\nroute = \"/chunked\"\nupstream = \"b\"\n");
  EXPECT_EQ(fetch(gw->port(), "/chunked").result_int(), 200u);
  EXPECT_EQ(fetch(gw->port(), "/json").result_int(), 200u);
  EXPECT_EQ(first.calls("/chunked"), 0);
  EXPECT_EQ(second.calls("/chunked"), 1);
  EXPECT_EQ(first.calls("/json"), 1);
}

TEST(GatewayProxy, KeepsUpstreamConnectionsAlive) {
  TestUpstream upstream;
  auto gw = start(basic_config(upstream, "threads = 1"));
  for (int i = 0; i < 5; ++i) ASSERT_EQ(fetch(gw->port(), "/json").result_int(), 200u);
  EXPECT_EQ(upstream.calls("/json"), 5);
  EXPECT_EQ(upstream.connections(), 1u);
}

}  // namespace
}  // namespace x402::gateway::test
