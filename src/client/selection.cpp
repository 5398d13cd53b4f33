#include "client/selection.hpp"

#include <algorithm>

namespace x402::client {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) {
             return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
           };
           return lower(x) == lower(y);
         });
}

U256 pow10(unsigned exponent) {
  U256 out = 1;
  for (unsigned i = 0; i < exponent; ++i) out *= 10;
  return out;
}

bool is_usd_symbol(std::string_view symbol) {
  return symbol.empty() || iequals(symbol, "USD");
}

// A pattern or name given by the user may be a v1 name: compare it in CAIP-2 too.
bool network_allowed(std::string_view pattern, const PaymentOption& option, const NetworkRegistry& networks) {
  if (network_matches(pattern, option.network)) return true;
  if (option.caip2.empty()) return false;
  if (network_matches(pattern, option.caip2)) return true;
  if (const auto* named = networks.find_network(pattern)) return named->caip2 == option.caip2;
  return false;
}

bool same_asset(std::string_view a, std::string_view b) {
  // EVM addresses are case-insensitive hex; anything else (Solana mints) is exact.
  if (a.rfind("0x", 0) == 0 || a.rfind("0X", 0) == 0) return iequals(a, b);
  return a == b;
}

std::string option_label(const PaymentOption& option) {
  return option.scheme + " " + option.describe_amount() + " on " + option.network;
}

}  // namespace

U256 to_wad(const U256& atomic, unsigned decimals) {
  if (decimals <= kWadDecimals) return atomic * pow10(kWadDecimals - decimals);
  const U256 divisor = pow10(decimals - kWadDecimals);
  U256 quotient = atomic / divisor;
  if (quotient * divisor != atomic) quotient += 1;  // round up: never under-count spend
  return quotient;
}

Result<U256> money_to_wad(const Money& money) noexcept {
  if (!is_usd_symbol(money.symbol))
    return make_error(Errc::invalid_amount, "amounts must be in dollars, not " + money.symbol);
  return to_atomic_units(money.decimal, kWadDecimals);
}

Result<Money> parse_dollars(std::string_view text) noexcept {
  auto money = parse_money(text);
  if (!money) return money.take_error();
  if (!is_usd_symbol(money->symbol))
    return make_error(
        Errc::invalid_amount,
        "'" + std::string(text) + "': give the amount in dollars (e.g. $0.05), not in " + money->symbol);
  money->symbol.clear();
  return money;
}

Status validate_policy(const Policy& policy) {
  if (!is_usd_symbol(policy.max_amount.symbol))
    return make_error(Errc::invalid_argument,
                      "max amount must be in dollars, not " + policy.max_amount.symbol);
  if (auto cap = to_atomic_units(policy.max_amount.decimal, kWadDecimals); !cap)
    return make_error(Errc::invalid_argument, "max amount: " + cap.error().message);
  for (const auto& limit : policy.budgets) {
    if (auto wad = money_to_wad(limit.amount); !wad)
      return make_error(Errc::invalid_argument, "budget: " + wad.error().message);
    if (limit.window && limit.window->count() <= 0)
      return make_error(Errc::invalid_argument, "budget: the window must be positive");
  }
  for (const auto& rule : policy.assets) {
    if (rule.network.empty() || rule.address.empty())
      return make_error(Errc::invalid_argument, "asset rule: network and address are required");
    if (rule.decimals && *rule.decimals > 77)
      return make_error(Errc::invalid_argument, "asset rule: at most 77 decimals");
  }
  return {};
}

std::vector<PaymentOption> options_of(const PaymentRequired& required, const NetworkRegistry& networks) {
  std::vector<PaymentOption> out;
  out.reserve(required.accepts.size());
  for (std::size_t i = 0; i < required.accepts.size(); ++i) {
    const auto& accept = required.accepts[i];
    PaymentOption option;
    option.x402_version = 2;
    option.index = i;
    option.scheme = accept.scheme;
    option.network = accept.network;
    option.caip2 = networks.to_caip2(accept.network).value_or("");
    option.asset = accept.asset;
    option.amount = accept.amount;
    option.pay_to = accept.pay_to;
    option.max_timeout_seconds = accept.max_timeout_seconds;
    if (const auto* info = networks.asset_by_address(accept.network, accept.asset)) option.asset_info = *info;
    out.push_back(std::move(option));
  }
  return out;
}

std::vector<PaymentOption> options_of(const PaymentRequirementsResponse& required,
                                      const NetworkRegistry& networks) {
  std::vector<PaymentOption> out;
  out.reserve(required.accepts.size());
  for (std::size_t i = 0; i < required.accepts.size(); ++i) {
    const auto& accept = required.accepts[i];
    PaymentOption option;
    option.x402_version = 1;
    option.index = i;
    option.scheme = accept.scheme;
    option.network = accept.network;
    if (const auto* info = networks.find_network(accept.network)) option.caip2 = info->caip2;
    option.asset = accept.asset;
    option.amount = accept.max_amount_required;
    option.pay_to = accept.pay_to;
    option.max_timeout_seconds = accept.max_timeout_seconds;
    if (const auto* info = networks.asset_by_address(accept.network, accept.asset)) option.asset_info = *info;
    out.push_back(std::move(option));
  }
  return out;
}

