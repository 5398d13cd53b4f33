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

Error bad_char(std::size_t offset) {
  return make_error(Errc::invalid_base64, "invalid base64 character at offset " + std::to_string(offset));
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&](std::size_t at) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t n = byte(i) << 16;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out += "==";
  } else if (rest == 2) {
    const std::uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back('=');
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

  const std::size_t data_chars = text.size() - padding;
  std::string out;
  try {
    out.reserve(decoded_size);
  } catch (const std::exception&) {
    return make_error(Errc::internal, "out of memory decoding base64");
  }
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < data_chars; ++i) {
    const std::uint8_t v = kDecode[static_cast<unsigned char>(text[i])];
    if (v == kInvalid) {
      if (text[i] == '=')
        return make_error(Errc::invalid_base64, "padding '=' before the end at offset " + std::to_string(i));
      return bad_char(i);
    }
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  // Leftover bits of the last character must be zero, else two texts would decode alike.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
    return make_error(Errc::invalid_base64, "non-zero padding bits in the last character");
  return out;
}

}  // namespace x402
