// Golden conformance of our wire encoding against the reference SDK's own code:
//  - every message type we emit passes the reference's schemas, and where the reference re-parses
//    (HTTPFacilitatorClient), what it makes of our JSON is byte-identical to our JSON: same members,
//    same order;
//  - header values the reference produces (its client, its encoders) decode with our codec and
//    `x402 decode`, and re-encode byte-identically;
//  - `x402 decode` prints exactly what JSON.stringify(value, null, 2) prints.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "interop/reference_checks.hpp"
#include "support/test_support.hpp"
#include "x402/codec.hpp"

namespace x402::test::interop {
namespace {

constexpr auto kCliTimeout = std::chrono::seconds(30);
constexpr const char* kUsdc = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
constexpr const char* kPayTo = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C";
constexpr const char* kTx = "0xabababababababababababababababababababababababababababababababab";
const std::string kOk = R"({"ok":true})";

std::string parsed_line(const std::string& json_text) {
  return R"({"ok":true,"parsed":)" + json_text + "}";
}

PaymentRequirements requirement() {
  PaymentRequirements r;
  r.scheme = "exact";
  r.network = "eip155:84532";
  r.amount = U256(1000);
  r.asset = kUsdc;
  r.pay_to = kPayTo;
  r.max_timeout_seconds = 300;
  r.extra = boost::json::object{{"name", "USDC"}, {"version", "2"}};
  return r;
}

PaymentRequired payment_required() {
  PaymentRequired required;
  required.error = "Payment required";
  required.resource.url = "http://127.0.0.1:4021/weather?city=z%C3%BCrich";
  required.resource.description = "Wetter f\xC3\xBCr Z\xC3\xBCrich";
  required.resource.mime_type = "application/json";
  required.accepts.push_back(requirement());
  required.extensions =
      boost::json::parse(
          R"({"bazaar":{"info":{"input":{"type":"http","method":"GET"},)"
          R"("output":{"example":{"temperature":21.5,"big":1e21}}},"schema":{"type":"object"}}})")
          .as_object();
  return required;
}

PaymentRequirementsV1 requirement_v1() {
  PaymentRequirementsV1 r;
  r.scheme = "exact";
  r.network = "base-sepolia";
  r.max_amount_required = U256(1000);
  r.resource = "http://127.0.0.1:4021/weather";
  r.description = "Weather";
  r.mime_type = "application/json";
  r.pay_to = kPayTo;
  r.max_timeout_seconds = 60;
  r.asset = kUsdc;
  r.output_schema =
      boost::json::parse(R"({"input":{"type":"http","method":"GET","discoverable":true}})").as_object();
  r.extra = boost::json::object{{"name", "USDC"}, {"version", "2"}};
  return r;
}

PaymentRequirementsResponse v1_body() {
  PaymentRequirementsResponse body;
  body.error = "X-PAYMENT header is required";
  body.accepts.push_back(requirement_v1());
  return body;
}

std::string decoded_text(const std::string& header) {
  auto text = base64_decode(header, 1 << 16);
  EXPECT_TRUE(text.ok()) << header;
  return text.ok() ? *text : std::string{};
}

std::string x402_decode(const std::string& value) {
  auto run = run_cli({"decode", value}, {}, kCliTimeout);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.err.empty()) << run.err;
  return run.out;
}

// --- what we emit, judged by the reference's schemas ---------------------------------------------

TEST(CodecConformance, EveryMessageWeEmitPassesTheReferenceSchemasInTheReferenceKeyOrder) {
  const auto required = payment_required();
  const auto body = v1_body();

  VerifyResponse valid;
  valid.is_valid = true;
  valid.payer = kTestAddress0;
  VerifyResponse invalid;
  invalid.invalid_reason = "invalid_exact_evm_transaction_simulation_failed";
  invalid.invalid_message = "execution reverted: FiatTokenV2: invalid signature";
  invalid.payer = kTestAddress0;
  VerifyResponse invalid_v1;
  invalid_v1.invalid_reason = "invalid_exact_evm_payload_signature";
  invalid_v1.payer = kTestAddress0;

  SettleResponse settled;
  settled.success = true;
  settled.payer = kTestAddress0;
  settled.transaction = kTx;
  settled.network = "eip155:84532";
  SettleResponse settled_amount = settled;
  settled_amount.amount = "5";
  settled_amount.extensions = boost::json::parse(R"({"bazaar":{"ok":true}})").as_object();
  SettleResponse failed;
  failed.error_reason = "invalid_exact_evm_insufficient_balance";
  failed.error_message = "transfer amount exceeds balance";
  failed.payer = kTestAddress0;
  failed.transaction = "";
  failed.network = "eip155:84532";
  SettleResponse settled_v1 = settled;
  settled_v1.network = "base-sepolia";

  SupportedResponse supported;
  supported.kinds.push_back(SupportedKind{2, "exact", "eip155:84532", std::nullopt});
  supported.kinds.push_back(SupportedKind{1, "exact", "base-sepolia", std::nullopt});
  supported.extensions = {"bazaar"};
  supported.signers.push_back({"eip155:*", {"0x0000000000000000000000000000000000000001"}});

  // A v1 /verify body as our facilitator client sends it.
  PaymentPayloadV1 payment_v1;
  payment_v1.scheme = "exact";
  payment_v1.network = "base-sepolia";
  payment_v1.payload =
      boost::json::parse(
          R"({"authorization":{"from":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",)"
          R"("to":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","value":"1000",)"
          R"("validAfter":"1740672089","validBefore":"1740672154",)"
          R"("nonce":"0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480"},)"
          R"("signature":"0x887688bfda2adc60488cb21d8355641dc7e6cae2acf979a4e510569110fbeb6912bfec8521359ee79ecbd2c6f8ba9ada97d499a910f5c0d4e274d0da99b8f3561c"})")
          .as_object();
  const FacilitatorRequest request_v1 = PaymentRequestV1{payment_v1, requirement_v1()};

  ReferenceChecks c;
  struct Expect {
    std::size_t index;
    std::string expected;
    std::string what;
  };
  std::vector<Expect> expects;
  const auto expect = [&](std::vector<std::string> args, const std::string& input,
                          const std::string& expected, const std::string& what) {
    expects.push_back({c.add(std::move(args), input), expected, what});
  };

  // v2 402
  expect({"schema", "PaymentRequired"}, serialize(required), kOk, "PaymentRequired");
  expect({"schema", "PaymentRequiredV2"}, serialize(required), kOk, "PaymentRequiredV2");
  expect({"schema", "PaymentRequirementsV2"}, serialize(required.accepts[0]), kOk, "PaymentRequirementsV2");
  expect({"schema", "ResourceInfo"}, serialize(required.resource), kOk, "ResourceInfo");
  expects.push_back({c.add({"decode-header", "PAYMENT-REQUIRED", "--value", encode_header(required)}),
                     serialize(required), "PAYMENT-REQUIRED decoded by the reference"});
  // v1 402 body
  expect({"schema", "PaymentRequiredV1"}, serialize(body), kOk, "PaymentRequiredV1");
  expect({"schema", "PaymentRequirementsV1"}, serialize(body.accepts[0]), kOk, "PaymentRequirementsV1");
  expect({"schema", "legacy:PaymentRequirements"}, serialize(body.accepts[0]), kOk,
         "legacy PaymentRequirements");
  // facilitator answers, as the v2 seller's HTTPFacilitatorClient re-parses them (zod order out)
  for (const auto& [value, name] : std::vector<std::pair<std::string, std::string>>{
           {serialize(valid), "VerifyResponse valid"},
           {serialize(invalid), "VerifyResponse invalid"},
           {serialize(settled), "SettleResponse success"},
           {serialize(settled_amount), "SettleResponse amount+extensions"},
           {serialize(failed), "SettleResponse failure"}}) {
    const bool verify = name.starts_with("Verify");
    expect({"schema", verify ? "VerifyResponse" : "SettleResponse", "--print-parsed"}, value,
           parsed_line(value), name);
    expect({"facilitator-response", verify ? "verify" : "settle"}, value,
           R"({"ok":true,"result":)" + value + "}", name + " (facilitator-response)");
  }
  expect({"schema", "SupportedResponse", "--print-parsed"}, serialize(supported),
         parsed_line(serialize(supported)), "SupportedResponse");
  // legacy (x402 1.2.0) schemas for what a v1 peer sees
  expect({"schema", "legacy:VerifyResponse"}, serialize(valid), kOk, "legacy VerifyResponse valid");
  expect({"schema", "legacy:VerifyResponse"}, serialize(invalid_v1), kOk, "legacy VerifyResponse invalid");
  expect({"schema", "legacy:SettleResponse"}, serialize(settled_v1), kOk, "legacy SettleResponse");
  expect({"schema", "legacy:VerifyRequest"}, serialize(request_v1), kOk, "legacy VerifyRequest");
  expect({"schema", "legacy:SettleRequest"}, serialize(request_v1), kOk, "legacy SettleRequest");
  expect({"schema", "legacy:PaymentPayload"}, serialize(payment_v1), kOk, "legacy PaymentPayload");
  // settlement headers
  expects.push_back({c.add({"decode-header", "PAYMENT-RESPONSE", "--value", encode_header(settled)}),
                     serialize(settled), "PAYMENT-RESPONSE decoded by the reference"});
  expects.push_back({c.add({"decode-header", "PAYMENT-RESPONSE", "--value", encode_header(failed)}),
                     serialize(failed), "PAYMENT-RESPONSE failure decoded by the reference"});
  expects.push_back({c.add({"decode-header", "X-PAYMENT-RESPONSE", "--value", encode_header(settled_v1)}),
                     serialize(settled_v1), "X-PAYMENT-RESPONSE decoded by the legacy SDK"});
  // `x402 decode` of each prints what JSON.stringify(value, null, 2) prints
  std::vector<std::pair<std::size_t, std::string>> pretty;  // check index, our decode input
  for (const auto& [text, input] : std::vector<std::pair<std::string, std::string>>{
           {serialize(required), encode_header(required)},
           {serialize(body), serialize(body)},
           {serialize(valid), serialize(valid)},
           {serialize(invalid), serialize(invalid)},
           {serialize(settled_amount), encode_header(settled_amount)},
           {serialize(failed), encode_header(failed)},
           {serialize(supported), serialize(supported)},
           {serialize(request_v1), serialize(request_v1)}}) {
    pretty.emplace_back(c.add({"pretty"}, text), input);
  }
  ASSERT_TRUE(c.run());

  for (const auto& e : expects) {
    SCOPED_TRACE(e.what);
    EXPECT_EQ(c[e.index].line(), e.expected) << c[e.index].err;
    EXPECT_EQ(c[e.index].exit, 0);
  }
  for (const auto& [index, input] : pretty) {
    SCOPED_TRACE(input.substr(0, 60));
    ASSERT_EQ(c[index].exit, 0) << c[index].err;
    EXPECT_EQ(x402_decode(input), c[index].out);
  }
}

