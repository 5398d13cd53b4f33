// `x402 payload` as a user runs it: a 402 in, exactly one header value out, signed the way the
// reference client signs. Signatures are checked by recovering the signer with src/crypto; the
// reference SDK's own verdict on the same output is in tests/interop/payload_conformance_test.cpp.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>
#include <set>

#include "cli/cli_test_util.hpp"
#include "crypto/eip712.hpp"
#include "crypto/secp256k1.hpp"
#include "support/test_support.hpp"
#include "x402/codec.hpp"

namespace x402::test::cli {
namespace {

constexpr const char* kUsdcBaseSepolia = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
constexpr const char* kUsdcBase = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";
// payTo of the first option is given in lowercase: the signed `to` must be its EIP-55 form.
constexpr const char* kPayToLower = "0x209693bc6afc0c5328ba36faf03c514ef312287c";
constexpr const char* kPayToChecksummed = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C";
constexpr const char* kPayTo2 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

// Two options (Base Sepolia USDC, then Base USDC with an extra member the client must echo),
// a non-ASCII resource and a bazaar-style extension with a fractional number.
PaymentRequired two_option_required(bool with_extensions = true) {
  PaymentRequired required;
  required.error = "Payment required";
  required.resource.url = "https://api.example.com/wetter?stadt=z%C3%BCrich";
  required.resource.description = "Wetter f\xC3\xBCr Z\xC3\xBCrich";
  required.resource.mime_type = "application/json";
  required.accepts.push_back(test::exact_requirement("eip155:84532", 1000, kUsdcBaseSepolia, kPayToLower, 300,
                                                     R"({"name":"USDC","version":"2"})"));
  required.accepts.push_back(
      test::exact_requirement("eip155:8453", 2500, kUsdcBase, kPayTo2, 120,
                              R"({"name":"USD Coin","version":"2","note":{"b":1,"a":[2.5,"x"]}})"));
  if (with_extensions) {
    required.extensions =
        boost::json::parse(R"({"bazaar":{"info":{"input":{"type":"http","method":"GET"},)"
                           R"("output":{"example":{"temperature":21.5}}},"schema":{"type":"object"}}})")
            .as_object();
  }
  return required;
}

struct Decoded {
  std::string text;         // the JSON text inside the header
  boost::json::value json;  // parsed, member order as in the text
};

Decoded decode_value(const std::string& header) {
  auto text = base64_decode(header, 1 << 16);
  EXPECT_TRUE(text.ok()) << (text.ok() ? "" : text.error().describe());
  if (!text) return {};
  return {*text, boost::json::parse(*text)};
}

// Recovers the signer of an exact-EVM payload {authorization, signature} under the EIP-712 domain
// of the requirement it was made for.
Address recover(const boost::json::object& payload, std::uint64_t chain_id, const std::string& name,
                const std::string& version, const std::string& asset) {
  const auto& a = payload.at("authorization").as_object();
  const auto str = [&](std::string_view key) { return std::string(a.at(key).as_string()); };
  crypto::TransferWithAuthorization message;
  message.from = *Address::parse(str("from"));
  message.to = *Address::parse(str("to"));
  message.value = *parse_u256(str("value"));
  message.valid_after = *parse_u256(str("validAfter"));
  message.valid_before = *parse_u256(str("validBefore"));
  message.nonce = *Bytes32::from_hex(str("nonce"));
  const crypto::Eip712Domain domain{name, version, chain_id, *Address::parse(asset)};
  auto bytes = from_hex(std::string(payload.at("signature").as_string()));
  EXPECT_TRUE(bytes.ok());
  auto signature = Signature::from_bytes(*bytes);
  EXPECT_TRUE(signature.ok()) << "signature is not 65 bytes r||s||v";
  if (!signature) return {};
  EXPECT_TRUE(signature->v == 27 || signature->v == 28) << "v must be 27/28 as viem signs";
  auto signer =
      crypto::recover_signer(crypto::transfer_with_authorization_digest(domain, message), *signature);
  EXPECT_TRUE(signer.ok());
  return signer.ok() ? *signer : Address{};
}

const std::regex kNonce("^0x[0-9a-f]{64}$");
const std::regex kSignature("^0x[0-9a-f]{130}$");

std::uint64_t as_u64(const boost::json::value& value) {
  return static_cast<std::uint64_t>(std::stoull(std::string(value.as_string())));
}

class PayloadCommand : public ::testing::Test {
 protected:
  TempDir dir;
  std::string key = key_file(dir);
  const PaymentRequired required = two_option_required();
  const std::string required_header = encode_header(required);

