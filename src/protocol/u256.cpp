#include "x402/u256.hpp"

namespace x402 {
namespace {

const U256 kMax = ~U256(0);
// value * 10 + digit fits exactly when value < kMax / 10, or value == kMax / 10 and
// digit <= kMax % 10: no 256-bit division per digit.
const U256 kMaxTenth = kMax / 10;
const unsigned kMaxLastDigit = static_cast<unsigned>(kMax % 10);

// Up to 19 digits always fit in 64 bits; amounts are nearly always that short.
constexpr std::size_t kDigitsIn64Bits = 19;

Error not_a_digit(char c) {
  return make_error(Errc::invalid_amount, std::string("not a decimal digit: '") + c + "'");
}

}  // namespace

Result<U256> parse_u256(std::string_view decimal) noexcept {
  if (decimal.empty()) return make_error(Errc::invalid_amount, "empty integer");
  if (decimal.size() > 100) return make_error(Errc::invalid_amount, "integer too long");
  if (decimal.size() <= kDigitsIn64Bits) {
    std::uint64_t small = 0;
    for (char c : decimal) {
      if (c < '0' || c > '9') return not_a_digit(c);
      small = small * 10 + static_cast<unsigned>(c - '0');
    }
    return U256(small);
  }
  U256 value = 0;
  for (char c : decimal) {
    if (c < '0' || c > '9') return not_a_digit(c);
    const unsigned digit = static_cast<unsigned>(c - '0');
    if (value > kMaxTenth || (value == kMaxTenth && digit > kMaxLastDigit))
      return make_error(Errc::invalid_amount, "integer exceeds 2^256-1");
    value = value * 10 + digit;
  }
  return value;
}

Result<U256> parse_u256_hex(std::string_view hex) noexcept {
  if (hex.size() < 3 || hex[0] != '0' || (hex[1] != 'x' && hex[1] != 'X'))
    return make_error(Errc::invalid_hex, "expected a 0x-prefixed hex quantity");
  hex.remove_prefix(2);
  if (hex.size() > 64) return make_error(Errc::invalid_hex, "hex quantity exceeds 256 bits");
  U256 value = 0;
  for (char c : hex) {
    unsigned digit = 0;
    if (c >= '0' && c <= '9')
      digit = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f')
      digit = static_cast<unsigned>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      digit = static_cast<unsigned>(c - 'A' + 10);
    else
      return make_error(Errc::invalid_hex, std::string("not a hex digit: '") + c + "'");
    value = (value << 4) | digit;
  }
  return value;
}

std::string to_decimal(const U256& value) {
  return value.str();
}

std::string to_quantity(const U256& value) {
  if (value == 0) return "0x0";
  const auto bytes = to_be_bytes32(value);
  std::string hex = to_hex(bytes.bytes, false);
  const auto first = hex.find_first_not_of('0');
  return "0x" + hex.substr(first);
}

Bytes32 to_be_bytes32(const U256& value) noexcept {
  Bytes32 out;
  U256 v = value;
  for (int i = 31; i >= 0; --i) {
    out.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v & 0xff);
    v >>= 8;
  }
  return out;
}

U256 from_be_bytes(ByteView bytes) noexcept {
  U256 value = 0;
  const std::size_t start = bytes.size() > 32 ? bytes.size() - 32 : 0;
  for (std::size_t i = start; i < bytes.size(); ++i) value = (value << 8) | bytes[i];
  return value;
}

bool checked_add(const U256& a, const U256& b, U256& out) noexcept {
  if (a > kMax - b) return false;
  out = a + b;
  return true;
}

bool checked_mul(const U256& a, const U256& b, U256& out) noexcept {
  if (a != 0 && b > kMax / a) return false;
  out = a * b;
  return true;
}

}  // namespace x402
