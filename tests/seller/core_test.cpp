// The seller core against an in-memory facilitator: 402 shapes byte for byte (reference §1.9),
// matching, verify/settle outcomes, settlement timings, CORS, start-up refusal, validation.
#include <gtest/gtest.h>

#include <thread>

#include "seller/runtime.hpp"
#include "seller/seller.hpp"
#include "seller/settlement_queue.hpp"
#include "seller_test_util.hpp"
#include "x402/reasons.hpp"

namespace x402::seller {
namespace {

using test::FakeFacilitator;
using test::run_sync;

constexpr const char* kPayTo = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C";
constexpr const char* kUsdc = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
constexpr const char* kUrl = "http://127.0.0.1:4021/weather";

const std::string kRequirementJson =
    std::string(R"({"scheme":"exact","network":"eip155:84532","amount":"1000","asset":")") + kUsdc +
    R"(","payTo":")" + kPayTo + R"(","maxTimeoutSeconds":300,"extra":{"name":"USDC","version":"2"}})";

const std::string kRequirementV1Json =
    std::string(R"({"scheme":"exact","network":"base-sepolia","maxAmountRequired":"1000","resource":")") +
    kUrl + R"(","description":"Weather","mimeType":"application/json","payTo":")" + kPayTo +
    R"(","maxTimeoutSeconds":300,"asset":")" + kUsdc + R"(","extra":{"name":"USDC","version":"2"}})";

std::string header_of(const Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers)
    if (key == name) return value;
  return {};
}

std::string header_of(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers)
    if (key == name) return value;
  return {};
}

std::string decoded(const std::string& base64) {
  auto text = base64_decode(base64, 1 << 16);
  return text ? *text : "<not base64>";
}

RouteConfig weather_route(SettlementTiming timing = SettlementTiming::after_handler) {
  PaymentOption option;
  option.network = "eip155:84532";
  option.pay_to = kPayTo;
  option.price = *parse_money("$0.001");
  RouteConfig config;
  config.accepts.push_back(option);
  config.description = "Weather";
  config.mime_type = "application/json";
  config.settlement = timing;
  return config;
}

PaymentRequirements weather_requirements() {
  auto json = parse_json(kRequirementJson);
  return *from_json<PaymentRequirements>(*json);
}

