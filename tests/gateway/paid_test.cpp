// Paid routes end to end on a devnet with our facilitator (a real `x402 facilitator` process),
// paid by the reference clients (tests/interop/peers: @x402/fetch 2.27 and x402-fetch 1.2.0) and
// by our own client for the cases the peers cannot observe (streaming while paid).
#include <gtest/gtest.h>

#include <boost/algorithm/string/predicate.hpp>
#include <cstdlib>
#include <fstream>

#include "client/payment.hpp"
#include "gateway/gateway.hpp"
#include "gateway/gateway_test_support.hpp"
#include "schemes/exact/evm/client.hpp"
#include "support/devnet_fixture.hpp"
#include "x402/codec.hpp"

namespace x402::gateway::test {
namespace {

using x402::test::Devnet;

std::unique_ptr<Child> start_facilitator(const Devnet& chain, const std::filesystem::path& log) {
  auto child =
      std::make_unique<Child>(std::vector<std::string>{X402_CLI, "facilitator", "--devnet",
                                                       chain.dir().string(), "--listen", "127.0.0.1:0"},
                              log);
  const auto line = child->wait_for_line("Facilitator listening on ", 30s);
  if (line.empty()) throw std::runtime_error("facilitator did not start: " + child->log());
  return child;
}

class GatewayPaid : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    error_.clear();
    try {
      chain_ = std::make_unique<Devnet>();
      logs_ = std::make_unique<x402::test::TempDir>();
      facilitator_ = start_facilitator(*chain_, logs_->path() / "facilitator.log");
      facilitator_url_ =
          "http://127.0.0.1:" +
          std::to_string(port_of(facilitator_->wait_for_line("Facilitator listening on ", 1s)));
      upstream_ = std::make_unique<TestUpstream>();
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    upstream_.reset();
    facilitator_.reset();
    chain_.reset();
    logs_.reset();
  }

 protected:
  void SetUp() override {
    if (!error_.empty()) GTEST_FAIL() << "suite setup failed: " << error_;
    upstream_->reset_sse();
  }

  static Devnet& chain() { return *chain_; }
  static TestUpstream& upstream() { return *upstream_; }
  static const std::string& facilitator_url() { return facilitator_url_; }

  // A gateway config selling `routes` (TOML [[routes]] text) from the devnet's payee.
  static std::string config(const std::string& routes, const std::string& facilitator = facilitator_url_,
                            const std::string& extra = "") {
    const auto& info = chain_->info();
    return "listen = \"127.0.0.1:0\"\nthreads = 2\n" + extra + "\n[facilitator]\nurl = \"" + facilitator +
           "\"\ntimeout_ms = 10000\n\n[[upstreams]]\nurl = \"" + upstream_->url() +
           "\"\n\n[defaults]\nnetwork = \"" + info.network + "\"\npay_to = \"" + info.payee +
           "\"\n\n[[assets]]\nnetwork = \"" + info.network + "\"\naddress = \"" + info.asset +
           "\"\nname = \"" + info.asset_name + "\"\nversion = \"" + info.asset_version +
           "\"\ndecimals = " + std::to_string(info.asset_decimals) +
           "\nsymbol = \"USDC\"\ndefault = true\n\n" + routes;
  }

  struct Running {
    x402::test::TempDir dir;
    std::unique_ptr<Gateway> gateway;
    [[nodiscard]] std::uint16_t port() const { return gateway->port(); }
    [[nodiscard]] std::string url(const std::string& target) const {
      return "http://127.0.0.1:" + std::to_string(port()) + target;
    }
  };

  static Result<std::unique_ptr<Gateway>> create(const std::string& toml, const std::filesystem::path& base) {
    auto parsed = parse_config(toml, base);
    if (!parsed) return parsed.take_error();
    return Gateway::create(std::move(*parsed), [toml, base] { return parse_config(toml, base); });
  }

  static std::unique_ptr<Running> start(const std::string& toml) {
    auto running = std::make_unique<Running>();
    auto gateway = create(toml, running->dir.path());
    if (!gateway) throw std::runtime_error(gateway.error().describe());
    if (auto started = (*gateway)->start(); !started) throw std::runtime_error(started.error().describe());
    running->gateway = std::move(*gateway);
    return running;
  }

