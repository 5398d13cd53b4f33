// Acceptance: the example sellers (Beast and cpp-httplib) on a devnet with our facilitator process,
// paid by the reference SDK clients (tests/interop/peers). Balances are read on chain.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>
#include <thread>

#include "chain/evm/blocking.hpp"
#include "http/client.hpp"
#include "seller/facilitator_client.hpp"
#include "seller/runtime.hpp"
#include "seller/settlement_queue.hpp"
#include "seller_test_util.hpp"
#include "support/devnet_fixture.hpp"

namespace x402::seller {
namespace {

using test::ChildProcess;
using test::PeerResult;

constexpr const char* kWeatherBody = R"({"weather":"sunny","temperature":70})";

bool is_tx_hash(const std::string& text) {
  return std::regex_match(text, std::regex("0x[0-9a-f]{64}"));
}

std::string json_string(const boost::json::value& value, std::string_view key) {
  if (!value.is_object()) return {};
  const auto* member = value.as_object().if_contains(key);
  return member && member->is_string() ? std::string(member->as_string()) : std::string();
}

bool json_bool(const boost::json::value& value, std::string_view key) {
  if (!value.is_object()) return false;
  const auto* member = value.as_object().if_contains(key);
  return member && member->is_bool() && member->as_bool();
}

class SellerAcceptance : public test::DevnetTest, public ::testing::WithParamInterface<std::string> {
 protected:
  std::string dir() { return devnet().dir().string(); }
  const Address& buyer() { return devnet().buyer_keys()[0].address(); }

