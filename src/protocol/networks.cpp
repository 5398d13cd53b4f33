// Networks and default assets: the reference SDK's tables (x402-reference §1.7, §1.8; @x402/evm
// and @x402/svm 2.27 DEFAULT_ASSETS, EVM_NETWORK_CHAIN_ID_MAP; legacy x402 1.2.0 USDC config).
// Explorer prefixes are the chains' Etherscan-family or Blockscout explorers as listed by viem;
// "" where no /tx/ URL was verified.
#include "x402/networks.hpp"

#include <algorithm>
#include <charconv>

#include "x402/bytes.hpp"

namespace x402 {
namespace {

constexpr std::string_view kEip155 = "eip155";

bool is_namespace_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

bool is_reference_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

bool is_evm(std::string_view caip2) {
  return caip2.size() > kEip155.size() && caip2.substr(0, kEip155.size()) == kEip155 &&
         caip2[kEip155.size()] == ':';
}

// Solana addresses: base58, 32-44 characters (the reference's SVM_ADDRESS_REGEX).
bool is_base58_address(std::string_view text) {
  if (text.size() < 32 || text.size() > 44) return false;
  constexpr std::string_view kBase58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  return std::all_of(text.begin(), text.end(),
                     [&](char c) { return kBase58.find(c) != std::string_view::npos; });
}

struct NetworkRow {
  const char* caip2;
  const char* v1_name;  // nullptr: no v1 name
  std::uint64_t chain_id;
  const char* display_name;
  const char* explorer_tx_url;
  bool testnet;
};

// Every network of the v1 name map plus every network that has a default asset.
constexpr NetworkRow kNetworks[] = {
    {"eip155:1", "ethereum", 1, "Ethereum", "https://etherscan.io/tx/", false},
    {"eip155:11155111", "sepolia", 11155111, "Sepolia", "https://sepolia.etherscan.io/tx/", true},
    {"eip155:2741", "abstract", 2741, "Abstract", "https://abscan.org/tx/", false},
    {"eip155:11124", "abstract-testnet", 11124, "Abstract Testnet", "https://sepolia.abscan.org/tx/", true},
    {"eip155:8453", "base", 8453, "Base", "https://basescan.org/tx/", false},
    {"eip155:84532", "base-sepolia", 84532, "Base Sepolia", "https://sepolia.basescan.org/tx/", true},
    {"eip155:43114", "avalanche", 43114, "Avalanche C-Chain", "https://snowtrace.io/tx/", false},
    {"eip155:43113", "avalanche-fuji", 43113, "Avalanche Fuji", "https://testnet.snowtrace.io/tx/", true},
    {"eip155:4689", "iotex", 4689, "IoTeX", "", false},
    {"eip155:1329", "sei", 1329, "Sei", "", false},
    {"eip155:1328", "sei-testnet", 1328, "Sei Testnet", "", true},
    {"eip155:137", "polygon", 137, "Polygon", "https://polygonscan.com/tx/", false},
    {"eip155:80002", "polygon-amoy", 80002, "Polygon Amoy", "https://amoy.polygonscan.com/tx/", true},
    {"eip155:3338", "peaq", 3338, "peaq", "", false},
    {"eip155:1514", "story", 1514, "Story", "", false},
    {"eip155:41923", "educhain", 41923, "EDU Chain", "", false},
    {"eip155:324705682", "skale-base-sepolia", 324705682, "SKALE Base Sepolia", "", true},
    {"eip155:4326", "megaeth", 4326, "MegaETH", "https://mega.etherscan.io/tx/", false},
    {"eip155:143", "monad", 143, "Monad", "https://monadscan.com/tx/", false},
    {"eip155:988", "stable", 988, "Stable", "", false},
    {"eip155:2201", "stable-testnet", 2201, "Stable Testnet", "", true},
    {"eip155:42220", "celo", 42220, "Celo", "https://celoscan.io/tx/", false},
    {"eip155:14", "flare", 14, "Flare", "https://flare-explorer.flare.network/tx/", false},
    // Networks with a 2.27 default asset but no v1 name.
    {"eip155:42161", nullptr, 42161, "Arbitrum One", "https://arbiscan.io/tx/", false},
    {"eip155:421614", nullptr, 421614, "Arbitrum Sepolia", "https://sepolia.arbiscan.io/tx/", true},
    {"eip155:31612", nullptr, 31612, "Mezo", "", false},
    {"eip155:31611", nullptr, 31611, "Mezo Testnet", "", true},
    {"eip155:723487", nullptr, 723487, "Radius", "", false},
    {"eip155:72344", nullptr, 72344, "Radius Testnet", "", true},
    {"eip155:36900", nullptr, 36900, "ADI Chain", "", false},
    {"eip155:190415", nullptr, 190415, "HPP", "", false},
    {"eip155:181228", nullptr, 181228, "HPP Sepolia", "", true},
    {"eip155:50", nullptr, 50, "XDC Network", "https://xdcscan.com/tx/", false},
    {"eip155:51", nullptr, 51, "XDC Apothem", "https://testnet.xdcscan.com/tx/", true},
    {"eip155:38833", nullptr, 38833, "Igra", "", false},
    {"eip155:11142220", nullptr, 11142220, "Celo Sepolia", "https://celo-sepolia.blockscout.com/tx/", true},
    {"solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp", "solana", 0, "Solana", "https://explorer.solana.com/tx/",
     false},
    {"solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1", "solana-devnet", 0, "Solana Devnet", "", true},
    {"solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z", "solana-testnet", 0, "Solana Testnet", "", true},
};

struct AssetRow {
  const char* network;
  const char* address;
  const char* symbol;
  const char* eip712_name;
  const char* eip712_version;
  unsigned decimals;
  TransferMethod method;
  bool eip2612;
};

constexpr auto k3009 = TransferMethod::eip3009;
constexpr auto kPermit2 = TransferMethod::permit2;

// Per network, the first row is the default ("$0.01" resolves to it).
constexpr AssetRow kAssets[] = {
    // @x402/evm 2.27 DEFAULT_ASSETS.
    {"eip155:8453", "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", "USDC", "USD Coin", "2", 6, k3009, false},
    {"eip155:84532", "0x036CbD53842c5426634e7929541eC2318f3dCF7e", "USDC", "USDC", "2", 6, k3009, false},
    {"eip155:1", "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", "USDC", "USD Coin", "2", 6, k3009, false},
    {"eip155:43114", "0xB97EF9Ef8734C71904D8002F8b6Bc66Dd9c48a6E", "USDC", "USD Coin", "2", 6, k3009, false},
    {"eip155:4326", "0xFAfDdbb3FC7688494971a79cc65DCa3EF82079E7", "MegaUSD", "MegaUSD", "1", 18, kPermit2,
     true},
    {"eip155:143", "0x754704Bc059F8C67012fEd69BC8A327a5aafb603", "USDC", "USDC", "2", 6, k3009, false},
    {"eip155:988", "0x779Ded0c9e1022225f8E0630b35a9b54bE713736", "USDT0", "USDT0", "1", 6, k3009, false},
    {"eip155:2201", "0x78Cf24370174180738C5B8E352B6D14c83a6c9A9", "USDT0", "USDT0", "1", 6, k3009, false},
    {"eip155:137", "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359", "USDC", "USD Coin", "2", 6, k3009, false},
    {"eip155:42161", "0xaf88d065e77c8cC2239327C5EDb3A432268e5831", "USDC", "USD Coin", "2", 6, k3009, false},
    {"eip155:421614", "0x75faf114eafb1BDbe2F0316DF893fd58CE46AA4d", "USDC", "USD Coin", "2", 6, k3009, false},
    {"eip155:31612", "0xdD468A1DDc392dcdbEf6db6e34E89AA338F9F186", "mUSD", "Mezo USD", "1", 18, kPermit2,
     true},
    {"eip155:31611", "0x118917a40FAF1CD7a13dB0Ef56C86De7973Ac503", "mUSD", "Mezo USD", "1", 18, kPermit2,
     true},
    {"eip155:723487", "0x33ad9e4BD16B69B5BFdED37D8B5D9fF9aba014Fb", "SBC", "Stable Coin", "1", 6, kPermit2,
     true},
    {"eip155:72344", "0x33ad9e4BD16B69B5BFdED37D8B5D9fF9aba014Fb", "SBC", "Stable Coin", "1", 6, kPermit2,
     true},
    {"eip155:36900", "0x9cb8142aEBBcdc60AF7c97Af897A67A8f3CA71C2", "USDC.e", "USDC.e", "2", 6, k3009, false},
    {"eip155:190415", "0x401eCb1D350407f13ba348573E5630B83638E30D", "USDC.e", "Bridged USDC", "2", 6, k3009,
     false},
    {"eip155:181228", "0x401eCb1D350407f13ba348573E5630B83638E30D", "USDC.e", "Bridged USDC", "2", 6, k3009,
     false},
    {"eip155:50", "0xfA2958CB79b0491CC627c1557F441eF849Ca8eb1", "USDC", "USDC", "2", 6, k3009, false},
    {"eip155:51", "0xb5AB69F7bBada22B28e79C8FFAECe55eF1c771D4", "USDC", "USDC", "2", 6, k3009, false},
    {"eip155:38833", "0xA5b8BF902b2844dA17d4506cc827F7F1681735E7", "USDC", "USDC", "1", 6, kPermit2, false},
    {"eip155:14", "0xe7cd86e13AC4309349F30B3435a9d337750fC82D", "USDT0", "USD\u20ae0", "1", 6, k3009, false},
    {"eip155:42220", "0xcebA9300f2b948710d2653dD7B07f33A8B32118C", "USDC", "USDC", "2", 6, k3009, false},
    {"eip155:42220", "0x48065fbBE25f71C9282ddf5e1cD6D6A887483D5e", "USDT", "Tether USD", "1", 6, k3009,
     false},
    {"eip155:42220", "0xD2ab3C9A02DBBAB236BfEC45D1d755DF4267F771", "USAT", "Tether America USD", "1", 6,
     k3009, false},
    {"eip155:11142220", "0x01C5C0122039549AD1493B8220cABEdD739BC44E", "USDC", "USDC", "2", 6, k3009, false},
    {"eip155:1329", "0xe15fC38F6D8c56aF07bbCBe3BAf5708A2Bf42392", "USDC", "USDC", "2", 6, k3009, false},
    {"eip155:1328", "0x4fCF1784B31630811181f670Aea7A7bEF803eaED", "USDC", "USDC", "2", 6, k3009, false},
    // Legacy x402 1.2.0 USDC for v1 networks the 2.27 table lacks (EIP-712 version always "2").
    {"eip155:43113", "0x5425890298aed601595a70AB815c96711a31Bc65", "USDC", "USD Coin", "2", 6, k3009, false},
    {"eip155:4689", "0xcdf79194c6c285077a58da47641d4dbe51f63542", "USDC", "Bridged USDC", "2", 6, k3009,
     false},
    {"eip155:80002", "0x41E94Eb019C0762f9Bfcf9Fb1E58725BfB0e7582", "USDC", "USDC", "2", 6, k3009, false},
    {"eip155:3338", "0xbbA60da06c2c5424f03f7434542280FCAd453d10", "USDC", "USDC", "2", 6, k3009, false},
    {"eip155:2741", "0x84a71ccd554cc1b02749b35d22f684cc8ec987e1", "USDC", "Bridged USDC", "2", 6, k3009,
     false},
    {"eip155:11124", "0xe4C7fBB0a626ed208021ccabA6Be1566905E2dFc", "USDC", "Bridged USDC", "2", 6, k3009,
     false},
    {"eip155:1514", "0xF1815bd50389c46847f0Bda824eC8da914045D14", "USDC", "Bridged USDC", "2", 6, k3009,
     false},
    {"eip155:41923", "0x12a272A581feE5577A5dFa371afEB4b2F3a8C2F8", "USDC", "Bridged USDC (Stargate)", "2", 6,
     k3009, false},
    {"eip155:324705682", "0x2e08028E3C4c2356572E096d8EF835cD5C6030bD", "USDC", "Bridged USDC (SKALE Bridge)",
     "2", 6, k3009, false},
    // @x402/svm 2.27 DEFAULT_ASSETS (SPL mints; no EIP-712 domain).
    {"solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp", "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "USDC", "",
     "", 6, k3009, false},
    {"solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp", "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB", "USDT", "",
     "", 6, k3009, false},
    {"solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp", "2u1tszSeqZ3qBWF3uNGPFc8TzMk2tdiwknnRMWGWjGWH", "USDG", "",
     "", 6, k3009, false},
    {"solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp", "2b1kV6DkPAnxd5ixfnxCpjxmKwqjjaYmCZfHsFu24GXo", "PYUSD", "",
     "", 6, k3009, false},
    {"solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp", "CASHx9KJUStyftLFWGvEVf59SGeG9sh5FfcnZMVPCASH", "CASH", "",
     "", 6, k3009, false},
    {"solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1", "4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU", "USDC", "",
     "", 6, k3009, false},
    {"solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1", "4F6PM96JJxngmHnZLBh9n58RH4aTVNWvDs2nuwrT5BP7", "USDG", "",
     "", 6, k3009, false},
    {"solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1", "CXk2AMBfi3TwaEL2468s6zP8xq9NxTXjp9gjMgzeUynM", "PYUSD", "",
     "", 6, k3009, false},
    {"solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z", "4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU", "USDC", "",
     "", 6, k3009, false},
    {"solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z", "4F6PM96JJxngmHnZLBh9n58RH4aTVNWvDs2nuwrT5BP7", "USDG", "",
     "", 6, k3009, false},
    {"solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z", "CXk2AMBfi3TwaEL2468s6zP8xq9NxTXjp9gjMgzeUynM", "PYUSD", "",
     "", 6, k3009, false},
};

// 10^77 < 2^256 <= 10^78: more decimals than this cannot hold even one whole token.
constexpr unsigned kMaxDecimals = 77;

NetworkRegistry build_defaults() {
  NetworkRegistry registry;
  for (const auto& row : kNetworks) {
    NetworkInfo info;
    info.caip2 = row.caip2;
    if (row.v1_name) info.v1_name = row.v1_name;
    info.chain_id = row.chain_id;
    info.display_name = row.display_name;
    info.explorer_tx_url = row.explorer_tx_url;
    info.testnet = row.testnet;
    (void)registry.add_network(std::move(info));
  }
  for (const auto& row : kAssets) {
    AssetInfo info;
    info.network = row.network;
    info.address = row.address;
    info.symbol = row.symbol;
    info.eip712_name = row.eip712_name;
    info.eip712_version = row.eip712_version;
    info.decimals = row.decimals;
    info.transfer_method = row.method;
    info.supports_eip2612 = row.eip2612;
    (void)registry.add_asset(std::move(info));
  }
  return registry;
}

}  // namespace

Result<Caip2> parse_caip2(std::string_view text) noexcept {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos)
    return make_error(Errc::invalid_network, "expected a CAIP-2 id (namespace:reference)");
  const auto ns = text.substr(0, colon);
  const auto reference = text.substr(colon + 1);
  if (ns.size() < 3 || ns.size() > 8 || !std::all_of(ns.begin(), ns.end(), is_namespace_char))
    return make_error(Errc::invalid_network, "CAIP-2 namespace must be 3-8 characters of [-a-z0-9]");
  if (reference.empty() || reference.size() > 32 ||
      !std::all_of(reference.begin(), reference.end(), is_reference_char))
    return make_error(Errc::invalid_network, "CAIP-2 reference must be 1-32 characters of [-_a-zA-Z0-9]");
  return Caip2{std::string(ns), std::string(reference)};
}

