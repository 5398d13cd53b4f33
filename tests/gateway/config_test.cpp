// Pure parts: the TOML configuration, the quick flags, header rules, the paywall page.
#include <gtest/gtest.h>

#include <cstdlib>

#include "devnet/devnet.hpp"
#include "gateway/config.hpp"
#include "gateway/forward.hpp"
#include "gateway/metrics.hpp"
#include "gateway/paywall.hpp"
#include "support/test_support.hpp"
#include "x402/codec.hpp"

namespace x402::gateway {
namespace {

constexpr const char* kFull = R"(
listen = "127.0.0.1:9000"
threads = 3
public_url = "https://api.example.com/"
unmatched = "reject"
max_request_body_bytes = 2048
max_response_body_bytes = 4096
settlement_queue = "queue.sqlite"
log_level = "debug"

[facilitator]
url = "https://facilitator.example.com/x402"
auth_token = "${GW_CONFIG_TOKEN}"
timeout_ms = 1500

[[upstreams]]
name = "main"
url = "https://api.upstream.example"
headers = { Authorization = "Bearer ${GW_CONFIG_KEY}" }
read_timeout_ms = 120000

[[upstreams]]
name = "other"
url = "http://127.0.0.1:8081"

[defaults]
network = "eip155:84532"
pay_to = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
max_timeout_seconds = 120
settlement = "before"

[[routes]]
route = "GET /weather"
price = "$0.001"
description = "Weather"
mime_type = "application/json"

[[routes]]
route = "POST /v1/chat/*"
price = { amount = "2500", asset = "0x036CbD53842c5426634e7929541eC2318f3dCF7e", extra = { name = "USDC", version = "2" } }
settlement = "background"
upstream = "other"
max_timeout_seconds = 60

[[routes]]
route = "/free/*"
upstream = "other"

[[assets]]
network = "eip155:31337"
address = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
name = "Test"
version = "1"
decimals = 18
symbol = "TST"
default = true

[cors]
allowed_origins = ["https://app.example"]

[paywall]
app_name = "Example API"

[endpoints]
metrics = ""
)";

TEST(GatewayConfig, ParsesEverySetting) {
  ::setenv("GW_CONFIG_TOKEN", "fac-token", 1);
  ::setenv("GW_CONFIG_KEY", "up-key", 1);
  auto config = parse_config(kFull, "/etc/x402");
  ASSERT_TRUE(config.ok()) << config.error().describe();
  EXPECT_EQ(config->listen_address, "127.0.0.1");
  EXPECT_EQ(config->port, 9000);
  EXPECT_EQ(config->threads, 3u);
  EXPECT_EQ(config->public_url, "https://api.example.com");
  EXPECT_FALSE(config->forward_unmatched);
  EXPECT_EQ(config->max_request_body_bytes, 2048u);
  EXPECT_EQ(config->max_response_body_bytes, 4096u);
  EXPECT_EQ(config->settlement_queue, "/etc/x402/queue.sqlite");
  ASSERT_TRUE(config->facilitator);
  EXPECT_EQ(config->facilitator->url, "https://facilitator.example.com/x402");
  EXPECT_EQ(config->facilitator->auth_token, "fac-token");
  EXPECT_EQ(config->facilitator->timeout, std::chrono::milliseconds(1500));
  ASSERT_EQ(config->upstreams.size(), 2u);
  EXPECT_EQ(config->upstreams[0].url.origin(), "https://api.upstream.example");
  ASSERT_EQ(config->upstreams[0].headers.size(), 1u);
  EXPECT_EQ(config->upstreams[0].headers[0].second, "Bearer up-key");
  EXPECT_EQ(config->upstreams[0].options.read_timeout, std::chrono::milliseconds(120000));
  ASSERT_EQ(config->routes.size(), 3u);

  const auto& weather = config->routes[0];
  EXPECT_EQ(weather.pattern, "GET /weather");
  EXPECT_EQ(weather.upstream, 0u);
  ASSERT_TRUE(weather.payment);
  EXPECT_EQ(weather.payment->settlement, seller::SettlementTiming::before_handler);
  EXPECT_EQ(weather.payment->description, "Weather");
  ASSERT_EQ(weather.payment->accepts.size(), 1u);
  EXPECT_EQ(weather.payment->accepts[0].network, "eip155:84532");
  EXPECT_EQ(weather.payment->accepts[0].max_timeout_seconds, 120u);
  EXPECT_EQ(std::get<Money>(weather.payment->accepts[0].price).decimal, "0.001");

  const auto& chat = config->routes[1];
  EXPECT_EQ(chat.upstream, 1u);
  ASSERT_TRUE(chat.payment);
  EXPECT_EQ(chat.payment->settlement, seller::SettlementTiming::background);
  EXPECT_EQ(chat.payment->accepts[0].max_timeout_seconds, 60u);
  const auto& amount = std::get<AssetAmount>(chat.payment->accepts[0].price);
  EXPECT_EQ(amount.amount, U256(2500));
  EXPECT_EQ(amount.extra.at("name").as_string(), "USDC");

  EXPECT_FALSE(config->routes[2].payment);
  EXPECT_EQ(config->routes[2].upstream, 1u);
  ASSERT_EQ(config->assets.size(), 1u);
  EXPECT_EQ(config->assets[0].decimals, 18u);
  EXPECT_EQ(config->default_assets, std::vector<std::size_t>{0});
  EXPECT_EQ(config->cors.allowed_origins, std::vector<std::string>{"https://app.example"});
  EXPECT_EQ(config->paywall.app_name, "Example API");
  EXPECT_EQ(config->endpoints.metrics, "");
  EXPECT_EQ(config->endpoints.health, "/health");
}

TEST(GatewayConfig, RejectsMistakesWithTheirLocation) {
  ::setenv("GW_CONFIG_KEY", "k", 1);
  const std::string upstream = "\n[[upstreams]]\nurl = \"http://127.0.0.1:1\"\n";
  const std::string facilitator = "\n[facilitator]\nurl = \"http://127.0.0.1:2\"\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "upstreams"},
      {"lisen = \"x\"" + upstream, "unknown setting \"lisen\""},
      {"[[upstreams]]\nurl = \"http://h/path\"\n", "origin only"},
      {"[[upstreams]]\nurl = \"ftp://h\"\n", "upstreams[0].url"},
      {"[[upstreams]]\nurl = \"http://h\"\nheaders = { Authorization = \"${GW_UNSET_VARIABLE_X}\" }\n",
       "GW_UNSET_VARIABLE_X is not set"},
      {upstream +
           "[[routes]]\nroute = \"GET /x\"\nprice = \"$0.01\"\nnetwork = \"eip155:1\"\npay_to = \"0x1\"\n",
       "[facilitator] table is required"},
      {upstream + facilitator + "[[routes]]\nroute = \"GET /x\"\nprice = \"$0.01\"\npay_to = \"0x1\"\n",
       "routes[0].network: required"},
      {upstream + facilitator +
           "[[routes]]\nroute = \"GET /x\"\nprice = \"ten\"\nnetwork = \"eip155:1\"\npay_to = \"0x1\"\n",
       "routes[0].price"},
      {upstream + "[[routes]]\nroute = \"GET x\"\n", "routes[0].route"},
      {upstream + "[[routes]]\nroute = \"GET /x\"\nupstream = \"nope\"\n", "no upstream named \"nope\""},
      {upstream + "[[routes]]\nroute = \"GET /x\"\nnetwork = \"eip155:1\"\n", "only for routes with a price"},
      {upstream + facilitator +
           "[[routes]]\nroute = \"GET /x\"\nprice = \"$1\"\nnetwork = \"eip155:1\"\npay_to = "
           "\"0x1\"\nsettlement = \"later\"\n",
       "settlement must be"},
      {"unmatched = \"drop\"" + upstream, "unmatched"},
      {"max_request_body_bytes = 0" + upstream, "must be > 0"},
      {"[endpoints]\nhealth = \"health\"" + upstream, "endpoints.health"},
      {"listen = \"nowhere\"" + upstream, "listen"},
  };
  for (const auto& [text, expected] : cases) {
    auto config = parse_config(text, "/tmp");
    ASSERT_FALSE(config.ok()) << text;
    EXPECT_NE(config.error().message.find(expected), std::string::npos)
        << "config:\n"
        << text << "\nerror: " << config.error().message;
  }
}

