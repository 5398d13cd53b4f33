// EIP-55 mixed-case checksum addresses.
#include <array>

#include "crypto/keccak.hpp"
#include "x402/bytes.hpp"

namespace x402 {

std::string Address::checksummed() const {
  constexpr std::string_view kDigits = "0123456789abcdef";
  std::array<char, 40> lower{};
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    lower[2 * i] = kDigits[bytes[i] >> 4];
    lower[2 * i + 1] = kDigits[bytes[i] & 0x0f];
  }
  const Bytes32 hash = crypto::keccak256(std::string_view(lower.data(), lower.size()));
  std::string out(42, '0');
  out[1] = 'x';
  for (std::size_t i = 0; i < lower.size(); ++i) {
    char c = lower[i];
    const std::uint8_t nibble = (i % 2 == 0) ? (hash.bytes[i / 2] >> 4) : (hash.bytes[i / 2] & 0x0f);
    if (c >= 'a' && c <= 'f' && nibble >= 8) c = static_cast<char>(c - 'a' + 'A');
    out[2 + i] = c;
  }
  return out;
}

Result<Address> Address::parse(std::string_view text) noexcept {
  if (text.size() != 42 || text[0] != '0' || text[1] != 'x')
    return make_error(Errc::invalid_hex, "expected 0x followed by 40 hex digits");
  auto parsed = FixedBytes<20>::from_hex(text);
  if (!parsed) return parsed.take_error();
  Address address(*parsed);
  const std::string_view digits = text.substr(2);
  bool has_lower = false, has_upper = false;
  for (char c : digits) {
    has_lower = has_lower || (c >= 'a' && c <= 'f');
    has_upper = has_upper || (c >= 'A' && c <= 'F');
  }
  if (has_lower && has_upper && address.checksummed() != text)
    return make_error(Errc::invalid_hex, "mixed-case address fails its EIP-55 checksum");
  return address;
}

}  // namespace x402