// Glob with '*' only, as the reference turns "eip155:*" into ^eip155:.*$ (everything else literal).
bool network_matches(std::string_view pattern, std::string_view network) noexcept {
  std::size_t p = 0, n = 0;
  std::size_t star = std::string_view::npos, resume = 0;
  while (n < network.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (p < pattern.size() && pattern[p] == network[n]) {
      ++p;
      ++n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string_view to_string(TransferMethod method) noexcept {
  switch (method) {
    case TransferMethod::eip3009:
      return "eip3009";
    case TransferMethod::permit2:
      return "permit2";
  }
  return "eip3009";
}

NetworkRegistry NetworkRegistry::with_defaults() {
  static const NetworkRegistry defaults = build_defaults();
  return defaults;
}

Status NetworkRegistry::add_network(NetworkInfo network) {
  auto caip2 = parse_caip2(network.caip2);
  if (!caip2) return make_error(Errc::invalid_network, network.caip2 + ": " + caip2.error().message);
  if (caip2->chain_namespace == kEip155) {
    std::uint64_t id = 0;
    const auto& ref = caip2->reference;
    auto [end, ec] = std::from_chars(ref.data(), ref.data() + ref.size(), id);
    if (ec != std::errc() || end != ref.data() + ref.size() || (ref.size() > 1 && ref[0] == '0'))
      return make_error(Errc::invalid_network,
                        network.caip2 + ": eip155 reference must be a decimal chain id");
    if (network.chain_id == 0) network.chain_id = id;
    if (network.chain_id != id)
      return make_error(Errc::invalid_argument, network.caip2 + ": chain_id " +
                                                    std::to_string(network.chain_id) +
                                                    " does not match the CAIP-2 reference");
  }
  if (network.v1_name) {
    if (network.v1_name->empty() || network.v1_name->find(':') != std::string::npos)
      return make_error(Errc::invalid_argument, "v1 network name must be non-empty and contain no ':'");
    for (const auto& existing : networks_)
      if (existing.v1_name == network.v1_name && existing.caip2 != network.caip2)
        return make_error(Errc::conflict,
                          "v1 name '" + *network.v1_name + "' already names " + existing.caip2);
  }
  for (auto& existing : networks_) {
    if (existing.caip2 == network.caip2) {
      existing = std::move(network);
      return {};
    }
  }
  networks_.push_back(std::move(network));
  return {};
}

Status NetworkRegistry::add_asset(AssetInfo asset, bool make_default) {
  const NetworkInfo* network = find_network(asset.network);
  if (!network) return make_error(Errc::not_found, "unknown network '" + asset.network + "': add it first");
  asset.network = network->caip2;
  if (asset.symbol.empty()) return make_error(Errc::invalid_argument, "asset symbol must not be empty");
  if (asset.decimals > kMaxDecimals)
    return make_error(Errc::invalid_argument,
                      "asset decimals must be at most " + std::to_string(kMaxDecimals));
  if (is_evm(asset.network)) {
    // Mixed case must already be a valid checksum; the stored form is always EIP-55.
    auto as_given = Address::parse(asset.address);
    if (!as_given) return make_error(Errc::invalid_argument, "asset address: " + as_given.error().message);
    asset.address = as_given->checksummed();
    const bool needs_domain = asset.transfer_method == TransferMethod::eip3009 || asset.supports_eip2612;
    if (needs_domain && (asset.eip712_name.empty() || asset.eip712_version.empty()))
      return make_error(Errc::invalid_argument,
                        "EVM asset " + asset.address + " needs its EIP-712 name and version");
  } else if (asset.network.rfind("solana:", 0) == 0) {
    if (!is_base58_address(asset.address))
      return make_error(Errc::invalid_argument, "asset address: expected a base58 mint address");
  } else if (asset.address.empty()) {
    return make_error(Errc::invalid_argument, "asset address must not be empty");
  }

  auto same = [&](const AssetInfo& existing) {
    return existing.network == asset.network &&
           (is_evm(asset.network) ? iequals(existing.address, asset.address)
                                  : existing.address == asset.address);
  };
  auto existing = std::find_if(assets_.begin(), assets_.end(), same);
  if (existing != assets_.end() && !make_default) {
    *existing = std::move(asset);
    return {};
  }
  if (existing != assets_.end()) assets_.erase(existing);
  if (make_default) {
    auto first = std::find_if(assets_.begin(), assets_.end(),
                              [&](const AssetInfo& a) { return a.network == asset.network; });
    assets_.insert(first, std::move(asset));
  } else {
    assets_.push_back(std::move(asset));
  }
  return {};
}

const NetworkInfo* NetworkRegistry::find_network(std::string_view network) const noexcept {
  for (const auto& info : networks_)
    if (info.caip2 == network || (info.v1_name && *info.v1_name == network)) return &info;
  return nullptr;
}

std::optional<std::string> NetworkRegistry::to_caip2(std::string_view network) const {
  if (const auto* info = find_network(network)) return info->caip2;
  if (parse_caip2(network)) return std::string(network);  // already CAIP-2, just not registered
  return std::nullopt;
}

std::optional<std::string> NetworkRegistry::to_v1_name(std::string_view network) const {
  if (const auto* info = find_network(network)) return info->v1_name;
  return std::nullopt;
}

std::optional<std::uint64_t> NetworkRegistry::evm_chain_id(std::string_view network) const noexcept {
  if (const auto* info = find_network(network)) {
    if (!is_evm(info->caip2)) return std::nullopt;
    return info->chain_id;
  }
  // An unregistered "eip155:<id>" still names a chain, as the reference's getEvmChainId reads it.
  if (!is_evm(network)) return std::nullopt;
  const auto ref = network.substr(kEip155.size() + 1);
  std::uint64_t id = 0;
  auto [end, ec] = std::from_chars(ref.data(), ref.data() + ref.size(), id);
  if (ref.empty() || ec != std::errc() || end != ref.data() + ref.size()) return std::nullopt;
  return id;
}

const AssetInfo* NetworkRegistry::default_asset(std::string_view network) const noexcept {
  const auto* info = find_network(network);
  if (!info) return nullptr;
  for (const auto& asset : assets_)
    if (asset.network == info->caip2) return &asset;
  return nullptr;
}

// Symbols compare case-insensitively, as the reference upper-cases both sides.
const AssetInfo* NetworkRegistry::asset_by_symbol(std::string_view network,
                                                  std::string_view symbol) const noexcept {
  const auto* info = find_network(network);
  if (!info) return nullptr;
  for (const auto& asset : assets_)
    if (asset.network == info->caip2 && iequals(asset.symbol, symbol)) return &asset;
  return nullptr;
}

const AssetInfo* NetworkRegistry::asset_by_address(std::string_view network,
                                                   std::string_view address) const noexcept {
  const auto* info = find_network(network);
  if (!info) return nullptr;
  const bool evm = is_evm(info->caip2);
  for (const auto& asset : assets_)
    if (asset.network == info->caip2 && (evm ? iequals(asset.address, address) : asset.address == address))
      return &asset;
  return nullptr;
}

}  // namespace x402