TEST(GatewayConfig, SecretsComeFromFiles) {
  x402::test::TempDir dir;
  dir.write_file("upstream.key", "file-secret\n");
  dir.write_file("facilitator.token", "fac-file-token\r\n");
  auto config = parse_config(
      "[facilitator]\nurl = \"http://127.0.0.1:1\"\nauth_token_file = \"facilitator.token\"\n"
      "[[upstreams]]\nurl = \"http://127.0.0.1:2\"\nheader_files = { X-Api-Key = \"upstream.key\" }\n",
      dir.path());
  ASSERT_TRUE(config.ok()) << config.error().describe();
  EXPECT_EQ(config->facilitator->auth_token, "fac-file-token");
  ASSERT_EQ(config->upstreams[0].headers.size(), 1u);
  EXPECT_EQ(config->upstreams[0].headers[0],
            (std::pair<std::string, std::string>{"X-Api-Key", "file-secret"}));
}

TEST(GatewayConfig, QuickFlagsUseTheDevnet) {
  x402::test::TempDir dir;
  devnet::DevnetInfo info;
  info.rpc_url = "http://127.0.0.1:1";
  info.chain_id = 84532;
  info.network = "eip155:84532";
  info.asset = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
  info.asset_name = "USDC";
  info.asset_version = "2";
  info.asset_symbol = "USDC";
  info.payee = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C";
  dir.write_file("devnet.json", devnet::info_to_json(info));
  QuickOptions quick;
  quick.devnet = dir.path();
  quick.facilitator_url = "http://127.0.0.1:4020";
  quick.upstream_url = "http://127.0.0.1:8080";
  quick.listen = "127.0.0.1:0";
  quick.routes = {"GET /weather=$0.001", "POST /items/:id=0.5", "GET /free"};
  auto config = config_from_quick(quick);
  ASSERT_TRUE(config.ok()) << config.error().describe();
  ASSERT_EQ(config->routes.size(), 3u);
  EXPECT_EQ(config->routes[0].pattern, "GET /weather");
  ASSERT_TRUE(config->routes[0].payment);
  EXPECT_EQ(config->routes[0].payment->accepts[0].pay_to, info.payee);
  EXPECT_EQ(config->routes[0].payment->accepts[0].network, "eip155:84532");
  EXPECT_EQ(config->routes[1].pattern, "POST /items/:id");
  EXPECT_EQ(std::get<Money>(config->routes[1].payment->accepts[0].price).decimal, "0.5");
  EXPECT_FALSE(config->routes[2].payment);
  ASSERT_EQ(config->assets.size(), 1u);
  EXPECT_EQ(config->assets[0].address, info.asset);
  EXPECT_EQ(config->facilitator->url, "http://127.0.0.1:4020");

  quick.facilitator_url.clear();
  EXPECT_FALSE(config_from_quick(quick).ok());
  quick.facilitator_url = "http://127.0.0.1:4020";
  quick.routes = {"GET /weather=free"};
  EXPECT_FALSE(config_from_quick(quick).ok());
}