JsonObject fake_payload(std::string nonce = std::string(64, '1')) {
  JsonObject authorization{{"from", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"},
                           {"to", kPayTo},
                           {"value", "1000"},
                           {"validAfter", "0"},
                           {"validBefore", "99999999999"},
                           {"nonce", "0x" + nonce}};
  return JsonObject{{"authorization", authorization}, {"signature", "0x" + std::string(130, 'b')}};
}

std::string v2_header(const PaymentRequirements& accepted, std::string nonce = std::string(64, '1')) {
  PaymentPayload payload;
  payload.payload = fake_payload(std::move(nonce));
  payload.accepted = accepted;
  return encode_header(payload);
}

std::string v1_header(std::string network = "base-sepolia") {
  PaymentPayloadV1 payload;
  payload.scheme = "exact";
  payload.network = std::move(network);
  payload.payload = fake_payload();
  return encode_header(payload);
}

Request get(std::string target, Headers headers = {}) {
  Request request;
  request.method = "GET";
  request.target = target;
  request.url = "http://127.0.0.1:4021" + target;
  request.headers = std::move(headers);
  return request;
}

class SellerCore : public ::testing::Test {
 protected:
  boost::asio::io_context context;
  std::shared_ptr<FakeFacilitator> facilitator = std::make_shared<FakeFacilitator>();

  std::shared_ptr<Seller> make(std::vector<Route> routes, CorsOptions cors = {}) {
    SellerOptions options;
    options.routes = std::move(routes);
    options.facilitators.push_back(facilitator);
    options.cors = std::move(cors);
    auto seller = Seller::create(context.get_executor(), std::move(options));
    EXPECT_TRUE(seller.ok()) << (seller ? "" : seller.error().message);
    return seller ? *seller : nullptr;
  }
  std::shared_ptr<Seller> make_weather(SettlementTiming timing = SettlementTiming::after_handler) {
    return make({Route{"GET /weather", weather_route(timing)}});
  }
  Decision process(Seller& seller, Request request) { return run_sync(seller.process(std::move(request))); }
  Completion complete(Seller& seller, std::shared_ptr<PaidRequest> payment, unsigned status) {
    return run_sync(seller.complete(std::move(payment), status));
  }
};

TEST_F(SellerCore, UnpaidRequestGetsTheReferenceShapes) {
  auto seller = make_weather();
  auto decision = process(*seller, get("/weather"));
  ASSERT_EQ(decision.kind, Decision::Kind::respond);
  const auto& response = decision.response;
  EXPECT_EQ(response.status, 402u);
  EXPECT_EQ(decoded(header_of(response, "PAYMENT-REQUIRED")),
            std::string(R"({"x402Version":2,"error":"Payment required","resource":{"url":")") + kUrl +
                R"(","description":"Weather","mimeType":"application/json"},"accepts":[)" + kRequirementJson +
                "]}");
  EXPECT_EQ(header_of(response, "Cache-Control"), "no-store");
  EXPECT_EQ(header_of(response, "Content-Type"), "application/json");
  EXPECT_EQ(header_of(response, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(header_of(response, "Access-Control-Expose-Headers"),
            "PAYMENT-REQUIRED, PAYMENT-RESPONSE, X-PAYMENT-RESPONSE");
  EXPECT_EQ(response.body, R"({"x402Version":1,"error":"X-PAYMENT header is required","accepts":[)" +
                               kRequirementV1Json + "]}");
  EXPECT_EQ(facilitator->supported_calls, 1);  // lazy initialize
  EXPECT_TRUE(seller->initialized());
}

TEST_F(SellerCore, ResourceUrlKeepsTheQueryUnlessTheRouteSetsIt) {
  auto seller = make_weather();
  auto decision = process(*seller, get("/weather?city=Paris"));
  EXPECT_NE(decoded(header_of(decision.response, "PAYMENT-REQUIRED"))
                .find(R"("url":"http://127.0.0.1:4021/weather?city=Paris")"),
            std::string::npos);
  auto config = weather_route();
  config.resource = "https://api.example/weather";
  config.description = "";
  config.mime_type = "";
  auto fixed = make({Route{"/weather", config}});
  decision = process(*fixed, get("/weather?city=Paris"));
  EXPECT_NE(decoded(header_of(decision.response, "PAYMENT-REQUIRED"))
                .find(R"("resource":{"url":"https://api.example/weather","description":"","mimeType":""})"),
            std::string::npos);
}

// The weather route's 402 texts for `url`, built from the documents and serialized afresh
// (the reference shapes: see UnpaidRequestGetsTheReferenceShapes).
PaymentRequiredTexts fresh_402(const std::string& url, std::string error_v2 = "Payment required",
                               std::string error_v1 = "X-PAYMENT header is required",
                               std::optional<std::string> payer = std::nullopt) {
  PaymentRequiredDocuments documents;
  documents.required.error = std::move(error_v2);
  documents.required.resource.url = url;
  documents.required.resource.description = "Weather";
  documents.required.resource.mime_type = "application/json";
  documents.required.accepts.push_back(weather_requirements());
  documents.body.error = std::move(error_v1);
  documents.body.payer = std::move(payer);
  documents.body.accepts.push_back(
      to_v1(weather_requirements(), "base-sepolia", url, "Weather", "application/json"));
  return PaymentRequiredTexts{encode_header(documents.required), serialize(documents.body)};
}

TEST_F(SellerCore, PreparedPlain402IsByteIdenticalToAFreshOnePerUrl) {
  auto seller = make_weather();
  // Two URLs (and a third with characters JSON escapes), each asked twice: every answer carries
  // its own URL and equals the freshly serialized documents byte for byte.
  const std::vector<std::string> targets = {"/weather", "/weather?city=Paris&units=metric",
                                            "/weather?q=%22x%22&p=\"quoted\\\"&c=caf\xc3\xa9"};
  std::vector<std::string> headers;
  for (int round = 0; round < 2; ++round) {
    for (const auto& target : targets) {
      const auto decision = process(*seller, get(target));
      ASSERT_EQ(decision.kind, Decision::Kind::respond);
      ASSERT_EQ(decision.response.status, 402u);
      const auto expected = fresh_402("http://127.0.0.1:4021" + target);
      EXPECT_EQ(header_of(decision.response, "PAYMENT-REQUIRED"), expected.header) << target;
      EXPECT_EQ(decision.response.body, expected.body) << target;
      EXPECT_EQ(header_of(decision.response, "Cache-Control"), "no-store");
      if (round == 0) headers.push_back(header_of(decision.response, "PAYMENT-REQUIRED"));
    }
  }
  EXPECT_NE(headers[0], headers[1]);
  EXPECT_NE(decoded(headers[1]).find(R"("url":"http://127.0.0.1:4021/weather?city=Paris&units=metric")"),
            std::string::npos);
}

TEST_F(SellerCore, AnswersWithAnErrorAreNeverTheCachedPlainOne) {
  auto seller = make_weather();
  const auto plain = process(*seller, get("/weather")).response;
  ASSERT_EQ(plain.status, 402u);

  // Verify failure: the facilitator's reason in both documents and the payer in the v1 body.
  VerifyResponse invalid;
  invalid.invalid_reason = "invalid_exact_evm_signature";
  invalid.payer = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
  facilitator->verify_answers.push_back(invalid);
  const auto failed =
      process(*seller, get("/weather", {{"PAYMENT-SIGNATURE", v2_header(weather_requirements())}})).response;
  ASSERT_EQ(failed.status, 402u);
  const auto expected = fresh_402(kUrl, "invalid_exact_evm_signature", "invalid_exact_evm_signature",
                                  "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
  EXPECT_EQ(header_of(failed, "PAYMENT-REQUIRED"), expected.header);
  EXPECT_EQ(failed.body, expected.body);

  // No matching requirement: its own error.
  auto tampered = weather_requirements();
  tampered.amount = U256(1);
  const auto unmatched =
      process(*seller, get("/weather", {{"PAYMENT-SIGNATURE", v2_header(tampered)}})).response;
  EXPECT_EQ(
      header_of(unmatched, "PAYMENT-REQUIRED"),
      fresh_402(kUrl, "No matching payment requirements", "Unable to find matching payment requirements")
          .header);

  // The next unpaid request gets the plain answer again, not one of those.
  const auto again = process(*seller, get("/weather")).response;
  EXPECT_EQ(header_of(again, "PAYMENT-REQUIRED"), header_of(plain, "PAYMENT-REQUIRED"));
  EXPECT_EQ(again.body, plain.body);
  EXPECT_EQ(header_of(again, "PAYMENT-REQUIRED"), fresh_402(kUrl).header);
  EXPECT_EQ(again.body.find("invalid_exact_evm_signature"), std::string::npos);
  EXPECT_EQ(again.body.find("payer"), std::string::npos);
}

TEST(PaymentRequiredTemplate, FillsEveryUrlAsARenderWould) {
  const auto build = [](const std::string& url) {
    PaymentRequiredDocuments documents;
    documents.required.error = "Payment required";
    documents.required.resource.url = url;
    documents.required.resource.description = "Two options";
    documents.required.accepts = {weather_requirements(), weather_requirements()};
    documents.required.accepts[1].amount = U256(5);
    documents.body.error = "X-PAYMENT header is required";
    for (const auto& requirements : documents.required.accepts)
      documents.body.accepts.push_back(to_v1(requirements, "base-sepolia", url, "Two options", ""));
    return documents;
  };
  const auto prepared = PaymentRequiredTemplate::make(build);
  ASSERT_TRUE(prepared.has_value());
  // Every length modulo 3 (the base64 splice), escapes, control characters, non-ASCII.
  std::string url = "http://h/";
  const std::string alphabet = "aZ09/?&=%\"\\\t\x01\x7f\xc3\xa9~";
  for (std::size_t i = 0; i < 60; ++i) {
    url += alphabet[(i * 7) % alphabet.size()];
    const auto filled = prepared->fill(url);
    const auto fresh = render(build(url));
    ASSERT_EQ(filled.header, fresh.header) << i;
    ASSERT_EQ(filled.body, fresh.body) << i;
  }
  EXPECT_EQ(prepared->fill("").header, render(build("")).header);
}

TEST(PaymentRequiredTemplate, RefusesWhenTheUrlCannotBeLocated) {
  // The URL also stands somewhere the template does not expect it (here: the description), so
  // the placeholder cannot be told apart: no template, the caller renders each answer.
  const auto prepared = PaymentRequiredTemplate::make([](const std::string& url) {
    PaymentRequiredDocuments documents;
    documents.required.resource.url = url;
    documents.required.resource.description = url;
    documents.required.accepts = {weather_requirements()};
    return documents;
  });
  EXPECT_FALSE(prepared.has_value());
}

TEST_F(SellerCore, UnprotectedRequestsPass) {
  auto seller = make_weather();
  EXPECT_EQ(process(*seller, get("/health")).kind, Decision::Kind::pass);
  auto post = get("/weather");
  post.method = "POST";
  EXPECT_EQ(process(*seller, post).kind, Decision::Kind::pass);
  EXPECT_EQ(facilitator->supported_calls, 0);
}

TEST_F(SellerCore, PaidV2RequestSettlesAfterTheHandler) {
  auto seller = make_weather();
  auto decision =
      process(*seller, get("/weather", {{"Payment-Signature", v2_header(weather_requirements())}}));
  ASSERT_EQ(decision.kind, Decision::Kind::run_handler);
  ASSERT_EQ(facilitator->verify_calls.size(), 1u);
  EXPECT_EQ(facilitator->settle_calls.size(), 0u);  // not before the handler
  const auto& sent = std::get<PaymentRequestV2>(facilitator->verify_calls[0]);
  EXPECT_EQ(serialize(sent.requirements), kRequirementJson);

  auto completion = complete(*seller, decision.payment, 200);
  EXPECT_FALSE(completion.replacement);
  EXPECT_TRUE(completion.cache_private);
  ASSERT_EQ(facilitator->settle_calls.size(), 1u);
  EXPECT_EQ(decoded(header_of(completion.headers, "PAYMENT-RESPONSE")),
            R"({"success":true,"payer":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","transaction":"0x)" +
                std::string(64, 'a') + R"(","network":"eip155:84532"})");
  EXPECT_EQ(header_of(completion.headers, "Access-Control-Allow-Origin"), "*");
  // A payment completes once.
  EXPECT_TRUE(complete(*seller, decision.payment, 200).replacement.has_value());
  EXPECT_EQ(facilitator->settle_calls.size(), 1u);
}

TEST_F(SellerCore, AcceptedMustMatchValueByValue) {
  auto seller = make_weather();
  auto tampered = weather_requirements();
  tampered.amount = U256(999);
  auto decision = process(*seller, get("/weather", {{"PAYMENT-SIGNATURE", v2_header(tampered)}}));
  ASSERT_EQ(decision.kind, Decision::Kind::respond);
  EXPECT_EQ(decision.response.status, 402u);
  EXPECT_NE(decoded(header_of(decision.response, "PAYMENT-REQUIRED"))
                .find(R"("error":"No matching payment requirements")"),
            std::string::npos);
  EXPECT_NE(decision.response.body.find(R"("error":"Unable to find matching payment requirements")"),
            std::string::npos);
  EXPECT_TRUE(facilitator->verify_calls.empty());

  // The client may add extra keys (2.27), not drop or change ours.
  auto superset = weather_requirements();
  (*superset.extra)["client"] = "x";
  EXPECT_EQ(process(*seller, get("/weather", {{"PAYMENT-SIGNATURE", v2_header(superset)}})).kind,
            Decision::Kind::run_handler);
}

TEST_F(SellerCore, UndecodablePaymentIsTreatedAsAbsent) {
  auto seller = make_weather();
  for (const std::string& junk :
       std::vector<std::string>{"not base64!", "e30=", base64_encode("{\"x402Version\":2}")}) {
    auto decision = process(*seller, get("/weather", {{"PAYMENT-SIGNATURE", junk}}));
    ASSERT_EQ(decision.kind, Decision::Kind::respond) << junk;
    EXPECT_NE(decoded(header_of(decision.response, "PAYMENT-REQUIRED")).find(R"("error":"Payment required")"),
              std::string::npos);
  }
  EXPECT_TRUE(facilitator->verify_calls.empty());
}

TEST_F(SellerCore, V1PaymentIsAnsweredInV1) {
  auto seller = make_weather();
  auto decision = process(*seller, get("/weather", {{"X-PAYMENT", v1_header()}}));
  ASSERT_EQ(decision.kind, Decision::Kind::run_handler);
  ASSERT_EQ(facilitator->verify_calls.size(), 1u);
  const auto* v1 = std::get_if<PaymentRequestV1>(&facilitator->verify_calls[0]);
  ASSERT_NE(v1, nullptr);
  EXPECT_EQ(serialize(v1->requirements), kRequirementV1Json);
  auto completion = complete(*seller, decision.payment, 200);
  EXPECT_FALSE(header_of(completion.headers, "X-PAYMENT-RESPONSE").empty());
  EXPECT_TRUE(header_of(completion.headers, "PAYMENT-RESPONSE").empty());

  auto other = process(*seller, get("/weather", {{"X-PAYMENT", v1_header("base")}}));
  ASSERT_EQ(other.kind, Decision::Kind::respond);
  EXPECT_NE(other.response.body.find(R"("error":"Unable to find matching payment requirements")"),
            std::string::npos);
}

TEST_F(SellerCore, NetworksWithoutV1NameOrV1SupportAreLeftOutOfTheV1Body) {
  facilitator->supported_answer.kinds.pop_back();  // no v1 kind
  auto seller = make_weather();
  auto decision = process(*seller, get("/weather"));
  EXPECT_EQ(decision.response.body,
            R"({"x402Version":1,"error":"X-PAYMENT header is required","accepts":[]})");
  EXPECT_EQ(process(*seller, get("/weather", {{"X-PAYMENT", v1_header()}})).kind, Decision::Kind::respond);
}

TEST_F(SellerCore, InvalidPaymentGets402WithTheReason) {
  auto seller = make_weather();
  VerifyResponse invalid;
  invalid.invalid_reason = "invalid_exact_evm_signature";
  invalid.payer = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
  facilitator->verify_answers.push_back(invalid);
  auto decision =
      process(*seller, get("/weather", {{"PAYMENT-SIGNATURE", v2_header(weather_requirements())}}));
  ASSERT_EQ(decision.kind, Decision::Kind::respond);
  EXPECT_EQ(decision.response.status, 402u);
  EXPECT_NE(decoded(header_of(decision.response, "PAYMENT-REQUIRED"))
                .find(R"("error":"invalid_exact_evm_signature")"),
            std::string::npos);
  EXPECT_NE(decision.response.body.find(R"("error":"invalid_exact_evm_signature")"), std::string::npos);
  EXPECT_NE(decision.response.body.find(R"("payer":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")"),
            std::string::npos);
}

TEST_F(SellerCore, FacilitatorFailuresAre502AndNothingIsServed) {
  auto seller = make_weather();
  facilitator->verify_answers.push_back(make_error(Errc::unavailable, "facilitator down"));
  auto decision =
      process(*seller, get("/weather", {{"PAYMENT-SIGNATURE", v2_header(weather_requirements())}}));
  ASSERT_EQ(decision.kind, Decision::Kind::respond);
  EXPECT_EQ(decision.response.status, 502u);
  EXPECT_EQ(decision.response.body, R"({"error":"facilitator down"})");

  decision = process(*seller, get("/weather", {{"PAYMENT-SIGNATURE", v2_header(weather_requirements())}}));
  ASSERT_EQ(decision.kind, Decision::Kind::run_handler);
  facilitator->settle_answers.push_back(make_error(Errc::invalid_json, "facilitator response malformed"));
  auto completion = complete(*seller, decision.payment, 200);
  ASSERT_TRUE(completion.replacement);
  EXPECT_EQ(completion.replacement->status, 502u);
}

TEST_F(SellerCore, SettlementFailureDiscardsTheResource) {
  auto seller = make_weather();
  auto decision =
      process(*seller, get("/weather", {{"PAYMENT-SIGNATURE", v2_header(weather_requirements())}}));
  ASSERT_EQ(decision.kind, Decision::Kind::run_handler);
  SettleResponse failed;
  failed.error_reason = "invalid_exact_evm_nonce_already_used";
  failed.payer = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
  failed.network = "eip155:84532";
  facilitator->settle_answers.push_back(failed);
  auto completion = complete(*seller, decision.payment, 200);
  ASSERT_TRUE(completion.replacement);
  EXPECT_EQ(completion.replacement->status, 402u);
  EXPECT_EQ(completion.replacement->body, "{}");
  EXPECT_TRUE(header_of(*completion.replacement, "PAYMENT-REQUIRED").empty());
  EXPECT_EQ(
      decoded(header_of(*completion.replacement, "PAYMENT-RESPONSE")),
      R"({"success":false,"errorReason":"invalid_exact_evm_nonce_already_used","payer":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","transaction":"","network":"eip155:84532"})");
}

TEST_F(SellerCore, PendingSettlementIsRetriedOnceWithTheSameBody) {
  auto seller = make_weather();
  SettleResponse pending;
  pending.error_reason = std::string(reason::settlement_pending);
  pending.transaction = "0x" + std::string(64, 'c');
  pending.network = "eip155:84532";
  for (int round = 0; round < 2; ++round) {
    facilitator->settle_calls.clear();
    auto decision =
        process(*seller, get("/weather", {{"PAYMENT-SIGNATURE", v2_header(weather_requirements())}}));
    ASSERT_EQ(decision.kind, Decision::Kind::run_handler);
    facilitator->settle_answers.push_back(pending);
    if (round == 1) facilitator->settle_answers.push_back(pending);  // still pending: refused
    auto completion = complete(*seller, decision.payment, 200);
    ASSERT_EQ(facilitator->settle_calls.size(), 2u);
    EXPECT_EQ(serialize(facilitator->settle_calls[0]), serialize(facilitator->settle_calls[1]));
    EXPECT_EQ(completion.replacement.has_value(), round == 1);
  }
}

TEST_F(SellerCore, HandlerErrorsAreNotSettled) {
  auto seller = make_weather();
  for (unsigned status : {400u, 404u, 500u}) {
    auto decision =
        process(*seller, get("/weather", {{"PAYMENT-SIGNATURE", v2_header(weather_requirements())}}));
    ASSERT_EQ(decision.kind, Decision::Kind::run_handler);
    auto completion = complete(*seller, decision.payment, status);
    EXPECT_FALSE(completion.replacement);
    EXPECT_FALSE(completion.cache_private);
    EXPECT_TRUE(header_of(completion.headers, "PAYMENT-RESPONSE").empty());
  }
  EXPECT_TRUE(facilitator->settle_calls.empty());
}

TEST_F(SellerCore, SettleBeforeTheHandler) {
  auto seller = make_weather(SettlementTiming::before_handler);
  auto decision =
      process(*seller, get("/weather", {{"PAYMENT-SIGNATURE", v2_header(weather_requirements())}}));
  ASSERT_EQ(decision.kind, Decision::Kind::run_handler);
  EXPECT_EQ(facilitator->settle_calls.size(), 1u);
  auto completion = complete(*seller, decision.payment, 500);  // paid anyway: receipt attached
  EXPECT_FALSE(completion.replacement);
  EXPECT_FALSE(header_of(completion.headers, "PAYMENT-RESPONSE").empty());
  EXPECT_EQ(facilitator->settle_calls.size(), 1u);

  SettleResponse failed;
  failed.error_reason = "invalid_exact_evm_insufficient_balance";
  failed.network = "eip155:84532";
  facilitator->settle_answers.push_back(failed);
  decision = process(*seller, get("/weather", {{"PAYMENT-SIGNATURE", v2_header(weather_requirements())}}));
  ASSERT_EQ(decision.kind, Decision::Kind::respond);  // handler not run
  EXPECT_EQ(decision.response.status, 402u);
  EXPECT_NE(decoded(header_of(decision.response, "PAYMENT-RESPONSE")).find("insufficient_balance"),
            std::string::npos);
}

TEST_F(SellerCore, CorsPreflightAndOrigins) {
  auto seller = make_weather();
  auto preflight = get("/weather", {{"Origin", "https://app.example"},
                                    {"Access-Control-Request-Method", "GET"},
                                    {"Access-Control-Request-Headers", "payment-signature, x-trace"}});
  preflight.method = "OPTIONS";
  auto decision = process(*seller, preflight);
  ASSERT_EQ(decision.kind, Decision::Kind::respond);
  EXPECT_EQ(decision.response.status, 204u);
  EXPECT_EQ(header_of(decision.response, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(header_of(decision.response, "Access-Control-Allow-Methods"), "GET, OPTIONS");
  EXPECT_EQ(header_of(decision.response, "Access-Control-Allow-Headers"),
            "PAYMENT-SIGNATURE, X-PAYMENT, Access-Control-Expose-Headers, Content-Type, payment-signature, "
            "x-trace");
  preflight.headers[1].second = "DELETE";  // no such route: the application decides
  EXPECT_EQ(process(*seller, preflight).kind, Decision::Kind::pass);

  CorsOptions listed;
  listed.allowed_origins = {"https://app.example"};
  auto strict = make({Route{"GET /weather", weather_route()}}, listed);
  auto allowed = process(*strict, get("/weather", {{"Origin", "https://app.example"}}));
  EXPECT_EQ(header_of(allowed.response, "Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_EQ(header_of(allowed.response, "Vary"), "Origin");
  auto refused = process(*strict, get("/weather", {{"Origin", "https://evil.example"}}));
  EXPECT_EQ(refused.response.status, 402u);
  EXPECT_TRUE(header_of(refused.response, "Access-Control-Allow-Origin").empty());
  EXPECT_TRUE(header_of(refused.response, "Access-Control-Expose-Headers").empty());
}

TEST_F(SellerCore, UnsupportedRouteIsRefusedAtStart) {
  auto config = weather_route();
  config.accepts[0].network = "eip155:8453";  // the fake facilitator only does 84532
  auto seller = make({Route{"GET /weather", weather_route()}, Route{"GET /premium", config}});
  auto status = run_sync(seller->initialize());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, Errc::invalid_argument);
  EXPECT_NE(status.error().message.find("GET /premium"), std::string::npos) << status.error().message;
  EXPECT_NE(status.error().message.find("eip155:8453"), std::string::npos);
  EXPECT_FALSE(seller->initialized());
  // Not served free either: a protected request is a 502 while the configuration is refused.
  auto decision = process(*seller, get("/premium"));
  ASSERT_EQ(decision.kind, Decision::Kind::respond);
  EXPECT_EQ(decision.response.status, 502u);
}

TEST_F(SellerCore, UnreachableFacilitatorIsRetriedLater) {
  facilitator->supported_error = make_error(Errc::unavailable, "connection refused");
  auto seller = make_weather();
  auto status = run_sync(seller->initialize());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, Errc::unavailable);
  EXPECT_EQ(process(*seller, get("/weather")).response.status, 502u);
  facilitator->supported_error.reset();
  EXPECT_EQ(process(*seller, get("/weather")).response.status, 402u);
  EXPECT_TRUE(seller->initialized());
}

TEST_F(SellerCore, CreateValidatesAndNamesTheRoute) {
  SellerOptions options;
  options.facilitators.push_back(facilitator);
  options.routes.push_back(Route{"GET weather", weather_route()});
  auto bad = Seller::create(context.get_executor(), options);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("GET weather"), std::string::npos);

  options.routes = {Route{"GET /weather", RouteConfig{}}};
  EXPECT_FALSE(Seller::create(context.get_executor(), options).ok());

  auto priced = weather_route();
  priced.accepts[0].price = Money{"0.001", "DOGE"};
  options.routes = {Route{"GET /weather", priced}};
  bad = Seller::create(context.get_executor(), options);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("option 1"), std::string::npos);

  options.routes = {Route{"GET /weather", weather_route(SettlementTiming::background)}};
  EXPECT_FALSE(Seller::create(context.get_executor(), options).ok());  // no queue file

  options.routes = {Route{"GET /weather", weather_route()}};
  options.facilitators.clear();
  EXPECT_FALSE(Seller::create(context.get_executor(), options).ok());
}

// --- background settlement ----------------------------------------------------------------

class BackgroundSettlement : public ::testing::Test {
 protected:
  test::TempDir dir;
  std::filesystem::path queue = dir.path() / "queue.sqlite";

  std::shared_ptr<Seller> make(SellerRuntime& runtime, std::shared_ptr<FakeFacilitator> facilitator) {
    SellerOptions options;
    options.routes.push_back(Route{"GET /weather", weather_route(SettlementTiming::background)});
    options.facilitators.push_back(std::move(facilitator));
    options.background.queue_file = queue;
    options.background.initial_backoff = std::chrono::milliseconds(50);
    options.background.max_backoff = std::chrono::milliseconds(200);
    options.background.max_attempts = 50;
    auto seller = Seller::create(runtime.executor(), std::move(options));
    EXPECT_TRUE(seller.ok()) << (seller ? "" : seller.error().message);
    return *seller;
  }

  std::vector<QueuedSettlement> rows() {
    auto store = SettlementStore::open(queue);
    EXPECT_TRUE(store.ok());
    auto all = (*store)->all();
    EXPECT_TRUE(all.ok());
    return all ? *all : std::vector<QueuedSettlement>{};
  }

  bool wait_for(const std::function<bool()>& condition) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
};

TEST_F(BackgroundSettlement, ServesFirstSettlesLaterAndRefusesReplays) {
  SellerRuntime runtime;
  auto facilitator = std::make_shared<FakeFacilitator>();
  auto seller = make(runtime, facilitator);
  const std::string header = v2_header(weather_requirements());
  auto decision = runtime.process(*seller, get("/weather", {{"PAYMENT-SIGNATURE", header}}));
  ASSERT_EQ(decision.kind, Decision::Kind::run_handler);
  auto completion = runtime.complete(*seller, decision.payment, 200);
  EXPECT_FALSE(completion.replacement);
  EXPECT_TRUE(completion.cache_private);
  EXPECT_TRUE(header_of(completion.headers, "PAYMENT-RESPONSE").empty());  // nothing settled yet to report
  ASSERT_TRUE(wait_for([&] { return facilitator->settle_count() == 1; }));
  ASSERT_TRUE(wait_for([&] { return !rows().empty() && rows()[0].state == "settled"; }));
  EXPECT_EQ(rows()[0].transaction, "0x" + std::string(64, 'a'));

  auto replay = runtime.process(*seller, get("/weather", {{"PAYMENT-SIGNATURE", header}}));
  ASSERT_EQ(replay.kind, Decision::Kind::respond);
  EXPECT_EQ(replay.response.status, 402u);
  seller->stop();
}

TEST_F(BackgroundSettlement, RestartResumesUnsettledPayments) {
  {
    SellerRuntime runtime;
    auto down = std::make_shared<FakeFacilitator>();
    for (int i = 0; i < 200; ++i) down->settle_answers.push_back(make_error(Errc::unavailable, "down"));
    auto seller = make(runtime, down);
    auto decision =
        runtime.process(*seller, get("/weather", {{"PAYMENT-SIGNATURE", v2_header(weather_requirements())}}));
    ASSERT_EQ(decision.kind, Decision::Kind::run_handler);
    EXPECT_FALSE(runtime.complete(*seller, decision.payment, 200).replacement);
    ASSERT_TRUE(wait_for([&] { return down->settle_count() >= 1; }));
    seller->stop();
  }
  auto pending = rows();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].state, "pending");
  EXPECT_GE(pending[0].attempts, 1u);

  SellerRuntime runtime;
  auto up = std::make_shared<FakeFacilitator>();
  auto seller = make(runtime, up);
  ASSERT_TRUE(runtime.initialize(*seller).ok());
  ASSERT_TRUE(wait_for([&] { return rows()[0].state == "settled"; }));
  EXPECT_EQ(up->settle_count(), 1u);
  seller->stop();
}

TEST_F(BackgroundSettlement, FinalRefusalIsRecorded) {
  SellerRuntime runtime;
  auto facilitator = std::make_shared<FakeFacilitator>();
  SettleResponse refused;
  refused.error_reason = "invalid_exact_evm_insufficient_balance";
  refused.network = "eip155:84532";
  facilitator->settle_answers.push_back(refused);
  auto seller = make(runtime, facilitator);
  auto decision =
      runtime.process(*seller, get("/weather", {{"PAYMENT-SIGNATURE", v2_header(weather_requirements())}}));
  ASSERT_EQ(decision.kind, Decision::Kind::run_handler);
  EXPECT_FALSE(runtime.complete(*seller, decision.payment, 200).replacement);
  ASSERT_TRUE(wait_for([&] { return !rows().empty() && rows()[0].state == "failed"; }));
  EXPECT_EQ(rows()[0].last_error, "invalid_exact_evm_insufficient_balance");
  EXPECT_EQ(facilitator->settle_count(), 1u);
  seller->stop();
}

}  // namespace
}  // namespace x402::seller