  ProcessResult pay(const std::string& required_value, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"payload", "--required", required_value, "--key-file", key};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args, {}, kCliTimeout);
  }
};

// --- v2 -------------------------------------------------------------------------------------------

TEST_F(PayloadCommand, V2PrintsOnlyOneBase64LineHoldingAPaymentPayload) {
  auto run = pay(required_header);
  expect_no_key(run);
  const auto header = single_base64_line(run);
  ASSERT_FALSE(header.empty());

  auto payload = decode_header<PaymentPayload>(header);
  ASSERT_TRUE(payload.ok()) << payload.error().describe();
  const auto decoded = decode_value(header);
  EXPECT_EQ(keys_of(decoded.json),
            (std::vector<std::string>{"x402Version", "payload", "extensions", "resource", "accepted"}));
  EXPECT_EQ(decoded.json.at("x402Version"), 2);
  EXPECT_EQ(keys_of(decoded.json, "payload"), (std::vector<std::string>{"authorization", "signature"}));
  EXPECT_EQ(keys_of(decoded.json.at("payload"), "authorization"),
            (std::vector<std::string>{"from", "to", "value", "validAfter", "validBefore", "nonce"}));

  // `accepted` is the chosen requirement byte for byte (it is the last member), `resource` and
  // `extensions` are the server's, copied.
  const std::string accepted_text = serialize(required.accepts[0]);
  const std::string tail = "\"accepted\":" + accepted_text + "}";
  ASSERT_GE(decoded.text.size(), tail.size());
  EXPECT_EQ(decoded.text.substr(decoded.text.size() - tail.size()), tail);
  EXPECT_EQ(payload->accepted, required.accepts[0]);
  EXPECT_EQ(stringify(decoded.json.at("resource")), serialize(required.resource));
  EXPECT_EQ(stringify(decoded.json.at("extensions")), stringify(*required.extensions));
  EXPECT_NE(decoded.text.find("Wetter f\xC3\xBCr Z\xC3\xBCrich"), std::string::npos) << "UTF-8 not kept raw";
}

TEST_F(PayloadCommand, V2AuthorizationIsTheReferenceClientsAndRecoversToTheKey) {
  const auto before = unix_now();
  auto run = pay(required_header);
  const auto after = unix_now();
  const auto header = single_base64_line(run);
  ASSERT_FALSE(header.empty());
  const auto decoded = decode_value(header);
  const auto& inner = decoded.json.at("payload").as_object();
  const auto& a = inner.at("authorization").as_object();

  EXPECT_EQ(a.at("from").as_string(), kTestAddress0);
  EXPECT_EQ(a.at("to").as_string(), kPayToChecksummed) << "to = EIP-55 of payTo";
  EXPECT_EQ(a.at("value").as_string(), "1000");
  EXPECT_EQ(a.at("validAfter").as_string(), "0") << "2.27 v2 clients sign from the epoch";
  const auto valid_before = as_u64(a.at("validBefore"));
  EXPECT_GE(valid_before + 2, before + 300);
  EXPECT_LE(valid_before, after + 300 + 2);
  EXPECT_TRUE(std::regex_match(std::string(a.at("nonce").as_string()), kNonce)) << a.at("nonce");
  EXPECT_TRUE(std::regex_match(std::string(inner.at("signature").as_string()), kSignature));

  EXPECT_EQ(recover(inner, 84532, "USDC", "2", kUsdcBaseSepolia).checksummed(), kTestAddress0);
  // The same signature under another chain's domain does not recover to the key: the domain
  // really is part of what was signed.
  EXPECT_NE(recover(inner, 8453, "USDC", "2", kUsdcBaseSepolia).checksummed(), kTestAddress0);
}

TEST_F(PayloadCommand, NonceIsFreshOnEveryRun) {
  std::set<std::string> nonces;
  for (int i = 0; i < 3; ++i) {
    const auto header = single_base64_line(pay(required_header));
    ASSERT_FALSE(header.empty());
    const auto decoded = decode_value(header);
    nonces.insert(std::string(decoded.json.at("payload").at("authorization").at("nonce").as_string()));
  }
  EXPECT_EQ(nonces.size(), 3u);
}

