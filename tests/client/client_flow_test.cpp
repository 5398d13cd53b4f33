// x402::Client against a scripted seller on loopback (our HTTP server): the wire of one paid
// request (headers per version, the expose hint, the echoed requirement), a single retry, hooks,
// budgets across clients sharing a file, and how errors are classified. Every server is stopped
// by its test; every wait is bounded by the client's timeouts.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <mutex>

#include "http/server.hpp"
#include "support/test_support.hpp"
#include "x402/client.hpp"
#include "x402/codec.hpp"

namespace x402 {
namespace {

namespace bhttp = boost::beast::http;

constexpr const char* kUsdc = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
constexpr const char* kPayTo = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C";
constexpr const char* kTx = "0xabababababababababababababababababababababababababababababababab";

enum class Mode { v2, v1, always_402, settle_fails, not_found, handler_500 };

// A seller with one price; records what it received.
class ScriptedSeller {
 public:
  explicit ScriptedSeller(Mode mode, std::uint64_t price = 1000) : mode_(mode), price_(price) {
    http::ServerOptions options;
    options.threads = 1;
    server_ = std::make_unique<http::Server>(
        options,
        [this](http::Request request, http::RequestContext&) -> boost::asio::awaitable<http::Response> {
          co_return handle(std::move(request));
        });
    auto started = server_->start();
    EXPECT_TRUE(started) << started.error().describe();
  }
  ~ScriptedSeller() { server_->stop(std::chrono::milliseconds(500)); }

  [[nodiscard]] std::string url(const std::string& path = "/weather") const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }
  int requests() const { return requests_.load(); }
  std::vector<http::Request> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

  PaymentRequirements offer() const {
    PaymentRequirements r;
    r.scheme = "exact";
    r.network = "eip155:84532";
    r.amount = price_;
    r.asset = kUsdc;
    r.pay_to = kPayTo;
    r.max_timeout_seconds = 300;
    JsonObject extra;
    extra["name"] = "USDC";
    extra["version"] = "2";
    r.extra = extra;
    return r;
  }

 private:
  http::Response handle(http::Request request) {
    ++requests_;
    {
      std::lock_guard lock(mutex_);
      received_.push_back(request);
    }
    if (mode_ == Mode::not_found) return http::make_response(request, 404, "{\"error\":\"nope\"}");
    if (mode_ == Mode::v1) return handle_v1(request);

    PaymentRequired required;
    required.error = "Payment required";
    required.resource.url = url();
    required.resource.description = "Weather";
    required.resource.mime_type = "application/json";
    required.accepts = {offer()};
    auto signature = request.find("PAYMENT-SIGNATURE");
    if (signature == request.end() || mode_ == Mode::always_402) {
      auto response = http::make_response(request, 402, "{}");
      response.set("PAYMENT-REQUIRED", encode_header(required));
      return response;
    }
    auto payload = decode_header<PaymentPayload>(signature->value());
    if (!payload || !(payload->accepted == offer())) {
      required.error = "No matching payment requirements";
      auto response = http::make_response(request, 402, "{}");
      response.set("PAYMENT-REQUIRED", encode_header(required));
      return response;
    }
    if (mode_ == Mode::handler_500) return http::make_response(request, 500, "{\"error\":\"handler\"}");
    SettleResponse settle;
    settle.network = "eip155:84532";
    settle.payer = test::kTestAddress0;
    if (mode_ == Mode::settle_fails) {
      settle.success = false;
      settle.error_reason = "invalid_exact_evm_insufficient_balance";
      auto response = http::make_response(request, 402, "{}");
      response.set("PAYMENT-RESPONSE", encode_header(settle));
      return response;
    }
    settle.success = true;
    settle.transaction = kTx;
    auto response = http::make_response(request, 200, "{\"weather\":\"sunny\"}");
    response.set("PAYMENT-RESPONSE", encode_header(settle));
    return response;
  }

