// Acceptance of issue 2 ("Foundation"): a header printed by `x402 payload` is judged by the
// reference SDK's own facilitator code (`@x402/evm` 2.27 exact scheme, and the legacy x402 1.2.0
// facilitator for v1), offline: check.mjs verify runs x402Facilitator.verify with a chain-less
// signer, so signature, recipient, amount and timing rules are the reference's, no chain needed.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "interop/reference_checks.hpp"
#include "support/test_support.hpp"
#include "x402/codec.hpp"
#include "x402/networks.hpp"

namespace x402::test::interop {
namespace {

constexpr auto kCliTimeout = std::chrono::seconds(30);
constexpr const char* kPayTo = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C";
constexpr const char* kOtherPayTo = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

std::string valid_verdict() {
  return std::string(R"({"isValid":true,"payer":")") + kTestAddress0 + R"("})";
}

std::string invalid_verdict(std::string_view reason) {
  return std::string(R"({"isValid":false,"invalidReason":")") + std::string(reason) + R"(","payer":")" +
         kTestAddress0 + R"("})";
}

// The default-table stablecoin of a network as the requirement's asset and EIP-712 domain.
PaymentRequirements default_usdc(const std::string& network, std::uint64_t amount) {
  static const auto registry = NetworkRegistry::with_defaults();
  const AssetInfo* asset = registry.default_asset(network);
  EXPECT_NE(asset, nullptr) << network;
  PaymentRequirements r;
  r.scheme = "exact";
  r.network = network;
  r.amount = U256(amount);
  if (asset != nullptr) {
    r.asset = asset->address;
    r.extra = boost::json::object{{"name", asset->eip712_name}, {"version", asset->eip712_version}};
  }
  r.pay_to = kPayTo;
  r.max_timeout_seconds = 300;
  return r;
}

// base64 of a JSON value (plain JSON text; the tampering tests must not depend on our encoder).
std::string reencode(const boost::json::value& json) {
  return base64_encode(boost::json::serialize(json));
}

// The JSON text inside a header value, as sent.
std::string decoded_text(const std::string& header) {
  auto text = base64_decode(header, 1 << 16);
  EXPECT_TRUE(text.ok());
  return text.ok() ? *text : std::string{};
}

std::string trimmed(const std::string& out) {
  return !out.empty() && out.back() == '\n' ? out.substr(0, out.size() - 1) : out;
}

class PayloadConformance : public ::testing::Test {
 protected:
  TempDir dir;
  std::string key = dir.write_file("buyer.key", std::string(kTestKey0) + "\n").string();

  std::string payload(const std::string& required, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"payload", "--required", required, "--key-file", key};
    args.insert(args.end(), extra.begin(), extra.end());
    auto run = run_cli(args, {}, kCliTimeout);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out.find('\n'), run.out.size() - 1) << "one line: " << run.out;
    return trimmed(run.out);
  }
};

TEST_F(PayloadConformance, V2HeaderIsValidForTheReferenceFacilitatorAndTamperingIsCaught) {
  PaymentRequired required;
  required.error = "Payment required";
  required.resource.url = "http://127.0.0.1:4021/weather";
  required.resource.description = "Weather";
  required.resource.mime_type = "application/json";
  required.accepts.push_back(default_usdc("eip155:84532", 1000));
  required.accepts.push_back(default_usdc("eip155:8453", 2500));
  required.extensions =
      boost::json::parse(
          R"({"bazaar":{"info":{"output":{"example":{"t":21.5}}},"schema":{"type":"object"}}})")
          .as_object();
  const auto& base_sepolia = required.accepts[0];
  const auto& base = required.accepts[1];
  ASSERT_EQ(base_sepolia.asset, "0x036CbD53842c5426634e7929541eC2318f3dCF7e");

  const std::string header = payload(encode_header(required));
  const std::string header_base = payload(encode_header(required), {"--accept", "1"});
  ASSERT_FALSE(header.empty());
  ASSERT_FALSE(header_base.empty());
  const std::string text = decoded_text(header);
  const auto json = boost::json::parse(text);
  const std::string requirements = serialize(base_sepolia);

  ReferenceChecks checks;
  const auto valid = checks.add({"verify", "--payment-header", header, "--requirements-json", requirements});
  const auto valid_base =
      checks.add({"verify", "--payment-header", header_base, "--requirements-json", serialize(base)});

  // A signed field changed (value, and accepted.amount to match): the signature no longer holds.
  auto tampered = json;
  tampered.at("payload").at("authorization").as_object()["value"] = "1001";
  tampered.at("accepted").as_object()["amount"] = "1001";
  auto requirements_1001 = base_sepolia;
  requirements_1001.amount = U256(1001);
  const auto tampered_value = checks.add({"verify", "--payment-header", reencode(tampered),
                                          "--requirements-json", serialize(requirements_1001)});
  // The seller asks for another amount than was signed.
  auto requirements_999 = base_sepolia;
  requirements_999.amount = U256(999);
  const auto amount_mismatch =
      checks.add({"verify", "--payment-header", header, "--requirements-json", serialize(requirements_999)});
  // ... or another recipient, or another network, or another EIP-712 domain.
  auto other_pay_to = base_sepolia;
  other_pay_to.pay_to = kOtherPayTo;
  const auto recipient_mismatch =
      checks.add({"verify", "--payment-header", header, "--requirements-json", serialize(other_pay_to)});
  const auto network_mismatch =
      checks.add({"verify", "--payment-header", header_base, "--requirements-json", requirements});
  auto other_domain = base_sepolia;
  other_domain.extra = boost::json::object{{"name", "USD Coin"}, {"version", "2"}};
  const auto domain_mismatch =
      checks.add({"verify", "--payment-header", header, "--requirements-json", serialize(other_domain)});

  // Shape: the reference schemas accept it, its decoder reads back our exact bytes, and its encoder
  // turns them into our exact header.
  const auto schema = checks.add({"schema", "PaymentPayloadV2"}, text);
  const auto schema_any = checks.add({"schema", "PaymentPayload"}, text);
  const auto ref_decoded = checks.add({"decode-header", "PAYMENT-SIGNATURE", "--value", header});
  const auto ref_encoded = checks.add({"encode-header", "PAYMENT-SIGNATURE"}, text);
  ASSERT_TRUE(checks.run());

  EXPECT_EQ(checks[valid].line(), valid_verdict()) << checks[valid].err;
  EXPECT_EQ(checks[valid_base].line(), valid_verdict()) << checks[valid_base].err;
  EXPECT_EQ(checks[tampered_value].line(), invalid_verdict("invalid_exact_evm_signature"));
  EXPECT_EQ(checks[amount_mismatch].line(),
            invalid_verdict("invalid_exact_evm_payload_authorization_value_mismatch"));
  EXPECT_EQ(checks[recipient_mismatch].line(), invalid_verdict("invalid_exact_evm_recipient_mismatch"));
  EXPECT_EQ(checks[network_mismatch].line(), invalid_verdict("invalid_exact_evm_network_mismatch"));
  EXPECT_EQ(checks[domain_mismatch].line(), invalid_verdict("invalid_exact_evm_signature"));

  EXPECT_EQ(checks[schema].line(), R"({"ok":true})") << checks[schema].out;
  EXPECT_EQ(checks[schema_any].line(), R"({"ok":true})") << checks[schema_any].out;
  EXPECT_EQ(checks[ref_decoded].line(), text) << checks[ref_decoded].err;
  EXPECT_EQ(checks[ref_encoded].line(), header) << checks[ref_encoded].err;
}

