// JSON codec of the wire types: the spec's base64 vectors, the observed reference exchange, and
// round trips of every type (decode -> encode byte-identical for reference-shaped JSON).
#include <gtest/gtest.h>

#include <string>

#include "x402/codec.hpp"

namespace x402 {
namespace {

// --- published vectors (coinbase/x402 specs/transports-v2/http.md, transports-v1/http.md) -----

constexpr const char* kV2RequiredHeader =
    "eyJ4NDAyVmVyc2lvbiI6MiwiZXJyb3IiOiJQQVlNRU5ULVNJR05BVFVSRSBoZWFkZXIgaXMgcmVxdWlyZWQiLCJyZXNvdXJjZSI6eyJ1"
    "cmwi"
    "OiJodHRwczovL2FwaS5leGFtcGxlLmNvbS9wcmVtaXVtLWRhdGEiLCJkZXNjcmlwdGlvbiI6IkFjY2VzcyB0byBwcmVtaXVtIG1hcmtl"
    "dCBk"
    "YXRhIiwibWltZVR5cGUiOiJhcHBsaWNhdGlvbi9qc29uIn0sImFjY2VwdHMiOlt7InNjaGVtZSI6ImV4YWN0IiwibmV0d29yayI6ImVp"
    "cDE1"
    "NTo4NDUzMiIsImFtb3VudCI6IjEwMDAwIiwiYXNzZXQiOiIweDAzNkNiRDUzODQyYzU0MjY2MzRlNzkyOTU0MWVDMjMxOGYzZENGN2Ui"
    "LCJw"
    "YXlUbyI6IjB4MjA5NjkzQmM2YWZjMEM1MzI4YkEzNkZhRjAzQzUxNEVGMzEyMjg3QyIsIm1heFRpbWVvdXRTZWNvbmRzIjo2MCwiZXh0"
    "cmEi"
    "OnsibmFtZSI6IlVTREMiLCJ2ZXJzaW9uIjoiMiJ9fV19";
constexpr const char* kV2RequiredJson =
    R"({"x402Version":2,"error":"PAYMENT-SIGNATURE header is required","resource":{"url":"https://api.example.com/premium-data","description":"Access to premium market data","mimeType":"application/json"},"accepts":[{"scheme":"exact","network":"eip155:84532","amount":"10000","asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e","payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","maxTimeoutSeconds":60,"extra":{"name":"USDC","version":"2"}}]})";

constexpr const char* kV2SignatureHeader =
    "eyJ4NDAyVmVyc2lvbiI6MiwicmVzb3VyY2UiOnsidXJsIjoiaHR0cHM6Ly9hcGkuZXhhbXBsZS5jb20vcHJlbWl1bS1kYXRhIiwiZGVz"
    "Y3Jp"
    "cHRpb24iOiJBY2Nlc3MgdG8gcHJlbWl1bSBtYXJrZXQgZGF0YSIsIm1pbWVUeXBlIjoiYXBwbGljYXRpb24vanNvbiJ9LCJhY2NlcHRl"
    "ZCI6"
    "eyJzY2hlbWUiOiJleGFjdCIsIm5ldHdvcmsiOiJlaXAxNTU6ODQ1MzIiLCJhbW91bnQiOiIxMDAwMCIsImFzc2V0IjoiMHgwMzZDYkQ1"
    "Mzg0"
    "MmM1NDI2NjM0ZTc5Mjk1NDFlQzIzMThmM2RDRjdlIiwicGF5VG8iOiIweDIwOTY5M0JjNmFmYzBDNTMyOGJBMzZGYUYwM0M1MTRFRjMx"
    "MjI4"
    "N0MiLCJtYXhUaW1lb3V0U2Vjb25kcyI6NjAsImV4dHJhIjp7Im5hbWUiOiJVU0RDIiwidmVyc2lvbiI6IjIifX0sInBheWxvYWQiOnsi"
    "c2ln"
    "bmF0dXJlIjoiMHgyZDZhNzU4OGQ2YWNjYTUwNWNiZjBkOWE0YTIyN2UwYzUyYzZjMzQwMDhjOGU4OTg2YTEyODMyNTk3NjQxNzM2MDhh"
    "MmNl"
    "NjQ5NjY0MmUzNzdkNmRhOGRiYmY1ODM2ZTliZDE1MDkyZjllY2FiMDVkZWQzZDYyOTNhZjE0OGI1NzFjIiwiYXV0aG9yaXphdGlvbiI6"
    "eyJm"
    "cm9tIjoiMHg4NTdiMDY1MTlFOTFlM0E1NDUzODc5MWJEYmIwRTIyMzczZTM2YjY2IiwidG8iOiIweDIwOTY5M0JjNmFmYzBDNTMyOGJB"
    "MzZG"
    "YUYwM0M1MTRFRjMxMjI4N0MiLCJ2YWx1ZSI6IjEwMDAwIiwidmFsaWRBZnRlciI6IjE3NDA2NzIwODkiLCJ2YWxpZEJlZm9yZSI6IjE3"
    "NDA2"
    "NzIxNTQiLCJub25jZSI6IjB4ZjM3NDY2MTNjMmQ5MjBiNWZkYWJjMDg1NmYyYWViMmQ0Zjg4ZWU2MDM3YjhjYzVkMDRhNzFhNDQ2MmYx"
    "MzQ4"
    "MCJ9fX0=";
constexpr const char* kSpecResource =
    R"({"url":"https://api.example.com/premium-data","description":"Access to premium market data","mimeType":"application/json"})";
constexpr const char* kSpecAccepted =
    R"({"scheme":"exact","network":"eip155:84532","amount":"10000","asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e","payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","maxTimeoutSeconds":60,"extra":{"name":"USDC","version":"2"}})";
constexpr const char* kSpecEvmPayload =
    R"({"signature":"0x2d6a7588d6acca505cbf0d9a4a227e0c52c6c34008c8e8986a1283259764173608a2ce6496642e377d6da8dbbf5836e9bd15092f9ecab05ded3d6293af148b571c","authorization":{"from":"0x857b06519E91e3A54538791bDbb0E22373e36b66","to":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","value":"10000","validAfter":"1740672089","validBefore":"1740672154","nonce":"0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480"}})";

