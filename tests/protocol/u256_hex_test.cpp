#include <gtest/gtest.h>

#include <vector>

#include "x402/bytes.hpp"
#include "x402/result.hpp"
#include "x402/u256.hpp"

namespace x402 {
namespace {

const std::string kMax = "115792089237316195423570985008687907853269984665640564039457584007913129639935";

TEST(U256, ParseDecimal) {
  EXPECT_EQ(parse_u256("0").value(), U256(0));
  EXPECT_EQ(parse_u256("000123").value(), U256(123));
  EXPECT_EQ(parse_u256(kMax).value(), ~U256(0));
  EXPECT_EQ(to_decimal(parse_u256(kMax).value()), kMax);
  for (const char* bad : {"", "-1", "+1", "1e3", "1.0", " 1", "0x10", "1_000"}) {
    auto parsed = parse_u256(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.error().code, Errc::invalid_amount);
    }
  }
  EXPECT_FALSE(
      parse_u256("115792089237316195423570985008687907853269984665640564039457584007913129639936").ok());
  EXPECT_FALSE(parse_u256(std::string(101, '0')).ok());
}

// Short numbers take a 64-bit path, long ones the 256-bit one: both edges of each, and the
// overflow edge at 2^256 whatever the last digit.
TEST(U256, ParseDecimalAtThePathAndOverflowEdges) {
  EXPECT_EQ(parse_u256("9999999999999999999").value(), U256(9999999999999999999ULL));
  EXPECT_EQ(parse_u256("18446744073709551615").value(), U256(~std::uint64_t{0}));
  EXPECT_EQ(parse_u256("18446744073709551616").value(), U256(~std::uint64_t{0}) + 1);
  EXPECT_EQ(parse_u256("00000000000000000000000001").value(), U256(1));
  EXPECT_EQ(parse_u256("000" + kMax).value(), ~U256(0));
  const std::string below_max = kMax.substr(0, kMax.size() - 1);  // floor(max / 10)
  for (char last = '0'; last <= '9'; ++last) {
    auto parsed = parse_u256(below_max + last);
    if (last <= '5') {
      ASSERT_TRUE(parsed.ok()) << last;
      EXPECT_EQ(to_decimal(*parsed), below_max + last);
    } else {
      ASSERT_FALSE(parsed.ok()) << last;
      EXPECT_EQ(parsed.error().message, "integer exceeds 2^256-1");
    }
  }
  EXPECT_FALSE(parse_u256(kMax + "0").ok());
  EXPECT_EQ(parse_u256("12345678901234567890x").error().message, "not a decimal digit: 'x'");
  EXPECT_EQ(parse_u256("123x").error().message, "not a decimal digit: 'x'");
  U256 value = 1;
  for (int i = 0; i < 77; ++i, value = value * 10 + 7)
    EXPECT_EQ(parse_u256(to_decimal(value)).value(), value);
}

TEST(U256, ParseHexQuantity) {
  EXPECT_EQ(parse_u256_hex("0x0").value(), U256(0));
  EXPECT_EQ(parse_u256_hex("0x1a").value(), U256(26));
  EXPECT_EQ(parse_u256_hex("0X1A").value(), U256(26));
  EXPECT_EQ(parse_u256_hex("0x" + std::string(64, 'f')).value(), ~U256(0));
  for (const std::string& bad :
       std::vector<std::string>{"", "0x", "1a", "0xg", "0x" + std::string(65, '1')}) {
    auto parsed = parse_u256_hex(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.error().code, Errc::invalid_hex);
    }
  }
}

TEST(U256, Quantity) {
  EXPECT_EQ(to_quantity(U256(0)), "0x0");
  EXPECT_EQ(to_quantity(U256(26)), "0x1a");
  EXPECT_EQ(to_quantity(U256(1) << 255), "0x8" + std::string(63, '0'));
}

