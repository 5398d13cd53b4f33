// Standard base64 (RFC 4648 §4) for the payment headers.
//
// Table-driven rather than OpenSSL's EVP_DecodeBlock, which skips whitespace, keeps the pad
// bytes in its output and does not check the pad bits. The decoder accepts exactly one spelling
// per byte string, so a header can be compared or cached by its text.
#include <array>
#include <cstdint>

#include "x402/codec.hpp"

namespace x402 {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i)
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
  return table;
}

constexpr auto kDecode = make_decode_table();

// The error for the first character at or after `from` that is not in the alphabet.
Error invalid_character(std::string_view text, std::size_t from) {
  std::size_t offset = from;
  while (offset < text.size() && kDecode[static_cast<unsigned char>(text[offset])] != kInvalid) ++offset;
  if (offset < text.size() && text[offset] == '=')
    return make_error(Errc::invalid_base64, "padding '=' before the end at offset " + std::to_string(offset));
  return make_error(Errc::invalid_base64, "invalid base64 character at offset " + std::to_string(offset));
}

}  // namespace

// Written straight into a buffer of the final size: a header is encoded on every payment.
std::string base64_encode(std::string_view bytes) {
  std::string out((bytes.size() + 2) / 3 * 4, '\0');
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  char* put = out.data();
  const std::size_t whole = bytes.size() / 3 * 3;
  for (std::size_t i = 0; i < whole; i += 3) {
    const std::uint32_t n = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
    put[0] = kAlphabet[n >> 18];
    put[1] = kAlphabet[(n >> 12) & 63];
    put[2] = kAlphabet[(n >> 6) & 63];
    put[3] = kAlphabet[n & 63];
    put += 4;
  }
  const std::size_t rest = bytes.size() - whole;
  if (rest != 0) {
    const std::uint32_t second = rest == 2 ? in[whole + 1] : 0;
    const std::uint32_t n = (std::uint32_t{in[whole]} << 16) | (second << 8);
    put[0] = kAlphabet[n >> 18];
    put[1] = kAlphabet[(n >> 12) & 63];
    put[2] = rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    put[3] = '=';
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text, std::size_t max_decoded_bytes) noexcept {
  if (text.size() % 4 != 0)
    return make_error(Errc::invalid_base64, "length " + std::to_string(text.size()) +
                                                " is not a multiple of 4 (padding is required)");
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = (text[text.size() - 2] == '=') ? 2 : 1;
  const std::size_t decoded_size = text.size() / 4 * 3 - padding;
  if (decoded_size > max_decoded_bytes)
    return make_error(Errc::too_large, "decoded header of " + std::to_string(decoded_size) +
                                           " bytes exceeds the limit of " +
                                           std::to_string(max_decoded_bytes));

  std::string out;
  try {
    out.resize(decoded_size);
  } catch (const std::exception&) {
    return make_error(Errc::internal, "out of memory decoding base64");
  }
  const auto value = [&](std::size_t at) { return kDecode[static_cast<unsigned char>(text[at])]; };
  char* put = out.data();
  // Four characters to three bytes at a time; kInvalid is the only table entry with bit 7 set, so
  // one test per group finds any character outside the alphabet (the error then names the first).
  const std::size_t whole_groups_end = padding == 0 ? text.size() : text.size() - 4;
  for (std::size_t i = 0; i < whole_groups_end; i += 4) {
    const std::uint8_t a = value(i), b = value(i + 1), c = value(i + 2), d = value(i + 3);
    if (((a | b | c | d) & 0x80) != 0) return invalid_character(text, i);
    const std::uint32_t n = (std::uint32_t{a} << 18) | (std::uint32_t{b} << 12) | (std::uint32_t{c} << 6) | d;
    put[0] = static_cast<char>(n >> 16);
    put[1] = static_cast<char>((n >> 8) & 0xff);
    put[2] = static_cast<char>(n & 0xff);
    put += 3;
  }
  if (padding != 0) {
    // The last group: two characters then "==" (one byte), or three then "=" (two bytes).
    const std::size_t i = whole_groups_end;
    const std::size_t data_chars = 4 - padding;
    std::uint32_t n = 0;
    for (std::size_t k = 0; k < data_chars; ++k) {
      const std::uint8_t v = value(i + k);
      if (v == kInvalid) return invalid_character(text, i + k);
      n = (n << 6) | v;
    }
    // Leftover bits of the last character must be zero, else two texts would decode alike.
    const std::uint32_t leftover_bits = padding == 2 ? 4 : 2;
    if ((n & ((1u << leftover_bits) - 1)) != 0)
      return make_error(Errc::invalid_base64, "non-zero padding bits in the last character");
    n >>= leftover_bits;
    if (padding == 2) {
      put[0] = static_cast<char>(n);
    } else {
      put[0] = static_cast<char>(n >> 8);
      put[1] = static_cast<char>(n & 0xff);
    }
  }
  return out;
}

}  // namespace x402
