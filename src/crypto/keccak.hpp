// Keccak-256 as Ethereum uses it (original Keccak padding, not NIST SHA3-256).
#pragma once

#include <string_view>

#include "x402/bytes.hpp"

namespace x402::crypto {

[[nodiscard]] Bytes32 keccak256(ByteView data) noexcept;
[[nodiscard]] Bytes32 keccak256(std::string_view data) noexcept;

}  // namespace x402::crypto