TEST(GatewayForward, HeaderClassification) {
  for (const char* name :
       {"Connection", "keep-alive", "TE", "Transfer-Encoding", "Upgrade", "Proxy-Authorization"})
    EXPECT_TRUE(is_hop_by_hop(name)) << name;
  for (const char* name : {"Authorization", "Content-Type", "X-Payment-Response"})
    EXPECT_FALSE(is_hop_by_hop(name));
  EXPECT_TRUE(is_payment_request_header("payment-signature"));
  EXPECT_TRUE(is_payment_request_header("X-PAYMENT"));
  EXPECT_FALSE(is_payment_request_header("PAYMENT-RESPONSE"));
  EXPECT_TRUE(is_payment_response_header("Payment-Response"));
  EXPECT_TRUE(is_payment_response_header("X-PAYMENT-RESPONSE"));
  EXPECT_TRUE(is_payment_response_header("PAYMENT-REQUIRED"));
}

TEST(GatewayForward, UpstreamMayNotForgePaymentHeaders) {
  ResponseHeader upstream;
  upstream.result(200);
  upstream.set("PAYMENT-RESPONSE", "forged");
  upstream.set("X-PAYMENT-RESPONSE", "forged");
  upstream.set("Content-Type", "application/json");
  upstream.set("Content-Length", "12");
  upstream.set("Connection", "close, X-Secret-Hop");
  upstream.set("X-Secret-Hop", "1");
  const auto kept = client_header(upstream, true);
  EXPECT_EQ(kept.find("PAYMENT-RESPONSE"), kept.end());
  EXPECT_EQ(kept.find("X-PAYMENT-RESPONSE"), kept.end());
  EXPECT_EQ(kept.find("X-Secret-Hop"), kept.end());
  EXPECT_EQ(kept.find("Connection"), kept.end());
  EXPECT_EQ(kept["Content-Length"], "12");
  EXPECT_EQ(kept["Content-Type"], "application/json");
  const auto recomputed = client_header(upstream, false);
  EXPECT_EQ(recomputed.find("Content-Length"), recomputed.end());
}