  static PeerResult pay(const std::string& script, const std::string& url, int buyer = 0) {
    return run_peer(script,
                    {"--url", url, "--devnet", chain_->dir().string(), "--key-index", std::to_string(buyer)});
  }

  static U256 balance(const Address& account) { return chain_->token_balance(account); }
  static const Address& buyer(int index = 0) {
    return chain_->buyer_keys()[static_cast<std::size_t>(index)].address();
  }

  static PaymentRequired required_of(const http::Response& response) {
    auto decoded = decode_header<PaymentRequired>(response[kPaymentRequiredHeader]);
    if (!decoded) throw std::runtime_error("PAYMENT-REQUIRED: " + decoded.error().describe());
    return std::move(*decoded);
  }

  // A v2 PAYMENT-SIGNATURE for the 402 at `target`, signed by our own client.
  static std::string our_payment(std::uint16_t port, const std::string& target, int buyer_index) {
    const auto unpaid = fetch(port, target);
    if (unpaid.result_int() != 402)
      throw std::runtime_error("expected a 402, got " + std::to_string(unpaid.result_int()));
    const PaymentRequired required = required_of(unpaid);
    auto networks = std::make_shared<NetworkRegistry>(NetworkRegistry::with_defaults());
    exact_evm::ExactEvmClient scheme(chain_->buyer_keys()[static_cast<std::size_t>(buyer_index)], networks);
    auto payload = client::create_payment(required, required.accepts.at(0), scheme);
    if (!payload) throw std::runtime_error(payload.error().describe());
    return encode_header(*payload);
  }

  void expect_settled_on_chain(const boost::json::value& payment_response) {
    ASSERT_TRUE(payment_response.is_object());
    const auto& settle = payment_response.as_object();
    EXPECT_TRUE(settle.at("success").as_bool());
    const std::string tx(settle.at("transaction").as_string());
    ASSERT_EQ(tx.size(), 66u) << tx;
    auto hash = Bytes32::from_hex(tx);
    ASSERT_TRUE(hash.ok());
    auto receipt =
        chain().rpc().run([&](chain::evm::RpcClient& rpc) { return rpc.get_transaction_receipt(*hash); });
    ASSERT_TRUE(receipt.ok());
    ASSERT_TRUE(receipt->has_value()) << "no receipt for " << tx;
    EXPECT_TRUE((*receipt)->status);
  }

