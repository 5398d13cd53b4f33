// Exact 256-bit unsigned integers for money, nonces and timestamps. Never floating point.
#pragma once

#include <boost/multiprecision/cpp_int.hpp>
#include <string>
#include <string_view>

#include "x402/bytes.hpp"
#include "x402/result.hpp"

namespace x402 {

// Fixed 256-bit, unchecked (wrapping) arithmetic: callers that add or multiply values from the
// wire use the checked helpers below.
using U256 = boost::multiprecision::uint256_t;

// Decimal digits only (no sign, no spaces, no exponent); leading zeros accepted; > 2^256-1 rejected.
[[nodiscard]] Result<U256> parse_u256(std::string_view decimal) noexcept;
// "0x"-prefixed hex quantity as JSON-RPC returns it ("0x0", "0x1a"); up to 64 digits.
[[nodiscard]] Result<U256> parse_u256_hex(std::string_view hex) noexcept;

[[nodiscard]] std::string to_decimal(const U256& value);
// JSON-RPC quantity: "0x" + minimal lowercase hex ("0x0" for zero).
[[nodiscard]] std::string to_quantity(const U256& value);

[[nodiscard]] Bytes32 to_be_bytes32(const U256& value) noexcept;
[[nodiscard]] U256 from_be_bytes(ByteView bytes) noexcept;  // up to 32 bytes, big-endian

// Overflow-checked arithmetic; false on overflow (out untouched).
[[nodiscard]] bool checked_add(const U256& a, const U256& b, U256& out) noexcept;
[[nodiscard]] bool checked_mul(const U256& a, const U256& b, U256& out) noexcept;

}  // namespace x402
