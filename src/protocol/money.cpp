// Prices to atomic amounts, following @x402/core 2.27 parseMoney / convertToTokenAmount and the
// @x402/evm exact server's default conversion (x402-reference §6.2). Decimal strings only.
#include "x402/money.hpp"

#include <cmath>

#include "protocol/json_number.hpp"

namespace x402 {
namespace {

constexpr std::size_t kMaxEchoedPrice = 64;  // how much of a bad price an error message repeats
constexpr unsigned kMaxDecimals = 77;        // 10^77 < 2^256

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
// JS \s restricted to ASCII (prices come from configuration, not from the wire).
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

Error bad_price(std::string_view text, std::string_view why) {
  std::string shown(text.substr(0, kMaxEchoedPrice));
  if (text.size() > kMaxEchoedPrice) shown += "...";
  return make_error(Errc::invalid_amount, "invalid price '" + shown + "': " + std::string(why));
}

// Plain decimal: ^\d+(\.\d+)?$ ; returns how many characters matched at the front of `text`.
std::size_t match_decimal(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && is_digit(text[i])) ++i;
  if (i == 0) return 0;
  if (i < text.size() && text[i] == '.') {
    std::size_t j = i + 1;
    while (j < text.size() && is_digit(text[j])) ++j;
    if (j == i + 1) return 0;  // "1." is not a price
    i = j;
  }
  return i;
}

bool is_evm_network(std::string_view caip2) {
  return caip2.rfind("eip155:", 0) == 0;
}

}  // namespace

// ^\$?\s*(-?\d+(?:\.\d+)?)(?:\s+([A-Za-z][A-Za-z0-9.]*))?$ after trimming, then negatives refused.
Result<Money> parse_money(std::string_view text) noexcept {
  std::string_view rest = text;
  while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
  while (!rest.empty() && is_space(rest.back())) rest.remove_suffix(1);
  if (rest.empty()) return bad_price(text, "empty");
  if (rest.front() == '$') rest.remove_prefix(1);
  while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
  if (!rest.empty() && rest.front() == '-') return bad_price(text, "negative amounts are not allowed");

  const std::size_t number_length = match_decimal(rest);
  if (number_length == 0) return bad_price(text, "expected a decimal number such as 0.01");
  Money money;
  money.decimal = std::string(rest.substr(0, number_length));
  rest.remove_prefix(number_length);
  if (rest.empty()) return money;

  if (rest.front() == 'e' || rest.front() == 'E') return bad_price(text, "exponent notation is not allowed");
  if (!is_space(rest.front())) return bad_price(text, "unexpected characters after the number");
  while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
  if (rest.empty() || !is_alpha(rest.front()))
    return bad_price(text, "expected a currency symbol after the number");
  for (char c : rest)
    if (!is_alpha(c) && !is_digit(c) && c != '.') return bad_price(text, "invalid currency symbol");
  money.symbol = upper(rest);
  if (money.symbol == "USD") money.symbol.clear();  // USD = the network's default stablecoin
  return money;
}

Result<Money> money_from_number(double value) noexcept {
  if (!std::isfinite(value)) return make_error(Errc::invalid_amount, "price must be a finite number");
  if (value < 0) return make_error(Errc::invalid_amount, "price must not be negative");
  return Money{protocol::plain_decimal(value), ""};
}

// Pads or truncates the fraction to `decimals` digits (never rounds), as convertToTokenAmount.
Result<U256> to_atomic_units(std::string_view decimal, unsigned decimals) noexcept {
  if (decimals > kMaxDecimals)
    return make_error(Errc::invalid_amount, "decimals must be at most " + std::to_string(kMaxDecimals));
  if (decimal.empty() || match_decimal(decimal) != decimal.size())
    return make_error(Errc::invalid_amount, "expected a plain decimal number such as 1.5");
  const auto point = decimal.find('.');
  const std::string_view whole = decimal.substr(0, point);
  const std::string_view fraction =
      point == std::string_view::npos ? std::string_view() : decimal.substr(point + 1);

  U256 value = 0;
  auto push_digit = [&](unsigned digit) {
    U256 scaled;
    return checked_mul(value, 10, scaled) && checked_add(scaled, digit, value);
  };
  for (char c : whole)
    if (!push_digit(static_cast<unsigned>(c - '0')))
      return make_error(Errc::invalid_amount, "amount exceeds 2^256-1 atomic units");
  for (unsigned i = 0; i < decimals; ++i) {
    const unsigned digit = i < fraction.size() ? static_cast<unsigned>(fraction[i] - '0') : 0;
    if (!push_digit(digit)) return make_error(Errc::invalid_amount, "amount exceeds 2^256-1 atomic units");
  }
  return value;
}

std::string format_units(const U256& atomic, unsigned decimals) {
  std::string digits = to_decimal(atomic);
  if (decimals == 0) return digits;
  if (digits.size() <= decimals) digits.insert(0, decimals + 1 - digits.size(), '0');
  std::string whole = digits.substr(0, digits.size() - decimals);
  std::string fraction = digits.substr(digits.size() - decimals);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  return fraction.empty() ? whole : whole + "." + fraction;
}

Result<AssetAmount> resolve_price(const Money& money, std::string_view network,
                                  const NetworkRegistry& registry) noexcept {
  try {
    const bool wants_default = money.symbol.empty() || upper(money.symbol) == "USD";
    const AssetInfo* asset =
        wants_default ? registry.default_asset(network) : registry.asset_by_symbol(network, money.symbol);
    if (!asset && wants_default)
      return make_error(Errc::unknown_asset,
                        "no default asset configured for network " + std::string(network));
    if (!asset)
      return make_error(Errc::unknown_asset, "no " + upper(money.symbol) + " asset configured for network " +
                                                 std::string(network));

    auto amount = to_atomic_units(money.decimal, asset->decimals);
    if (!amount) return amount.take_error();

    AssetAmount out;
    out.amount = *amount;
    out.asset = asset->address;
    if (is_evm_network(asset->network)) {
      // EIP-3009 tokens need their EIP-712 domain; permit2 tokens carry it only when they support
      // EIP-2612 (its absence tells the client to use ERC-20 approval sponsoring instead).
      const bool permit2 = asset->transfer_method == TransferMethod::permit2;
      if (!permit2 || asset->supports_eip2612) {
        out.extra.emplace("name", asset->eip712_name);
        out.extra.emplace("version", asset->eip712_version);
      }
      if (permit2) out.extra.emplace("assetTransferMethod", to_string(TransferMethod::permit2));
    }
    return out;
  } catch (const std::exception& e) {
    return make_error(Errc::internal, std::string("resolve_price failed: ") + e.what());
  }
}

}  // namespace x402
