// Fixed-size value types for the things that cross the wire as hex: addresses, 32-byte words
// (hashes, nonces), ECDSA signatures. Parse at the boundary, keep these inside.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "x402/result.hpp"

namespace x402 {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// Lowercase hex, "0x"-prefixed unless prefix is false.
[[nodiscard]] std::string to_hex(ByteView bytes, bool prefix = true);

// Accepts an optional "0x"/"0X" prefix, upper or lower case digits, even length.
[[nodiscard]] Result<Bytes> from_hex(std::string_view text) noexcept;

template <std::size_t N>
struct FixedBytes {
  static constexpr std::size_t size = N;
  std::array<std::uint8_t, N> bytes{};

  // Exactly N bytes of hex, with or without "0x".
  [[nodiscard]] static Result<FixedBytes> from_hex(std::string_view text) noexcept {
    auto parsed = ::x402::from_hex(text);
    if (!parsed) return parsed.take_error();
    if (parsed->size() != N)
      return make_error(Errc::invalid_hex,
                        "expected " + std::to_string(N) + " bytes, got " + std::to_string(parsed->size()));
    FixedBytes out;
    for (std::size_t i = 0; i < N; ++i) out.bytes[i] = (*parsed)[i];
    return out;
  }
  [[nodiscard]] static FixedBytes from_span(ByteView view) noexcept {
    FixedBytes out;
    for (std::size_t i = 0; i < N && i < view.size(); ++i) out.bytes[i] = view[i];
    return out;
  }
  [[nodiscard]] std::string hex() const { return to_hex(bytes); }
  [[nodiscard]] ByteView view() const noexcept { return bytes; }
  [[nodiscard]] const std::uint8_t* data() const noexcept { return bytes.data(); }
  [[nodiscard]] std::uint8_t* data() noexcept { return bytes.data(); }
  [[nodiscard]] bool is_zero() const noexcept {
    for (auto b : bytes)
      if (b != 0) return false;
    return true;
  }
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  auto operator<=>(const FixedBytes&) const = default;
};

// 32-byte word: keccak hashes, EIP-3009 nonces, r and s.
struct Bytes32 : FixedBytes<32> {
  Bytes32() = default;
  Bytes32(const FixedBytes<32>& base) : FixedBytes<32>(base) {}  // NOLINT(google-explicit-constructor)
  [[nodiscard]] static Result<Bytes32> from_hex(std::string_view text) noexcept {
    auto parsed = FixedBytes<32>::from_hex(text);
    if (!parsed) return parsed.take_error();
    return Bytes32(*parsed);
  }
};

// 20-byte EVM account address.
struct Address : FixedBytes<20> {
  Address() = default;
  Address(const FixedBytes<20>& base) : FixedBytes<20>(base) {}  // NOLINT(google-explicit-constructor)

  // "0x" + 40 hex digits. All-lower and all-upper are accepted as is; mixed case must be a valid
  // EIP-55 checksum (a typo in a checksummed address must not silently redirect funds).
  [[nodiscard]] static Result<Address> parse(std::string_view text) noexcept;
  // EIP-55 mixed-case form.
  [[nodiscard]] std::string checksummed() const;
};

// secp256k1 ECDSA signature in Ethereum's 65-byte r || s || v layout, v in {27, 28}.
struct Signature {
  Bytes32 r;
  Bytes32 s;
  std::uint8_t v = 27;

  [[nodiscard]] static Result<Signature> from_bytes(ByteView bytes) noexcept;  // exactly 65 bytes
  [[nodiscard]] std::array<std::uint8_t, 65> to_bytes() const noexcept;
  [[nodiscard]] std::string hex() const;
  auto operator<=>(const Signature&) const = default;
};

}  // namespace x402
