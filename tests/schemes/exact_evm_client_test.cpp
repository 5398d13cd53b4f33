// ExactEvmClient with a fixed clock and nonce: what it signs and sends is pinned byte for byte, and
// the per-requirement cache (domain separator, recipient) never lets one requirement's domain or
// recipient leak into another's payment. The pinned values were produced before that cache existed,
// and the signatures in them are the ones viem's signTypedData gives for the same key and message.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "client/payment.hpp"
#include "crypto/eip712.hpp"
#include "crypto/secp256k1.hpp"
#include "schemes/exact/evm/client.hpp"
#include "schemes/exact/evm/payload.hpp"
#include "support/test_support.hpp"
#include "x402/codec.hpp"
#include "x402/keys.hpp"
#include "x402/networks.hpp"

namespace x402::exact_evm {
namespace {

constexpr std::string_view kHardhatKey0 =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
constexpr std::string_view kHardhatAddress0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
constexpr std::string_view kUsdcBaseSepolia = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
constexpr std::string_view kUsdcBase = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";
constexpr std::string_view kPayToLower = "0x209693bc6afc0c5328ba36faf03c514ef312287c";
constexpr std::string_view kPayToChecksummed = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C";
constexpr std::string_view kPayTo2 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
constexpr std::uint64_t kNow = 1740672000;

Bytes32 fixed_nonce() {
  return *Bytes32::from_hex("0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480");
}

std::unique_ptr<ExactEvmClient> make_client() {
  auto key = PrivateKey::from_hex(kHardhatKey0);
  EXPECT_TRUE(key.ok());
  return std::make_unique<ExactEvmClient>(
      *key, std::make_shared<const NetworkRegistry>(NetworkRegistry::with_defaults()), [] { return kNow; },
      fixed_nonce);
}

PaymentRequirements sepolia_option() {
  return test::exact_requirement("eip155:84532", 1000, kUsdcBaseSepolia, kPayToLower, 300,
                                 R"({"name":"USDC","version":"2"})");
}

PaymentRequirements base_option() {
  return test::exact_requirement("eip155:8453", 2500, kUsdcBase, kPayTo2, 300,
                                 R"({"name":"USD Coin","version":"2"})");
}

std::string payload_text(const ExactEvmClient& client, const PaymentRequirements& requirements) {
  auto payload = client.create_payload(requirements);
  EXPECT_TRUE(payload.ok()) << (payload ? "" : payload.error().describe());
  return payload ? stringify(*payload) : std::string();
}

std::string header_for(const ExactEvmClient& client, const PaymentRequirements& chosen) {
  PaymentRequired required;
  required.error = "Payment required";
  required.resource.url = "http://127.0.0.1:4021/weather";
  required.resource.description = "Weather";
  required.resource.mime_type = "application/json";
  required.accepts.push_back(chosen);
  auto payment = client::create_payment(required, chosen, client);
  EXPECT_TRUE(payment.ok()) << (payment ? "" : payment.error().describe());
  return payment ? encode_header(*payment) : std::string();
}

PaymentRequirementsV1 sepolia_option_v1() {
  PaymentRequirementsV1 r;
  r.scheme = "exact";
  r.network = "base-sepolia";
  r.max_amount_required = U256(1000);
  r.resource = "http://127.0.0.1:4021/weather";
  r.pay_to = std::string(kPayToLower);
  r.max_timeout_seconds = 60;
  r.asset = kUsdcBaseSepolia;
  r.extra = boost::json::parse(R"({"name":"USDC","version":"2"})").as_object();
  return r;
}

constexpr std::string_view kSepoliaPayload =
    R"({"authorization":{"from":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","to":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","value":"1000","validAfter":"0","validBefore":"1740672300","nonce":"0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480"},"signature":"0x15fbc589a9d703491ed59292c0d197bdee74aadb58b73bc611ed03beeecd8a1454938dda11e65801bcd2dc7b4cc2eeb9b5ab451a0193fb11a5423596b6adabdc1c"})";
constexpr std::string_view kBasePayload =
    R"({"authorization":{"from":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","to":"0x70997970C51812dc3A010C7d01b50e0d17dc79C8","value":"2500","validAfter":"0","validBefore":"1740672300","nonce":"0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480"},"signature":"0x2c2689821e55b07b474af904db4e526d70f43fbba965ef914d007dd1d1364b2b1ac44010fa045c37b85df2fcbc891990567975d4d91cb05af8e2432233ee5d551c"})";
constexpr std::string_view kSepoliaPayloadV1 =
    R"({"authorization":{"from":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","to":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","value":"1000","validAfter":"1740671400","validBefore":"1740672060","nonce":"0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480"},"signature":"0xa0ff1e66656950eb3671f2f8248ff6a6b76d5e8947f3ff95139bab3beea4d34e7e69ceccfb05ea554bcd36aa7c6ce8ba02cde5216589eb4d90ecc5c01155357e1c"})";