// --- what the reference emits, read by us ----------------------------------------------------------

TEST(CodecConformance, ReferenceProducedHeadersDecodeAndReEncodeByteIdentically) {
  TempDir dir;
  const auto key = dir.write_file("buyer.key", std::string(kTestKey0) + "\n").string();
  const auto required = payment_required();
  // §1.9: what a 2.27 express seller sent; the spec's v2 example; a settle answer in the order
  // HTTPFacilitatorClient gives it, success and failure.
  const std::string observed_required =
      R"({"x402Version":2,"error":"Payment required","resource":{"url":"http://127.0.0.1:4021/weather",)"
      R"("description":"Weather","mimeType":"application/json"},"accepts":[{"scheme":"exact",)"
      R"("network":"eip155:84532","amount":"1000","asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e",)"
      R"("payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","maxTimeoutSeconds":300,)"
      R"("extra":{"name":"USDC","version":"2"}}]})";
  const std::string settle_ok = std::string(R"({"success":true,"payer":")") + kTestAddress0 +
                                R"(","transaction":")" + kTx +
                                R"(","network":"eip155:84532","amount":"1000"})";
  const std::string settle_failed =
      std::string(R"({"success":false,"errorReason":"invalid_exact_evm_nonce_already_used",)") +
      R"("errorMessage":"authorization is used or canceled","payer":")" + kTestAddress0 +
      R"(","transaction":"","network":"eip155:84532"})";
  // The legacy v1 facilitator's own order (success, transaction, network, payer).
  const std::string settle_legacy = std::string(R"({"success":true,"transaction":")") + kTx +
                                    R"(","network":"base-sepolia","payer":")" + kTestAddress0 + R"("})";

  ReferenceChecks produce;
  const auto client_v2 = produce.add(
      {"create-payment", "--payment-required-header", encode_header(required), "--key-file", key});
  const auto client_v1 =
      produce.add({"create-payment", "--payment-required-json", serialize(v1_body()), "--key-file", key});
  const auto client_legacy = produce.add(
      {"create-payment", "--payment-required-json", serialize(v1_body()), "--key-file", key, "--legacy"});
  const auto enc_required = produce.add({"encode-header", "PAYMENT-REQUIRED"}, observed_required);
  const auto enc_settle_ok = produce.add({"encode-header", "PAYMENT-RESPONSE"}, settle_ok);
  const auto enc_settle_failed = produce.add({"encode-header", "PAYMENT-RESPONSE"}, settle_failed);
  const auto enc_settle_legacy = produce.add({"encode-header", "X-PAYMENT-RESPONSE"}, settle_legacy);
  ASSERT_TRUE(produce.run());
  for (std::size_t i = 0; i < produce.size(); ++i)
    ASSERT_EQ(produce[i].exit, 0) << i << ": " << produce[i].out << produce[i].err;

  struct Produced {
    std::string name;
    std::string header;
    bool byte_identical;  // false: our canonical order differs from this producer's (content equal)
  };
  const std::vector<Produced> produced{
      {"PAYMENT-SIGNATURE (2.27 client)", produce[client_v2].line(), true},
      {"X-PAYMENT (2.27 v1 client)", produce[client_v1].line(), true},
      {"X-PAYMENT (x402 1.2.0 client)", produce[client_legacy].line(), true},
      {"PAYMENT-REQUIRED (2.27 encoder)", produce[enc_required].line(), true},
      {"PAYMENT-RESPONSE (2.27 encoder)", produce[enc_settle_ok].line(), true},
      {"PAYMENT-RESPONSE failure (2.27 encoder)", produce[enc_settle_failed].line(), true},
      {"X-PAYMENT-RESPONSE (x402 1.2.0 encoder)", produce[enc_settle_legacy].line(), false},
  };

  // Our codec: decode as the type the header carries, encode again.
  const auto reencoded = [](const std::string& name, const std::string& header) -> Result<std::string> {
    if (name.starts_with("PAYMENT-SIGNATURE")) {
      auto v = decode_header<PaymentPayload>(header);
      if (!v) return v.take_error();
      return encode_header(*v);
    }
    if (name.starts_with("X-PAYMENT (")) {
      auto v = decode_header<PaymentPayloadV1>(header);
      if (!v) return v.take_error();
      return encode_header(*v);
    }
    if (name.starts_with("PAYMENT-REQUIRED")) {
      auto v = decode_header<PaymentRequired>(header);
      if (!v) return v.take_error();
      return encode_header(*v);
    }
    auto v = decode_header<SettleResponse>(header);
    if (!v) return v.take_error();
    return encode_header(*v);
  };

  ReferenceChecks judge;
  std::vector<std::size_t> pretty;
  for (const auto& p : produced) {
    SCOPED_TRACE(p.name);
    auto again = reencoded(p.name, p.header);
    ASSERT_TRUE(again.ok()) << again.error().describe();
    if (p.byte_identical) {
      EXPECT_EQ(*again, p.header);
    } else {
      EXPECT_EQ(boost::json::parse(decoded_text(*again)), boost::json::parse(decoded_text(p.header)));
    }
    pretty.push_back(judge.add({"pretty"}, decoded_text(p.header)));
  }
  // The reference client's v2 payment echoes the server's extensions and resource, as ours does.
  const auto v2 = boost::json::parse(decoded_text(produce[client_v2].line()));
  EXPECT_EQ(v2.at("extensions"), boost::json::value(*required.extensions));
  EXPECT_EQ(v2.at("accepted"), to_json(required.accepts[0]));
  ASSERT_TRUE(judge.run());

  // `x402 decode` shows each as JSON.stringify(value, null, 2) shows it.
  for (std::size_t i = 0; i < produced.size(); ++i) {
    SCOPED_TRACE(produced[i].name);
    ASSERT_EQ(judge[pretty[i]].exit, 0) << judge[pretty[i]].err;
    if (produced[i].byte_identical) {
      EXPECT_EQ(x402_decode(produced[i].header), judge[pretty[i]].out);
    } else {
      EXPECT_EQ(boost::json::parse(x402_decode(produced[i].header)),
                boost::json::parse(judge[pretty[i]].out));
    }
  }
}

}  // namespace
}  // namespace x402::test::interop