  std::unique_ptr<ChildProcess> start_facilitator(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{X402_CLI, "facilitator", "--devnet", dir(), "--listen", "127.0.0.1:0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto process = std::make_unique<ChildProcess>(argv);
    facilitator_url_ = process->wait_for_url("Facilitator listening on").value_or("");
    EXPECT_FALSE(facilitator_url_.empty()) << process->err();
    return process;
  }

  // The example named by the test parameter; its base URL in seller_url_.
  std::unique_ptr<ChildProcess> start_seller(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{test::binary_path("bin/example-" + GetParam()),
                                  "--devnet",
                                  dir(),
                                  "--facilitator",
                                  facilitator_url_,
                                  "--listen",
                                  "127.0.0.1:0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto process = std::make_unique<ChildProcess>(argv);
    seller_url_ = process->wait_for_url("Seller listening on").value_or("");
    EXPECT_FALSE(seller_url_.empty()) << process->err();
    return process;
  }

  PeerResult pay(const std::string& peer, const std::string& path = "/weather") {
    return test::run_peer(peer, seller_url_ + path, devnet().dir());
  }

  void expect_settled_on_chain(const std::string& tx) {
    ASSERT_TRUE(is_tx_hash(tx)) << tx;
    auto hash = Bytes32::from_hex(tx);
    ASSERT_TRUE(hash.ok());
    auto receipt = devnet().rpc().run(
        [hash = *hash](chain::evm::RpcClient& rpc) { return rpc.get_transaction_receipt(hash); });
    ASSERT_TRUE(receipt.ok());
    ASSERT_TRUE(receipt->has_value()) << "no receipt for " << tx;
    EXPECT_TRUE((*receipt)->status);
  }

  http::Response get(const std::string& path, const http::Headers& headers = {}) {
    http::BlockingClient client;
    auto url = http::parse_url(seller_url_ + path);
    EXPECT_TRUE(url.ok());
    auto response = client.get(*url, headers);
    EXPECT_TRUE(response.ok()) << (response ? "" : response.error().message);
    return response ? *response : http::Response{};
  }

  std::string facilitator_url_;
  std::string seller_url_;
};

TEST_P(SellerAcceptance, SellsWeatherToTheReferenceClient) {
  auto facilitator = start_facilitator();
  auto seller = start_seller();
  const U256 buyer_before = devnet().token_balance(buyer());
  const U256 payee_before = devnet().token_balance(devnet().payee());

  auto result = pay("client.mjs");
  ASSERT_TRUE(result.success) << result.raw;
  EXPECT_EQ(result.status.value_or(0), 200);
  EXPECT_EQ(boost::json::parse(result.body), boost::json::parse(kWeatherBody));
  EXPECT_TRUE(json_bool(result.payment_response, "success")) << result.raw;
  EXPECT_EQ(json_string(result.payment_response, "network"), devnet().network());
  EXPECT_EQ(json_string(result.payment_response, "payer"), buyer().checksummed());
  expect_settled_on_chain(json_string(result.payment_response, "transaction"));

  EXPECT_EQ(devnet().token_balance(buyer()), buyer_before - U256(1000));
  EXPECT_EQ(devnet().token_balance(devnet().payee()), payee_before + U256(1000));
}

TEST_P(SellerAcceptance, SellsWeatherToTheLegacyV1Client) {
  auto facilitator = start_facilitator();
  auto seller = start_seller();
  const U256 buyer_before = devnet().token_balance(buyer());
  const U256 payee_before = devnet().token_balance(devnet().payee());

  auto result = pay("client-v1.mjs");
  ASSERT_TRUE(result.success) << result.raw;
  EXPECT_EQ(result.status.value_or(0), 200);
  EXPECT_EQ(boost::json::parse(result.body), boost::json::parse(kWeatherBody));
  EXPECT_TRUE(json_bool(result.payment_response, "success")) << result.raw;  // X-PAYMENT-RESPONSE
  EXPECT_EQ(json_string(result.payment_response, "network"), "base-sepolia");
  expect_settled_on_chain(json_string(result.payment_response, "transaction"));

  EXPECT_EQ(devnet().token_balance(buyer()), buyer_before - U256(1000));
  EXPECT_EQ(devnet().token_balance(devnet().payee()), payee_before + U256(1000));
}

TEST_P(SellerAcceptance, UnpaidGets402AndHealthIsFree) {
  auto facilitator = start_facilitator();
  auto seller = start_seller();
  auto unpaid = get("/weather?city=Paris");
  EXPECT_EQ(unpaid.result_int(), 402u);
  EXPECT_EQ(unpaid[boost::beast::http::field::cache_control], "no-store");
  auto required = decode_header<PaymentRequired>(std::string(unpaid["PAYMENT-REQUIRED"]));
  ASSERT_TRUE(required.ok()) << required.error().message;
  EXPECT_EQ(required->error.value_or(""), "Payment required");
  EXPECT_EQ(required->resource.url, seller_url_ + "/weather?city=Paris");
  ASSERT_EQ(required->accepts.size(), 1u);
  EXPECT_EQ(required->accepts[0].amount, U256(1000));
  EXPECT_EQ(required->accepts[0].pay_to, devnet().payee().checksummed());
  auto body = decode_json<PaymentRequirementsResponse>(unpaid.body());
  ASSERT_TRUE(body.ok()) << body.error().message << ": " << unpaid.body();
  EXPECT_EQ(body->accepts[0].network, "base-sepolia");

  auto health = get("/health");
  EXPECT_EQ(health.result_int(), 200u);
  EXPECT_EQ(health.body(), R"({"status":"ok"})");
}

TEST_P(SellerAcceptance, HandlerErrorIsPassedThroughAndNotSettled) {
  auto facilitator = start_facilitator();
  auto seller = start_seller({"--weather-status", "500"});
  const U256 buyer_before = devnet().token_balance(buyer());
  auto result = pay("client.mjs");
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.status.value_or(0), 500) << result.raw;
  EXPECT_EQ(boost::json::parse(result.body), boost::json::parse(kWeatherBody));  // passed through
  EXPECT_TRUE(result.payment_response.is_null()) << result.raw;
  std::this_thread::sleep_for(std::chrono::seconds(2));  // a settlement would have landed by now
  EXPECT_EQ(devnet().token_balance(buyer()), buyer_before);
}

TEST_P(SellerAcceptance, FacilitatorDownMeans502AndNothingServed) {
  auto facilitator = start_facilitator();
  auto seller = start_seller();
  facilitator->stop();
  const U256 buyer_before = devnet().token_balance(buyer());
  auto result = pay("client.mjs");
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.status.value_or(0), 502) << result.raw;
  EXPECT_EQ(result.body.find("sunny"), std::string::npos) << result.body;
  EXPECT_EQ(devnet().token_balance(buyer()), buyer_before);
}

TEST_P(SellerAcceptance, ReplayedPaymentIsRefusedAfterSettlement) {
  auto facilitator = start_facilitator();
  auto seller = start_seller();
  auto unpaid = get("/weather");
  ASSERT_EQ(unpaid.result_int(), 402u);
  // The payment header as the reference client builds it, sent twice by us.
  auto created =
      test::run_process({X402_NODE, test::source_path("tests/interop/peers/check.mjs"), "create-payment",
                         "--payment-required-header", std::string(unpaid["PAYMENT-REQUIRED"]), "--key-file",
                         devnet().key_path(devnet().info().buyer_key_files[0]).string()},
                        {}, std::chrono::seconds(60));
  ASSERT_EQ(created.exit_code, 0) << created.out << created.err;
  std::string header = created.out;
  while (!header.empty() && (header.back() == '\n' || header.back() == '\r')) header.pop_back();

  const U256 buyer_before = devnet().token_balance(buyer());
  auto first = get("/weather", {{"PAYMENT-SIGNATURE", header}});
  ASSERT_EQ(first.result_int(), 200u) << first.body();
  EXPECT_EQ(first[boost::beast::http::field::cache_control], "private");
  auto receipt = decode_header<SettleResponse>(std::string(first["PAYMENT-RESPONSE"]));
  ASSERT_TRUE(receipt.ok());
  EXPECT_TRUE(receipt->success);

  auto replay = get("/weather", {{"PAYMENT-SIGNATURE", header}});
  EXPECT_EQ(replay.result_int(), 402u);
  EXPECT_EQ(replay.body().find("sunny"), std::string::npos);
  EXPECT_EQ(devnet().token_balance(buyer()), buyer_before - U256(1000));
}

TEST_P(SellerAcceptance, SettlesBeforeTheHandler) {
  auto facilitator = start_facilitator();
  auto seller = start_seller({"--settlement", "before"});
  const U256 payee_before = devnet().token_balance(devnet().payee());
  auto result = pay("client.mjs");
  ASSERT_TRUE(result.success) << result.raw;
  expect_settled_on_chain(json_string(result.payment_response, "transaction"));
  EXPECT_EQ(devnet().token_balance(devnet().payee()), payee_before + U256(1000));
}

TEST_P(SellerAcceptance, SettlesInTheBackgroundFromADurableQueue) {
  auto facilitator = start_facilitator();
  test::TempDir queue_dir;
  const auto queue = queue_dir.path() / "queue.sqlite";
  auto seller = start_seller({"--settlement", "background", "--queue-file", queue.string()});
  const U256 payee_before = devnet().token_balance(devnet().payee());
  auto result = pay("client.mjs");
  ASSERT_TRUE(result.success) << result.raw;
  EXPECT_EQ(boost::json::parse(result.body), boost::json::parse(kWeatherBody));

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::vector<QueuedSettlement> rows;
  while (std::chrono::steady_clock::now() < deadline) {
    auto store = SettlementStore::open(queue);
    ASSERT_TRUE(store.ok());
    auto all = (*store)->all();
    ASSERT_TRUE(all.ok());
    rows = *all;
    if (!rows.empty() && rows[0].state != "pending") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].state, "settled") << rows[0].last_error;
  expect_settled_on_chain(rows[0].transaction);
  EXPECT_EQ(devnet().token_balance(devnet().payee()), payee_before + U256(1000));
}

TEST_P(SellerAcceptance, BearerTokenReachesAProtectedFacilitator) {
  test::TempDir secrets;
  const auto token = secrets.write_file("token", "seller-test-token\n");
  auto facilitator = start_facilitator({"--auth-token-file", token.string()});
  {
    auto seller = start_seller();  // no token: the facilitator refuses, the seller fails closed
    auto result = pay("client.mjs");
    EXPECT_FALSE(result.success);
    EXPECT_EQ(result.status.value_or(0), 502) << result.raw;
  }
  auto seller = start_seller({"--facilitator-token-file", token.string()});
  auto result = pay("client.mjs");
  ASSERT_TRUE(result.success) << result.raw;
}

INSTANTIATE_TEST_SUITE_P(Examples, SellerAcceptance, ::testing::Values("beast-seller", "httplib-seller"),
                         [](const auto& info) { return info.param == "beast-seller" ? "Beast" : "Httplib"; });

// Start-up refusal, with the real facilitator: a route on a network it does not support.
class SellerStartup : public test::DevnetTest {};

TEST_F(SellerStartup, RouteOnAnUnsupportedNetworkIsRefused) {
  ChildProcess facilitator(
      {X402_CLI, "facilitator", "--devnet", devnet().dir().string(), "--listen", "127.0.0.1:0"});
  const auto url = facilitator.wait_for_url("Facilitator listening on");
  ASSERT_TRUE(url) << facilitator.err();

  SellerRuntime runtime;
  HttpFacilitatorOptions client_options;
  client_options.url = *url;
  auto client = HttpFacilitatorClient::create(runtime.executor(), client_options);
  ASSERT_TRUE(client.ok());
  auto make = [&](std::string network) {
    PaymentOption option;
    option.network = std::move(network);
    option.pay_to = devnet().payee().checksummed();
    option.price = Money{"0.001", ""};
    RouteConfig config;
    config.accepts.push_back(option);
    SellerOptions options;
    options.routes.push_back(Route{"GET /premium", config});
    options.facilitators.push_back(*client);
    auto seller = Seller::create(runtime.executor(), std::move(options));
    EXPECT_TRUE(seller.ok());
    return *seller;
  };
  auto supported = make(devnet().network());
  EXPECT_TRUE(runtime.initialize(*supported).ok());

  auto unsupported = make("eip155:8453");  // Base mainnet: not served by the devnet facilitator
  auto status = runtime.initialize(*unsupported);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, Errc::invalid_argument);
  EXPECT_NE(status.error().message.find("GET /premium"), std::string::npos) << status.error().message;
  EXPECT_NE(status.error().message.find("eip155:8453"), std::string::npos) << status.error().message;
  Request request;
  request.method = "GET";
  request.target = "/premium";
  auto decision = runtime.process(*unsupported, request);
  ASSERT_EQ(decision.kind, Decision::Kind::respond);  // not served free
  EXPECT_EQ(decision.response.status, 502u);
}

}  // namespace
}  // namespace x402::seller
