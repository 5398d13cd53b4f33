// `x402 decode` as a user runs it: every x402 message type in, only indented JSON out, members in
// the reference SDK's order whatever order they came in. Also: `--help` on every command.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "cli/cli_test_util.hpp"
#include "support/test_support.hpp"
#include "x402/codec.hpp"

namespace x402::test::cli {
namespace {

using Keys = std::vector<std::string>;

constexpr const char* kPayer = "0x857b06519E91e3A54538791bDbb0E22373e36b66";

// The value printed by a successful decode, parsed; stdout must be JSON and nothing else.
boost::json::value decoded_json(const ProcessResult& run) {
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.err.empty()) << run.err;
  boost::system::error_code ec;
  auto value = boost::json::parse(run.out, ec);
  EXPECT_FALSE(ec) << "stdout is not one JSON value: " << run.out;
  EXPECT_FALSE(run.out.empty());
  if (!run.out.empty()) {
    EXPECT_EQ(run.out.back(), '\n');
    EXPECT_NE(run.out.find("\n  \""), std::string::npos) << "not indented: " << run.out;
  }
  return ec ? boost::json::value{} : value;
}

ProcessResult decode(const std::string& value) {
  return run_cli({"decode", value}, {}, kCliTimeout);
}

PaymentRequirements base_sepolia_usdc() {
  PaymentRequirements r;
  r.scheme = "exact";
  r.network = "eip155:84532";
  r.amount = U256(10000);
  r.asset = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
  r.pay_to = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C";
  r.max_timeout_seconds = 60;
  r.extra = boost::json::parse(R"({"name":"USDC","version":"2"})").as_object();
  return r;
}

const Keys kRequirementKeys{"scheme", "network", "amount", "asset", "payTo", "maxTimeoutSeconds", "extra"};
const Keys kRequirementV1Keys{"scheme",   "network", "maxAmountRequired", "resource", "description",
                              "mimeType", "payTo",   "maxTimeoutSeconds", "asset",    "outputSchema",
                              "extra"};
const Keys kAuthorizationKeys{"from", "to", "value", "validAfter", "validBefore", "nonce"};

// A v2 requirement and a v1 one with their members shuffled, as a hand-written server might send.
constexpr const char* kShuffledRequirement =
    R"({"extra":{"version":"2","name":"USDC"},"payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C",)"
    R"("maxTimeoutSeconds":60,"asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e","amount":"10000",)"
    R"("network":"eip155:84532","scheme":"exact"})";
constexpr const char* kShuffledRequirementV1 =
    R"({"extra":{"name":"USDC","version":"2"},"outputSchema":{"input":{"type":"http","method":"GET"}},)"
    R"("asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e","maxTimeoutSeconds":60,)"
    R"("payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","mimeType":"application/json","description":"",)"
    R"("resource":"http://127.0.0.1:4021/weather","maxAmountRequired":"1000","network":"base-sepolia",)"
    R"("scheme":"exact"})";
constexpr const char* kEvmPayloadSignatureFirst =
    R"({"signature":"0x2d6a7588d6acca505cbf0d9a4a227e0c52c6c34008c8e8986a1283259764173608a2ce6496642e377d6da8dbbf5836e9bd15092f9ecab05ded3d6293af148b571c",)"
    R"("authorization":{"from":"0x857b06519E91e3A54538791bDbb0E22373e36b66","to":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C",)"
    R"("value":"10000","validAfter":"1740672089","validBefore":"1740672154",)"
    R"("nonce":"0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480"}})";

TEST(DecodeCommand, PaymentRequiredHeader) {
  PaymentRequired required;
  required.error = "Payment required";
  required.resource.url = "https://api.example.com/premium-data";
  required.resource.description = "Access to premium market data";
  required.resource.mime_type = "application/json";
  required.accepts.push_back(base_sepolia_usdc());
  required.extensions =
      boost::json::parse(R"({"bazaar":{"info":{"output":{"example":{"t":21.5}}},"schema":{}}})").as_object();
  const auto json = decoded_json(decode(encode_header(required)));
  EXPECT_EQ(keys_of(json), (Keys{"x402Version", "error", "resource", "accepts", "extensions"}));
  EXPECT_EQ(keys_of(json, "resource"), (Keys{"url", "description", "mimeType"}));
  EXPECT_EQ(keys_of(json.at("accepts").at(0)), kRequirementKeys);
  EXPECT_EQ(json, to_json(required));
}