unsigned option_decimals(const PaymentOption& option) {
  return option.asset_info ? option.asset_info->decimals : 0;
}

Selection select_payment(int x402_version, std::vector<PaymentOption> options, const Policy& policy,
                         const NetworkRegistry& networks, const SchemeRegistry<SchemeClient>& schemes) {
  Selection selection;
  selection.x402_version = x402_version;
  for (auto& option : options) {
    OptionVerdict verdict;
    const auto refuse = [&](std::string reason) {
      verdict.reason = std::move(reason);
      verdict.acceptable = false;
    };
    verdict.acceptable = true;

    if (schemes.find(x402_version, option.scheme, option.network) == nullptr) {
      refuse("no scheme registered for " + option.scheme + " on " + option.network + " (x402 v" +
             std::to_string(x402_version) + ")");
    } else if (!policy.networks.empty() &&
               std::none_of(policy.networks.begin(), policy.networks.end(), [&](const std::string& pattern) {
                 return network_allowed(pattern, option, networks);
               })) {
      refuse("network " + option.network + " is not allowed");
    } else {
      const AssetRule* rule = nullptr;
      if (!policy.assets.empty()) {
        for (const auto& candidate : policy.assets) {
          if (network_allowed(candidate.network, option, networks) &&
              same_asset(candidate.address, option.asset)) {
            rule = &candidate;
            break;
          }
        }
      }
      std::optional<unsigned> decimals;
      if (rule != nullptr && rule->decimals) {
        decimals = rule->decimals;
        if (!option.asset_info) {
          AssetInfo info;
          info.network = option.caip2.empty() ? option.network : option.caip2;
          info.address = option.asset;
          info.decimals = *rule->decimals;
          option.asset_info = std::move(info);
        } else {
          option.asset_info->decimals = *rule->decimals;
        }
      } else if (option.asset_info) {
        decimals = option.asset_info->decimals;
      }

      if (!policy.assets.empty() && rule == nullptr) {
        refuse("asset " + option.asset + " on " + option.network + " is not allowed");
      } else if (policy.assets.empty() && !option.asset_info) {
        refuse("asset " + option.asset + " is not a known asset of " + option.network +
               " (allow it explicitly with its decimals)");
      } else if (!decimals) {
        refuse("the decimals of asset " + option.asset + " are unknown");
      } else {
        U256 cap;
        std::string cap_text;
        if (rule != nullptr && rule->max_amount) {
          cap = *rule->max_amount;
          cap_text = format_units(cap, *decimals);
        } else {
          auto converted = to_atomic_units(policy.max_amount.decimal, *decimals);
          if (!converted) {
            refuse("max amount: " + converted.error().message);
          } else {
            cap = *converted;
            cap_text = "$" + policy.max_amount.decimal;
          }
        }
        if (verdict.acceptable && option.amount > cap)
          refuse("amount " + option.describe_amount() + " is over the maximum per request (" + cap_text +
                 ")");
      }
    }
    verdict.option = std::move(option);
    selection.verdicts.push_back(std::move(verdict));
  }

  for (std::size_t i = 0; i < selection.verdicts.size(); ++i) {
    const auto& verdict = selection.verdicts[i];
    if (!verdict.acceptable) continue;
    if (!selection.chosen) {
      selection.chosen = i;
      if (!policy.prefer_cheapest) break;
      continue;
    }
    const auto& best = selection.verdicts[*selection.chosen].option;
    if (to_wad(verdict.option.amount, option_decimals(verdict.option)) <
        to_wad(best.amount, option_decimals(best)))
      selection.chosen = i;
  }
  return selection;
}

}  // namespace x402::client

namespace x402 {

std::string PaymentOption::describe_amount() const {
  if (!asset_info) return to_decimal(amount) + " atomic units of " + asset;
  const std::string symbol = asset_info->symbol.empty() ? "units of " + asset : asset_info->symbol;
  return format_units(amount, asset_info->decimals) + " " + symbol;
}

std::string Selection::describe_refusals() const {
  if (verdicts.empty()) return "the server offered no payment option";
  std::string out;
  for (const auto& verdict : verdicts) {
    if (verdict.acceptable) continue;
    if (!out.empty()) out += "; ";
    out += "option " + std::to_string(verdict.option.index) + " (" + client::option_label(verdict.option) +
           "): " + verdict.reason;
  }
  return out;
}

}  // namespace x402
