#include "schemes/exact/evm/erc6492.hpp"

#include <algorithm>

#include "crypto/abi.hpp"

namespace x402::exact_evm {

std::optional<Erc6492Wrapper> parse_erc6492(ByteView signature) noexcept {
  constexpr std::size_t kMagicSize = 32;
  if (signature.size() <= kMagicSize) return std::nullopt;
  const auto magic = signature.subspan(signature.size() - kMagicSize);
  for (std::size_t i = 0; i < kMagicSize; ++i)
    if (magic[i] != ((i % 2 == 0) ? 0x64 : 0x92)) return std::nullopt;
  // abi.encode(address, bytes, bytes): three top-level values (abi::decode reads "(a,b,c)" and
  // "a,b,c" alike as that list, not as one tuple).
  auto decoded = crypto::abi::decode("address,bytes,bytes", signature.first(signature.size() - kMagicSize));
  if (!decoded || decoded->size() != 3) return std::nullopt;
  const auto& members = *decoded;
  auto factory = members[0].as_address();
  auto calldata = members[1].as_bytes();
  auto inner = members[2].as_bytes();
  if (!factory || !calldata || !inner || factory->is_zero()) return std::nullopt;
  return Erc6492Wrapper{*factory, std::move(*calldata), std::move(*inner)};
}

}  // namespace x402::exact_evm