constexpr const char* kV2ResponseSuccessHeader =
    "eyJzdWNjZXNzIjp0cnVlLCJ0cmFuc2FjdGlvbiI6IjB4MTIzNDU2Nzg5MGFiY2RlZjEyMzQ1Njc4OTBhYmNkZWYxMjM0NTY3ODkwYWJj"
    "ZGVm"
    "MTIzNDU2Nzg5MGFiY2RlZiIsIm5ldHdvcmsiOiJlaXAxNTU6ODQ1MzIiLCJwYXllciI6IjB4ODU3YjA2NTE5RTkxZTNBNTQ1Mzg3OTFi"
    "RGJi"
    "MEUyMjM3M2UzNmI2NiJ9";
constexpr const char* kV2ResponseFailureHeader =
    "eyJzdWNjZXNzIjpmYWxzZSwiZXJyb3JSZWFzb24iOiJpbnN1ZmZpY2llbnRfZnVuZHMiLCJ0cmFuc2FjdGlvbiI6IiIsIm5ldHdvcmsi"
    "OiJl"
    "aXAxNTU6ODQ1MzIiLCJwYXllciI6IjB4ODU3YjA2NTE5RTkxZTNBNTQ1Mzg3OTFiRGJiMEUyMjM3M2UzNmI2NiJ9";
// An older revision of the same spec, before failures carried "transaction":"".
constexpr const char* kV2ResponseFailureOldHeader =
    "eyJzdWNjZXNzIjpmYWxzZSwiZXJyb3JSZWFzb24iOiJpbnN1ZmZpY2llbnRfZnVuZHMiLCJuZXR3b3JrIjoiZWlwMTU1Ojg0NTMyIn0"
    "=";

constexpr const char* kV1PaymentHeader =
    "eyJ4NDAyVmVyc2lvbiI6MSwic2NoZW1lIjoiZXhhY3QiLCJuZXR3b3JrIjoiYmFzZS1zZXBvbGlhIiwicGF5bG9hZCI6eyJzaWduYXR1"
    "cmUi"
    "OiIweDJkNmE3NTg4ZDZhY2NhNTA1Y2JmMGQ5YTRhMjI3ZTBjNTJjNmMzNDAwOGM4ZTg5ODZhMTI4MzI1OTc2NDE3MzYwOGEyY2U2NDk2"
    "NjQy"
    "ZTM3N2Q2ZGE4ZGJiZjU4MzZlOWJkMTUwOTJmOWVjYWIwNWRlZDNkNjI5M2FmMTQ4YjU3MWMiLCJhdXRob3JpemF0aW9uIjp7ImZyb20i"
    "OiIw"
    "eDg1N2IwNjUxOUU5MWUzQTU0NTM4NzkxYkRiYjBFMjIzNzNlMzZiNjYiLCJ0byI6IjB4MjA5NjkzQmM2YWZjMEM1MzI4YkEzNkZhRjAz"
    "QzUx"
    "NEVGMzEyMjg3QyIsInZhbHVlIjoiMTAwMDAiLCJ2YWxpZEFmdGVyIjoiMTc0MDY3MjA4OSIsInZhbGlkQmVmb3JlIjoiMTc0MDY3MjE1"
    "NCIs"
    "Im5vbmNlIjoiMHhmMzc0NjYxM2MyZDkyMGI1ZmRhYmMwODU2ZjJhZWIyZDRmODhlZTYwMzdiOGNjNWQwNGE3MWE0NDYyZjEzNDgwIn19"
    "fQ==";