TEST(GatewayForward, BrowserDetection) {
  http::Request request{http::Verb::get, "/", 11};
  EXPECT_FALSE(is_browser(request));
  request.set("Accept", "text/html,application/xhtml+xml");
  EXPECT_FALSE(is_browser(request));
  request.set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120");
  EXPECT_TRUE(is_browser(request));
  request.set("Accept", "application/json");
  EXPECT_FALSE(is_browser(request));
  request.set("Accept", "*/*");
  request.set("User-Agent", "curl/8");
  EXPECT_FALSE(is_browser(request));
}

PaymentRequired sample_required(std::string description) {
  PaymentRequired required;
  required.error = "Payment required";
  required.resource.url = "http://127.0.0.1:1/weather";
  required.resource.description = std::move(description);
  required.resource.mime_type = "application/json";
  PaymentRequirements requirements;
  requirements.scheme = "exact";
  requirements.network = "eip155:84532";
  requirements.amount = U256(1000);
  requirements.asset = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
  requirements.pay_to = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C";
  requirements.max_timeout_seconds = 300;
  requirements.extra = JsonObject{{"name", "USDC"}, {"version", "2"}};
  required.accepts.push_back(requirements);
  return required;
}

TEST(GatewayPaywall, RendersTheRequirementsSafely) {
  const auto networks = NetworkRegistry::with_defaults();
  auto page = render_paywall(sample_required("Weather </script><script>alert(1)</script>"), networks,
                             PaywallOptions{"Demo"});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->find("__X402_CONFIG__"), std::string::npos);
  // The description cannot close the script element it is embedded in.
  EXPECT_EQ(page->find("</script><script>alert(1)"), std::string::npos);
  EXPECT_NE(page->find("\\u003c/script\\u003e"), std::string::npos);
  EXPECT_NE(page->find("\"amount\":\"0.001\""), std::string::npos);
  EXPECT_NE(page->find("\"symbol\":\"USDC\""), std::string::npos);
  EXPECT_NE(page->find("\"chainId\":84532"), std::string::npos);
  EXPECT_NE(page->find("eth_signTypedData_v4"), std::string::npos);
  EXPECT_NE(page->find("PAYMENT-SIGNATURE"), std::string::npos);
  // No resource is fetched from anywhere at run time.
  EXPECT_EQ(page->find("<script src"), std::string::npos);
  EXPECT_EQ(page->find("<link"), std::string::npos);
}

TEST(GatewayPaywall, OnlyForBrowserPayableRequirements) {
  const auto networks = NetworkRegistry::with_defaults();
  auto required = sample_required("x");
  required.accepts[0].extra = JsonObject{{"assetTransferMethod", "permit2"}};
  EXPECT_FALSE(render_paywall(required, networks, PaywallOptions{}));
  required.accepts[0].extra = JsonObject{};
  EXPECT_FALSE(render_paywall(required, networks, PaywallOptions{}));
  required.accepts[0].network = "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1";
  required.accepts[0].extra = JsonObject{{"feePayer", "x"}};
  EXPECT_FALSE(render_paywall(required, networks, PaywallOptions{}));
}

TEST(GatewayMetrics, PrometheusText) {
  Metrics metrics;
  metrics.request("GET /a\"b", 200);
  metrics.request("GET /a\"b", 200);
  metrics.payment("GET /a\"b", PaymentEvent::verified);
  metrics.payment("GET /a\"b", PaymentEvent::settled);
  metrics.payment("GET /c", PaymentEvent::settle_failed);
  metrics.upstream_latency("GET /c", std::chrono::milliseconds(30));
  const auto text = metrics.render();
  EXPECT_NE(text.find("x402_gateway_requests_total{route=\"GET /a\\\"b\",status=\"200\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("x402_gateway_payments_total{route=\"GET /a\\\"b\",outcome=\"settled\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("x402_gateway_payments_verified_total 1"), std::string::npos);
  EXPECT_NE(text.find("x402_gateway_payments_settled_total 1"), std::string::npos);
  EXPECT_NE(text.find("x402_gateway_payments_failed_total 1"), std::string::npos);
  EXPECT_NE(text.find("x402_gateway_upstream_latency_seconds_bucket{route=\"GET /c\",le=\"0.05\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("x402_gateway_upstream_latency_seconds_bucket{route=\"GET /c\",le=\"0.025\"} 0"),
            std::string::npos);
}

}  // namespace
}  // namespace x402::gateway
