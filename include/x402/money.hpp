// Prices ("$0.01", "0.01", "1.5 USDT", 0.01) to exact atomic token amounts, the reference way:
// decimal strings only, fraction truncated (never rounded) to the token's decimals.
#pragma once

#include <string>
#include <string_view>

#include "x402/networks.hpp"
#include "x402/result.hpp"
#include "x402/types.hpp"
#include "x402/u256.hpp"

namespace x402 {

struct Money {
  std::string decimal;  // "0.01": digits, optional '.' and digits
  std::string symbol;   // "" or "USD" = the network's default asset; else a symbol ("USDT")
  bool operator==(const Money&) const = default;
};

// ^\$?\s*(\d+(\.\d+)?)(\s+SYMBOL)?$ ; negatives, exponents and junk are rejected.
[[nodiscard]] Result<Money> parse_money(std::string_view text) noexcept;
// A JSON/TOML number: finite and >= 0, written as a plain decimal without exponent.
[[nodiscard]] Result<Money> money_from_number(double value) noexcept;

// "1.5" with 6 decimals -> 1500000. Extra fraction digits are truncated.
[[nodiscard]] Result<U256> to_atomic_units(std::string_view decimal, unsigned decimals) noexcept;
// 1500000 with 6 decimals -> "1.5"; 0 -> "0".
[[nodiscard]] std::string format_units(const U256& atomic, unsigned decimals);

struct AssetAmount {
  U256 amount;
  std::string asset;  // token address
  JsonObject extra;   // EVM eip3009: {name, version}; permit2: {assetTransferMethod, name?, version?}
  bool operator==(const AssetAmount&) const = default;
};

// Money on a network -> amount of its default asset (or the asset named by the symbol), with the
// EIP-712 domain in `extra` as the reference server puts it.
[[nodiscard]] Result<AssetAmount> resolve_price(const Money& money, std::string_view network,
                                                const NetworkRegistry& registry) noexcept;

}  // namespace x402