constexpr const char* kV1ResponseSuccessHeader =
    "eyJzdWNjZXNzIjp0cnVlLCJ0cmFuc2FjdGlvbiI6IjB4MTIzNDU2Nzg5MGFiY2RlZjEyMzQ1Njc4OTBhYmNkZWYxMjM0NTY3ODkwYWJj"
    "ZGVm"
    "MTIzNDU2Nzg5MGFiY2RlZiIsIm5ldHdvcmsiOiJiYXNlLXNlcG9saWEiLCJwYXllciI6IjB4ODU3YjA2NTE5RTkxZTNBNTQ1Mzg3OTFi"
    "RGJi"
    "MEUyMjM3M2UzNmI2NiJ9";
constexpr const char* kV1ResponseFailureHeader =
    "eyJzdWNjZXNzIjpmYWxzZSwiZXJyb3JSZWFzb24iOiJpbnN1ZmZpY2llbnRfZnVuZHMiLCJ0cmFuc2FjdGlvbiI6IiIsIm5ldHdvcmsi"
    "OiJi"
    "YXNlLXNlcG9saWEiLCJwYXllciI6IjB4ODU3YjA2NTE5RTkxZTNBNTQ1Mzg3OTFiRGJiMEUyMjM3M2UzNmI2NiJ9";

constexpr const char* kSpecTx = "0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef";
constexpr const char* kSpecPayer = "0x857b06519E91e3A54538791bDbb0E22373e36b66";

std::string decoded(const char* header) {
  auto text = base64_decode(header, 1 << 20);
  EXPECT_TRUE(text.ok()) << text.error().describe();
  return text.ok() ? *text : std::string();
}

// decode -> encode must give back exactly the text (reference-shaped JSON).
template <typename T>
void expect_round_trip(const std::string& json) {
  auto value = decode_json<T>(json);
  ASSERT_TRUE(value.ok()) << value.error().describe() << "\n  in " << json;
  EXPECT_EQ(serialize(*value), json);
  // encode -> decode gives an equal value.
  auto again = decode_json<T>(serialize(*value));
  ASSERT_TRUE(again.ok()) << again.error().describe();
  EXPECT_TRUE(*again == *value);
}

TEST(SpecVectors, PaymentRequiredHeaderDecodesToTheQuotedJson) {
  EXPECT_EQ(decoded(kV2RequiredHeader), kV2RequiredJson);
  auto required = decode_header<PaymentRequired>(kV2RequiredHeader);
  ASSERT_TRUE(required.ok()) << required.error().describe();
  EXPECT_EQ(required->error, "PAYMENT-SIGNATURE header is required");
  EXPECT_EQ(required->resource.url, "https://api.example.com/premium-data");
  ASSERT_EQ(required->accepts.size(), 1u);
  const auto& option = required->accepts[0];
  EXPECT_EQ(option.scheme, "exact");
  EXPECT_EQ(option.network, "eip155:84532");
  EXPECT_EQ(option.amount, U256(10000));
  EXPECT_EQ(option.asset, "0x036CbD53842c5426634e7929541eC2318f3dCF7e");
  EXPECT_EQ(option.pay_to, "0x209693Bc6afc0C5328bA36FaF03C514EF312287C");
  EXPECT_EQ(option.max_timeout_seconds, 60u);
  EXPECT_EQ(serialize(*option.extra), R"({"name":"USDC","version":"2"})");
  // Same key order as the reference: re-encoding reproduces the header byte for byte.
  EXPECT_EQ(encode_header(*required), kV2RequiredHeader);
}

TEST(SpecVectors, PaymentSignatureHeaderDecodesToTheQuotedJson) {
  const std::string spec_order = std::string(R"({"x402Version":2,"resource":)") + kSpecResource +
                                 R"(,"accepted":)" + kSpecAccepted + R"(,"payload":)" + kSpecEvmPayload + "}";
  EXPECT_EQ(decoded(kV2SignatureHeader), spec_order);
  auto payload = decode_header<PaymentPayload>(kV2SignatureHeader);
  ASSERT_TRUE(payload.ok()) << payload.error().describe();
  ASSERT_TRUE(payload->resource.has_value());
  EXPECT_EQ(payload->resource->description, "Access to premium market data");
  EXPECT_EQ(payload->accepted.amount, U256(10000));
  EXPECT_EQ(stringify(payload->payload), kSpecEvmPayload);  // member order kept (signature first)
  // The spec example lists keys in another order than the TS client; we emit the TS order.
  const std::string ts_order = std::string(R"({"x402Version":2,"payload":)") + kSpecEvmPayload +
                               R"(,"resource":)" + kSpecResource + R"(,"accepted":)" + kSpecAccepted + "}";
  EXPECT_EQ(serialize(*payload), ts_order);
}