TEST_F(PayloadCommand, AcceptOnePicksTheSecondOption) {
  const auto before = unix_now();
  auto run = pay(required_header, {"--accept", "1"});
  const auto after = unix_now();
  const auto header = single_base64_line(run);
  ASSERT_FALSE(header.empty());
  auto payload = decode_header<PaymentPayload>(header);
  ASSERT_TRUE(payload.ok()) << payload.error().describe();
  EXPECT_EQ(payload->accepted, required.accepts[1]);
  const auto decoded = decode_value(header);
  const std::string tail = "\"accepted\":" + serialize(required.accepts[1]) + "}";
  EXPECT_EQ(decoded.text.substr(decoded.text.size() - std::min(tail.size(), decoded.text.size())), tail);

  const auto& inner = decoded.json.at("payload").as_object();
  const auto& a = inner.at("authorization").as_object();
  EXPECT_EQ(a.at("to").as_string(), kPayTo2);
  EXPECT_EQ(a.at("value").as_string(), "2500");
  const auto valid_before = as_u64(a.at("validBefore"));
  EXPECT_GE(valid_before + 2, before + 120);
  EXPECT_LE(valid_before, after + 120 + 2);
  EXPECT_EQ(recover(inner, 8453, "USD Coin", "2", kUsdcBase).checksummed(), kTestAddress0);
}

TEST_F(PayloadCommand, NoExtensionsMemberWhenTheServerSentNone) {
  const auto plain = two_option_required(/*with_extensions=*/false);
  const auto header = single_base64_line(pay(encode_header(plain)));
  ASSERT_FALSE(header.empty());
  EXPECT_EQ(keys_of(decode_value(header).json),
            (std::vector<std::string>{"x402Version", "payload", "resource", "accepted"}));
}

TEST_F(PayloadCommand, ReadsTheRequiredValueFromStdinAndTheKeyFromTheEnvironment) {
  auto run = run_cli({"payload", "--required", "-", "--key-env", "X402_TEST_BUYER_KEY"},
                     required_header + "\n", kCliTimeout, {{"X402_TEST_BUYER_KEY", kTestKey0}});
  expect_no_key(run);
  const auto header = single_base64_line(run);
  ASSERT_FALSE(header.empty());
  const auto decoded = decode_value(header);
  const auto& inner = decoded.json.at("payload").as_object();
  EXPECT_EQ(inner.at("authorization").at("from").as_string(), kTestAddress0);
  EXPECT_EQ(recover(inner, 84532, "USDC", "2", kUsdcBaseSepolia).checksummed(), kTestAddress0);
}

TEST_F(PayloadCommand, LargePaymentRequiredWithExtensionSchemasIsAccepted) {
  // Bazaar-style extensions carry JSON schemas; 16 KiB of them is more than one header cap.
  PaymentRequired large = required;
  boost::json::object properties;
  for (int i = 0; i < 400; ++i)
    properties["field_" + std::to_string(i)] = boost::json::object{{"type", "string"}, {"description", "x"}};
  (*large.extensions)["bazaar"].as_object()["schema"] = boost::json::object{{"properties", properties}};
  ASSERT_GT(serialize(large).size(), 16u * 1024);
  const auto header = single_base64_line(pay(encode_header(large)));
  ASSERT_FALSE(header.empty());
  EXPECT_EQ(stringify(decode_value(header).json.at("extensions")), stringify(*large.extensions));
}

// --- v1 -------------------------------------------------------------------------------------------

PaymentRequirementsResponse v1_body() {
  PaymentRequirementsResponse body;
  body.error = "X-PAYMENT header is required";
  PaymentRequirementsV1 r;
  r.scheme = "exact";
  r.network = "base-sepolia";
  r.max_amount_required = U256(1000);
  r.resource = "http://127.0.0.1:4021/weather";
  r.description = "Weather";
  r.mime_type = "application/json";
  r.pay_to = kPayToChecksummed;
  r.max_timeout_seconds = 60;
  r.asset = kUsdcBaseSepolia;
  r.extra = boost::json::parse(R"({"name":"USDC","version":"2"})").as_object();
  body.accepts.push_back(r);
  return body;
}

