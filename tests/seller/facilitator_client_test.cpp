// HttpFacilitatorClient against a scripted facilitator on a real loopback HTTP server.
#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <mutex>

#include "http/server.hpp"
#include "seller/facilitator_client.hpp"
#include "seller_test_util.hpp"

namespace x402::seller {
namespace {

using test::run_sync;
namespace bhttp = boost::beast::http;

struct Scripted {
  unsigned status = 200;
  std::string body;
  std::string retry_after;
  std::chrono::milliseconds delay{0};
};

struct Seen {
  std::string method;
  std::string target;
  std::string authorization;
  std::string content_type;
  std::string body;
};

struct Script {
  std::mutex mutex;
  std::deque<Scripted> answers;
  std::vector<Seen> seen;
};

boost::asio::awaitable<http::Response> answer(std::shared_ptr<Script> script, http::Request request) {
  Scripted next;
  {
    std::lock_guard lock(script->mutex);
    script->seen.push_back(Seen{std::string(request.method_string()), std::string(request.target()),
                                std::string(request[bhttp::field::authorization]),
                                std::string(request[bhttp::field::content_type]), request.body()});
    if (!script->answers.empty()) {
      next = script->answers.front();
      script->answers.pop_front();
    }
  }
  if (next.delay.count() > 0) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    timer.expires_after(next.delay);
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
  auto response = http::make_response(request, next.status, next.body, "application/json");
  if (!next.retry_after.empty()) response.set(bhttp::field::retry_after, next.retry_after);
  co_return response;
}

class FacilitatorClientTest : public ::testing::Test {
 protected:
  std::shared_ptr<Script> script = std::make_shared<Script>();
  std::unique_ptr<http::Server> server;
  boost::asio::io_context context;

  void SetUp() override {
    http::ServerOptions options;
    options.threads = 1;
    auto state = script;
    server = std::make_unique<http::Server>(options, [state](http::Request request, http::RequestContext&) {
      return answer(state, std::move(request));
    });
    ASSERT_TRUE(server->start().ok());
  }
  void TearDown() override { server->stop(); }

  std::string base() const { return "http://127.0.0.1:" + std::to_string(server->port()); }