TEST(DecodeCommand, PaymentSignatureHeaderInShuffledOrder) {
  const std::string text = std::string(R"({"accepted":)") + kShuffledRequirement +
                           R"(,"resource":{"mimeType":"application/json","url":"https://api.example.com/x"},)"
                           R"("payload":)" +
                           kEvmPayloadSignatureFirst + R"(,"x402Version":2})";
  const auto json = decoded_json(decode(base64_encode(text)));
  EXPECT_EQ(keys_of(json), (Keys{"x402Version", "payload", "resource", "accepted"}));
  EXPECT_EQ(keys_of(json, "resource"), (Keys{"url", "mimeType"}));
  EXPECT_EQ(keys_of(json, "accepted"), kRequirementKeys);
  // Scheme-specific parts are shown as sent (the 1.x clients put `signature` first).
  EXPECT_EQ(keys_of(json, "payload"), (Keys{"signature", "authorization"}));
  EXPECT_EQ(keys_of(json.at("accepted"), "extra"), (Keys{"version", "name"}));
  EXPECT_EQ(keys_of(json.at("payload"), "authorization"), kAuthorizationKeys);
}

TEST(DecodeCommand, PaymentResponseHeaderIsPrintedLikeJsonStringifyWithIndentTwo) {
  const std::string text = std::string(R"({"network":"eip155:84532","transaction":"0x1234","payer":")") +
                           kPayer + R"(","success":true})";
  auto run = decode(base64_encode(text));
  decoded_json(run);
  EXPECT_EQ(run.out, std::string("{\n  \"success\": true,\n  \"payer\": \"") + kPayer +
                         "\",\n  \"transaction\": \"0x1234\",\n  \"network\": \"eip155:84532\"\n}\n");
}

TEST(DecodeCommand, XPaymentHeader) {
  const std::string text =
      std::string(R"({"x402Version":1,"scheme":"exact","network":"base-sepolia","payload":)") +
      kEvmPayloadSignatureFirst + "}";
  const auto json = decoded_json(decode(base64_encode(text)));
  EXPECT_EQ(keys_of(json), (Keys{"x402Version", "scheme", "network", "payload"}));
  EXPECT_EQ(json.at("x402Version"), 1);
  EXPECT_EQ(json.at("payload"), boost::json::parse(kEvmPayloadSignatureFirst));
}

TEST(DecodeCommand, XPaymentResponseHeader) {
  const std::string text =
      std::string(R"({"success":false,"errorReason":"insufficient_funds","transaction":"",)") +
      R"("network":"base-sepolia","payer":")" + kPayer + R"("})";
  const auto json = decoded_json(decode(base64_encode(text)));
  EXPECT_EQ(keys_of(json), (Keys{"success", "errorReason", "payer", "transaction", "network"}));
  EXPECT_EQ(json.at("transaction").as_string(), "");
}

TEST(DecodeCommand, V1PaymentRequiredBody) {
  const std::string body = std::string(R"({"accepts":[)") + kShuffledRequirementV1 +
                           R"(],"error":"X-PAYMENT header is required","x402Version":1})";
  const auto json = decoded_json(decode(body));
  EXPECT_EQ(keys_of(json), (Keys{"x402Version", "error", "accepts"}));
  EXPECT_EQ(keys_of(json.at("accepts").at(0)), kRequirementV1Keys);
  EXPECT_EQ(json.at("accepts").at(0).at("description").as_string(), "");
}

TEST(DecodeCommand, VerifyResponse) {
  auto run = decode(std::string(R"({"payer":")") + kPayer +
                    R"(","invalidReason":"invalid_exact_evm_signature","isValid":false})");
  decoded_json(run);
  EXPECT_EQ(run.out,
            std::string("{\n  \"isValid\": false,\n  \"invalidReason\": \"invalid_exact_evm_signature\",\n"
                        "  \"payer\": \"") +
                kPayer + "\"\n}\n");
}