TEST_F(PayloadCommand, V1BodyGivesAnXPaymentValue) {
  const auto before = unix_now();
  auto run = pay(serialize(v1_body()));
  const auto after = unix_now();
  expect_no_key(run);
  const auto header = single_base64_line(run);
  ASSERT_FALSE(header.empty());
  auto payload = decode_header<PaymentPayloadV1>(header);
  ASSERT_TRUE(payload.ok()) << payload.error().describe();
  const auto decoded = decode_value(header);
  EXPECT_EQ(keys_of(decoded.json), (std::vector<std::string>{"x402Version", "scheme", "network", "payload"}));
  EXPECT_EQ(decoded.json.at("x402Version"), 1);
  EXPECT_EQ(decoded.json.at("scheme").as_string(), "exact");
  EXPECT_EQ(decoded.json.at("network").as_string(), "base-sepolia");

  const auto& inner = decoded.json.at("payload").as_object();
  const auto& a = inner.at("authorization").as_object();
  EXPECT_EQ(a.at("from").as_string(), kTestAddress0);
  EXPECT_EQ(a.at("to").as_string(), kPayToChecksummed);
  EXPECT_EQ(a.at("value").as_string(), "1000");
  const auto valid_after = as_u64(a.at("validAfter"));
  EXPECT_GE(valid_after + 2, before - 600) << "v1 clients back-date validAfter by 600 s";
  EXPECT_LE(valid_after, after - 600 + 2);
  const auto valid_before = as_u64(a.at("validBefore"));
  EXPECT_GE(valid_before + 2, before + 60);
  EXPECT_LE(valid_before, after + 60 + 2);
  EXPECT_TRUE(std::regex_match(std::string(a.at("nonce").as_string()), kNonce));
  EXPECT_EQ(recover(inner, 84532, "USDC", "2", kUsdcBaseSepolia).checksummed(), kTestAddress0);
}

TEST_F(PayloadCommand, V1BodyGivenAsBase64IsRecognisedByItsVersion) {
  const auto header = single_base64_line(pay(base64_encode(serialize(v1_body()))));
  ASSERT_FALSE(header.empty());
  EXPECT_EQ(decode_value(header).json.at("x402Version"), 1);
}

// --- refusals -------------------------------------------------------------------------------------

TEST_F(PayloadCommand, MissingKeyIsAUsageError) {
  auto run = run_cli({"payload", "--required", required_header}, {}, kCliTimeout);
  expect_refused(run, 2);
  EXPECT_NE(run.err.find("--key-file"), std::string::npos) << run.err;
}

TEST_F(PayloadCommand, MissingRequiredIsAUsageError) {
  auto run = run_cli({"payload", "--key-file", key}, {}, kCliTimeout);
  expect_refused(run, 2);
  EXPECT_NE(run.err.find("--required"), std::string::npos) << run.err;
}

TEST_F(PayloadCommand, BothKeySourcesAtOnceIsAUsageError) {
  auto run =
      run_cli({"payload", "--required", required_header, "--key-file", key, "--key-env", "X402_TEST_KEY"}, {},
              kCliTimeout, {{"X402_TEST_KEY", kTestKey0}});
  expect_refused(run, 2);
}

TEST_F(PayloadCommand, KeyFileReadableByOthersIsRefused) {
  const auto open_key = key_file(dir,
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                     std::filesystem::perms::group_read | std::filesystem::perms::others_read,
                                 "open.key");
  auto run = run_cli({"payload", "--required", required_header, "--key-file", open_key}, {}, kCliTimeout);
  expect_refused(run);
  EXPECT_NE(run.err.find("open.key"), std::string::npos) << "the message names the file: " << run.err;
  EXPECT_NE(run.err.find("mode"), std::string::npos) << run.err;
}

TEST_F(PayloadCommand, MissingKeyFileAndUnsetKeyVariableAreRefused) {
  expect_refused(
      run_cli({"payload", "--required", required_header, "--key-file", (dir.path() / "none").string()}, {},
              kCliTimeout));
  auto run = run_cli({"payload", "--required", required_header, "--key-env", "X402_TEST_UNSET_VARIABLE_42"},
                     {}, kCliTimeout);
  expect_refused(run);
  EXPECT_NE(run.err.find("X402_TEST_UNSET_VARIABLE_42"), std::string::npos) << run.err;
}