  static inline std::unique_ptr<Devnet> chain_;
  static inline std::unique_ptr<x402::test::TempDir> logs_;
  static inline std::unique_ptr<Child> facilitator_;
  static inline std::string facilitator_url_;
  static inline std::unique_ptr<TestUpstream> upstream_;
  static inline std::string error_;
};

const std::string kJsonRoute =
    "[[routes]]\nroute = \"GET /json\"\nprice = \"$0.001\"\ndescription = \"Weather\"\nmime_type = "
    "\"application/json\"\n";

TEST_F(GatewayPaid, UnpaidRequestGets402WithRequirements) {
  auto gw = start(config(kJsonRoute));
  const int before = upstream().calls("/json");
  const auto response = fetch(gw->port(), "/json?city=Paris");
  ASSERT_EQ(response.result_int(), 402u);
  EXPECT_EQ(response[boost::beast::http::field::cache_control], "no-store");
  const auto required = required_of(response);
  EXPECT_EQ(required.error, "Payment required");
  EXPECT_EQ(required.resource.url, gw->url("/json?city=Paris"));
  EXPECT_EQ(required.resource.description, "Weather");
  ASSERT_EQ(required.accepts.size(), 1u);
  EXPECT_EQ(required.accepts[0].scheme, "exact");
  EXPECT_EQ(required.accepts[0].network, chain().network());
  EXPECT_EQ(required.accepts[0].amount, U256(1000));
  EXPECT_EQ(required.accepts[0].asset, chain().info().asset);
  EXPECT_EQ(required.accepts[0].pay_to, chain().info().payee);
  // The v1 body for legacy clients.
  const auto body = boost::json::parse(response.body()).as_object();
  EXPECT_EQ(body.at("x402Version").as_int64(), 1);
  EXPECT_EQ(body.at("accepts").as_array().at(0).as_object().at("maxAmountRequired").as_string(), "1000");
  EXPECT_EQ(upstream().calls("/json"), before);
}

TEST_F(GatewayPaid, ReferenceClientPaysAndGetsTheUpstreamBodyByteForByte) {
  if (!interop_installed()) GTEST_SKIP() << "tests/interop not installed (scripts/setup --tests)";
  auto gw = start(config(kJsonRoute));
  const U256 buyer_before = balance(buyer(0));
  const U256 payee_before = balance(chain().payee());
  const int calls_before = upstream().calls("/json");
  const auto result = pay("client.mjs", gw->url("/json"));
  ASSERT_TRUE(result.success) << result.raw;
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, kJsonBody);
  expect_settled_on_chain(result.payment_response);
  EXPECT_EQ(balance(buyer(0)), buyer_before - 1000);
  EXPECT_EQ(balance(chain().payee()), payee_before + 1000);
  EXPECT_EQ(upstream().calls("/json"), calls_before + 1);
  // The payment headers never reached the upstream.
  const auto seen = upstream().last("/json");
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->find("PAYMENT-SIGNATURE"), seen->end());
  EXPECT_EQ(seen->find("X-PAYMENT"), seen->end());
  const auto metrics = gw->gateway->metrics_text();
  EXPECT_NE(metrics.find("x402_gateway_payments_total{route=\"GET /json\",outcome=\"settled\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("x402_gateway_requests_total{route=\"GET /json\",status=\"402\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("x402_gateway_requests_total{route=\"GET /json\",status=\"200\"} 1"),
            std::string::npos);
}

TEST_F(GatewayPaid, LegacyV1ClientPays) {
  if (!interop_installed()) GTEST_SKIP() << "tests/interop not installed (scripts/setup --tests)";
  auto gw = start(config(kJsonRoute));
  const U256 buyer_before = balance(buyer(1));
  const U256 payee_before = balance(chain().payee());
  const auto result = pay("client-v1.mjs", gw->url("/json"), 1);
  ASSERT_TRUE(result.success) << result.raw;
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, kJsonBody);
  expect_settled_on_chain(result.payment_response);
  EXPECT_EQ(balance(buyer(1)), buyer_before - 1000);
  EXPECT_EQ(balance(chain().payee()), payee_before + 1000);
}

TEST_F(GatewayPaid, UpstreamErrorPassesThroughAndNothingIsSettled) {
  if (!interop_installed()) GTEST_SKIP() << "tests/interop not installed (scripts/setup --tests)";
  auto gw = start(config("[[routes]]\nroute = \"GET /fail\"\nprice = \"$0.001\"\n"));
  const U256 buyer_before = balance(buyer(0));
  const U256 payee_before = balance(chain().payee());
  const int calls_before = upstream().calls("/fail");
  const auto result = pay("client.mjs", gw->url("/fail"));
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.status, 500) << result.raw;
  EXPECT_EQ(result.body, R"({"error":"boom"})");
  EXPECT_TRUE(result.payment_response.is_null()) << result.raw;
  EXPECT_EQ(upstream().calls("/fail"), calls_before + 1);
  EXPECT_EQ(balance(buyer(0)), buyer_before);
  EXPECT_EQ(balance(chain().payee()), payee_before);
  EXPECT_NE(gw->gateway->metrics_text().find("outcome=\"not_settled\"} 1"), std::string::npos);
}

TEST_F(GatewayPaid, UnreachableUpstreamGives502AndNothingIsSettled) {
  const auto closed = x402::test::free_loopback_port();
  std::string toml = config(kJsonRoute);
  const std::string live = "url = \"" + upstream().url() + "\"";
  toml.replace(toml.find(live), live.size(), "url = \"http://127.0.0.1:" + std::to_string(closed) + "\"");
  auto gw = start(toml);
  const U256 buyer_before = balance(buyer(0));
  const auto header = our_payment(gw->port(), "/json", 0);
  const auto response = fetch(gw->port(), "/json", {{"PAYMENT-SIGNATURE", header}});
  EXPECT_EQ(response.result_int(), 502u);
  EXPECT_EQ(response.find(kPaymentResponseHeader), response.end());
  EXPECT_EQ(balance(buyer(0)), buyer_before);
}

