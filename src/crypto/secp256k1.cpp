#include "crypto/secp256k1.hpp"

#include <secp256k1_recovery.h>

#include <algorithm>
#include <array>
#include <string>

#include "crypto/keccak.hpp"
#include "crypto/secp256k1_context.hpp"

namespace x402::crypto {
namespace {

// n / 2 for the secp256k1 group order n, big-endian.
constexpr std::array<std::uint8_t, 32> kHalfOrder{
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

}  // namespace

Address address_from_public_key(const std::array<std::uint8_t, 64>& xy) noexcept {
  const Bytes32 hash = keccak256(ByteView(xy));
  return Address(FixedBytes<20>::from_span(ByteView(hash.bytes).subspan(12)));
}

bool is_low_s(const Signature& sig) noexcept {
  return !sig.s.is_zero() && !std::lexicographical_compare(kHalfOrder.begin(), kHalfOrder.end(),
                                                           sig.s.bytes.begin(), sig.s.bytes.end());
}

Result<Address> recover_signer(const Bytes32& digest, const Signature& sig) noexcept {
  int recovery_id = 0;
  if (sig.v == 27 || sig.v == 28) {
    recovery_id = sig.v - 27;
  } else if (sig.v == 0 || sig.v == 1) {
    recovery_id = sig.v;
  } else {
    return make_error(Errc::invalid_signature,
                      "signature v must be 27, 28, 0 or 1, got " + std::to_string(sig.v));
  }
  if (sig.r.is_zero() || sig.s.is_zero())
    return make_error(Errc::invalid_signature, "signature r and s must be non-zero");

  const secp256k1_context* ctx = detail::secp256k1_ctx();
  std::array<std::uint8_t, 64> compact{};
  std::copy(sig.r.bytes.begin(), sig.r.bytes.end(), compact.begin());
  std::copy(sig.s.bytes.begin(), sig.s.bytes.end(), compact.begin() + 32);
  secp256k1_ecdsa_recoverable_signature parsed;
  if (secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &parsed, compact.data(), recovery_id) != 1)
    return make_error(Errc::invalid_signature, "signature r or s is not below the secp256k1 group order");
  secp256k1_pubkey public_key;
  if (secp256k1_ecdsa_recover(ctx, &public_key, &parsed, digest.data()) != 1)
    return make_error(Errc::invalid_signature, "signature does not recover to a public key");

  std::array<std::uint8_t, 65> uncompressed{};
  std::size_t length = uncompressed.size();
  secp256k1_ec_pubkey_serialize(ctx, uncompressed.data(), &length, &public_key, SECP256K1_EC_UNCOMPRESSED);
  std::array<std::uint8_t, 64> xy{};
  std::copy(uncompressed.begin() + 1, uncompressed.end(), xy.begin());
  return address_from_public_key(xy);
}

}  // namespace x402::crypto