constexpr std::string_view kSepoliaHeader =
    "eyJ4NDAyVmVyc2lvbiI6MiwicGF5bG9hZCI6eyJhdXRob3JpemF0aW9uIjp7ImZyb20iOiIweGYzOUZkNmU1MWFhZDg4RjZG"
    "NGNlNmFCODgyNzI3OWNmZkZiOTIyNjYiLCJ0byI6IjB4MjA5NjkzQmM2YWZjMEM1MzI4YkEzNkZhRjAzQzUxNEVGMzEyMjg3"
    "QyIsInZhbHVlIjoiMTAwMCIsInZhbGlkQWZ0ZXIiOiIwIiwidmFsaWRCZWZvcmUiOiIxNzQwNjcyMzAwIiwibm9uY2UiOiIw"
    "eGYzNzQ2NjEzYzJkOTIwYjVmZGFiYzA4NTZmMmFlYjJkNGY4OGVlNjAzN2I4Y2M1ZDA0YTcxYTQ0NjJmMTM0ODAifSwic2ln"
    "bmF0dXJlIjoiMHgxNWZiYzU4OWE5ZDcwMzQ5MWVkNTkyOTJjMGQxOTdiZGVlNzRhYWRiNThiNzNiYzYxMWVkMDNiZWVlY2Q4"
    "YTE0NTQ5MzhkZGExMWU2NTgwMWJjZDJkYzdiNGNjMmVlYjliNWFiNDUxYTAxOTNmYjExYTU0MjM1OTZiNmFkYWJkYzFjIn0s"
    "InJlc291cmNlIjp7InVybCI6Imh0dHA6Ly8xMjcuMC4wLjE6NDAyMS93ZWF0aGVyIiwiZGVzY3JpcHRpb24iOiJXZWF0aGVy"
    "IiwibWltZVR5cGUiOiJhcHBsaWNhdGlvbi9qc29uIn0sImFjY2VwdGVkIjp7InNjaGVtZSI6ImV4YWN0IiwibmV0d29yayI6"
    "ImVpcDE1NTo4NDUzMiIsImFtb3VudCI6IjEwMDAiLCJhc3NldCI6IjB4MDM2Q2JENTM4NDJjNTQyNjYzNGU3OTI5NTQxZUMy"
    "MzE4ZjNkQ0Y3ZSIsInBheVRvIjoiMHgyMDk2OTNiYzZhZmMwYzUzMjhiYTM2ZmFmMDNjNTE0ZWYzMTIyODdjIiwibWF4VGlt"
    "ZW91dFNlY29uZHMiOjMwMCwiZXh0cmEiOnsibmFtZSI6IlVTREMiLCJ2ZXJzaW9uIjoiMiJ9fX0=";

TEST(ExactEvmClient, SignsExactlyAsBefore) {
  const auto client = make_client();
  EXPECT_EQ(payload_text(*client, sepolia_option()), kSepoliaPayload);
  EXPECT_EQ(payload_text(*client, base_option()), kBasePayload);
  auto v1 = client->create_payload_v1(sepolia_option_v1());
  ASSERT_TRUE(v1.ok()) << v1.error().describe();
  EXPECT_EQ(stringify(*v1), kSepoliaPayloadV1);
  EXPECT_EQ(header_for(*client, sepolia_option()), kSepoliaHeader);
}

// Second and later payments come from the cache: same bytes as the first, in any interleaving.
TEST(ExactEvmClient, RepeatedAndInterleavedRequirementsSignAlike) {
  const auto client = make_client();
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(payload_text(*client, base_option()), kBasePayload) << round;
    EXPECT_EQ(payload_text(*client, sepolia_option()), kSepoliaPayload) << round;
    auto v1 = client->create_payload_v1(sepolia_option_v1());
    ASSERT_TRUE(v1.ok());
    EXPECT_EQ(stringify(*v1), kSepoliaPayloadV1) << round;
  }
}