TEST(SpecVectors, PaymentResponseHeadersDecode) {
  EXPECT_EQ(decoded(kV2ResponseSuccessHeader), std::string(R"({"success":true,"transaction":")") + kSpecTx +
                                                   R"(","network":"eip155:84532","payer":")" + kSpecPayer +
                                                   R"("})");
  auto success = decode_header<SettleResponse>(kV2ResponseSuccessHeader);
  ASSERT_TRUE(success.ok()) << success.error().describe();
  EXPECT_TRUE(success->success);
  EXPECT_EQ(success->transaction, kSpecTx);
  EXPECT_EQ(success->network, "eip155:84532");
  EXPECT_EQ(success->payer, kSpecPayer);
  // Re-encoded in the order the reference's facilitator client leaves it.
  EXPECT_EQ(serialize(*success), std::string(R"({"success":true,"payer":")") + kSpecPayer +
                                     R"(","transaction":")" + kSpecTx + R"(","network":"eip155:84532"})");

  const std::string failure_json =
      std::string(
          R"({"success":false,"errorReason":"insufficient_funds","transaction":"","network":"eip155:84532","payer":")") +
      kSpecPayer + R"("})";
  EXPECT_EQ(decoded(kV2ResponseFailureHeader), failure_json);
  auto failure = decode_header<SettleResponse>(kV2ResponseFailureHeader);
  ASSERT_TRUE(failure.ok()) << failure.error().describe();
  EXPECT_FALSE(failure->success);
  EXPECT_EQ(failure->error_reason, "insufficient_funds");
  EXPECT_EQ(failure->transaction, "");
}

// Decision (reference §1.4, @x402/core HTTPFacilitatorClient): `transaction` is z.string(), not
// nullish, so a settle answer without it is malformed. The older spec example lacked it.
TEST(SpecVectors, SettleResponseWithoutTransactionIsRejected) {
  auto failure = decode_header<SettleResponse>(kV2ResponseFailureOldHeader);
  ASSERT_FALSE(failure.ok());
  EXPECT_EQ(failure.error().code, Errc::missing_field);
  EXPECT_EQ(failure.error().message, "transaction: required");
}

TEST(SpecVectors, V1PaymentHeaderDecodesAndReencodesIdentically) {
  const std::string json =
      std::string(R"({"x402Version":1,"scheme":"exact","network":"base-sepolia","payload":)") +
      kSpecEvmPayload + "}";
  EXPECT_EQ(decoded(kV1PaymentHeader), json);
  auto payment = decode_header<PaymentPayloadV1>(kV1PaymentHeader);
  ASSERT_TRUE(payment.ok()) << payment.error().describe();
  EXPECT_EQ(payment->scheme, "exact");
  EXPECT_EQ(payment->network, "base-sepolia");
  EXPECT_EQ(encode_header(*payment), kV1PaymentHeader);
}

TEST(SpecVectors, V1PaymentResponseHeadersDecode) {
  auto success = decode_header<SettleResponse>(kV1ResponseSuccessHeader);
  ASSERT_TRUE(success.ok()) << success.error().describe();
  EXPECT_TRUE(success->success);
  EXPECT_EQ(success->network, "base-sepolia");
  auto failure = decode_header<SettleResponse>(kV1ResponseFailureHeader);
  ASSERT_TRUE(failure.ok()) << failure.error().describe();
  EXPECT_EQ(failure->error_reason, "insufficient_funds");
  EXPECT_EQ(failure->payer, kSpecPayer);
}

