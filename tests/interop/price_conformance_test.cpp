// Our price parsing ("$0.01" -> atomic units of the network's default stablecoin, with its EIP-712
// domain in `extra`) against the reference exact-EVM server's parsePrice (@x402/evm 2.27), for a
// table of prices on Base Sepolia and Base: same amount, same asset, same `extra` bytes; refused
// where the reference refuses.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "interop/reference_checks.hpp"
#include "x402/codec.hpp"
#include "x402/money.hpp"
#include "x402/networks.hpp"

namespace x402::test::interop {
namespace {

Result<AssetAmount> our_price(const std::string& price, const std::string& network) {
  static const auto registry = NetworkRegistry::with_defaults();
  auto money = parse_money(price);
  if (!money) return money.take_error();
  return resolve_price(*money, network, registry);
}

TEST(PriceConformance, ParsePriceMatchesTheReferenceServer) {
  const std::vector<std::string> prices{
      "$0.001",
      "0.01",
      "$0.01",
      "1",
      "$1.001",
      "1.5 USDT",
      "1.5 USDC",
      "$0.01 USD",
      "0.0000019",
      "0.0000001",
      "0.1234567",
      "0",
      "$0",
      "$ 5",
      " 1",
      "2 ",
      "1000000",
      "999999999.999999",
      "123456789012345678901234567890.123456789",  // far beyond 2^53: exact decimal arithmetic
      "115792089237316195423570985008687907853269984665640564039457584007913129.639935",   // 2^256-1 atomic
      "115792089237316195423570985008687907853269984665640564039457584007913129.6399359",  // truncated to it
      "1.5 usdc",
      "1.5 USD",
      "1.5 usd",
      "2 EURC",
      "1e3",
      "-1",
      ".5",
      "5.",
      "",
      "$",
      "$$1",
      "1,000",
      "0x10",
      "1.5USDC",
      "NaN",
      "Infinity",
      "\xEF\xBC\x91",  // fullwidth digit one: not \d
  };
  const std::vector<std::string> networks{"eip155:84532", "eip155:8453"};

  ReferenceChecks checks;
  struct Case {
    std::string price;
    std::string network;
    std::size_t index;
  };
  std::vector<Case> cases;
  // Beyond uint256 the reference still prints an amount, one no EIP-3009 authorization can carry;
  // we refuse (checked separately below).
  const std::string too_large =
      "115792089237316195423570985008687907853269984665640564039457584007913129.639936";
  const auto too_large_ref = checks.add({"parse-price", "--price=" + too_large, "--network", "eip155:84532"});
  for (const auto& network : networks) {
    for (const auto& price : prices) {
      // --price=VALUE so that a leading '-' is not taken for a flag.
      cases.push_back(
          {price, network, checks.add({"parse-price", "--price=" + price, "--network", network})});
    }
  }
  ASSERT_TRUE(checks.run());

  int compared_ok = 0;
  int compared_refused = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE("price '" + c.price + "' on " + c.network);
    const auto& ref = checks[c.index];
    const auto ours = our_price(c.price, c.network);
    if (ref.exit != 0) {
      EXPECT_FALSE(ours.ok()) << "the reference refuses (" << ref.out << ref.err << ") but we give "
                              << (ours.ok() ? to_decimal(ours->amount) : "");
      ++compared_refused;
      continue;
    }
    ASSERT_TRUE(ours.ok()) << "the reference gives " << ref.out
                           << " but we refuse: " << ours.error().describe();
    const auto json = ref.json();
    ASSERT_TRUE(json.is_object()) << ref.out;
    EXPECT_EQ(json.at("amount").as_string(), to_decimal(ours->amount));
    EXPECT_EQ(json.at("asset").as_string(), ours->asset);
    // Byte-identical `extra`: same members, same order.
    EXPECT_EQ(stringify(json.at("extra")), stringify(ours->extra));
    ++compared_ok;
  }
  EXPECT_EQ(checks[too_large_ref].json().at("amount").as_string(),
            "115792089237316195423570985008687907853269984665640564039457584007913129639936");
  EXPECT_FALSE(our_price(too_large, "eip155:84532").ok()) << "2^256 atomic units must be refused";

  // The table exercises both outcomes.
  EXPECT_GE(compared_ok, 20);
  EXPECT_GE(compared_refused, 10);
}

}  // namespace
}  // namespace x402::test::interop