TEST_F(GatewayPaid, FacilitatorDownGives502AndNothingIsServed) {
  auto second = start_facilitator(chain(), logs_->path() / "facilitator-2.log");
  const std::string url =
      "http://127.0.0.1:" + std::to_string(port_of(second->wait_for_line("Facilitator listening on ", 1s)));
  auto gw = start(config("[[routes]]\nroute = \"GET /echo/paid\"\nprice = \"$0.001\"\n", url));
  const auto header = our_payment(gw->port(), "/echo/paid", 0);
  second->stop();
  const U256 buyer_before = balance(buyer(0));
  const int calls_before = upstream().calls("/echo/paid");
  const auto response = fetch(gw->port(), "/echo/paid", {{"PAYMENT-SIGNATURE", header}});
  EXPECT_EQ(response.result_int(), 502u) << response.body();
  EXPECT_EQ(upstream().calls("/echo/paid"), calls_before);
  EXPECT_EQ(balance(buyer(0)), buyer_before);
}

TEST_F(GatewayPaid, RefusesToStartWithoutAUsableFacilitator) {
  x402::test::TempDir dir;
  const auto closed = x402::test::free_loopback_port();
  auto unreachable = create(config(kJsonRoute, "http://127.0.0.1:" + std::to_string(closed)), dir.path());
  ASSERT_FALSE(unreachable.ok());
  EXPECT_NE(unreachable.error().message.find("facilitator"), std::string::npos)
      << unreachable.error().message;

  // A network the facilitator does not support is refused at start.
  auto unsupported =
      create(config("[[routes]]\nroute = \"GET /json\"\nprice = \"$0.001\"\nnetwork = \"eip155:8453\"\n"),
             dir.path());
  ASSERT_FALSE(unsupported.ok());
  EXPECT_NE(unsupported.error().message.find("eip155:8453"), std::string::npos)
      << unsupported.error().message;

  // Free routes alone need no facilitator.
  auto free_only =
      create("listen = \"127.0.0.1:0\"\n[[upstreams]]\nurl = \"" + upstream().url() + "\"\n", dir.path());
  EXPECT_TRUE(free_only.ok());
}

TEST_F(GatewayPaid, VerificationFailureIs402AndUpstreamIsNotCalled) {
  auto gw = start(config("[[routes]]\nroute = \"GET /echo/verify\"\nprice = \"$0.001\"\n"));
  auto header = our_payment(gw->port(), "/echo/verify", 0);
  // Spoil the signature inside the payload.
  auto decoded = decode_header<PaymentPayload>(header);
  ASSERT_TRUE(decoded.ok());
  std::string signature(decoded->payload.at("signature").as_string());
  signature[10] = signature[10] == 'a' ? 'b' : 'a';
  decoded->payload["signature"] = signature;
  const int calls_before = upstream().calls("/echo/verify");
  const auto response = fetch(gw->port(), "/echo/verify", {{"PAYMENT-SIGNATURE", encode_header(*decoded)}});
  EXPECT_EQ(response.result_int(), 402u);
  EXPECT_EQ(required_of(response).error, "invalid_exact_evm_signature");
  EXPECT_EQ(upstream().calls("/echo/verify"), calls_before);
  EXPECT_NE(gw->gateway->metrics_text().find("outcome=\"verify_failed\"} 1"), std::string::npos);
}

TEST_F(GatewayPaid, SettleBeforeStreamsTheResponseWithItsReceipt) {
  auto gw = start(config("[[routes]]\nroute = \"GET /sse\"\nprice = \"$0.001\"\nsettlement = \"before\"\n"));
  const U256 payee_before = balance(chain().payee());
  const auto header = our_payment(gw->port(), "/sse", 0);
  RawConnection connection(gw->port());
  connection.send("GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nPAYMENT-SIGNATURE: " + header + "\r\n\r\n");
  // Settled before forwarding, then streamed: the first event arrives while the upstream waits.
  ASSERT_TRUE(connection.read_until("data: one", 30s)) << connection.received();
  EXPECT_FALSE(upstream().sse_finished());
  EXPECT_NE(connection.received().find("PAYMENT-RESPONSE: "), std::string::npos);
  EXPECT_NE(connection.received().find("Cache-Control: no-cache, private"), std::string::npos)
      << connection.received();
  EXPECT_EQ(balance(chain().payee()), payee_before + 1000);
  upstream().release_sse();
  ASSERT_TRUE(connection.read_until("0\r\n\r\n", 10s));
  EXPECT_NE(connection.received().find("data: three"), std::string::npos);
}