// The spec's v1 402 body: keys in another order than legacy express, outputSchema null.
TEST(SpecVectors, V1PaymentRequiredBody) {
  const std::string body =
      R"({"x402Version":1,"error":"Payment required to access this resource","accepts":[{"scheme":"exact","network":"kairos-testnet","maxAmountRequired":"10000","asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e","payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","resource":"https://api.example.com/premium-data","description":"Access to premium market data","mimeType":"application/json","outputSchema":null,"maxTimeoutSeconds":60,"extra":{"name":"USDC","version":"2"}}]})";
  auto response = decode_json<PaymentRequirementsResponse>(body);
  ASSERT_TRUE(response.ok()) << response.error().describe();
  ASSERT_EQ(response->accepts.size(), 1u);
  EXPECT_FALSE(response->accepts[0].output_schema.has_value());
  EXPECT_EQ(
      serialize(*response),
      R"({"x402Version":1,"error":"Payment required to access this resource","accepts":[{"scheme":"exact","network":"kairos-testnet","maxAmountRequired":"10000","resource":"https://api.example.com/premium-data","description":"Access to premium market data","mimeType":"application/json","payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","maxTimeoutSeconds":60,"asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e","extra":{"name":"USDC","version":"2"}}]})");
}

// --- observed exchange (reference §1.9, 2.27 express + fetch) --------------------------------

constexpr const char* kObservedResource =
    R"({"url":"http://127.0.0.1:4021/weather","description":"Weather","mimeType":"application/json"})";
constexpr const char* kObservedAccepted =
    R"({"scheme":"exact","network":"eip155:84532","amount":"1000","asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e","payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","maxTimeoutSeconds":300,"extra":{"name":"USDC","version":"2"}})";

std::string observed_payload_json() {
  return std::string(
             R"({"x402Version":2,"payload":{"authorization":{"from":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","to":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","value":"1000","validAfter":"0","validBefore":"1740672154","nonce":"0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480"},"signature":"0x887688bfda2adc60488cb21d8355641dc7e6cae2acf979a4e510569110fbeb6912bfec8521359ee79ecbd2c6f8ba9ada97d499a910f5c0d4e274d0da99b8f3561c"},"resource":)") +
         kObservedResource + R"(,"accepted":)" + kObservedAccepted + "}";
}

TEST(ObservedExchange, PaymentRequiredRoundTrips) {
  expect_round_trip<PaymentRequired>(
      std::string(R"({"x402Version":2,"error":"Payment required","resource":)") + kObservedResource +
      R"(,"accepts":[)" + kObservedAccepted + "]}");
}

TEST(ObservedExchange, PaymentSignatureRoundTrips) {
  const std::string json = observed_payload_json();
  expect_round_trip<PaymentPayload>(json);
  auto payload = decode_json<PaymentPayload>(json);
  ASSERT_TRUE(payload.ok());
  EXPECT_EQ(decode_header<PaymentPayload>(encode_header(*payload)).value(), *payload);
}

TEST(ObservedExchange, ResponsesRoundTrip) {
  expect_round_trip<SettleResponse>(
      R"({"success":true,"payer":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","transaction":"0xabababababababababababababababababababababababababababababababab","network":"eip155:84532"})");
  expect_round_trip<SettleResponse>(
      R"({"success":true,"payer":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","transaction":"0x01","network":"eip155:84532","amount":"5"})");
  expect_round_trip<SettleResponse>(
      R"({"success":false,"errorReason":"invalid_exact_evm_insufficient_balance","payer":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","transaction":"","network":"eip155:84532"})");
  expect_round_trip<VerifyResponse>(
      R"({"isValid":true,"payer":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"})");
  expect_round_trip<VerifyResponse>(
      R"({"isValid":false,"invalidReason":"invalid_exact_evm_transaction_simulation_failed","invalidMessage":"execution reverted: FiatTokenV2: invalid signature","payer":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"})");
  expect_round_trip<SupportedResponse>(
      R"({"kinds":[{"x402Version":2,"scheme":"exact","network":"eip155:84532"}],"extensions":[],"signers":{"eip155:*":["0x0000000000000000000000000000000000000001"]}})");
}

// The facilitator body {network,transaction,payer,success,extra:null,amount} becomes, after the
// reference client's zod schema, {"success","payer","transaction","network","amount"}.
TEST(ObservedExchange, FacilitatorSettleBodyIsNormalised) {
  auto settle = decode_json<SettleResponse>(
      R"({"network":"eip155:84532","transaction":"0xab","payer":"0xf39F","success":true,"extra":null,"amount":"5"})");
  ASSERT_TRUE(settle.ok()) << settle.error().describe();
  EXPECT_EQ(
      serialize(*settle),
      R"({"success":true,"payer":"0xf39F","transaction":"0xab","network":"eip155:84532","amount":"5"})");
}

// --- round trips of every type ----------------------------------------------------------------

TEST(RoundTrip, ResourceInfo) {
  expect_round_trip<ResourceInfo>(R"({"url":"https://a.example/x"})");
  expect_round_trip<ResourceInfo>(
      R"({"url":"https://a.example/x?q=1","description":"","mimeType":"","serviceName":"Weather Co","tags":["weather","api"],"iconUrl":"https://a.example/i.png"})");
}

TEST(RoundTrip, PaymentRequirementsKeepExtraVerbatim) {
  expect_round_trip<PaymentRequirements>(kSpecAccepted);
  expect_round_trip<PaymentRequirements>(
      R"({"scheme":"exact","network":"eip155:4326","amount":"10000000000000000","asset":"0xFAfDdbb3FC7688494971a79cc65DCa3EF82079E7","payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","maxTimeoutSeconds":300,"extra":{"name":"MegaUSD","version":"1","assetTransferMethod":"permit2","nested":{"z":[1,2.5,null,true],"a":"é "}}})");
  expect_round_trip<PaymentRequirements>(
      R"({"scheme":"exact","network":"solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1","amount":"115792089237316195423570985008687907853269984665640564039457584007913129639935","asset":"4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU","payTo":"9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin","maxTimeoutSeconds":60,"extra":{"feePayer":"EwWqGE4ZFKLofuestmU4LDdK7XM1N4ALgdZccwYugwGd","memo":"order #42"}})");
  // No extra at all stays absent.
  expect_round_trip<PaymentRequirements>(
      R"({"scheme":"upto","network":"eip155:8453","amount":"0","asset":"0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913","payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","maxTimeoutSeconds":0})");
}

TEST(RoundTrip, PaymentRequiredWithExtensions) {
  expect_round_trip<PaymentRequired>(
      std::string(R"({"x402Version":2,"resource":)") + kSpecResource + R"(,"accepts":[)" + kSpecAccepted +
      "," + kObservedAccepted +
      R"(],"extensions":{"bazaar":{"info":{"input":{"type":"http","method":"GET"}},"schema":{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object"}},"payment-identifier":{"info":{"required":false}}}})");
}

