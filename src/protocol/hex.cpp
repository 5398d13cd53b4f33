#include <array>

#include "x402/bytes.hpp"

namespace x402 {
namespace {

constexpr std::array<char, 16> kDigits{'0', '1', '2', '3', '4', '5', '6', '7',
                                       '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

constexpr int nibble(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string to_hex(ByteView bytes, bool prefix) {
  std::string out;
  out.reserve(bytes.size() * 2 + 2);
  if (prefix) out = "0x";
  for (auto byte : bytes) {
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 0x0f]);
  }
  return out;
}

Result<Bytes> from_hex(std::string_view text) noexcept {
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text.remove_prefix(2);
  if (text.size() % 2 != 0) return make_error(Errc::invalid_hex, "odd number of hex digits");
  Bytes out(text.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(text[2 * i]);
    const int lo = nibble(text[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return make_error(Errc::invalid_hex,
                        "non-hex character at offset " + std::to_string(2 * i + (hi < 0 ? 0 : 1)));
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return out;
}

Result<Signature> Signature::from_bytes(ByteView bytes) noexcept {
  if (bytes.size() != 65)
    return make_error(Errc::invalid_signature, "expected 65 bytes, got " + std::to_string(bytes.size()));
  Signature sig;
  sig.r = Bytes32(FixedBytes<32>::from_span(bytes.subspan(0, 32)));
  sig.s = Bytes32(FixedBytes<32>::from_span(bytes.subspan(32, 32)));
  sig.v = bytes[64];
  return sig;
}

std::array<std::uint8_t, 65> Signature::to_bytes() const noexcept {
  std::array<std::uint8_t, 65> out{};
  for (std::size_t i = 0; i < 32; ++i) {
    out[i] = r.bytes[i];
    out[32 + i] = s.bytes[i];
  }
  out[64] = v;
  return out;
}

std::string Signature::hex() const {
  return to_hex(to_bytes());
}

}  // namespace x402