TEST_F(GatewayPaid, SettleAfterHoldsTheStreamUntilSettled) {
  auto gw = start(config("[[routes]]\nroute = \"GET /sse\"\nprice = \"$0.001\"\n"));
  const auto header = our_payment(gw->port(), "/sse", 1);
  RawConnection connection(gw->port());
  connection.send("GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nPAYMENT-SIGNATURE: " + header + "\r\n\r\n");
  // Held: nothing may leave before the whole upstream response is in and settled.
  EXPECT_FALSE(connection.read_until("HTTP/1.1", 1500ms));
  upstream().release_sse();
  ASSERT_TRUE(connection.read_until("data: three", 30s)) << connection.received();
  EXPECT_NE(connection.received().find("HTTP/1.1 200"), std::string::npos);
  EXPECT_NE(connection.received().find("PAYMENT-RESPONSE: "), std::string::npos);
  EXPECT_NE(connection.received().find("Content-Length: "), std::string::npos);
}

TEST_F(GatewayPaid, DiscoveryDocumentListsThePaidRoutes) {
  auto gw = start(config(kJsonRoute + "[[routes]]\nroute = \"POST /items/:id\"\nprice = \"$0.25\"\n" +
                         "settlement = \"before\"\n[[routes]]\nroute = \"GET /free\"\n"));
  const auto response = fetch(gw->port(), "/.well-known/x402");
  ASSERT_EQ(response.result_int(), 200u);
  const auto doc = boost::json::parse(response.body()).as_object();
  EXPECT_EQ(doc.at("x402Version").as_int64(), 2);
  const auto& items = doc.at("items").as_array();
  ASSERT_EQ(items.size(), 2u) << response.body();
  const auto& weather = items[0].as_object();
  EXPECT_EQ(weather.at("resource").as_string(), gw->url("/json"));
  EXPECT_EQ(weather.at("type").as_string(), "http");
  EXPECT_EQ(weather.at("method").as_string(), "GET");
  EXPECT_EQ(weather.at("path").as_string(), "/json");
  EXPECT_EQ(weather.at("description").as_string(), "Weather");
  EXPECT_EQ(weather.at("mimeType").as_string(), "application/json");
  // The requirements are exactly what the 402 asks for.
  auto listed = from_json<PaymentRequirements>(weather.at("accepts").as_array().at(0));
  ASSERT_TRUE(listed.ok()) << listed.error().describe();
  EXPECT_EQ(*listed, required_of(fetch(gw->port(), "/json")).accepts.at(0));
  const auto& items_route = items[1].as_object();
  EXPECT_EQ(items_route.at("method").as_string(), "POST");
  EXPECT_EQ(items_route.at("path").as_string(), "/items/:id");
  EXPECT_EQ(items_route.at("settlement").as_string(), "before");
  EXPECT_EQ(items_route.at("accepts").as_array().at(0).as_object().at("amount").as_string(), "250000");
  EXPECT_EQ(items_route.at("extensions").as_object().at("bazaar").as_object().at("routeTemplate").as_string(),
            "/items/:id");
  // Readable as a bazaar discovery answer.
  auto as_discovery = from_json<DiscoveryResponse>(boost::json::value(doc));
  EXPECT_TRUE(as_discovery.ok()) << as_discovery.error().describe();
}

TEST_F(GatewayPaid, BrowsersGetThePaywallPage) {
  auto gw = start(config(kJsonRoute));
  const auto response = fetch(gw->port(), "/json",
                              {{"Accept", "text/html,application/xhtml+xml"},
                               {"User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/120"}});
  EXPECT_EQ(response.result_int(), 402u);
  EXPECT_NE(response[boost::beast::http::field::content_type].find("text/html"), std::string::npos);
  EXPECT_EQ(required_of(response).accepts.at(0).amount, U256(1000));  // the header is still sent
  EXPECT_NE(response.body().find("<!doctype html>"), std::string::npos);
  EXPECT_NE(response.body().find("\"amount\":\"0.001\""), std::string::npos);
  // API clients keep the JSON form.
  const auto api = fetch(gw->port(), "/json", {{"Accept", "application/json"}});
  EXPECT_NE(api[boost::beast::http::field::content_type].find("application/json"), std::string::npos);
}