TEST(RoundTrip, PaymentPayloadWithExtensionsAndNoResource) {
  expect_round_trip<PaymentPayload>(
      std::string(
          R"({"x402Version":2,"payload":{"transaction":"AQAB"},"extensions":{"payment-identifier":{"info":{"required":true,"id":"pay_0123456789abcdef0123456789abcdef"}}},"accepted":)") +
      kSpecAccepted + "}");
}

TEST(RoundTrip, V1Types) {
  const std::string requirement =
      R"({"scheme":"exact","network":"base-sepolia","maxAmountRequired":"10000","resource":"https://api.example.com/premium-data","description":"Access","mimeType":"application/json","payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","maxTimeoutSeconds":60,"asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e","outputSchema":{"input":{"type":"http","method":"GET","discoverable":true},"output":null},"extra":{"name":"USDC","version":"2"}})";
  expect_round_trip<PaymentRequirementsV1>(requirement);
  expect_round_trip<PaymentRequirementsResponse>(
      R"({"x402Version":1,"error":"X-PAYMENT header is required","accepts":[)" + requirement + "]}");
  expect_round_trip<PaymentRequirementsResponse>(
      R"({"x402Version":1,"error":"invalid_exact_evm_payload_signature","accepts":[)" + requirement +
      R"(],"payer":"0x857b06519E91e3A54538791bDbb0E22373e36b66"})");
  expect_round_trip<PaymentPayloadV1>(
      R"({"x402Version":1,"scheme":"exact","network":"solana-devnet","payload":{"transaction":"AQAAAA=="}})");
}

TEST(RoundTrip, FacilitatorRequests) {
  const std::string v2 = std::string(R"({"x402Version":2,"paymentPayload":)") + observed_payload_json() +
                         R"(,"paymentRequirements":)" + kObservedAccepted + "}";
  expect_round_trip<FacilitatorRequest>(v2);
  auto request = decode_json<FacilitatorRequest>(v2);
  ASSERT_TRUE(request.ok());
  ASSERT_TRUE(std::holds_alternative<PaymentRequestV2>(*request));

  const std::string v1 =
      std::string(
          R"({"x402Version":1,"paymentPayload":{"x402Version":1,"scheme":"exact","network":"base-sepolia","payload":)") +
      kSpecEvmPayload +
      R"(},"paymentRequirements":{"scheme":"exact","network":"base-sepolia","maxAmountRequired":"10000","resource":"https://api.example.com/premium-data","description":"","mimeType":"","payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","maxTimeoutSeconds":60,"asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e","extra":{"name":"USDC","version":"2"}}})";
  expect_round_trip<FacilitatorRequest>(v1);
  auto legacy = decode_json<FacilitatorRequest>(v1);
  ASSERT_TRUE(legacy.ok());
  EXPECT_TRUE(std::holds_alternative<PaymentRequestV1>(*legacy));
}

TEST(RoundTrip, FacilitatorResponsesWithEveryMember) {
  expect_round_trip<VerifyResponse>(
      R"({"isValid":false,"invalidReason":"permit2_allowance_required","invalidMessage":"approve Permit2 first","payer":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","extensions":{"bazaar":{"status":"processing"}},"extra":{"hint":1}})");
  expect_round_trip<SettleResponse>(
      R"({"success":false,"errorReason":"settlement_pending","errorMessage":"receipt timeout","payer":"0xf39F","transaction":"0xdead","network":"eip155:8453","amount":"0","extensions":{"offer-receipt":{"info":{"receipt":"r"}}},"extra":{"k":"v"}})");
  expect_round_trip<SupportedKind>(
      R"({"x402Version":1,"scheme":"exact","network":"solana-devnet","extra":{"feePayer":"EwWqGE4ZFKLofuestmU4LDdK7XM1N4ALgdZccwYugwGd"}})");
  expect_round_trip<SupportedResponse>(
      R"({"kinds":[{"x402Version":2,"scheme":"exact","network":"eip155:84532"},{"x402Version":2,"scheme":"upto","network":"eip155:84532","extra":{"facilitatorAddress":"0x0000000000000000000000000000000000000001"}},{"x402Version":1,"scheme":"exact","network":"base-sepolia"}],"extensions":["bazaar","eip2612GasSponsoring"],"signers":{"eip155:*":["0x0000000000000000000000000000000000000001","0x0000000000000000000000000000000000000002"],"solana:*":[]}})");
}

