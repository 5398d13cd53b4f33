// stringify() must print exactly what JavaScript's JSON.stringify prints for the same value.
// Fixed expectations below were taken from node; the conformance test asks node directly.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "protocol/json_number.hpp"
#include "support/test_support.hpp"
#include "x402/codec.hpp"

namespace x402 {
namespace {

std::string restringify(const std::string& json) {
  auto parsed = parse_json(json);
  EXPECT_TRUE(parsed.ok()) << json << ": " << (parsed.ok() ? "" : parsed.error().describe());
  return parsed.ok() ? stringify(*parsed) : std::string();
}

TEST(JsonText, NumbersAsJavaScriptPrintsThem) {
  EXPECT_EQ(restringify("[1.5,60.0,1e2,-0,-0.0,0.1,1e21,1e-7,123e-20,0.000001,1.2e-6]"),
            "[1.5,60,100,0,0,0.1,1e+21,1e-7,1.23e-18,0.000001,0.0000012]");
  EXPECT_EQ(restringify("[12345678901234567890123,1.7976931348623157e308,5e-324]"),
            "[1.2345678901234568e+22,1.7976931348623157e+308,5e-324]");
  // Integers a JS number cannot hold exactly come out as the double JS would have read.
  EXPECT_EQ(restringify("[9007199254740993,18446744073709551615,-9007199254740993,9007199254740992]"),
            "[9007199254740992,18446744073709552000,-9007199254740992,9007199254740992]");
  EXPECT_EQ(protocol::js_number_to_string(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(protocol::js_number_to_string(123456789012345680000.0), "123456789012345680000");
  EXPECT_EQ(protocol::js_number_to_string(-1.5e-7), "-1.5e-7");
}

TEST(JsonText, StringEscapesAsJavaScriptWritesThem) {
  EXPECT_EQ(restringify(R"(["\u0001\b\f\n\r\t\"\\","\u007f/\u2028\u2029","\u00e9\ud83d\ude00","\/"])"),
            "[\"\\u0001\\b\\f\\n\\r\\t\\\"\\\\\",\"\x7f/"
            "\xe2\x80\xa8\xe2\x80\xa9\",\"\xc3\xa9\xf0\x9f\x98\x80\",\"/\"]");
  EXPECT_EQ(restringify(R"(["\u001f\u0000"])"), R"(["\u001f\u0000"])");
}

// The oracle: Boost.JSON's serializer, an independent writer whose escapes for these bytes are
// JSON.stringify's (two-character forms, lowercase \u00XX, everything else verbatim), applied to
// the writer that skips plain text eight bytes at a time.
std::string quote_with_boost(std::string_view text) {
  return boost::json::serialize(boost::json::string(text));
}

// An escape must be found at any offset within and across the eight-byte steps, next to any
// neighbour (bytes >= 0x80, 0x20, 0x21, '[' and ']' sit right beside the ones escaped).
TEST(JsonText, EscapesAreFoundAtEveryOffset) {
  const std::string alphabet{'"', '\\', '\0',   '\x01', '\x08', '\x1f', '\n',   ' ', '!', '#',
                             '[', ']',  '\x7f', '\x80', '\xa2', '\xdc', '\xff', 'a', 'Z', '0'};
  std::mt19937 rng(8);
  for (int n = 0; n < 20000; ++n) {
    std::string text(rng() % 41, 'x');
    const bool sparse = n % 2 == 0;  // mostly plain text with an occasional special byte
    for (auto& c : text)
      if (!sparse || rng() % 9 == 0) c = alphabet[rng() % alphabet.size()];
    ASSERT_EQ(stringify(boost::json::value(boost::json::string(text))), quote_with_boost(text)) << n;
  }
}

TEST(JsonText, IntegerLikeKeysComeFirstAsInJavaScriptObjects) {
  EXPECT_EQ(restringify(R"({"b":1,"1":2,"0":3,"-1":4,"01":5,"4294967294":6,"4294967295":7})"),
            R"({"0":3,"1":2,"4294967294":6,"b":1,"-1":4,"01":5,"4294967295":7})");
}

TEST(JsonText, DuplicateKeysKeepFirstPositionAndLastValue) {
  EXPECT_EQ(restringify(R"({"a":1,"b":2,"a":3})"), R"({"a":3,"b":2})");
}

TEST(JsonText, NonFiniteDoublesBecomeNull) {
  boost::json::array values{std::numeric_limits<double>::infinity(), std::nan("")};
  EXPECT_EQ(stringify(values), "[null,null]");
}

// A JSON array of numbers written with up to 17 significant digits and wide exponents: random
// bit patterns, short decimals, and integers around 2^53 and 2^64.
std::string random_numbers_line(unsigned seed, int count) {
  std::mt19937_64 rng(seed);
  std::string line = "[";
  char buf[64];
  for (int i = 0; i < count; ++i) {
    if (i) line += ',';
    switch (i % 4) {
      case 0: {
        double d = 0;
        std::uint64_t bits = rng();
        std::memcpy(&d, &bits, sizeof d);
        if (!std::isfinite(d)) d = 1.0 / static_cast<double>((bits >> 12) | 1);
        std::snprintf(buf, sizeof buf, "%.17g", d);
        break;
      }
      case 1:
        std::snprintf(buf, sizeof buf, "%llu.%llue%d", static_cast<unsigned long long>(rng() % 100000),
                      static_cast<unsigned long long>(rng() % 1000000000), static_cast<int>(rng() % 60) - 30);
        break;
      case 2:
        std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>((1ULL << 53) + rng() % 4096));
        break;
      default:
        std::snprintf(buf, sizeof buf, "%llu%03llu", static_cast<unsigned long long>(rng()),
                      static_cast<unsigned long long>(rng() % 1000));
    }
    line += buf;
  }
  return line + "]";
}

// Asks node itself, if it is installed (it is a build dependency: contracts are compiled with it).
TEST(JsonText, MatchesNodeJsonStringify) {
  const std::string node = X402_NODE;
  if (node.empty() || !std::filesystem::exists(node)) GTEST_SKIP() << "node not available";
  const std::vector<std::string> corpus = {
      R"({"x402Version":2,"n":[0,-0,1,-1,0.5,1e-6,1e-7,9.999999999999999e20,1e21,123456789.123456789]})",
      R"([3.141592653589793,2.718281828459045,1e308,2.2250738585072014e-308,4.9e-324,100000000000000000000])",
      R"([1e15,1e16,1e17,123456789012345678,-123456789012345678901,0.1,0.7,1.1,33.3333333333])",
      R"(["\u0000\u0008\u0009\u000a\u000b\u000c\u000d\u001b\u001f\u0020\u007f\u0080\u00ff","\u2028\u2029\ufeff\uffff"])",
      R"({"z":1,"10":1,"2":1,"a":{"9":[],"x":{},"08":null,"4294967296":true}})",
      R"({"a":"\"quoted\" \\ back / slash","emoji":"\ud83d\udc4d","cjk":"\u4e2d\u6587"})",
      R"([[],{},[[]],[{}],"",true,false,null])",
  };
  std::vector<std::string> all = corpus;
  all.push_back(random_numbers_line(/*seed=*/1, /*count=*/400));
  all.push_back(random_numbers_line(/*seed=*/2, /*count=*/400));
  std::ostringstream input;
  for (const auto& line : all) input << line << "\n";
  const std::string script =
      "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{for(const l of s.split('\\n'))"
      "if(l)process.stdout.write(JSON.stringify(JSON.parse(l))+'\\n');});";
  auto run = test::run_process({node, "-e", script}, input.str());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::istringstream lines(run.out);
  for (const auto& json : all) {
    std::string expected;
    ASSERT_TRUE(std::getline(lines, expected));
    EXPECT_EQ(restringify(json), expected) << json;
  }
}

}  // namespace
}  // namespace x402