TEST_F(GatewayPaid, SighupReloadChangesThePrice) {
  x402::test::TempDir dir;
  const auto file = dir.write_file("gateway.toml", config(kJsonRoute));
  Child gateway({X402_CLI, "gateway", "--config", file.string()}, dir.path() / "gateway.log");
  const auto ready = gateway.wait_for_line("Gateway listening on http://127.0.0.1:", 30s);
  ASSERT_FALSE(ready.empty()) << gateway.log();
  const auto port = port_of(ready);
  EXPECT_EQ(required_of(fetch(port, "/json")).accepts.at(0).amount, U256(1000));

  std::string doubled = config(kJsonRoute);
  doubled.replace(doubled.find("$0.001"), 6, "$0.002");
  dir.write_file("gateway.toml", doubled);
  gateway.signal(SIGHUP);
  bool changed = false;
  for (auto deadline = Clock::now() + 15s; !changed && Clock::now() < deadline;
       std::this_thread::sleep_for(50ms))
    changed = required_of(fetch(port, "/json")).accepts.at(0).amount == U256(2000);
  ASSERT_TRUE(changed) << gateway.log();

  // A broken file is refused; the gateway keeps serving the last good configuration.
  dir.write_file("gateway.toml", "this is not toml [");
  gateway.signal(SIGHUP);
  bool logged = false;
  for (auto deadline = Clock::now() + 10s; !logged && Clock::now() < deadline;
       std::this_thread::sleep_for(50ms))
    logged = gateway.log().find("reload rejected") != std::string::npos;
  EXPECT_TRUE(logged) << gateway.log();
  EXPECT_EQ(required_of(fetch(port, "/json")).accepts.at(0).amount, U256(2000));

  if (interop_installed()) {
    const U256 payee_before = balance(chain().payee());
    const auto result = pay("client.mjs", "http://127.0.0.1:" + std::to_string(port) + "/json");
    ASSERT_TRUE(result.success) << result.raw;
    EXPECT_EQ(balance(chain().payee()), payee_before + 2000);
  }
  EXPECT_EQ(gateway.stop(), 0) << gateway.log();
}

TEST_F(GatewayPaid, ReloadReplacesThePrepared402) {
  // The plain 402 is prepared once per configuration: after a reload it must show the new price
  // and description at once, in the header and in the v1 body.
  auto gw = start(config(kJsonRoute));
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(required_of(fetch(gw->port(), "/json")).accepts.at(0).amount, U256(1000));

  std::string changed = config(kJsonRoute);
  changed.replace(changed.find("$0.001"), 6, "$0.002");
  changed.replace(changed.find("\"Weather\""), 9, "\"Forecast\"");
  auto parsed = parse_config(changed, gw->dir.path());
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  ASSERT_TRUE(gw->gateway->reload(std::move(*parsed)).ok());

  const auto response = fetch(gw->port(), "/json?after=reload");
  ASSERT_EQ(response.result_int(), 402u);
  const auto required = required_of(response);
  EXPECT_EQ(required.accepts.at(0).amount, U256(2000));
  EXPECT_EQ(required.resource.description, "Forecast");
  EXPECT_EQ(required.resource.url, gw->url("/json?after=reload"));
  const auto body = boost::json::parse(response.body()).as_object();
  const auto& v1 = body.at("accepts").as_array().at(0).as_object();
  EXPECT_EQ(v1.at("maxAmountRequired").as_string(), "2000");
  EXPECT_EQ(v1.at("description").as_string(), "Forecast");
  EXPECT_EQ(v1.at("resource").as_string(), gw->url("/json?after=reload"));
}

