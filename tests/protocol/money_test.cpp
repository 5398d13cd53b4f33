// Price parsing (x402-reference §6.2, @x402/core 2.27 parseMoney / convertToTokenAmount).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "x402/money.hpp"

namespace x402 {
namespace {

TEST(ParseMoney, AcceptedForms) {
  const std::tuple<const char*, const char*, const char*> accepted[] = {
      {"$0.01", "0.01", ""},
      {"0.01", "0.01", ""},
      {"$ 0.01", "0.01", ""},
      {"  $0.01\t", "0.01", ""},
      {"10", "10", ""},
      {"$1000000", "1000000", ""},
      {"007.50", "007.50", ""},
      {"1.5 USDT", "1.5", "USDT"},
      {"1.5   usdt", "1.5", "USDT"},
      {"$2 USDC.e", "2", "USDC.E"},
      {"1 USD", "1", ""},  // USD = the default asset
      {"1 usd", "1", ""},
      {"0", "0", ""},
  };
  for (const auto& [text, decimal, symbol] : accepted) {
    auto money = parse_money(text);
    ASSERT_TRUE(money.ok()) << text << ": " << money.error().describe();
    EXPECT_EQ(money->decimal, decimal) << text;
    EXPECT_EQ(money->symbol, symbol) << text;
  }
}

TEST(ParseMoney, RejectedForms) {
  const std::pair<const char*, const char*> rejected[] = {
      {"", "invalid price '': empty"},
      {"   ", "invalid price '   ': empty"},
      {"$", "invalid price '$': expected a decimal number such as 0.01"},
      {"-1", "invalid price '-1': negative amounts are not allowed"},
      {"$-0.01", "invalid price '$-0.01': negative amounts are not allowed"},
      {"1e5", "invalid price '1e5': exponent notation is not allowed"},
      {"1.5E-3", "invalid price '1.5E-3': exponent notation is not allowed"},
      {"1.", "invalid price '1.': expected a decimal number such as 0.01"},
      {".5", "invalid price '.5': expected a decimal number such as 0.01"},
      {"abc", "invalid price 'abc': expected a decimal number such as 0.01"},
      {"1.5USDT", "invalid price '1.5USDT': unexpected characters after the number"},
      {"1,000", "invalid price '1,000': unexpected characters after the number"},
      {"$$1", "invalid price '$$1': expected a decimal number such as 0.01"},
      {"1.5 7UP", "invalid price '1.5 7UP': expected a currency symbol after the number"},
      {"1.5 US$", "invalid price '1.5 US$': invalid currency symbol"},
      {"1.5 USD T", "invalid price '1.5 USD T': invalid currency symbol"},
      {"+1", "invalid price '+1': expected a decimal number such as 0.01"},
      {"0x10", "invalid price '0x10': unexpected characters after the number"},
      {"1 000", "invalid price '1 000': expected a currency symbol after the number"},
  };
  for (const auto& [text, message] : rejected) {
    auto money = parse_money(text);
    ASSERT_FALSE(money.ok()) << text;
    EXPECT_EQ(money.error().code, Errc::invalid_amount) << text;
    EXPECT_EQ(money.error().message, message);
  }
  // Long junk is not echoed in full.
  auto long_junk = parse_money(std::string(500, 'x'));
  ASSERT_FALSE(long_junk.ok());
  EXPECT_LT(long_junk.error().message.size(), 150u);
}

TEST(MoneyFromNumber, PlainShortestDecimals) {
  const std::pair<double, const char*> cases[] = {
      {0.01, "0.01"},       {4.02, "4.02"},
      {1e-7, "0.0000001"},  {1e21, "1000000000000000000000"},
      {0.0, "0"},           {-0.0, "0"},
      {1.5, "1.5"},         {0.1 + 0.2, "0.30000000000000004"},
      {123456.0, "123456"}, {1.23e-10, "0.000000000123"},
  };
  for (const auto& [value, decimal] : cases) {
    auto money = money_from_number(value);
    ASSERT_TRUE(money.ok()) << value;
    EXPECT_EQ(money->decimal, decimal);
    EXPECT_EQ(money->symbol, "");
  }
  EXPECT_FALSE(money_from_number(-0.01).ok());
  EXPECT_FALSE(money_from_number(std::numeric_limits<double>::infinity()).ok());
  EXPECT_FALSE(money_from_number(std::nan("")).ok());
}

TEST(AtomicUnits, TruncatesNeverRounds) {
  EXPECT_EQ(to_atomic_units("0.0000019", 6).value(), U256(1));
  EXPECT_EQ(to_atomic_units("0.0000009", 6).value(), U256(0));    // 2.27 truncates to zero silently
  EXPECT_EQ(to_atomic_units("1.001", 6).value(), U256(1001000));  // legacy float path gave 1000999.999…
  EXPECT_EQ(to_atomic_units("0.01", 6).value(), U256(10000));
  EXPECT_EQ(to_atomic_units("0.01", 18).value(), U256(10000000000000000ULL));
  EXPECT_EQ(to_atomic_units("007.50", 2).value(), U256(750));
  EXPECT_EQ(to_atomic_units("12", 0).value(), U256(12));
  EXPECT_EQ(to_atomic_units("12.99", 0).value(), U256(12));
  EXPECT_EQ(to_atomic_units("0", 6).value(), U256(0));
}

TEST(AtomicUnits, DollarOneThousandthOf) {
  auto money = parse_money("$1.001");
  ASSERT_TRUE(money.ok());
  EXPECT_EQ(to_atomic_units(money->decimal, 6).value(), U256(1001000));
}

TEST(AtomicUnits, BigValuesAndOverflow) {
  const std::string max = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
  EXPECT_EQ(to_atomic_units(max, 0).value(), ~U256(0));
  auto over =
      to_atomic_units("115792089237316195423570985008687907853269984665640564039457584007913129639936", 0);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, Errc::invalid_amount);
  EXPECT_FALSE(
      to_atomic_units("1000000000000000000000000000000000000000000000000000000000000000000000", 18).ok());
  EXPECT_EQ(to_atomic_units("1000000000000", 18).value(),
            U256(1000000000000ULL) * U256(1000000000000000000ULL));
  EXPECT_TRUE(to_atomic_units("1", 77).ok());
  EXPECT_FALSE(to_atomic_units("1", 78).ok());
  EXPECT_FALSE(to_atomic_units("2", 77).ok());  // 2 * 10^77 > 2^256 - 1
}

TEST(AtomicUnits, RejectsNonDecimals) {
  for (const char* bad : {"", "1.", ".5", "-1", "1e3", "1,5", " 1", "$1", "0x1"}) {
    auto result = to_atomic_units(bad, 6);
    EXPECT_FALSE(result.ok()) << bad;
    if (!result.ok()) {
      EXPECT_EQ(result.error().code, Errc::invalid_amount) << bad;
    }
  }
}

TEST(FormatUnits, Examples) {
  EXPECT_EQ(format_units(U256(1500000), 6), "1.5");
  EXPECT_EQ(format_units(U256(0), 6), "0");
  EXPECT_EQ(format_units(U256(1), 6), "0.000001");
  EXPECT_EQ(format_units(U256(10000), 6), "0.01");
  EXPECT_EQ(format_units(U256(1000000), 6), "1");
  EXPECT_EQ(format_units(U256(1000000000000000000ULL), 18), "1");
  EXPECT_EQ(format_units(U256(123), 0), "123");
  EXPECT_EQ(format_units(~U256(0), 18),
            "115792089237316195423570985008687907853269984665640564039457.584007913129639935");
  // format_units and to_atomic_units are inverses on canonical decimals.
  for (const char* decimal : {"0.000001", "1.5", "12345.678901", "0"})
    EXPECT_EQ(format_units(to_atomic_units(decimal, 6).value(), 6), decimal);
}

}  // namespace
}  // namespace x402
