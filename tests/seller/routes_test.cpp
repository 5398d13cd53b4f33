// Pure parts of the seller: route patterns (reference §6.1), requirement building, matching,
// Cache-Control, retry delays.
#include <gtest/gtest.h>

#include "schemes/exact/evm/server.hpp"
#include "seller/facilitator_client.hpp"
#include "seller/seller.hpp"
#include "x402/codec.hpp"

namespace x402::seller {
namespace {

RoutePattern pattern(std::string_view text) {
  auto parsed = RoutePattern::parse(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << (parsed ? "" : parsed.error().message);
  return parsed ? *parsed : *RoutePattern::parse("/never-matches-anything-here");
}

TEST(RoutePattern, VerbAndExactPath) {
  auto route = pattern("GET /weather");
  EXPECT_TRUE(route.matches("GET", "/weather"));
  EXPECT_TRUE(route.matches("get", "/weather"));
  EXPECT_TRUE(route.matches("GET", "/weather?city=Paris"));
  EXPECT_FALSE(route.matches("POST", "/weather"));
  EXPECT_FALSE(route.matches("GET", "/weather/today"));
  EXPECT_FALSE(route.matches("GET", "/weatherman"));
  EXPECT_EQ(route.verb(), "GET");
}

TEST(RoutePattern, CaseInsensitiveAndSlashesCollapsed) {
  auto route = pattern("GET /Api/Weather");
  EXPECT_TRUE(route.matches("GET", "/api/weather"));
  EXPECT_TRUE(route.matches("GET", "/API/WEATHER"));
  EXPECT_TRUE(route.matches("GET", "//api///weather/"));
  EXPECT_TRUE(route.matches("GET", "/api/weather/#frag"));
}

TEST(RoutePattern, PercentDecodedPerSegment) {
  auto route = pattern("/weather");
  EXPECT_TRUE(route.matches("GET", "/%77eather"));
  EXPECT_TRUE(route.matches("GET", "/%57EATHER"));
  // An encoded '/' stays inside its segment.
  EXPECT_FALSE(pattern("/a/b").matches("GET", "/a%2Fb"));
  EXPECT_TRUE(pattern("/a/:id").matches("GET", "/a/x%2Fy"));
}

TEST(RoutePattern, MalformedEscapesAndDotSegmentsCannotDodgeAPrefix) {
  auto route = pattern("/premium/*");
  EXPECT_TRUE(route.matches("GET", "/premium/%zz"));
  EXPECT_TRUE(route.matches("GET", "/premium/%"));
  EXPECT_TRUE(route.matches("GET", "/free/../premium/data"));
  EXPECT_TRUE(route.matches("GET", "/free/%2e%2e/premium/data"));
  EXPECT_TRUE(route.matches("GET", "/./premium"));
}

TEST(RoutePattern, Parameters) {
  for (auto text : {"GET /users/:id/orders", "GET /users/[id]/orders"}) {
    auto route = pattern(text);
    EXPECT_TRUE(route.matches("GET", "/users/42/orders")) << text;
    EXPECT_FALSE(route.matches("GET", "/users//orders")) << text;
    EXPECT_FALSE(route.matches("GET", "/users/4/2/orders")) << text;
  }
}

TEST(RoutePattern, Wildcards) {
  auto prefix = pattern("/api/*");
  EXPECT_TRUE(prefix.matches("DELETE", "/api"));  // trailing /* also matches the bare prefix
  EXPECT_TRUE(prefix.matches("GET", "/api/"));
  EXPECT_TRUE(prefix.matches("GET", "/api/a/b/c"));
  EXPECT_FALSE(prefix.matches("GET", "/apis"));
  auto middle = pattern("/files/*.json");
  EXPECT_TRUE(middle.matches("GET", "/files/a.json"));
  EXPECT_TRUE(middle.matches("GET", "/files/a/b.json"));
  EXPECT_FALSE(middle.matches("GET", "/files/a.txt"));
  EXPECT_TRUE(pattern("*").matches("PUT", "/anything"));
  EXPECT_TRUE(pattern("/*").matches("GET", "/"));
}

TEST(RoutePattern, LongHostilePathsCostLinearTime) {
  auto route = pattern("/a/*/b/*/c/*/d/:id/e");
  std::string path = "/a";
  for (int i = 0; i < 4000; ++i) path += "/b/c";
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(route.matches("GET", path));
  EXPECT_TRUE(route.matches("GET", path + "/d/7/e"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST(RoutePattern, RejectsBadPatterns) {
  EXPECT_FALSE(RoutePattern::parse("").ok());
  EXPECT_FALSE(RoutePattern::parse("GET").ok());
  EXPECT_FALSE(RoutePattern::parse("GET weather").ok());
  EXPECT_FALSE(RoutePattern::parse("G3T /weather").ok());
  EXPECT_FALSE(RoutePattern::parse("/users/:").ok());
  EXPECT_FALSE(RoutePattern::parse("/users/[]").ok());
  EXPECT_FALSE(RoutePattern::parse("/weather?x=1").ok());
}

TEST(NormalizePath, Shapes) {
  EXPECT_EQ(normalize_path(""), "/");
  EXPECT_EQ(normalize_path("/"), "/");
  EXPECT_EQ(normalize_path("/A//B/?q=1"), "/a/b");
  EXPECT_EQ(normalize_path("/a%2fb"), "/a%2fb");
  EXPECT_EQ(normalize_path("/../.."), "/");
}

// The rule as first written (split, decode, resolve dot segments, lower-case, join): the in-place
// normalize_path must give the same path for every target.
std::string normalize_path_by_segments(std::string_view target) {
  const std::size_t cut = target.find_first_of("?#");
  if (cut != std::string_view::npos) target = target.substr(0, cut);
  const auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  const auto decode = [&](std::string_view raw) {
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '%') {
        out += raw[i];
        continue;
      }
      if (i + 2 >= raw.size() || hex(raw[i + 1]) < 0 || hex(raw[i + 2]) < 0) return std::string(raw);
      const char c = static_cast<char>(hex(raw[i + 1]) * 16 + hex(raw[i + 2]));
      out += c == '/' ? std::string("%2F") : std::string(1, c);
      i += 2;
    }
    return out;
  };
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= target.size()) {
    const std::size_t slash = target.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? target.size() : slash;
    if (end > start) {
      std::string segment = decode(target.substr(start, end - start));
      if (segment == "..") {
        if (!segments.empty()) segments.pop_back();
      } else if (segment != ".") {
        for (auto& c : segment)
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        segments.push_back(std::move(segment));
      }
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string out;
  for (const auto& segment : segments) out += "/" + segment;
  return out.empty() ? "/" : out;
}

TEST(NormalizePath, DotSegmentsAndEscapes) {
  EXPECT_EQ(normalize_path("/a/b/../c"), "/a/c");
  EXPECT_EQ(normalize_path("/a/./B/%2E/%2e%2E/C"), "/a/c");
  EXPECT_EQ(normalize_path("/A/%zz/B%"), "/a/%zz/b%");
  EXPECT_EQ(normalize_path("/%41%2F%42"), "/a%2fb");
  EXPECT_EQ(normalize_path("/.."), "/");
  EXPECT_EQ(normalize_path("x/y"), "/x/y");
}

TEST(NormalizePath, SameAsTheSegmentByRule) {
  const std::string alphabet = "/./%2eEfF4aZ?/";
  std::uint32_t seed = 12345;
  for (int n = 0; n < 20000; ++n) {
    std::string target;
    seed = seed * 1664525u + 1013904223u;
    const std::size_t length = (seed >> 24) % 14;
    for (std::size_t i = 0; i < length; ++i) {
      seed = seed * 1664525u + 1013904223u;
      target += alphabet[(seed >> 16) % alphabet.size()];
    }
    ASSERT_EQ(normalize_path(target), normalize_path_by_segments(target)) << target;
  }
}

TEST(RoutePattern, LongPatternsAndNormalizedMatching) {
  const std::string long_path = "/" + std::string(300, 'x') + "/:id";
  auto route = pattern("GET " + long_path);
  EXPECT_TRUE(route.matches("GET", "/" + std::string(300, 'X') + "/7"));
  EXPECT_FALSE(route.matches("GET", "/" + std::string(299, 'x') + "/7"));
  auto prefix = pattern("GET /api/*");
  EXPECT_TRUE(prefix.matches_normalized("GET", normalize_path("/API//v1/")));
  EXPECT_FALSE(prefix.matches_normalized("POST", "/api/v1"));
  EXPECT_FALSE(prefix.matches_normalized("GET", "/apis"));
}

TEST(AppendPrivate, Values) {
  EXPECT_EQ(append_private(""), "private");
  EXPECT_EQ(append_private("no-cache"), "no-cache, private");
  EXPECT_EQ(append_private("max-age=60, Private"), "max-age=60, Private");
  EXPECT_EQ(append_private(" no-store "), "no-store, private");
}

class Requirements : public ::testing::Test {
 protected:
  std::shared_ptr<const NetworkRegistry> networks =
      std::make_shared<const NetworkRegistry>(NetworkRegistry::with_defaults());
  SchemeRegistry<SchemeServer> schemes;
  void SetUp() override { schemes.add(2, "eip155:*", std::make_shared<exact_evm::ExactEvmServer>(networks)); }
};

TEST_F(Requirements, MoneyOnBaseSepolia) {
  PaymentOption option;
  option.network = "base-sepolia";  // v1 names are accepted and normalised
  option.pay_to = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C";
  option.price = Money{"0.001", ""};
  auto resolved = resolve_option(option, *networks, schemes);
  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  EXPECT_EQ(
      serialize(resolved->requirements),
      R"({"scheme":"exact","network":"eip155:84532","amount":"1000","asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e",)"
      R"("payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","maxTimeoutSeconds":300,"extra":{"name":"USDC","version":"2"}})");
  ASSERT_TRUE(resolved->v1_network.has_value());
  EXPECT_EQ(*resolved->v1_network, "base-sepolia");
}

TEST_F(Requirements, ExplicitAmountAndExtraOverride) {
  PaymentOption option;
  option.network = "eip155:8453";
  option.pay_to = "0xabc";
  JsonObject extra;
  extra["name"] = "Token";
  extra["version"] = "1";
  option.price = AssetAmount{U256(12345), "0x1111111111111111111111111111111111111111", extra};
  JsonObject more;
  more["version"] = "9";
  more["memo"] = "x";
  option.extra = more;
  option.max_timeout_seconds = 60;
  auto resolved = resolve_option(option, *networks, schemes);
  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  EXPECT_EQ(
      serialize(resolved->requirements),
      R"({"scheme":"exact","network":"eip155:8453","amount":"12345","asset":"0x1111111111111111111111111111111111111111",)"
      R"("payTo":"0xabc","maxTimeoutSeconds":60,"extra":{"name":"Token","version":"9","memo":"x"}})");
}

TEST_F(Requirements, Errors) {
  PaymentOption option;
  option.network = "eip155:84532";
  option.pay_to = "0xabc";
  option.price = Money{"0.001", ""};
  auto bad = option;
  bad.network = "nowhere";
  EXPECT_EQ(resolve_option(bad, *networks, schemes).error().code, Errc::invalid_network);
  bad = option;
  bad.pay_to.clear();
  EXPECT_FALSE(resolve_option(bad, *networks, schemes).ok());
  bad = option;
  bad.scheme = "upto";
  EXPECT_FALSE(resolve_option(bad, *networks, schemes).ok());
  bad = option;
  bad.max_timeout_seconds = 0;
  EXPECT_FALSE(resolve_option(bad, *networks, schemes).ok());
  bad = option;
  bad.network = "eip155:999999";  // valid CAIP-2 without a default asset
  EXPECT_FALSE(resolve_option(bad, *networks, schemes).ok());
}

TEST(AcceptedMatches, Rule227) {
  PaymentRequirements server;
  server.scheme = "exact";
  server.network = "eip155:84532";
  server.amount = U256(1000);
  server.asset = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
  server.pay_to = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C";
  server.extra = JsonObject{{"name", "USDC"}, {"version", "2"}};
  auto accepted = server;
  EXPECT_TRUE(accepted_matches(accepted, server));
  accepted.extra->emplace("clientAdded", true);  // superset allowed
  EXPECT_TRUE(accepted_matches(accepted, server));
  accepted = server;
  (*accepted.extra)["version"] = "1";
  EXPECT_FALSE(accepted_matches(accepted, server));
  accepted = server;
  accepted.extra->erase("name");
  EXPECT_FALSE(accepted_matches(accepted, server));
  accepted = server;
  accepted.amount = U256(999);
  EXPECT_FALSE(accepted_matches(accepted, server));
  accepted = server;
  accepted.max_timeout_seconds = 60;
  EXPECT_FALSE(accepted_matches(accepted, server));
  accepted = server;
  accepted.pay_to = "0x209693bc6afc0c5328ba36faf03c514ef312287c";  // value by value: exact strings
  EXPECT_FALSE(accepted_matches(accepted, server));
}

TEST(RetryDelay, RetryAfterAndBackoff) {
  using std::chrono::milliseconds;
  const milliseconds cap(30'000);
  EXPECT_EQ(retry_delay("2", 1, cap), milliseconds(2000));
  EXPECT_EQ(retry_delay("0", 1, cap), milliseconds(0));
  EXPECT_EQ(retry_delay("999999", 1, cap), cap);
  EXPECT_EQ(retry_delay("", 1, cap), milliseconds(1000));
  EXPECT_EQ(retry_delay("", 2, cap), milliseconds(2000));
  EXPECT_EQ(retry_delay("soon", 3, cap), milliseconds(4000));
  EXPECT_EQ(retry_delay("", 30, cap), cap);
  EXPECT_EQ(retry_delay("Wed, 21 Oct 2015 07:28:00 GMT", 1, cap), milliseconds(0));  // in the past
}

}  // namespace
}  // namespace x402::seller