TEST(DecodeCommand, SettleResponseWithNumbersAndIntegerLikeKeysAsJavaScriptPrintsThem) {
  // JSON.stringify(v, null, 2): integer-like keys first, 1.5 not 1.5E0, 1e+21 in exponent form.
  auto run = decode(R"({"success":true,"transaction":"0x1","network":"eip155:84532",)"
                    R"("amount":"5","extra":{"b":1.5,"1":2,"a":1e21,"s":"\u00e9\n","e":{},"l":[]}})");
  decoded_json(run);
  EXPECT_EQ(run.out,
            "{\n  \"success\": true,\n  \"transaction\": \"0x1\",\n  \"network\": \"eip155:84532\",\n"
            "  \"amount\": \"5\",\n  \"extra\": {\n    \"1\": 2,\n    \"b\": 1.5,\n    \"a\": 1e+21,\n"
            "    \"s\": \"\xC3\xA9\\n\",\n    \"e\": {},\n    \"l\": []\n  }\n}\n");
}

TEST(DecodeCommand, SupportedResponse) {
  const auto json = decoded_json(
      decode(R"({"signers":{"eip155:*":["0x0000000000000000000000000000000000000001"]},"extensions":[],)"
             R"("kinds":[{"network":"eip155:84532","scheme":"exact","x402Version":2},)"
             R"({"extra":{"feePayer":"x"},"network":"base-sepolia","scheme":"exact","x402Version":1}]})"));
  EXPECT_EQ(keys_of(json), (Keys{"kinds", "extensions", "signers"}));
  EXPECT_EQ(keys_of(json.at("kinds").at(0)), (Keys{"x402Version", "scheme", "network"}));
  EXPECT_EQ(keys_of(json.at("kinds").at(1)), (Keys{"x402Version", "scheme", "network", "extra"}));
}

TEST(DecodeCommand, VerifyRequestBody) {
  const std::string payload = std::string(R"({"x402Version":2,"payload":)") + kEvmPayloadSignatureFirst +
                              R"(,"accepted":)" + kShuffledRequirement + "}";
  const auto json = decoded_json(decode(std::string(R"({"paymentRequirements":)") + kShuffledRequirement +
                                        R"(,"paymentPayload":)" + payload + R"(,"x402Version":2})"));
  EXPECT_EQ(keys_of(json), (Keys{"x402Version", "paymentPayload", "paymentRequirements"}));
  EXPECT_EQ(keys_of(json, "paymentRequirements"), kRequirementKeys);
  EXPECT_EQ(keys_of(json, "paymentPayload"), (Keys{"x402Version", "payload", "accepted"}));
}

TEST(DecodeCommand, ReadsStandardInputSoThatPayloadCanBePipedIn) {
  TempDir dir;
  const auto key = key_file(dir);
  PaymentRequired required;
  required.resource.url = "https://api.example.com/x";
  required.accepts.push_back(base_sepolia_usdc());
  auto paid = run_cli({"payload", "--required", encode_header(required), "--key-file", key}, {}, kCliTimeout);
  ASSERT_EQ(paid.exit_code, 0) << paid.err;
  auto run = run_cli({"decode", "-"}, paid.out, kCliTimeout);  // with the trailing newline
  const auto json = decoded_json(run);
  expect_no_key(run);
  EXPECT_EQ(keys_of(json), (Keys{"x402Version", "payload", "resource", "accepted"}));
  EXPECT_EQ(json.at("accepted"), to_json(required.accepts[0]));
  EXPECT_EQ(json.at("payload").at("authorization").at("from").as_string(), kTestAddress0);
}

TEST(DecodeCommand, KindFlagNamesTheTypeOnStderrOnly) {
  auto run = run_cli({"decode", "--kind", R"({"isValid":true,"payer":"0x1"})"}, {}, kCliTimeout);
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.err.find("VerifyResponse"), std::string::npos) << run.err;
  EXPECT_EQ(boost::json::parse(run.out), boost::json::parse(R"({"isValid":true,"payer":"0x1"})"));
}