  std::shared_ptr<HttpFacilitatorClient> client(HttpFacilitatorOptions options) {
    auto made = HttpFacilitatorClient::create(context.get_executor(), std::move(options));
    EXPECT_TRUE(made.ok()) << (made ? "" : made.error().message);
    return *made;
  }
  std::shared_ptr<HttpFacilitatorClient> client() {
    HttpFacilitatorOptions options;
    options.url = base();
    return client(options);
  }
  void push(unsigned status, std::string body, std::string retry_after = "") {
    std::lock_guard lock(script->mutex);
    script->answers.push_back(Scripted{status, std::move(body), std::move(retry_after), {}});
  }
};

FacilitatorRequest sample_request() {
  PaymentRequestV2 request;
  request.payload.payload = JsonObject{{"signature", "0x01"}};
  request.payload.accepted.scheme = "exact";
  request.payload.accepted.network = "eip155:84532";
  request.payload.accepted.amount = U256(1000);
  request.payload.accepted.asset = "0xa";
  request.payload.accepted.pay_to = "0xb";
  request.requirements = request.payload.accepted;
  return request;
}

TEST_F(FacilitatorClientTest, PathPrefixTokenAndBodies) {
  HttpFacilitatorOptions options;
  options.url = base() + "/facilitator/";
  options.bearer_token = "s3cret";
  auto facilitator = client(options);
  EXPECT_EQ(facilitator->name(), base() + "/facilitator");
  push(
      200,
      R"({"kinds":[{"x402Version":2,"scheme":"exact","network":"eip155:84532"}],"extensions":[],"signers":{"eip155:*":["0x1"]}})");
  push(200, R"({"isValid":true,"payer":"0xp"})");
  push(200, R"({"success":true,"transaction":"0xt","network":"eip155:84532","payer":"0xp"})");
  auto supported = run_sync(facilitator->supported());
  ASSERT_TRUE(supported.ok()) << supported.error().message;
  ASSERT_EQ(supported->kinds.size(), 1u);
  const auto request = sample_request();
  auto verified = run_sync(facilitator->verify(request));
  ASSERT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_TRUE(verified->is_valid);
  auto settled = run_sync(facilitator->settle(request));
  ASSERT_TRUE(settled.ok()) << settled.error().message;
  EXPECT_EQ(settled->transaction, "0xt");

  std::lock_guard lock(script->mutex);
  ASSERT_EQ(script->seen.size(), 3u);
  EXPECT_EQ(script->seen[0].method, "GET");
  EXPECT_EQ(script->seen[0].target, "/facilitator/supported");
  EXPECT_EQ(script->seen[1].method, "POST");
  EXPECT_EQ(script->seen[1].target, "/facilitator/verify");
  EXPECT_EQ(script->seen[2].target, "/facilitator/settle");
  for (const auto& seen : script->seen) EXPECT_EQ(seen.authorization, "Bearer s3cret");
  EXPECT_EQ(script->seen[1].content_type, "application/json");
  EXPECT_EQ(script->seen[1].body, serialize(request));
}

TEST_F(FacilitatorClientTest, RetriesTooManyRequestsThreeTimesAtMost) {
  auto facilitator = client();
  push(429, "{}", "0");
  push(429, "{}", "0");
  push(200, R"({"kinds":[]})");
  auto supported = run_sync(facilitator->supported());
  ASSERT_TRUE(supported.ok()) << supported.error().message;
  EXPECT_TRUE(supported->kinds.empty());
  EXPECT_TRUE(supported->extensions.empty());

  push(429, "{}", "0");
  push(429, "{}", "0");
  push(429, "{}", "0");
  push(200, R"({"kinds":[]})");  // never reached
  supported = run_sync(facilitator->supported());
  ASSERT_FALSE(supported.ok());
  EXPECT_NE(supported.error().message.find("429"), std::string::npos);
  std::lock_guard lock(script->mutex);
  EXPECT_EQ(script->seen.size(), 6u);
}

TEST_F(FacilitatorClientTest, MalformedSuccessIsAnError) {
  auto facilitator = client();
  const auto request = sample_request();
  for (std::string body : {"not json", R"({"isValid":"yes"})", "[]"}) {
    push(200, body);
    auto verified = run_sync(facilitator->verify(request));
    ASSERT_FALSE(verified.ok()) << body;
    EXPECT_EQ(verified.error().code, Errc::invalid_json);
    EXPECT_NE(verified.error().message.find("facilitator response malformed"), std::string::npos);
  }
}

TEST_F(FacilitatorClientTest, ErrorStatusWithAnAnswerIsTheAnswer) {
  auto facilitator = client();
  const auto request = sample_request();
  push(400, R"({"isValid":false,"invalidReason":"invalid_payload","payer":"0xp"})");
  auto verified = run_sync(facilitator->verify(request));
  ASSERT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_FALSE(verified->is_valid);
  EXPECT_EQ(verified->invalid_reason.value_or(""), "invalid_payload");

  push(
      500,
      R"({"success":false,"errorReason":"unexpected_settle_error","transaction":"","network":"eip155:84532"})");
  auto settled = run_sync(facilitator->settle(request));
  ASSERT_TRUE(settled.ok()) << settled.error().message;
  EXPECT_FALSE(settled->success);

  push(500, R"({"error":"boom"})");
  settled = run_sync(facilitator->settle(request));
  ASSERT_FALSE(settled.ok());
  EXPECT_EQ(settled.error().code, Errc::unavailable);
  EXPECT_NE(settled.error().message.find("500"), std::string::npos);

  push(401, "");
  auto supported = run_sync(facilitator->supported());
  ASSERT_FALSE(supported.ok());
}

TEST_F(FacilitatorClientTest, TimeoutAndUnreachable) {
  HttpFacilitatorOptions options;
  options.url = base();
  options.timeout = std::chrono::milliseconds(300);
  auto facilitator = client(options);
  {
    std::lock_guard lock(script->mutex);
    script->answers.push_back(Scripted{200, R"({"kinds":[]})", "", std::chrono::milliseconds(2000)});
  }
  const auto start = std::chrono::steady_clock::now();
  auto supported = run_sync(facilitator->supported());
  ASSERT_FALSE(supported.ok());
  EXPECT_EQ(supported.error().code, Errc::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));

  options.url = "http://127.0.0.1:" + std::to_string(test::free_loopback_port());
  supported = run_sync(client(options)->supported());
  ASSERT_FALSE(supported.ok());
  EXPECT_EQ(supported.error().code, Errc::unavailable);
}

TEST(FacilitatorClientCreate, RejectsUnusableSettings) {
  boost::asio::io_context context;
  for (std::string url : {"", "ftp://x.org", "http://user:pw@x.org", "http://x.org/f?x=1", "not a url"}) {
    HttpFacilitatorOptions options;
    options.url = url;
    EXPECT_FALSE(HttpFacilitatorClient::create(context.get_executor(), options).ok()) << url;
  }
  HttpFacilitatorOptions options;
  options.url = "https://x402.org/facilitator";
  options.bearer_token = "a\nb";
  EXPECT_FALSE(HttpFacilitatorClient::create(context.get_executor(), options).ok());
  options.bearer_token.reset();
  auto made = HttpFacilitatorClient::create(context.get_executor(), options);
  ASSERT_TRUE(made.ok());
  EXPECT_EQ((*made)->name(), "https://x402.org/facilitator");
}

TEST(FacilitatorToken, FileAndEnvironment) {
  test::TempDir dir;
  EXPECT_EQ(*read_token_file(dir.write_file("token", "abc123\r\n")), "abc123");
  EXPECT_FALSE(read_token_file(dir.write_file("empty", "\n")).ok());
  EXPECT_FALSE(read_token_file(dir.path() / "missing").ok());
  setenv("X402_SELLER_TEST_TOKEN", "tok", 1);
  EXPECT_EQ(*read_token_env("X402_SELLER_TEST_TOKEN"), "tok");
  unsetenv("X402_SELLER_TEST_TOKEN");
  EXPECT_FALSE(read_token_env("X402_SELLER_TEST_TOKEN").ok());
}

}  // namespace
}  // namespace x402::seller
