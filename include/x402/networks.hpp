// Networks (CAIP-2 and the v1 names) and the stablecoins a price in dollars turns into.
// The built-in tables are the reference SDK's (x402-reference §1.7, §1.8); configuration adds
// more (a local chain, another token) through NetworkRegistry::add_*.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "x402/result.hpp"

namespace x402 {

struct Caip2 {
  std::string chain_namespace;  // "eip155", "solana"
  std::string reference;        // "84532", "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"
  bool operator==(const Caip2&) const = default;
};

// CAIP-2: namespace [-a-z0-9]{3,8}, ':', reference [-_a-zA-Z0-9]{1,32}.
[[nodiscard]] Result<Caip2> parse_caip2(std::string_view text) noexcept;

// Pattern match as the reference registers mechanisms: "eip155:*" matches every eip155 network,
// an exact id matches itself. '*' matches any run of characters.
[[nodiscard]] bool network_matches(std::string_view pattern, std::string_view network) noexcept;

enum class TransferMethod : std::uint8_t { eip3009, permit2 };
[[nodiscard]] std::string_view to_string(TransferMethod method) noexcept;

struct NetworkInfo {
  std::string caip2;                   // "eip155:84532"
  std::optional<std::string> v1_name;  // "base-sepolia"
  std::uint64_t chain_id = 0;          // EVM chain id; 0 for non-EVM
  std::string display_name;            // "Base Sepolia"
  std::string explorer_tx_url;         // prefix a tx hash is appended to; "" if none
  bool testnet = false;
};

struct AssetInfo {
  std::string network;         // CAIP-2
  std::string address;         // EVM: EIP-55 checksummed contract; Solana: mint
  std::string symbol;          // "USDC"
  std::string eip712_name;     // EVM: the token's EIP-712 domain name ("USDC", "USD Coin")
  std::string eip712_version;  // EVM: "2"
  unsigned decimals = 6;
  TransferMethod transfer_method = TransferMethod::eip3009;
  bool supports_eip2612 = false;  // permit2 tokens only
};

class NetworkRegistry {
 public:
  NetworkRegistry() = default;
  // The reference tables: every network of §1.7 and every stablecoin of §1.8.
  [[nodiscard]] static NetworkRegistry with_defaults();

  // Adds or replaces (by caip2) a network. Rejects an invalid CAIP-2 id or a v1 name in use.
  Status add_network(NetworkInfo network);
  // Adds an asset; `make_default` puts it first for its network (what "$0.01" resolves to).
  Status add_asset(AssetInfo asset, bool make_default = false);

  // Accepts a CAIP-2 id or a v1 name.
  [[nodiscard]] const NetworkInfo* find_network(std::string_view network) const noexcept;
  [[nodiscard]] std::optional<std::string> to_caip2(std::string_view network) const;
  [[nodiscard]] std::optional<std::string> to_v1_name(std::string_view network) const;
  [[nodiscard]] std::optional<std::uint64_t> evm_chain_id(std::string_view network) const noexcept;

  [[nodiscard]] const AssetInfo* default_asset(std::string_view network) const noexcept;
  [[nodiscard]] const AssetInfo* asset_by_symbol(std::string_view network,
                                                 std::string_view symbol) const noexcept;
  // EVM addresses compare case-insensitively.
  [[nodiscard]] const AssetInfo* asset_by_address(std::string_view network,
                                                  std::string_view address) const noexcept;

  [[nodiscard]] const std::vector<NetworkInfo>& networks() const noexcept { return networks_; }
  [[nodiscard]] const std::vector<AssetInfo>& assets() const noexcept { return assets_; }

 private:
  std::vector<NetworkInfo> networks_;
  std::vector<AssetInfo> assets_;  // per network, the first is the default
};

}  // namespace x402