TEST(RoundTrip, Discovery) {
  const std::string v2_item =
      std::string(
          R"({"resource":"https://api.example.com/premium-data","type":"http","x402Version":2,"accepts":[)") +
      kSpecAccepted +
      R"(],"lastUpdated":"2025-01-15T10:30:00.000Z","metadata":{"category":"finance"},"description":"Premium","mimeType":"application/json","serviceName":"Example","tags":["finance"],"iconUrl":"https://api.example.com/i.png","extensions":{"bazaar":{"info":{}}}})";
  expect_round_trip<DiscoveredResource>(v2_item);
  const std::string v1_item =
      R"({"resource":"https://legacy.example/x","type":"http","x402Version":1,"accepts":[{"scheme":"exact","network":"base","maxAmountRequired":"1","resource":"https://legacy.example/x","description":"","mimeType":"","payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","maxTimeoutSeconds":60,"asset":"0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"}],"lastUpdated":1736937000})";
  expect_round_trip<DiscoveredResource>(v1_item);
  expect_round_trip<DiscoveryResponse>(R"({"x402Version":2,"items":[)" + v2_item + "," + v1_item +
                                       R"(],"pagination":{"limit":20,"offset":0,"total":2}})");
}

// --- leniency the reference has, and the strictness it has ----------------------------------

TEST(Decoding, NullOptionalsReadAsAbsent) {
  auto required = decode_json<PaymentRequired>(std::string(
      R"({"x402Version":2,"error":null,"resource":{"url":"https://a.example","description":null,"mimeType":null,"serviceName":null,"tags":null,"iconUrl":null},"accepts":[{"scheme":"exact","network":"eip155:8453","amount":"1","asset":"0xa","payTo":"0xb","maxTimeoutSeconds":60,"extra":null}],"extensions":null})"));
  ASSERT_TRUE(required.ok()) << required.error().describe();
  EXPECT_FALSE(required->error.has_value());
  EXPECT_FALSE(required->extensions.has_value());
  EXPECT_FALSE(required->accepts[0].extra.has_value());
  EXPECT_EQ(
      serialize(*required),
      R"({"x402Version":2,"resource":{"url":"https://a.example"},"accepts":[{"scheme":"exact","network":"eip155:8453","amount":"1","asset":"0xa","payTo":"0xb","maxTimeoutSeconds":60}]})");

  auto payload = decode_json<PaymentPayload>(
      std::string(R"({"x402Version":2,"payload":{},"resource":null,"extensions":null,"accepted":)") +
      kSpecAccepted + "}");
  ASSERT_TRUE(payload.ok()) << payload.error().describe();
  EXPECT_FALSE(payload->resource.has_value());

  auto verify = decode_json<VerifyResponse>(
      R"({"isValid":true,"invalidReason":null,"invalidMessage":null,"payer":null,"extensions":null,"extra":null})");
  ASSERT_TRUE(verify.ok()) << verify.error().describe();
  EXPECT_EQ(serialize(*verify), R"({"isValid":true})");

  auto supported =
      decode_json<SupportedResponse>(R"({"kinds":[{"x402Version":1,"scheme":"exact","network":"base"}]})");
  ASSERT_TRUE(supported.ok()) << supported.error().describe();
  EXPECT_EQ(
      serialize(*supported),
      R"({"kinds":[{"x402Version":1,"scheme":"exact","network":"base"}],"extensions":[],"signers":{}})");
}

TEST(Decoding, UnknownTopLevelMembersAreDroppedButOpaqueObjectsKeepThem) {
  auto required = decode_json<PaymentRequired>(std::string(
      R"({"x402Version":2,"future":{"a":1},"resource":{"url":"https://a.example","x":1},"accepts":[{"scheme":"exact","network":"eip155:8453","amount":"1","asset":"0xa","payTo":"0xb","maxTimeoutSeconds":60,"extra":{"unknown":[1,{"deep":"yes"}]},"alsoUnknown":true}]})"));
  ASSERT_TRUE(required.ok()) << required.error().describe();
  EXPECT_EQ(
      serialize(*required),
      R"({"x402Version":2,"resource":{"url":"https://a.example"},"accepts":[{"scheme":"exact","network":"eip155:8453","amount":"1","asset":"0xa","payTo":"0xb","maxTimeoutSeconds":60,"extra":{"unknown":[1,{"deep":"yes"}]}}]})");
}

TEST(Decoding, IntegralNumbersAreAcceptedAsJavaScriptSeesThem) {
  // 60.0 and 6e1 are the number 60 to a JS sender; 2.0 is version 2.
  auto requirement = decode_json<PaymentRequirements>(
      R"({"scheme":"exact","network":"eip155:8453","amount":"1","asset":"0xa","payTo":"0xb","maxTimeoutSeconds":6e1})");
  ASSERT_TRUE(requirement.ok()) << requirement.error().describe();
  EXPECT_EQ(requirement->max_timeout_seconds, 60u);
  auto kind = decode_json<SupportedKind>(R"({"x402Version":2.0,"scheme":"exact","network":"eip155:8453"})");
  ASSERT_TRUE(kind.ok());
  EXPECT_EQ(kind->x402_version, 2);
}

TEST(Decoding, LeadingZerosInAmountsAreCanonicalised) {
  auto requirement = decode_json<PaymentRequirements>(
      R"({"scheme":"exact","network":"eip155:8453","amount":"00100","asset":"0xa","payTo":"0xb","maxTimeoutSeconds":1})");
  ASSERT_TRUE(requirement.ok());
  EXPECT_EQ(requirement->amount, U256(100));
}

TEST(Encoding, ValuesBuiltInCodeRoundTrip) {
  PaymentRequirements requirement;
  requirement.scheme = "exact";
  requirement.network = "eip155:84532";
  requirement.amount = U256(1) << 200;
  requirement.asset = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
  requirement.pay_to = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C";
  requirement.max_timeout_seconds = 300;
  requirement.extra = JsonObject{{"name", "USDC"}, {"version", "2"}};

  PaymentRequired required;
  required.error = "Payment required";
  required.resource.url = "https://a.example/\"quoted\"\n";
  required.resource.description = "caf\xc3\xa9 \xe2\x80\xa8";
  required.resource.mime_type = "text/plain";
  required.accepts = {requirement, requirement};
  auto back = decode_header<PaymentRequired>(encode_header(required));
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(*back, required);

  PaymentPayload payload;
  payload.payload = JsonObject{{"signature", "0x00"}};
  payload.accepted = requirement;
  auto payload_back = decode_header<PaymentPayload>(encode_header(payload));
  ASSERT_TRUE(payload_back.ok());
  EXPECT_EQ(*payload_back, payload);

  FacilitatorRequest request = PaymentRequestV2{payload, requirement};
  auto request_back = decode_json<FacilitatorRequest>(serialize(request));
  ASSERT_TRUE(request_back.ok());
  EXPECT_EQ(*request_back, request);

  SettleResponse settle;
  settle.success = true;
  settle.transaction = "0xab";
  settle.network = "eip155:84532";
  settle.amount = "7";
  auto settle_back = decode_header<SettleResponse>(encode_header(settle));
  ASSERT_TRUE(settle_back.ok());
  EXPECT_EQ(*settle_back, settle);
  EXPECT_EQ(serialize(settle),
            R"({"success":true,"transaction":"0xab","network":"eip155:84532","amount":"7"})");
}

// PaymentRequired and PaymentPayload are written straight to text; that text must be exactly what
// stringify gives for their json::value, with every optional member present or absent.
TEST(Encoding, HeaderTypesWrittenDirectlyMatchTheirJsonValue) {
  PaymentRequirements bare;
  bare.scheme = "exact";
  bare.network = "eip155:84532";
  bare.amount = U256(0);
  bare.asset = "0xa";
  bare.pay_to = "0xb";
  bare.max_timeout_seconds = 0;
  PaymentRequirements full = bare;
  full.amount = (U256(1) << 255) + U256(7);
  full.max_timeout_seconds = (std::uint64_t{1} << 53) + 1;  // printed as JS rounds it
  full.extra =
      *parse_json(R"({"b":1,"1":[2.5,null,true],"0":{"\u0000":"\"\\\n"},"name":"USD\u2028C"})")->if_object();

  ResourceInfo bare_resource;
  bare_resource.url = "https://a.example/x";
  ResourceInfo full_resource;
  full_resource.url = "https://a.example/\"q\"\x01?x=caf\xc3\xa9";
  full_resource.description = "";
  full_resource.mime_type = "text/plain";
  full_resource.service_name = "Weather Co";
  full_resource.tags = std::vector<std::string>{"a", "b\tc", ""};
  full_resource.icon_url = "https://a.example/i.png";
  const JsonObject extensions = *parse_json(R"({"bazaar":{"info":{"7":1,"x":[{}]}},"2":"two"})")->if_object();

  for (const bool with_optionals : {false, true}) {
    PaymentRequired required;
    required.resource = with_optionals ? full_resource : bare_resource;
    required.accepts = {bare, full};
    if (with_optionals) {
      required.error = "Payment \"required\"";
      required.extensions = extensions;
    }
    EXPECT_EQ(serialize(required), stringify(to_json(required))) << with_optionals;

    PaymentPayload payload;
    payload.payload = *parse_json(R"({"signature":"0x00","10":1,"authorization":{"9":"x"}})")->if_object();
    payload.accepted = with_optionals ? full : bare;
    if (with_optionals) {
      payload.extensions = extensions;
      payload.resource = full_resource;
    }
    EXPECT_EQ(serialize(payload), stringify(to_json(payload))) << with_optionals;
    EXPECT_EQ(base64_decode(encode_header(payload), 1 << 20).value(), stringify(to_json(payload)));
  }
}

}  // namespace
}  // namespace x402