  http::Response handle_v1(const http::Request& request) {
    PaymentRequirementsV1 option;
    option.scheme = "exact";
    option.network = "base-sepolia";
    option.max_amount_required = price_;
    option.resource = url();
    option.description = "Weather";
    option.mime_type = "application/json";
    option.pay_to = kPayTo;
    option.asset = kUsdc;
    JsonObject extra;
    extra["name"] = "USDC";
    extra["version"] = "2";
    option.extra = extra;
    auto payment = request.find("X-PAYMENT");
    if (payment == request.end()) {
      PaymentRequirementsResponse body;
      body.error = "X-PAYMENT header is required";
      body.accepts = {option};
      return http::make_response(request, 402, serialize(body));
    }
    auto payload = decode_header<PaymentPayloadV1>(payment->value());
    EXPECT_TRUE(payload) << payload.error().describe();
    SettleResponse settle;
    settle.success = true;
    settle.transaction = kTx;
    settle.network = "base-sepolia";
    settle.payer = test::kTestAddress0;
    auto response = http::make_response(request, 200, "{\"weather\":\"sunny\"}");
    response.set("X-PAYMENT-RESPONSE", encode_header(settle));
    return response;
  }

  Mode mode_;
  std::uint64_t price_;
  std::unique_ptr<http::Server> server_;
  std::atomic<int> requests_{0};
  std::mutex mutex_;
  std::vector<http::Request> received_;
};

ClientConfig config_with(const std::string& budget_file = "") {
  ClientConfig config;
  config.networks = std::make_shared<NetworkRegistry>(NetworkRegistry::with_defaults());
  register_exact_evm(config.schemes, *PrivateKey::from_hex(test::kTestKey0), config.networks);
  config.budget_file = budget_file;
  config.http.connect_timeout = std::chrono::seconds(2);
  config.http.request_timeout = std::chrono::seconds(10);
  return config;
}

std::unique_ptr<BlockingClient> make_client(ClientConfig config) {
  auto client = BlockingClient::create(std::move(config));
  EXPECT_TRUE(client) << client.error().describe();
  return client ? std::move(*client) : nullptr;
}

ClientRequest get(const std::string& url) {
  ClientRequest request;
  request.url = url;
  return request;
}

TEST(ClientFlow, PaysAV2SellerOnceWithTheReferenceHeaders) {
  ScriptedSeller seller(Mode::v2);
  auto client = make_client(config_with());
  auto paid = client->send(get(seller.url()));
  ASSERT_TRUE(paid) << paid.error().describe();
  EXPECT_EQ(paid->response.status, 200u);
  EXPECT_EQ(paid->response.body, "{\"weather\":\"sunny\"}");
  ASSERT_TRUE(paid->payment);
  EXPECT_EQ(paid->payment->status, PaymentStatus::settled);
  ASSERT_TRUE(paid->payment->receipt);
  EXPECT_EQ(paid->payment->receipt->transaction, kTx);
  EXPECT_EQ(paid->payment->payer, test::kTestAddress0);
  EXPECT_EQ(paid->payment->option.describe_amount(), "0.001 USDC");

  ASSERT_EQ(seller.requests(), 2);
  auto received = seller.received();
  EXPECT_EQ(received[0].find("PAYMENT-SIGNATURE"), received[0].end());
  EXPECT_EQ(received[1]["Access-Control-Expose-Headers"], "PAYMENT-RESPONSE,X-PAYMENT-RESPONSE");
  auto payload = decode_header<PaymentPayload>(received[1]["PAYMENT-SIGNATURE"]);
  ASSERT_TRUE(payload) << payload.error().describe();
  EXPECT_EQ(payload->accepted, seller.offer());  // echoed verbatim
  ASSERT_TRUE(payload->resource);
  EXPECT_EQ(payload->resource->url, seller.url());
  const auto& authorization = payload->payload.at("authorization").as_object();
  EXPECT_EQ(authorization.at("value").as_string(), "1000");
  EXPECT_EQ(authorization.at("validAfter").as_string(), "0");
}

TEST(ClientFlow, PaysAV1SellerWithXPayment) {
  ScriptedSeller seller(Mode::v1);
  auto client = make_client(config_with());
  auto paid = client->send(get(seller.url()));
  ASSERT_TRUE(paid) << paid.error().describe();
  ASSERT_TRUE(paid->payment && paid->payment->receipt);
  EXPECT_EQ(paid->payment->option.x402_version, 1);
  EXPECT_EQ(paid->payment->option.caip2, "eip155:84532");
  EXPECT_EQ(paid->payment->receipt->network, "base-sepolia");
  auto received = seller.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[1]["Access-Control-Expose-Headers"], "X-PAYMENT-RESPONSE");
  EXPECT_EQ(received[1].find("PAYMENT-SIGNATURE"), received[1].end());
  auto payload = decode_header<PaymentPayloadV1>(received[1]["X-PAYMENT"]);
  ASSERT_TRUE(payload);
  EXPECT_EQ(payload->network, "base-sepolia");
}