TEST_F(GatewayPaid, QuickFlagsSellARoute) {
  if (!interop_installed()) GTEST_SKIP() << "tests/interop not installed (scripts/setup --tests)";
  x402::test::TempDir dir;
  Child gateway({X402_CLI, "gateway", "--devnet", chain().dir().string(), "--facilitator", facilitator_url(),
                 "--upstream", upstream().url(), "--listen", "127.0.0.1:0", "--route", "GET /json=$0.003",
                 "--route", "GET /chunked", "--upstream-header", "X-Api-Key: ${GW_QUICK_SECRET}"},
                dir.path() / "gateway.log", {{"GW_QUICK_SECRET", "quick-secret-value"}});
  const auto ready = gateway.wait_for_line("Gateway listening on http://127.0.0.1:", 30s);
  ASSERT_FALSE(ready.empty()) << gateway.log();
  const auto port = port_of(ready);
  const auto required = required_of(fetch(port, "/json"));
  EXPECT_EQ(required.accepts.at(0).amount, U256(3000));
  EXPECT_EQ(required.accepts.at(0).pay_to, chain().info().payee);
  EXPECT_EQ(required.accepts.at(0).asset, chain().info().asset);
  EXPECT_EQ(fetch(port, "/chunked").result_int(), 200u);
  const U256 payee_before = balance(chain().payee());
  const auto result = pay("client.mjs", "http://127.0.0.1:" + std::to_string(port) + "/json");
  ASSERT_TRUE(result.success) << result.raw;
  EXPECT_EQ(balance(chain().payee()), payee_before + 3000);
  const auto seen = upstream().last("/json");
  ASSERT_TRUE(seen);
  EXPECT_EQ((*seen)["X-Api-Key"], "quick-secret-value");
  EXPECT_EQ(gateway.stop(), 0);
  EXPECT_EQ(gateway.log().find("quick-secret-value"), std::string::npos);  // never logged
}