// Any one field of the domain or the recipient that differs must give a different signature, and
// the signature must recover to the signer under the requirement's own domain.
TEST(ExactEvmClient, EachRequirementFieldKeysTheCache) {
  const auto client = make_client();
  const auto base = sepolia_option();
  std::vector<PaymentRequirements> variants(6, base);
  variants[1].network = "eip155:8453";
  variants[2].asset = kUsdcBase;
  variants[3].pay_to = std::string(kPayTo2);
  variants[4].extra = boost::json::parse(R"({"name":"USD Coin","version":"2"})").as_object();
  variants[5].extra = boost::json::parse(R"({"name":"USDC","version":"1"})").as_object();
  std::vector<std::string> signatures;
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t i = 0; i < variants.size(); ++i) {
      const auto& r = variants[i];
      auto payload = client->create_payload(r);
      ASSERT_TRUE(payload.ok()) << i;
      auto parsed = parse_eip3009_payload(*payload);
      ASSERT_TRUE(parsed.ok()) << i;
      EXPECT_EQ(parsed->authorization.to, *Address::parse(r.pay_to)) << i;
      const auto& extra = *r.extra;
      const crypto::Eip712Domain domain{
          std::string(extra.at("name").as_string()), std::string(extra.at("version").as_string()),
          r.network == "eip155:8453" ? 8453u : 84532u, *Address::parse(r.asset)};
      const auto& a = parsed->authorization;
      const crypto::TransferWithAuthorization message{a.from,        a.to,           a.value,
                                                      a.valid_after, a.valid_before, a.nonce};
      auto signature = Signature::from_bytes(parsed->signature);
      ASSERT_TRUE(signature.ok()) << i;
      auto signer =
          crypto::recover_signer(crypto::transfer_with_authorization_digest(domain, message), *signature);
      ASSERT_TRUE(signer.ok()) << i;
      EXPECT_EQ(signer->checksummed(), kHardhatAddress0) << i;
      const std::string text(payload->at("signature").as_string());
      if (pass == 0) {
        for (const auto& earlier : signatures) EXPECT_NE(text, earlier) << i;
        signatures.push_back(text);
      } else {
        EXPECT_EQ(text, signatures[i]) << i;
      }
    }
  }
}

// The recipient is sent in EIP-55 spelling however the server wrote it.
TEST(ExactEvmClient, SendsTheRecipientChecksummedInEveryCase) {
  const auto client = make_client();
  std::string upper = "0x" + std::string(kPayToLower.substr(2));
  for (std::size_t i = 2; i < upper.size(); ++i)
    if (upper[i] >= 'a' && upper[i] <= 'f') upper[i] = static_cast<char>(upper[i] - 'a' + 'A');
  for (const std::string_view pay_to : {kPayToLower, kPayToChecksummed, std::string_view(upper)}) {
    auto r = sepolia_option();
    r.pay_to = std::string(pay_to);
    auto payload = client->create_payload(r);
    ASSERT_TRUE(payload.ok()) << pay_to;
    EXPECT_EQ(payload->at("authorization").at("to").as_string(), kPayToChecksummed) << pay_to;
    EXPECT_EQ(payload->at("authorization").at("from").as_string(), kHardhatAddress0) << pay_to;
  }
}

// Errors are not cached: a bad requirement fails every time with the same message, and does not
// disturb a good one with the same domain.
TEST(ExactEvmClient, RejectsBadRequirementsEveryTime) {
  const auto client = make_client();
  auto bad_pay_to = sepolia_option();
  bad_pay_to.pay_to = "0x209693Bc6afc0C5328bA36FaF03C514EF312287c";  // checksum typo
  auto bad_asset = sepolia_option();
  bad_asset.asset = "0x036cbd53842c5426634e7929541eC2318f3dCF7e";
  auto no_domain = sepolia_option();
  no_domain.extra = boost::json::parse(R"({"name":"USDC"})").as_object();
  for (int round = 0; round < 2; ++round) {
    auto a = client->create_payload(bad_pay_to);
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(a.error().code, Errc::invalid_field);
    EXPECT_EQ(a.error().message.rfind("payTo: ", 0), 0u) << a.error().message;
    auto b = client->create_payload(bad_asset);
    ASSERT_FALSE(b.ok());
    EXPECT_EQ(b.error().message.rfind("asset: ", 0), 0u) << b.error().message;
    auto c = client->create_payload(no_domain);
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.error().message.find("EIP-712 domain parameters (name, version) are required"),
              std::string::npos);
    EXPECT_EQ(payload_text(*client, sepolia_option()), kSepoliaPayload) << round;
  }
}

// Many threads paying through one client, on more distinct requirements than fit in the cache.
TEST(ExactEvmClient, ConcurrentPaymentsStayCorrect) {
  const auto client = make_client();
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (std::size_t t = 0; t < failures.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 400; ++i) {
        auto r = (i / 2 + static_cast<int>(t)) % 2 == 0 ? sepolia_option() : base_option();
        // Every other payment under a domain of its own: 800 in all, more than the cache holds.
        if (i % 2 == 0) (*r.extra)["version"] = std::to_string(t * 1000 + static_cast<std::size_t>(i));
        auto payload = client->create_payload(r);
        if (!payload) {
          ++failures[t];
          continue;
        }
        if (i % 2 != 0) {
          const std::string text = stringify(*payload);
          const auto& expected = r.network == "eip155:84532" ? kSepoliaPayload : kBasePayload;
          if (text != expected) ++failures[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (std::size_t t = 0; t < failures.size(); ++t) EXPECT_EQ(failures[t], 0) << t;
}

}  // namespace
}  // namespace x402::exact_evm