TEST(ClientFlow, ASecond402IsReturnedNotPaidAgain) {
  ScriptedSeller seller(Mode::always_402);
  auto client = make_client(config_with());
  auto paid = client->send(get(seller.url()));
  ASSERT_FALSE(paid);
  EXPECT_EQ(paid.error().code, ClientErrc::payment_failed);
  ASSERT_TRUE(paid.error().response);
  EXPECT_EQ(paid.error().response->status, 402u);
  ASSERT_TRUE(paid.error().payment);
  EXPECT_EQ(paid.error().payment->status, PaymentStatus::rejected);
  EXPECT_EQ(paid.error().payment->reason, "Payment required");
  EXPECT_EQ(seller.requests(), 2);
}

TEST(ClientFlow, SettlementFailureIsPaymentFailedWithTheReason) {
  ScriptedSeller seller(Mode::settle_fails);
  auto client = make_client(config_with());
  auto paid = client->send(get(seller.url()));
  ASSERT_FALSE(paid);
  EXPECT_EQ(paid.error().code, ClientErrc::payment_failed);
  ASSERT_TRUE(paid.error().payment && paid.error().payment->receipt);
  EXPECT_FALSE(paid.error().payment->receipt->success);
  EXPECT_EQ(paid.error().payment->reason, "invalid_exact_evm_insufficient_balance");
}

TEST(ClientFlow, NonPaymentErrorsAreHttpStatus) {
  ScriptedSeller missing(Mode::not_found);
  auto client = make_client(config_with());
  auto result = client->send(get(missing.url("/nothing")));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ClientErrc::http_status);
  EXPECT_EQ(result.error().response->status, 404u);
  EXPECT_FALSE(result.error().payment);

  ScriptedSeller failing(Mode::handler_500);
  auto after = client->send(get(failing.url()));
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, ClientErrc::http_status);
  ASSERT_TRUE(after.error().payment);
  EXPECT_EQ(after.error().payment->status, PaymentStatus::unknown);
}

