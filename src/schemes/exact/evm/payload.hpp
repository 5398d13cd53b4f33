// The exact-EVM (EIP-3009) payload: {authorization:{from,to,value,validAfter,validBefore,nonce},
// signature}, parsed into fixed-size types at the boundary.
#pragma once

#include "x402/bytes.hpp"
#include "x402/result.hpp"
#include "x402/types.hpp"
#include "x402/u256.hpp"

namespace x402::exact_evm {

struct Authorization {
  Address from;
  Address to;
  U256 value;
  U256 valid_after;
  U256 valid_before;
  Bytes32 nonce;
  bool operator==(const Authorization&) const = default;
};

struct Eip3009Payload {
  Authorization authorization;
  Bytes signature;  // 65 bytes for EOAs; longer for ERC-1271 / ERC-6492 wallets
  bool operator==(const Eip3009Payload&) const = default;
};

// True if the payload object is a Permit2 one (routed elsewhere), as the reference decides.
[[nodiscard]] bool is_permit2_payload(const JsonObject& payload) noexcept;

// Errors name the member: "payload.authorization.value: expected a decimal string".
[[nodiscard]] Result<Eip3009Payload> parse_eip3009_payload(const JsonObject& payload) noexcept;

// The reference client's key order; addresses EIP-55, nonce and signature lowercase hex.
[[nodiscard]] JsonObject to_json(const Eip3009Payload& payload);
// Same, for a caller that already holds both addresses in EIP-55 spelling (each spelling costs a
// Keccak-f permutation); they must be those of authorization.from and authorization.to.
[[nodiscard]] JsonObject to_json(const Eip3009Payload& payload, std::string_view checksummed_from,
                                 std::string_view checksummed_to);

}  // namespace x402::exact_evm