TEST_F(PayloadCommand, BadBase64IsRefused) {
  for (const std::string bad : {"%%%not-base64%%%", "eyJ4NDAy", "eyJ4NDAyVmVyc2lvbiI6Mn0"}) {
    SCOPED_TRACE(bad);
    auto run = pay(bad);
    expect_refused(run);
    EXPECT_NE(run.err.find("x402 payload"), std::string::npos) << run.err;
  }
}

TEST_F(PayloadCommand, NotJsonIsRefused) {
  auto run = pay(base64_encode("this is not json"));
  expect_refused(run);
  auto truncated = pay(base64_encode(serialize(required).substr(0, 40)));
  expect_refused(truncated);
  auto array = pay(base64_encode("[1,2,3]"));
  expect_refused(array);
}

TEST_F(PayloadCommand, NotAPaymentRequiredIsRefused) {
  // A well-formed x402 message of another type (a settle response) is not a 402.
  auto run = pay(base64_encode(R"({"success":true,"transaction":"0x12","network":"eip155:84532"})"));
  expect_refused(run);
  PaymentRequired none = required;
  none.accepts.clear();
  expect_refused(pay(base64_encode(serialize(none))));
}

TEST_F(PayloadCommand, AcceptOutOfRangeIsAUsageError) {
  auto run = pay(required_header, {"--accept", "2"});
  expect_refused(run, 2);
  EXPECT_NE(run.err.find("--accept"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("2 option"), std::string::npos) << "names how many there are: " << run.err;
  auto negative = pay(required_header, {"--accept", "-1"});
  expect_refused(negative, 2);
  EXPECT_NE(negative.err.find("--accept"), std::string::npos) << negative.err;
  EXPECT_EQ(negative.err.find("18446744073709551615"), std::string::npos)
      << "-1 wrapped around: " << negative.err;
  expect_refused(pay(required_header, {"--accept", "one"}), 2);
  expect_refused(pay(serialize(v1_body()), {"--accept", "1"}), 2);
}

TEST_F(PayloadCommand, UnsupportedSchemeIsRefused) {
  PaymentRequired upto = required;
  upto.accepts[0].scheme = "upto";
  auto run = pay(encode_header(upto));
  expect_refused(run);
  EXPECT_NE(run.err.find("upto"), std::string::npos) << run.err;
  // The other option is still payable.
  EXPECT_FALSE(single_base64_line(pay(encode_header(upto), {"--accept", "1"})).empty());

  auto body = v1_body();
  body.accepts[0].scheme = "streaming";
  auto v1 = pay(serialize(body));
  expect_refused(v1);
  EXPECT_NE(v1.err.find("streaming"), std::string::npos) << v1.err;
}

TEST_F(PayloadCommand, UnsupportedNetworkIsRefused) {
  PaymentRequired solana = required;
  solana.accepts[0].network = "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp";
  auto run = pay(encode_header(solana));
  expect_refused(run);
  EXPECT_NE(run.err.find("solana"), std::string::npos) << run.err;
}

TEST_F(PayloadCommand, MissingEip712DomainIsRefused) {
  PaymentRequired no_name = required;
  no_name.accepts[0].extra = boost::json::parse(R"({"version":"2"})").as_object();
  auto run = pay(encode_header(no_name));
  expect_refused(run);
  EXPECT_NE(run.err.find("name"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("EIP-712"), std::string::npos) << run.err;

  PaymentRequired no_extra = required;
  no_extra.accepts[0].extra.reset();
  expect_refused(pay(encode_header(no_extra)));

  auto body = v1_body();
  body.accepts[0].extra = boost::json::parse(R"({"name":"USDC"})").as_object();
  auto v1 = pay(serialize(body));
  expect_refused(v1);
  EXPECT_NE(v1.err.find("version"), std::string::npos) << v1.err;
}

TEST_F(PayloadCommand, HelpDescribesTheFlags) {
  auto run = run_cli({"payload", "--help"}, {}, kCliTimeout);
  EXPECT_EQ(run.exit_code, 0);
  for (const char* flag : {"--required", "--key-file", "--key-env", "--accept"})
    EXPECT_NE(run.out.find(flag), std::string::npos) << flag;
}

}  // namespace
}  // namespace x402::test::cli
