// 32-byte big-endian words <-> U256 through the limbs, not byte-wise shifts: these conversions sit
// on the hot path of every EIP-712 digest, ABI word and RLP integer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "x402/bytes.hpp"
#include "x402/u256.hpp"

namespace x402::crypto::detail {

inline void store_be32(const U256& value, std::uint8_t* out) noexcept {
  for (std::size_t i = 0; i < 32; ++i) out[i] = 0;
  const auto& backend = value.backend();
  const auto* limbs = backend.limbs();
  constexpr std::size_t kLimbBytes = sizeof(*limbs);
  for (std::size_t limb = 0; limb < backend.size(); ++limb) {
    auto word = limbs[limb];
    for (std::size_t b = 0; b < kLimbBytes; ++b) {
      const std::size_t position = limb * kLimbBytes + b;  // byte index from the least significant end
      if (position >= 32) return;
      out[31 - position] = static_cast<std::uint8_t>(word & 0xff);
      word >>= 8;
    }
  }
}

[[nodiscard]] inline Bytes32 be32(const U256& value) noexcept {
  Bytes32 out;
  store_be32(value, out.data());
  return out;
}

// Up to 32 big-endian bytes.
[[nodiscard]] inline U256 load_be(ByteView bytes) noexcept {
  U256 value;
  auto& backend = value.backend();
  using Limb = std::remove_cv_t<std::remove_reference_t<decltype(*backend.limbs())>>;
  constexpr std::size_t kLimbBytes = sizeof(Limb);
  constexpr std::size_t kLimbs = 32 / kLimbBytes;
  if (bytes.size() > 32) bytes = bytes.last(32);
  backend.resize(kLimbs, kLimbs);
  Limb* limbs = backend.limbs();
  for (std::size_t i = 0; i < kLimbs; ++i) limbs[i] = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const std::size_t position = bytes.size() - 1 - i;  // from the least significant end
    limbs[position / kLimbBytes] |= static_cast<Limb>(bytes[i]) << (8 * (position % kLimbBytes));
  }
  backend.normalize();
  return value;
}

// Minimal big-endian bytes (no leading zeros; empty for zero), as RLP wants integers.
[[nodiscard]] inline Bytes minimal_be(const U256& value) {
  const Bytes32 word = be32(value);
  std::size_t first = 0;
  while (first < 32 && word.bytes[first] == 0) ++first;
  return Bytes(word.bytes.begin() + static_cast<std::ptrdiff_t>(first), word.bytes.end());
}

}  // namespace x402::crypto::detail
