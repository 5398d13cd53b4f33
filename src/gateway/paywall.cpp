#include "gateway/paywall.hpp"

#include <boost/json/object.hpp>

#include "x402/codec.hpp"
#include "x402/money.hpp"

namespace x402::gateway {
namespace {

// JSON placed inside <script>: no "</script>", "<!--" or U+2028/2029 can end or confuse it.
std::string script_safe(std::string_view json) {
  std::string out;
  out.reserve(json.size() + 16);
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (static_cast<unsigned char>(c) == 0xE2 && i + 2 < json.size() &&
               static_cast<unsigned char>(json[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(json[i + 2]) == 0xA8 ||
                static_cast<unsigned char>(json[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(json[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

bool browser_payable(const PaymentRequirements& requirement) {
  if (requirement.scheme != "exact" || requirement.network.rfind("eip155:", 0) != 0) return false;
  if (!requirement.extra) return false;
  const auto* method = requirement.extra->if_contains("assetTransferMethod");
  if (method != nullptr && !(method->is_string() && method->as_string() == "eip3009")) return false;
  const auto* name = requirement.extra->if_contains("name");
  const auto* version = requirement.extra->if_contains("version");
  return name != nullptr && name->is_string() && version != nullptr && version->is_string();
}

}  // namespace

std::optional<std::string> render_paywall(const PaymentRequired& required, const NetworkRegistry& networks,
                                          const PaywallOptions& options) {
  std::size_t index = required.accepts.size();
  for (std::size_t i = 0; i < required.accepts.size(); ++i) {
    if (browser_payable(required.accepts[i])) {
      index = i;
      break;
    }
  }
  if (index == required.accepts.size()) return std::nullopt;
  const PaymentRequirements& requirement = required.accepts[index];
  const auto chain_id = networks.evm_chain_id(requirement.network);
  std::uint64_t chain = 0;
  if (chain_id) {
    chain = *chain_id;
  } else {
    // eip155:<chain id> names its chain even when the registry does not know it.
    const std::string reference = requirement.network.substr(7);
    for (char c : reference)
      if (c < '0' || c > '9') return std::nullopt;
    if (reference.empty() || reference.size() > 18) return std::nullopt;
    chain = std::stoull(reference);
  }

  const NetworkInfo* network = networks.find_network(requirement.network);
  const AssetInfo* asset = networks.asset_by_address(requirement.network, requirement.asset);
  boost::json::object display;
  if (asset != nullptr) {
    display["amount"] = format_units(requirement.amount, asset->decimals);
    display["symbol"] = asset->symbol;
  } else {
    display["amount"] = to_decimal(requirement.amount);  // unknown token: atomic units
    display["symbol"] = "units of " + requirement.asset;
  }
  display["networkName"] =
      network != nullptr && !network->display_name.empty() ? network->display_name : requirement.network;
  display["chainId"] = chain;
  display["testnet"] = network != nullptr ? network->testnet : true;
  display["explorerTxUrl"] = network != nullptr ? network->explorer_tx_url : std::string();

  boost::json::object config;
  config["paymentRequired"] = to_json(required);
  config["requirementIndex"] = index;
  config["display"] = std::move(display);
  config["appName"] = options.app_name;

  const std::string_view page = paywall_template();
  constexpr std::string_view kToken = "__X402_CONFIG__";
  const auto at = page.find(kToken);
  std::string out;
  out.reserve(page.size() + 2048);
  out.append(page.substr(0, at));
  out.append(script_safe(stringify(config)));
  out.append(page.substr(at + kToken.size()));
  return out;
}

}  // namespace x402::gateway
