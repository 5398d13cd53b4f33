// secp256k1 ECDSA verification the Ethereum way: recover the signer's address from a digest and
// a 65-byte r || s || v signature. Signing lives in PrivateKey (x402/keys.hpp).
#pragma once

#include <array>
#include <cstdint>

#include "x402/bytes.hpp"
#include "x402/result.hpp"

namespace x402::crypto {

// The address whose key produced `sig` over `digest`. v may be 27/28 (Ethereum) or 0/1 (raw
// recovery id); anything else, r or s of zero or >= the group order, or a point that does not
// recover, is Errc::invalid_signature. High-s signatures are recovered as ecrecover does; callers
// that must reject malleable signatures (EIP-2, OpenZeppelin, FiatToken) also check is_low_s().
[[nodiscard]] Result<Address> recover_signer(const Bytes32& digest, const Signature& sig) noexcept;

// True when 1 <= s <= n/2 (n the group order): the canonical half libsecp256k1 signs in.
[[nodiscard]] bool is_low_s(const Signature& sig) noexcept;

// Address of an uncompressed public key without its 0x04 prefix: keccak256(x || y)[12..32].
[[nodiscard]] Address address_from_public_key(const std::array<std::uint8_t, 64>& xy) noexcept;

}  // namespace x402::crypto