// The browser paywall in headless Chromium: the page renders what is asked, the injected test
// wallet signs, the page pays and shows the upstream's content; the money moved on chain.
TEST_F(GatewayPaid, BrowserPaywallPaysInHeadlessChromium) {
  const std::filesystem::path chromium = "/usr/bin/chromium";
  if (!std::filesystem::exists(chromium)) GTEST_SKIP() << "chromium not installed (scripts/setup --tests)";
  if (!interop_installed()) GTEST_SKIP() << "tests/interop not installed (scripts/setup --tests)";
  auto gw = start(config(kJsonRoute + "[[routes]]\nroute = \"GET /article\"\nprice = \"$0.002\"\n",
                         facilitator_url(), "[paywall]\napp_name = \"Weather API\"\n"));
  const U256 buyer_before = balance(buyer(1));
  const U256 payee_before = balance(chain().payee());

  x402::test::TempDir profile;
  Child browser(
      {chromium.string(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
       "--disable-background-networking", "--disable-component-update", "--disable-sync",
       "--disable-dev-shm-usage", "--user-data-dir=" + (profile.path() / "profile").string(),
       "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank"},
      profile.path() / "chromium.log");
  const std::string devtools = browser.wait_for_line("DevTools listening on ws://127.0.0.1:", 30s);
  ASSERT_FALSE(devtools.empty()) << browser.log();
  const std::string ws = devtools.substr(devtools.find("ws://"));

  const auto key_file = chain().key_path(chain().info().buyer_key_files.at(1));
  const std::string driver =
      (std::filesystem::path(X402_SOURCE_DIR) / "tests/gateway/browser/paywall_driver.mjs").string();
  const auto drive = [&](const std::string& target) {
    return x402::test::run_process({X402_NODE, "--experimental-websocket", "--no-warnings", driver, "--cdp",
                                    ws, "--url", gw->url(target), "--key-file", key_file.string(),
                                    "--interop", interop_dir().string(), "--timeout-ms", "60000"},
                                   {}, 90s);
  };
  auto run = drive("/json");
  auto article = drive("/article");  // paid HTML: shown in a sandboxed frame, its scripts running
  browser.stop();                    // stopped here, whatever the outcome below
  ASSERT_FALSE(run.timed_out) << run.err;
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(run.out.substr(0, run.out.find('\n')), ec);
  ASSERT_FALSE(ec) << run.out << run.err;
  const auto& out = parsed.as_object();
  ASSERT_TRUE(out.at("ok").as_bool()) << run.out << run.err;

  // The page: a 402 with the PAYMENT-REQUIRED header, showing what is asked in human units.
  EXPECT_EQ(out.at("documentStatus").as_int64(), 402);
  bool has_required = false;
  for (const auto& header : out.at("documentHeaders").as_object())
    has_required = has_required || boost::algorithm::iequals(std::string(header.key()), "payment-required");
  EXPECT_TRUE(has_required) << boost::json::serialize(out.at("documentHeaders"));
  const auto& display = out.at("display").as_object();
  EXPECT_EQ(display.at("price").as_string(), "0.001 USDC");
  EXPECT_EQ(display.at("payTo").as_string(), chain().info().payee);
  EXPECT_EQ(display.at("asset").as_string(), chain().info().asset);
  EXPECT_EQ(display.at("description").as_string(), "Weather");
  EXPECT_NE(std::string(display.at("network").as_string()).find(chain().network()), std::string::npos);
  EXPECT_EQ(display.at("title").as_string(), "Payment required");

  // What the wallet was asked to sign: the EIP-3009 authorization of the requirement.
  const auto& typed = out.at("typedData").as_object();
  EXPECT_EQ(typed.at("primaryType").as_string(), "TransferWithAuthorization");
  const auto& domain = typed.at("domain").as_object();
  EXPECT_EQ(domain.at("name").as_string(), chain().info().asset_name);
  EXPECT_EQ(domain.at("version").as_string(), chain().info().asset_version);
  EXPECT_EQ(domain.at("chainId").as_int64(), static_cast<std::int64_t>(chain().chain_id()));
  EXPECT_EQ(domain.at("verifyingContract").as_string(), chain().info().asset);
  const auto& message = typed.at("message").as_object();
  EXPECT_EQ(message.at("value").as_string(), "1000");
  EXPECT_EQ(message.at("validAfter").as_string(), "0");
  EXPECT_EQ(message.at("nonce").as_string().size(), 66u);

  // The retry: PAYMENT-SIGNATURE in the reference client's key order.
  const std::string signature_json(out.at("paymentSignature").as_string());
  const std::string expected_prefix = "{\"x402Version\":2,\"payload\":{\"authorization\":{\"from\":\"" +
                                      buyer(1).checksummed() + "\",\"to\":\"" + chain().info().payee +
                                      "\",\"value\":\"1000\",\"validAfter\":\"0\",\"validBefore\":\"";
  EXPECT_EQ(signature_json.rfind(expected_prefix, 0), 0u) << signature_json;
  const auto signature_at = signature_json.find("\"nonce\":");
  const auto resource_at = signature_json.find("},\"signature\":\"0x");
  const auto accepted_at = signature_json.find(",\"resource\":{");
  const auto tail_at = signature_json.find(",\"accepted\":{\"scheme\":\"exact\"");
  EXPECT_TRUE(signature_at < resource_at && resource_at < accepted_at && accepted_at < tail_at)
      << signature_json;
  EXPECT_EQ(out.at("paymentStatus").as_int64(), 200);

  // The paid content is the upstream's, and the transfer is on chain.
  ASSERT_TRUE(out.at("content").is_string()) << run.out;
  const std::string content(out.at("content").as_string());
  EXPECT_NE(content.find("\"weather\": \"sunny\""), std::string::npos) << content;
  EXPECT_NE(content.find("Z\xC3\xBCrich"), std::string::npos) << content;
  ASSERT_TRUE(out.at("transaction").is_string()) << run.out;
  boost::json::object settle;
  settle["success"] = true;
  settle["transaction"] = out.at("transaction");
  expect_settled_on_chain(boost::json::value(settle));

  ASSERT_FALSE(article.timed_out) << article.err;
  const auto article_out = boost::json::parse(article.out.substr(0, article.out.find('\n')), ec);
  ASSERT_FALSE(ec) << article.out << article.err;
  ASSERT_TRUE(article_out.as_object().at("ok").as_bool()) << article.out << article.err;
  EXPECT_EQ(article_out.as_object().at("display").as_object().at("price").as_string(), "0.002 USDC");
  ASSERT_TRUE(article_out.as_object().at("content").is_string()) << article.out;
  const std::string article_text(article_out.as_object().at("content").as_string());
  EXPECT_NE(article_text.find("Only for those who paid. (scripts run)"), std::string::npos) << article.out;

  EXPECT_EQ(balance(buyer(1)), buyer_before - 3000);
  EXPECT_EQ(balance(chain().payee()), payee_before + 3000);
}

}  // namespace
}  // namespace x402::gateway::test
