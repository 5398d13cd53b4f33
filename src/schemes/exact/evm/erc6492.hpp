// ERC-6492 signatures of undeployed smart wallets:
//   abi.encode(address factory, bytes factoryCalldata, bytes innerSignature) || 0x6492…6492 (32 bytes)
#pragma once

#include <optional>

#include "x402/bytes.hpp"

namespace x402::exact_evm {

struct Erc6492Wrapper {
  Address factory;
  Bytes factory_calldata;
  Bytes inner_signature;
};

// nullopt when the signature does not end with the magic suffix or does not decode; a wrapper
// with a zero factory is treated as no wrapper (as the reference does).
[[nodiscard]] std::optional<Erc6492Wrapper> parse_erc6492(ByteView signature) noexcept;

}  // namespace x402::exact_evm
