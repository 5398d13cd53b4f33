// Malformed input: every case fails with its own stable error class and message, and the
// message names the offending field. The messages are part of what operators see in logs and
// HTTP error bodies; changing one should be a decision, hence exact comparison.
#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "x402/codec.hpp"

namespace x402 {
namespace {

using Decoder = std::function<std::optional<Error>(const std::string&)>;

template <typename T>
Decoder header() {
  return [](const std::string& input) -> std::optional<Error> {
    auto result = decode_header<T>(input);
    if (result) return std::nullopt;
    return result.error();
  };
}

template <typename T>
Decoder body(JsonLimits limits = {}) {
  return [limits](const std::string& input) -> std::optional<Error> {
    auto result = decode_json<T>(input, limits);
    if (result) return std::nullopt;
    return result.error();
  };
}

const std::string kAccepted =
    R"({"scheme":"exact","network":"eip155:84532","amount":"10000","asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e","payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","maxTimeoutSeconds":60,"extra":{"name":"USDC","version":"2"}})";
const std::string kResource = R"({"url":"https://api.example.com/premium-data"})";
const std::string kRequired =
    R"({"x402Version":2,"resource":)" + kResource + R"(,"accepts":[)" + kAccepted + "]}";
const std::string kPayload =
    R"({"x402Version":2,"payload":{"signature":"0x00"},"accepted":)" + kAccepted + "}";
const std::string kPayloadV1 =
    R"({"x402Version":1,"scheme":"exact","network":"base-sepolia","payload":{"signature":"0x00"}})";
const std::string kRequirementsV1 =
    R"({"scheme":"exact","network":"base-sepolia","maxAmountRequired":"10000","resource":"https://a.example","description":"","mimeType":"","payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","maxTimeoutSeconds":60,"asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e"})";

// `text` with the first occurrence of `from` replaced by `to` (the case's single defect).
std::string with(const std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  std::string out = text;
  if (at != std::string::npos) out.replace(at, from.size(), to);
  return out;
}

std::string required_with(const std::string& from, const std::string& to) {
  return with(kRequired, from, to);
}
std::string b64(const std::string& text) {
  return base64_encode(text);
}

struct Case {
  std::string name;
  Decoder decode;
  std::string input;
  Errc code;
  std::string message;
};

std::vector<Case> cases() {
  const std::string good_header = b64(kPayload);
  std::string unpadded = good_header;
  while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
  const std::string v2_request =
      R"({"x402Version":2,"paymentPayload":)" + kPayload + R"(,"paymentRequirements":)" + kAccepted + "}";
  const std::string depth_bomb = std::string(100, '[') + std::string(100, ']');

  return {
      // --- base64 layer ---
      {"base64url alphabet", header<PaymentPayload>(), "eyJ4-DAyVmVy", Errc::invalid_base64,
       "invalid base64 character at offset 4"},
      {"missing padding", header<PaymentPayload>(), unpadded, Errc::invalid_base64,
       "length " + std::to_string(unpadded.size()) + " is not a multiple of 4 (padding is required)"},
      {"bad length", header<PaymentPayload>(), "eyJ4N", Errc::invalid_base64,
       "length 5 is not a multiple of 4 (padding is required)"},
      {"whitespace inside", header<PaymentPayload>(), "eyJ4N\nDA", Errc::invalid_base64,
       "invalid base64 character at offset 5"},
      {"data after padding", header<PaymentPayload>(), "eyJ9eQ==eyJ9", Errc::invalid_base64,
       "padding '=' before the end at offset 6"},
      {"padding in the middle", header<PaymentPayload>(), "e30=e31=", Errc::invalid_base64,
       "padding '=' before the end at offset 3"},
      {"non-zero pad bits in last quantum", header<PaymentPayload>(), "QR==", Errc::invalid_base64,
       "non-zero padding bits in the last character"},
      {"oversize header", header<PaymentPayload>(), b64(std::string(9000, ' ')), Errc::too_large,
       "decoded header of 9000 bytes exceeds the limit of 8192"},
      // --- JSON text layer ---
      {"invalid UTF-8", header<PaymentPayload>(), b64("{\"x\":\"\xff\"}"), Errc::invalid_json,
       "invalid JSON at offset 6: invalid UTF-8"},
      {"byte order mark", body<PaymentPayload>(), "\xef\xbb\xbf{}", Errc::invalid_json,
       "invalid JSON at offset 0: syntax error"},
      {"lone surrogate escape", body<PaymentPayload>(), R"({"x402Version":2,"payload":{"a":"\ud800"}})",
       Errc::invalid_json, "invalid JSON at offset 39: syntax error"},
      {"not JSON (unquoted keys)", header<PaymentPayload>(), b64("{x402Version:2}"), Errc::invalid_json,
       "invalid JSON at offset 1: syntax error"},
      {"empty JSON text", body<PaymentPayload>(), "", Errc::invalid_json,
       "invalid JSON at offset 0: unexpected end of input"},
      {"truncated JSON", body<PaymentPayload>(), R"({"x402Version":2,"payload":{)", Errc::invalid_json,
       "invalid JSON at offset 28: unexpected end of input"},
      {"trailing garbage", header<PaymentPayload>(), b64(kPayload + " x"), Errc::invalid_json,
       "invalid JSON at offset " + std::to_string(kPayload.size() + 1) +
           ": unexpected data after the JSON value"},
      {"trailing comma", body<PaymentRequired>(), R"({"x402Version":2,})", Errc::invalid_json,
       "invalid JSON at offset 17: syntax error"},
      {"nested depth bomb", body<PaymentPayload>(), depth_bomb, Errc::too_large,
       "JSON nesting deeper than 32 levels at offset 32"},
      {"body over the JSON cap", body<PaymentRequired>(JsonLimits{100, 32}), kRequired, Errc::too_large,
       "JSON text of " + std::to_string(kRequired.size()) + " bytes exceeds the limit of 100"},
      {"JSON not an object", header<PaymentPayload>(), b64("[1,2]"), Errc::invalid_field,
       "expected a JSON object"},
      // --- PaymentRequired ---
      {"missing x402Version", body<PaymentRequired>(), required_with(R"("x402Version":2,)", ""),
       Errc::missing_field, "x402Version: required"},
      {"wrong version", body<PaymentRequired>(), required_with(R"("x402Version":2)", R"("x402Version":3)"),
       Errc::unsupported_version, "x402Version: expected 2, got 3"},
      {"version as string", body<PaymentRequired>(),
       required_with(R"("x402Version":2)", R"("x402Version":"2")"), Errc::invalid_field,
       "x402Version: expected an integer"},
      {"amount as number", body<PaymentRequired>(), required_with(R"("amount":"10000")", R"("amount":10000)"),
       Errc::invalid_field, "accepts[0].amount: expected a decimal string"},
      {"negative amount", body<PaymentRequired>(), required_with(R"("amount":"10000")", R"("amount":"-1")"),
       Errc::invalid_amount, "accepts[0].amount: must not have a sign"},
      {"amount with exponent", body<PaymentRequired>(),
       required_with(R"("amount":"10000")", R"("amount":"1e4")"), Errc::invalid_amount,
       "accepts[0].amount: exponent notation is not allowed"},
      {"fractional amount", body<PaymentRequired>(),
       required_with(R"("amount":"10000")", R"("amount":"0.01")"), Errc::invalid_amount,
       "accepts[0].amount: must be a whole number of atomic units"},
      {"hex amount", body<PaymentRequired>(), required_with(R"("amount":"10000")", R"("amount":"0x2710")"),
       Errc::invalid_amount, "accepts[0].amount: expected only decimal digits"},
      {"empty amount", body<PaymentRequired>(), required_with(R"("amount":"10000")", R"("amount":"")"),
       Errc::invalid_amount, "accepts[0].amount: expected a decimal string, got an empty string"},
      {"amount over 2^256-1", body<PaymentRequired>(),
       required_with(
           R"("amount":"10000")",
           R"("amount":"115792089237316195423570985008687907853269984665640564039457584007913129639936")"),
       Errc::invalid_amount, "accepts[0].amount: exceeds 2^256-1"},
      {"empty accepts", body<PaymentRequired>(), required_with("[" + kAccepted + "]", "[]"),
       Errc::invalid_field, "accepts: must not be empty"},
      {"accepts not an array", body<PaymentRequired>(), required_with("[" + kAccepted + "]", kAccepted),
       Errc::invalid_field, "accepts: expected an array"},
      {"network without ':'", body<PaymentRequired>(),
       required_with(R"("network":"eip155:84532")", R"("network":"base-sepolia")"), Errc::invalid_network,
       "accepts[0].network: expected a CAIP-2 network id (namespace:reference)"},
      {"empty scheme", body<PaymentRequired>(), required_with(R"("scheme":"exact")", R"("scheme":"")"),
       Errc::invalid_field, "accepts[0].scheme: must not be empty"},
      {"missing payTo", body<PaymentRequired>(),
       required_with(R"("payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C",)", ""), Errc::missing_field,
       "accepts[0].payTo: required"},
      {"maxTimeoutSeconds as string", body<PaymentRequired>(),
       required_with(R"("maxTimeoutSeconds":60)", R"("maxTimeoutSeconds":"60")"), Errc::invalid_field,
       "accepts[0].maxTimeoutSeconds: expected an integer"},
      {"maxTimeoutSeconds as float", body<PaymentRequired>(),
       required_with(R"("maxTimeoutSeconds":60)", R"("maxTimeoutSeconds":1.5)"), Errc::invalid_field,
       "accepts[0].maxTimeoutSeconds: expected an integer, got a fraction"},
      {"maxTimeoutSeconds negative", body<PaymentRequired>(),
       required_with(R"("maxTimeoutSeconds":60)", R"("maxTimeoutSeconds":-1)"), Errc::invalid_field,
       "accepts[0].maxTimeoutSeconds: must not be negative"},
      {"maxTimeoutSeconds beyond uint64", body<PaymentRequired>(),
       required_with(R"("maxTimeoutSeconds":60)", R"("maxTimeoutSeconds":1e300)"), Errc::invalid_field,
       "accepts[0].maxTimeoutSeconds: integer out of range"},
      {"extra as array", body<PaymentRequired>(),
       required_with(R"("extra":{"name":"USDC","version":"2"})", R"("extra":["USDC","2"])"),
       Errc::invalid_field, "accepts[0].extra: expected an object"},
      {"resource.url empty", body<PaymentRequired>(), required_with(kResource, R"({"url":""})"),
       Errc::invalid_field, "resource.url: must not be empty"},
      {"resource missing", body<PaymentRequired>(), required_with(R"("resource":)" + kResource + ",", ""),
       Errc::missing_field, "resource: required"},
      {"resource.serviceName too long", body<PaymentRequired>(),
       required_with(kResource,
                     R"({"url":"https://a.example","serviceName":"123456789012345678901234567890123"})"),
       Errc::invalid_field, "resource.serviceName: expected 1-32 printable ASCII characters"},
      {"resource.tags element not a string", body<PaymentRequired>(),
       required_with(kResource, R"({"url":"https://a.example","tags":["ok",7]})"), Errc::invalid_field,
       "resource.tags[1]: expected a string"},
      {"error not a string", body<PaymentRequired>(),
       required_with(R"("x402Version":2,)", R"("x402Version":2,"error":404,)"), Errc::invalid_field,
       "error: expected a string"},
      {"second option broken", body<PaymentRequired>(),
       required_with(
           "[" + kAccepted + "]",
           "[" + kAccepted + "," +
               with(kAccepted, R"("asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e")", R"("asset":null)") +
               "]"),
       Errc::invalid_field, "accepts[1].asset: expected a string"},
      // --- PaymentPayload ---
      {"payload missing", header<PaymentPayload>(),
       b64(with(kPayload, R"("payload":{"signature":"0x00"},)", "")), Errc::missing_field,
       "payload: required"},
      {"payload not an object", header<PaymentPayload>(),
       b64(with(kPayload, R"({"signature":"0x00"})", R"("0x00")")), Errc::invalid_field,
       "payload: expected an object"},
      {"accepted missing", header<PaymentPayload>(), b64(with(kPayload, R"(,"accepted":)" + kAccepted, "")),
       Errc::missing_field, "accepted: required"},
      {"accepted.network not CAIP-2", header<PaymentPayload>(),
       b64(with(kPayload, R"("network":"eip155:84532")", R"("network":"eip")")), Errc::invalid_network,
       "accepted.network: expected a CAIP-2 network id (namespace:reference)"},
      {"v1 payload in a v2 header", header<PaymentPayload>(), b64(kPayloadV1), Errc::unsupported_version,
       "x402Version: expected 2, got 1"},
      {"v1 payload with v2 fields", header<PaymentPayloadV1>(),
       b64(R"({"x402Version":1,"payload":{"signature":"0x00"},"accepted":)" + kAccepted + "}"),
       Errc::missing_field, "scheme: required"},
      // --- facilitator API ---
      {"request version mismatch", body<FacilitatorRequest>(),
       with(v2_request, R"("paymentPayload":{"x402Version":2)", R"("paymentPayload":{"x402Version":1)"),
       Errc::unsupported_version, "paymentPayload.x402Version: expected 2, got 1"},
      {"request version unknown", body<FacilitatorRequest>(),
       with(v2_request, R"({"x402Version":2)", R"({"x402Version":3)"), Errc::unsupported_version,
       "x402Version: expected 1 or 2, got 3"},
      {"request without requirements", body<FacilitatorRequest>(),
       with(v2_request, R"(,"paymentRequirements":)" + kAccepted, ""), Errc::missing_field,
       "paymentRequirements: required"},
      {"request requirements timeout", body<FacilitatorRequest>(),
       R"({"x402Version":2,"paymentPayload":)" + kPayload + R"(,"paymentRequirements":)" +
           with(kAccepted, R"("maxTimeoutSeconds":60)", R"("maxTimeoutSeconds":true)") + "}",
       Errc::invalid_field, "paymentRequirements.maxTimeoutSeconds: expected an integer"},
      {"v1 request requirements missing resource", body<FacilitatorRequest>(),
       R"({"x402Version":1,"paymentPayload":)" + kPayloadV1 + R"(,"paymentRequirements":)" +
           with(kRequirementsV1, R"("resource":"https://a.example",)", "") + "}",
       Errc::missing_field, "paymentRequirements.resource: required"},
      {"isValid as string", body<VerifyResponse>(), R"({"isValid":"true"})", Errc::invalid_field,
       "isValid: expected a boolean"},
      {"success as number", header<SettleResponse>(),
       b64(R"({"success":1,"transaction":"","network":"eip155:8453"})"), Errc::invalid_field,
       "success: expected a boolean"},
      {"transaction null", header<SettleResponse>(),
       b64(R"({"success":false,"transaction":null,"network":"eip155:8453"})"), Errc::invalid_field,
       "transaction: expected a string"},
      {"settle amount not decimal", body<SettleResponse>(),
       R"({"success":true,"transaction":"0x01","network":"eip155:8453","amount":"1.5"})",
       Errc::invalid_amount, "amount: must be a whole number of atomic units"},
      {"signers entry not an array", body<SupportedResponse>(),
       R"({"kinds":[],"signers":{"eip155:*":"0x01"}})", Errc::invalid_field,
       "signers.eip155:*: expected an array"},
      {"kinds entry version", body<SupportedResponse>(),
       R"({"kinds":[{"x402Version":2,"scheme":"exact","network":"eip155:8453"},{"x402Version":9,"scheme":"exact","network":"base"}]})",
       Errc::unsupported_version, "kinds[1].x402Version: expected 1 or 2, got 9"},
      {"v1 402 body without maxAmountRequired", body<PaymentRequirementsResponse>(),
       R"({"x402Version":1,"error":"X-PAYMENT header is required","accepts":[)" +
           with(kRequirementsV1, R"("maxAmountRequired":"10000",)", "") + "]}",
       Errc::missing_field, "accepts[0].maxAmountRequired: required"},
  };
}

TEST(Malformed, EachInputFailsWithItsOwnStableError) {
  const auto all = cases();
  EXPECT_GE(all.size(), 30u);
  std::set<std::pair<Errc, std::string>> seen;
  for (const auto& c : all) {
    SCOPED_TRACE(c.name);
    const auto error = c.decode(c.input);
    ASSERT_TRUE(error.has_value()) << "accepted: " << c.input;
    EXPECT_EQ(to_string(error->code), to_string(c.code)) << error->message;
    EXPECT_EQ(error->message, c.message);
    EXPECT_TRUE(seen.emplace(error->code, error->message).second) << "message not unique: " << error->message;
  }
}

// The unmodified documents the cases start from are valid, so each case has exactly one defect.
TEST(Malformed, BaseDocumentsAreValid) {
  EXPECT_TRUE(decode_json<PaymentRequired>(kRequired).ok());
  EXPECT_TRUE(decode_header<PaymentPayload>(base64_encode(kPayload)).ok());
  EXPECT_TRUE(decode_header<PaymentPayloadV1>(base64_encode(kPayloadV1)).ok());
  EXPECT_TRUE(decode_json<PaymentRequirementsV1>(kRequirementsV1).ok());
  EXPECT_TRUE(decode_json<FacilitatorRequest>(R"({"x402Version":2,"paymentPayload":)" + kPayload +
                                              R"(,"paymentRequirements":)" + kAccepted + "}")
                  .ok());
}

TEST(Malformed, DepthAtTheLimitIsAccepted) {
  const std::string nested = std::string(31, '[') + std::string(31, ']');
  EXPECT_TRUE(parse_json(nested).ok());
  EXPECT_FALSE(parse_json(std::string(33, '[') + std::string(33, ']')).ok());
}

}  // namespace
}  // namespace x402
