#include "crypto/keccak.hpp"

#include <crypto++/keccak.h>

namespace x402::crypto {

Bytes32 keccak256(ByteView data) noexcept {
  CryptoPP::Keccak_256 hash;
  Bytes32 out;
  hash.CalculateDigest(out.data(), data.data(), data.size());
  return out;
}

Bytes32 keccak256(std::string_view data) noexcept {
  return keccak256(ByteView(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
}

}  // namespace x402::crypto
