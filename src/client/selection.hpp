// Choosing what to pay: the offered options in one shape for v1 and v2, the policy's verdict on
// each, and the cheapest acceptable one. Pure: no clock, no I/O.
#pragma once

#include <vector>

#include "x402/client.hpp"

namespace x402::client {

// Budgets and cross-asset comparisons are in dollars with 18 decimals ("wad"): a dollar-pegged
// token amount is scaled up exactly, or, beyond 18 decimals, rounded up (a budget never
// under-counts).
inline constexpr unsigned kWadDecimals = 18;
[[nodiscard]] U256 to_wad(const U256& atomic, unsigned decimals);
[[nodiscard]] Result<U256> money_to_wad(const Money& money) noexcept;

// Dollars only: "$0.05", "0.05", "0.05 USD". A token symbol would make the cap mean something
// else per asset, so it is refused.
[[nodiscard]] Result<Money> parse_dollars(std::string_view text) noexcept;

// Rejects caps in non-dollar symbols and malformed rules.
[[nodiscard]] Status validate_policy(const Policy& policy);

[[nodiscard]] std::vector<PaymentOption> options_of(const PaymentRequired& required,
                                                    const NetworkRegistry& networks);
[[nodiscard]] std::vector<PaymentOption> options_of(const PaymentRequirementsResponse& required,
                                                    const NetworkRegistry& networks);

// The verdict on every option, in order: a scheme is registered for it, its network and asset are
// allowed, its amount is within the per-request cap. Then the cheapest acceptable (ties: the
// earlier) or, without prefer_cheapest, the first acceptable.
[[nodiscard]] Selection select_payment(int x402_version, std::vector<PaymentOption> options,
                                       const Policy& policy, const NetworkRegistry& networks,
                                       const SchemeRegistry<SchemeClient>& schemes);

// The decimals the policy checks used for an acceptable option (its asset rule's, else the
// registry's). Precondition: the option was found acceptable.
[[nodiscard]] unsigned option_decimals(const PaymentOption& option);

}  // namespace x402::client