TEST(DecodeCommand, GarbageIsRefusedWithAMessageAndNothingOnStdout) {
  const std::vector<std::string> garbage{
      "",
      "   ",
      "%%%not base64%%%",
      "eyJ4NDAy",                     // valid base64 of a truncated object
      base64_encode("hello world"),   // not JSON
      base64_encode("[1,2,3]"),       // not an object
      base64_encode(R"({"foo":1})"),  // not an x402 message
      R"({"x402Version":2,"resource":{"url":"https://x"},"accepts":[]})",  // zod: accepts non-empty
      R"({"x402Version":2,"accepts":[{"scheme":"exact"}]})",
      R"({"isValid":"yes"})",
      R"({"success":true,"network":"eip155:84532"})",  // transaction is required
      R"({"success":true,"transaction":"","network":"x"} trailing)",
      R"({"x402Version":7,"payload":{},"accepted":{}})",
      [] {  // nested deeper than the parser allows
        std::string deep;
        for (int i = 0; i < 100; ++i) deep += R"({"a":)";
        return deep + "1" + std::string(100, '}');
      }(),
  };
  for (const auto& value : garbage) {
    SCOPED_TRACE(value.substr(0, 80));
    auto run = decode(value);
    expect_refused(run);
    EXPECT_NE(run.err.find("x402 decode"), std::string::npos) << run.err;
  }
  expect_refused(run_cli({"decode"}, {}, kCliTimeout), 2);
}

// --- --help everywhere ----------------------------------------------------------------------------

// Subcommand names listed under "Subcommands:" in CLI11 help output.
std::vector<std::string> subcommands_in(const std::string& help) {
  std::vector<std::string> names;
  const auto start = help.find("\nSubcommands:\n");
  if (start == std::string::npos) return names;
  std::size_t pos = start + std::string("\nSubcommands:\n").size();
  while (pos < help.size()) {
    const auto end = help.find('\n', pos);
    const std::string line = help.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? help.size() : end + 1;
    if (line.empty()) break;
    if (line.size() > 2 && line[0] == ' ' && line[1] == ' ' && line[2] != ' ') {
      const auto name_end = line.find(' ', 2);
      names.push_back(line.substr(2, name_end == std::string::npos ? std::string::npos : name_end - 2));
    }
  }
  return names;
}

TEST(CliHelp, EveryCommandAndSubcommandAnswersHelpWithExitZero) {
  auto top = run_cli({"--help"}, {}, kCliTimeout);
  ASSERT_EQ(top.exit_code, 0) << top.err;
  std::vector<std::vector<std::string>> pending;
  for (const auto& name : subcommands_in(top.out)) pending.push_back({name});
  std::set<std::string> seen;
  for (const auto& path : pending) seen.insert(path.front());
  for (const char* required : {"payload", "decode"}) EXPECT_TRUE(seen.count(required)) << required;

  std::size_t checked = 0;
  while (!pending.empty()) {
    auto path = pending.back();
    pending.pop_back();
    std::string joined;
    for (const auto& part : path) joined += (joined.empty() ? "" : " ") + part;
    SCOPED_TRACE(joined);
    auto args = path;
    args.push_back("--help");
    auto run = run_cli(args, {}, kCliTimeout);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_TRUE(run.err.empty()) << run.err;
    EXPECT_NE(run.out.find("Usage: x402 " + joined), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("--help"), std::string::npos);
    ++checked;
    for (const auto& child : subcommands_in(run.out)) {
      auto deeper = path;
      deeper.push_back(child);
      pending.push_back(deeper);
    }
  }
  EXPECT_GE(checked, 2u);
}

TEST(CliHelp, UnknownCommandOrFlagIsAUsageError) {
  expect_refused(run_cli({"no-such-command"}, {}, kCliTimeout), 2);
  expect_refused(run_cli({"decode", "--no-such-flag", "x"}, {}, kCliTimeout), 2);
}

}  // namespace
}  // namespace x402::test::cli