TEST(ClientFlow, ConnectionRefusedIsTransportAndBadUrlsAreInvalidRequests) {
  auto client = make_client(config_with());
  auto refused = client->send(get("http://127.0.0.1:" + std::to_string(test::free_loopback_port()) + "/x"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ClientErrc::transport) << refused.error().describe();
  auto bad = client->send(get("ftp://example.com/"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ClientErrc::invalid_request);
  ClientRequest injected = get("http://127.0.0.1:1/");
  injected.headers.emplace_back("X-Test", "a\r\nEvil: 1");
  EXPECT_EQ(client->send(injected).error().code, ClientErrc::invalid_request);
}

TEST(ClientFlow, PolicyRefusalSignsAndSendsNothing) {
  ScriptedSeller seller(Mode::v2, 2'000'000);  // $2, over the default $1
  auto client = make_client(config_with());
  auto paid = client->send(get(seller.url()));
  ASSERT_FALSE(paid);
  EXPECT_EQ(paid.error().code, ClientErrc::refused);
  ASSERT_TRUE(paid.error().selection);
  EXPECT_FALSE(paid.error().selection->chosen);
  EXPECT_EQ(seller.requests(), 1);
}

TEST(ClientFlow, HooksMayAbortAndSeeTheReceipt) {
  ScriptedSeller seller(Mode::v2);
  auto client = make_client(config_with());
  std::atomic<int> before{0};
  std::atomic<bool> abort{true};
  std::string seen_tx;
  client->async_client().on_before_payment([&](const PaymentContext& context) -> std::optional<std::string> {
    ++before;
    EXPECT_EQ(context.option.amount, U256(1000));
    if (abort) return std::string("not today");
    return std::nullopt;
  });
  client->async_client().on_after_payment([&](const PaymentContext&, const PaymentRecord& record) {
    if (record.receipt) seen_tx = record.receipt->transaction;
  });
  auto refused = client->send(get(seller.url()));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ClientErrc::refused);
  EXPECT_NE(refused.error().message.find("not today"), std::string::npos);
  EXPECT_EQ(seller.requests(), 1);

  abort = false;
  auto paid = client->send(get(seller.url()));
  ASSERT_TRUE(paid) << paid.error().describe();
  EXPECT_EQ(before.load(), 2);
  EXPECT_EQ(seen_tx, kTx);
}

TEST(ClientFlow, ATotalBudgetHoldsAcrossClientsSharingTheFile) {
  test::TempDir dir;
  const auto file = (dir.path() / "budget.sqlite").string();
  ScriptedSeller seller(Mode::v2);
  {
    auto config = config_with(file);
    config.policy.budgets = {*parse_budget_limit("$0.0015")};
    auto client = make_client(std::move(config));
    ASSERT_TRUE(client->send(get(seller.url())));
  }
  auto config = config_with(file);
  config.policy.budgets = {*parse_budget_limit("$0.0015")};
  auto client = make_client(std::move(config));
  auto quote = client->quote(get(seller.url()));
  ASSERT_TRUE(quote);
  EXPECT_FALSE(quote->chosen);
  EXPECT_NE(quote->refusal.find("$0.0015 in total"), std::string::npos) << quote->refusal;
  auto refused = client->send(get(seller.url()));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ClientErrc::refused);
  EXPECT_EQ(seller.requests(), 4);  // paid (2), quote (1), refused (1): no second payment
}

TEST(ClientFlow, QuoteSaysWhatWouldBePaidAndSignsNothing) {
  ScriptedSeller seller(Mode::v2);
  auto client = make_client(config_with());
  auto quote = client->quote(get(seller.url()));
  ASSERT_TRUE(quote) << quote.error().describe();
  ASSERT_TRUE(quote->chosen);
  EXPECT_EQ(quote->chosen->describe_amount(), "0.001 USDC");
  EXPECT_EQ(quote->response.status, 402u);
  EXPECT_EQ(seller.requests(), 1);
}

TEST(ClientFlow, TheCoroutineApiRunsOnTheCallersIoContext) {
  ScriptedSeller seller(Mode::v2);
  boost::asio::io_context io;
  auto client = Client::create(io.get_executor(), config_with());
  ASSERT_TRUE(client) << client.error().describe();
  std::optional<ClientResult<PaidResponse>> result;
  auto request = get(seller.url());
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        auto paid = co_await client->send(std::move(request));
        result.emplace(std::move(paid));
      },
      boost::asio::detached);
  io.run_for(std::chrono::seconds(20));
  ASSERT_TRUE(result);
  ASSERT_TRUE(*result) << result->error().describe();
  EXPECT_EQ((*result)->payment->receipt->transaction, kTx);
}

}  // namespace
}  // namespace x402