TEST(U256, BigEndianBytes) {
  const U256 value =
      parse_u256_hex("0x0102030405060708091011121314151617181920212223242526272829303132").value();
  const Bytes32 bytes = to_be_bytes32(value);
  EXPECT_EQ(bytes.bytes[0], 0x01);
  EXPECT_EQ(bytes.bytes[31], 0x32);
  EXPECT_EQ(from_be_bytes(bytes.view()), value);
  EXPECT_EQ(to_be_bytes32(U256(1)).bytes[31], 1);
  const std::uint8_t short_bytes[] = {0x01, 0x00};
  EXPECT_EQ(from_be_bytes(short_bytes), U256(256));
}

TEST(U256, CheckedArithmetic) {
  const U256 max = ~U256(0);
  U256 out = 7;
  EXPECT_FALSE(checked_add(max, 1, out));
  EXPECT_EQ(out, U256(7));  // untouched on overflow
  EXPECT_TRUE(checked_add(max - 1, 1, out));
  EXPECT_EQ(out, max);
  EXPECT_FALSE(checked_mul(max, 2, out));
  EXPECT_TRUE(checked_mul(U256(0), max, out));
  EXPECT_EQ(out, U256(0));
  EXPECT_TRUE(checked_mul(U256(1) << 128, (U256(1) << 127), out));
  EXPECT_FALSE(checked_mul(U256(1) << 128, (U256(1) << 128), out));
}

TEST(Hex, EncodeDecode) {
  const Bytes bytes{0x00, 0xab, 0xff};
  EXPECT_EQ(to_hex(bytes), "0x00abff");
  EXPECT_EQ(to_hex(bytes, false), "00abff");
  EXPECT_EQ(from_hex("0x00abff").value(), bytes);
  EXPECT_EQ(from_hex("00ABFF").value(), bytes);
  EXPECT_EQ(from_hex("0X00abFF").value(), bytes);
  EXPECT_TRUE(from_hex("").value().empty());
  EXPECT_TRUE(from_hex("0x").value().empty());
  auto odd = from_hex("0xabc");
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.error().code, Errc::invalid_hex);
  auto bad = from_hex("0xabzz");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "non-hex character at offset 2");
  auto bad_low = from_hex("0xa0bz");
  ASSERT_FALSE(bad_low.ok());
  EXPECT_EQ(bad_low.error().message, "non-hex character at offset 3");
}

TEST(Hex, FixedBytes) {
  auto word = Bytes32::from_hex("0x" + std::string(64, '1'));
  ASSERT_TRUE(word.ok());
  EXPECT_EQ(word->hex(), "0x" + std::string(64, '1'));
  EXPECT_FALSE(word->is_zero());
  EXPECT_TRUE(Bytes32().is_zero());
  auto short_word = Bytes32::from_hex("0x1234");
  ASSERT_FALSE(short_word.ok());
  EXPECT_EQ(short_word.error().message, "expected 32 bytes, got 2");
}

TEST(Hex, SignatureLayout) {
  Bytes raw(65, 0);
  raw[0] = 0x11;
  raw[32] = 0x22;
  raw[64] = 28;
  auto sig = Signature::from_bytes(raw);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->r.bytes[0], 0x11);
  EXPECT_EQ(sig->s.bytes[0], 0x22);
  EXPECT_EQ(sig->v, 28);
  const auto back = sig->to_bytes();
  EXPECT_TRUE(std::equal(back.begin(), back.end(), raw.begin()));
  EXPECT_EQ(sig->hex().size(), 2u + 130u);
  EXPECT_FALSE(Signature::from_bytes(Bytes(64, 0)).ok());
}

TEST(Result, ErrcNamesAndDescribe) {
  EXPECT_EQ(to_string(Errc::invalid_base64), "invalid_base64");
  EXPECT_EQ(to_string(Errc::unsupported_version), "unsupported_version");
  EXPECT_EQ(make_error(Errc::too_large, "x").describe(), "too_large: x");
  EXPECT_EQ(make_error(Errc::internal, "").describe(), "internal");
}

}  // namespace
}  // namespace x402
