// The Solidity contracts of contracts/, compiled at build time by the pinned solc and embedded.
#pragma once

#include <span>
#include <string_view>

namespace x402::contracts {

struct ContractArtifact {
  std::string_view name;           // contract name, e.g. "TestUSDC"
  std::string_view creation_code;  // hex, no 0x: constructor + runtime (deploy with this)
  std::string_view runtime_code;   // hex, no 0x: what anvil_setCode places at an address
  std::string_view abi_json;       // the solc ABI, compact JSON
};

[[nodiscard]] std::span<const ContractArtifact> all() noexcept;
[[nodiscard]] const ContractArtifact* find(std::string_view name) noexcept;

}  // namespace x402::contracts