TEST_F(PayloadConformance, V1HeaderIsValidForTheV1AndLegacyFacilitators) {
  PaymentRequirementsResponse body;
  body.error = "X-PAYMENT header is required";
  PaymentRequirementsV1 r;
  r.scheme = "exact";
  r.network = "base-sepolia";
  r.max_amount_required = U256(1000);
  r.resource = "http://127.0.0.1:4021/weather";
  r.description = "Weather";
  r.mime_type = "application/json";
  r.pay_to = kPayTo;
  r.max_timeout_seconds = 60;
  const auto usdc = default_usdc("eip155:84532", 1000);
  r.asset = usdc.asset;
  r.extra = usdc.extra;
  body.accepts.push_back(r);

  const std::string header = payload(serialize(body));
  ASSERT_FALSE(header.empty());
  const std::string text = decoded_text(header);
  const auto json = boost::json::parse(text);
  const std::string requirements = serialize(r);

  ReferenceChecks checks;
  const auto v1 =
      checks.add({"verify", "--payment-header", header, "--requirements-json", requirements, "--v1"});
  const auto legacy =
      checks.add({"verify", "--payment-header", header, "--requirements-json", requirements, "--legacy"});

  auto tampered = json;
  tampered.at("payload").at("authorization").as_object()["value"] = "1001";
  auto r1001 = r;
  r1001.max_amount_required = U256(1001);
  const auto tampered_v1 = checks.add(
      {"verify", "--payment-header", reencode(tampered), "--requirements-json", serialize(r1001), "--v1"});
  const auto tampered_legacy = checks.add({"verify", "--payment-header", reencode(tampered),
                                           "--requirements-json", serialize(r1001), "--legacy"});
  // Signed 1000 where 1001 is required.
  const auto short_v1 =
      checks.add({"verify", "--payment-header", header, "--requirements-json", serialize(r1001), "--v1"});
  const auto short_legacy =
      checks.add({"verify", "--payment-header", header, "--requirements-json", serialize(r1001), "--legacy"});

  const auto schema = checks.add({"schema", "PaymentPayloadV1"}, text);
  const auto schema_legacy = checks.add({"schema", "legacy:PaymentPayload"}, text);
  const auto legacy_decoded = checks.add({"decode-header", "X-PAYMENT", "--value", header});
  const auto ref_encoded = checks.add({"encode-header", "PAYMENT-SIGNATURE"}, text);
  ASSERT_TRUE(checks.run());

  EXPECT_EQ(checks[v1].line(), valid_verdict()) << checks[v1].err;
  EXPECT_EQ(checks[legacy].line(), valid_verdict()) << checks[legacy].err;
  EXPECT_EQ(checks[tampered_v1].line(), invalid_verdict("invalid_exact_evm_signature"));
  EXPECT_EQ(checks[tampered_legacy].line(), invalid_verdict("invalid_exact_evm_payload_signature"));
  EXPECT_EQ(checks[short_v1].line(), invalid_verdict("invalid_exact_evm_authorization_value"));
  EXPECT_EQ(checks[short_legacy].line(), invalid_verdict("invalid_exact_evm_payload_authorization_value"));

  EXPECT_EQ(checks[schema].line(), R"({"ok":true})") << checks[schema].out;
  EXPECT_EQ(checks[schema_legacy].line(), R"({"ok":true})") << checks[schema_legacy].out;
  // The legacy decoder re-orders `payload` (signature first); the content is the same.
  EXPECT_EQ(checks[legacy_decoded].json(), json) << checks[legacy_decoded].out << checks[legacy_decoded].err;
  EXPECT_EQ(checks[ref_encoded].line(), header);
}

}  // namespace
}  // namespace x402::test::interop
