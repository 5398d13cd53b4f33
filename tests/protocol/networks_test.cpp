// Networks (x402-reference §1.7) and default assets (§1.8): every row, both directions.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "x402/bytes.hpp"
#include "x402/codec.hpp"
#include "x402/money.hpp"
#include "x402/networks.hpp"

namespace x402 {
namespace {

struct V1Row {
  const char* v1;
  const char* caip2;
  std::uint64_t chain_id;
};

// §1.7: EVM_NETWORK_CHAIN_ID_MAP (2.27) and the SVM v1 names.
constexpr V1Row kV1Rows[] = {
    {"ethereum", "eip155:1", 1},
    {"sepolia", "eip155:11155111", 11155111},
    {"abstract", "eip155:2741", 2741},
    {"abstract-testnet", "eip155:11124", 11124},
    {"base", "eip155:8453", 8453},
    {"base-sepolia", "eip155:84532", 84532},
    {"avalanche", "eip155:43114", 43114},
    {"avalanche-fuji", "eip155:43113", 43113},
    {"iotex", "eip155:4689", 4689},
    {"sei", "eip155:1329", 1329},
    {"sei-testnet", "eip155:1328", 1328},
    {"polygon", "eip155:137", 137},
    {"polygon-amoy", "eip155:80002", 80002},
    {"peaq", "eip155:3338", 3338},
    {"story", "eip155:1514", 1514},
    {"educhain", "eip155:41923", 41923},
    {"skale-base-sepolia", "eip155:324705682", 324705682},
    {"megaeth", "eip155:4326", 4326},
    {"monad", "eip155:143", 143},
    {"stable", "eip155:988", 988},
    {"stable-testnet", "eip155:2201", 2201},
    {"celo", "eip155:42220", 42220},
    {"flare", "eip155:14", 14},
    {"solana", "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp", 0},
    {"solana-devnet", "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1", 0},
    {"solana-testnet", "solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z", 0},
};

TEST(Networks, EveryV1NameMapsBothWays) {
  const auto registry = NetworkRegistry::with_defaults();
  for (const auto& row : kV1Rows) {
    SCOPED_TRACE(row.v1);
    EXPECT_EQ(registry.to_caip2(row.v1), row.caip2);
    EXPECT_EQ(registry.to_v1_name(row.caip2), row.v1);
    EXPECT_EQ(registry.to_caip2(row.caip2), row.caip2);
    const auto* info = registry.find_network(row.v1);
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info, registry.find_network(row.caip2));
    EXPECT_EQ(info->chain_id, row.chain_id);
    EXPECT_FALSE(info->display_name.empty());
    if (row.chain_id != 0) {
      EXPECT_EQ(registry.evm_chain_id(row.v1), row.chain_id);
      EXPECT_EQ(registry.evm_chain_id(row.caip2), row.chain_id);
    } else {
      EXPECT_EQ(registry.evm_chain_id(row.v1), std::nullopt);
    }
  }
}

TEST(Networks, ExplorersAndTestnetFlags) {
  const auto registry = NetworkRegistry::with_defaults();
  EXPECT_EQ(registry.find_network("base")->explorer_tx_url, "https://basescan.org/tx/");
  EXPECT_EQ(registry.find_network("base-sepolia")->explorer_tx_url, "https://sepolia.basescan.org/tx/");
  EXPECT_EQ(registry.find_network("ethereum")->explorer_tx_url, "https://etherscan.io/tx/");
  EXPECT_EQ(registry.find_network("sepolia")->explorer_tx_url, "https://sepolia.etherscan.io/tx/");
  EXPECT_EQ(registry.find_network("avalanche")->explorer_tx_url, "https://snowtrace.io/tx/");
  EXPECT_EQ(registry.find_network("polygon")->explorer_tx_url, "https://polygonscan.com/tx/");
  EXPECT_EQ(registry.find_network("eip155:42161")->explorer_tx_url, "https://arbiscan.io/tx/");
  EXPECT_TRUE(registry.find_network("base-sepolia")->testnet);
  EXPECT_FALSE(registry.find_network("base")->testnet);
  for (const auto& network : registry.networks()) {
    if (network.explorer_tx_url.empty()) continue;
    EXPECT_EQ(network.explorer_tx_url.rfind("https://", 0), 0u) << network.caip2;
    EXPECT_EQ(network.explorer_tx_url.substr(network.explorer_tx_url.size() - 4), "/tx/") << network.caip2;
  }
}

TEST(Networks, UnknownNetworks) {
  const auto registry = NetworkRegistry::with_defaults();
  EXPECT_EQ(registry.find_network("eip155:999999"), nullptr);
  EXPECT_EQ(registry.to_caip2("eip155:999999"), "eip155:999999");  // already CAIP-2
  EXPECT_EQ(registry.to_caip2("nowhere"), std::nullopt);
  EXPECT_EQ(registry.to_v1_name("eip155:999999"), std::nullopt);
  EXPECT_EQ(registry.to_v1_name("eip155:42161"), std::nullopt);  // has no v1 name
  EXPECT_EQ(registry.evm_chain_id("eip155:999999"), 999999u);    // as getEvmChainId reads it
  EXPECT_EQ(registry.evm_chain_id("eip155:abc"), std::nullopt);
  EXPECT_EQ(registry.evm_chain_id("nowhere"), std::nullopt);
}

TEST(Networks, Caip2Parsing) {
  auto base = parse_caip2("eip155:8453");
  ASSERT_TRUE(base.ok());
  EXPECT_EQ(base->chain_namespace, "eip155");
  EXPECT_EQ(base->reference, "8453");
  EXPECT_TRUE(parse_caip2("solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp").ok());
  EXPECT_TRUE(parse_caip2("cosmos:cosmoshub-4").ok());
  EXPECT_TRUE(parse_caip2("abc:x_y-Z").ok());
  for (const char* bad : {"", "eip155", ":1", "eip155:", "ab:1", "toolongns:1", "EIP155:1", "eip155:1:2",
                          "eip155:012345678901234567890123456789012", "eip 155:1", "eip155:1.0"}) {
    auto parsed = parse_caip2(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.error().code, Errc::invalid_network) << bad;
    }
  }
}

TEST(Networks, PatternMatching) {
  EXPECT_TRUE(network_matches("eip155:*", "eip155:84532"));
  EXPECT_TRUE(network_matches("eip155:*", "eip155:"));
  EXPECT_FALSE(network_matches("eip155:*", "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"));
  EXPECT_TRUE(network_matches("solana:*", "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1"));
  EXPECT_TRUE(network_matches("*", "anything:at-all"));
  EXPECT_TRUE(network_matches("eip155:8453", "eip155:8453"));
  EXPECT_FALSE(network_matches("eip155:8453", "eip155:84532"));
  EXPECT_FALSE(network_matches("eip155:84532", "eip155:8453"));
  EXPECT_TRUE(network_matches("eip155:8*3", "eip155:84533"));
  EXPECT_TRUE(network_matches("*:1", "eip155:1"));
  EXPECT_FALSE(network_matches("*:1", "eip155:10"));
  EXPECT_TRUE(network_matches("e*1*5:*", "eip155:1"));
  EXPECT_FALSE(network_matches("eip155.*", "eip155:1"));  // '.' is literal, not a regex dot
  EXPECT_FALSE(network_matches("", "eip155:1"));
  EXPECT_TRUE(network_matches("", ""));
}

// --- assets ---------------------------------------------------------------------------------

struct AssetRow {
  const char* network;
  const char* address;  // as the reference writes it
  const char* name;     // EIP-712 domain name ("" = not in extra)
  const char* version;
  unsigned decimals;
  const char* extra;  // the `extra` "$0.01" gets
};

// §1.8, 2.27 DEFAULT_ASSETS: first entry per network.
const AssetRow k227Rows[] = {
    {"eip155:8453", "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", "USD Coin", "2", 6,
     R"({"name":"USD Coin","version":"2"})"},
    {"eip155:84532", "0x036CbD53842c5426634e7929541eC2318f3dCF7e", "USDC", "2", 6,
     R"({"name":"USDC","version":"2"})"},
    {"eip155:1", "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", "USD Coin", "2", 6,
     R"({"name":"USD Coin","version":"2"})"},
    {"eip155:43114", "0xB97EF9Ef8734C71904D8002F8b6Bc66Dd9c48a6E", "USD Coin", "2", 6,
     R"({"name":"USD Coin","version":"2"})"},
    {"eip155:4326", "0xFAfDdbb3FC7688494971a79cc65DCa3EF82079E7", "MegaUSD", "1", 18,
     R"({"name":"MegaUSD","version":"1","assetTransferMethod":"permit2"})"},
    {"eip155:143", "0x754704Bc059F8C67012fEd69BC8A327a5aafb603", "USDC", "2", 6,
     R"({"name":"USDC","version":"2"})"},
    {"eip155:988", "0x779Ded0c9e1022225f8E0630b35a9b54bE713736", "USDT0", "1", 6,
     R"({"name":"USDT0","version":"1"})"},
    {"eip155:2201", "0x78Cf24370174180738C5B8E352B6D14c83a6c9A9", "USDT0", "1", 6,
     R"({"name":"USDT0","version":"1"})"},
    {"eip155:137", "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359", "USD Coin", "2", 6,
     R"({"name":"USD Coin","version":"2"})"},
    {"eip155:42161", "0xaf88d065e77c8cC2239327C5EDb3A432268e5831", "USD Coin", "2", 6,
     R"({"name":"USD Coin","version":"2"})"},
    {"eip155:421614", "0x75faf114eafb1BDbe2F0316DF893fd58CE46AA4d", "USD Coin", "2", 6,
     R"({"name":"USD Coin","version":"2"})"},
    {"eip155:31612", "0xdD468A1DDc392dcdbEf6db6e34E89AA338F9F186", "Mezo USD", "1", 18,
     R"({"name":"Mezo USD","version":"1","assetTransferMethod":"permit2"})"},
    {"eip155:31611", "0x118917a40FAF1CD7a13dB0Ef56C86De7973Ac503", "Mezo USD", "1", 18,
     R"({"name":"Mezo USD","version":"1","assetTransferMethod":"permit2"})"},
    {"eip155:723487", "0x33ad9e4BD16B69B5BFdED37D8B5D9fF9aba014Fb", "Stable Coin", "1", 6,
     R"({"name":"Stable Coin","version":"1","assetTransferMethod":"permit2"})"},
    {"eip155:72344", "0x33ad9e4BD16B69B5BFdED37D8B5D9fF9aba014Fb", "Stable Coin", "1", 6,
     R"({"name":"Stable Coin","version":"1","assetTransferMethod":"permit2"})"},
    {"eip155:36900", "0x9cb8142aEBBcdc60AF7c97Af897A67A8f3CA71C2", "USDC.e", "2", 6,
     R"({"name":"USDC.e","version":"2"})"},
    {"eip155:190415", "0x401eCb1D350407f13ba348573E5630B83638E30D", "Bridged USDC", "2", 6,
     R"({"name":"Bridged USDC","version":"2"})"},
    {"eip155:181228", "0x401eCb1D350407f13ba348573E5630B83638E30D", "Bridged USDC", "2", 6,
     R"({"name":"Bridged USDC","version":"2"})"},
    {"eip155:50", "0xfA2958CB79b0491CC627c1557F441eF849Ca8eb1", "USDC", "2", 6,
     R"({"name":"USDC","version":"2"})"},
    {"eip155:51", "0xb5AB69F7bBada22B28e79C8FFAECe55eF1c771D4", "USDC", "2", 6,
     R"({"name":"USDC","version":"2"})"},
    {"eip155:38833", "0xA5b8BF902b2844dA17d4506cc827F7F1681735E7", "USDC", "1", 6,
     R"({"assetTransferMethod":"permit2"})"},
    {"eip155:14", "0xe7cd86e13AC4309349F30B3435a9d337750fC82D",
     "USD\xe2\x82\xae"
     "0",
     "1", 6,
     "{\"name\":\"USD\xe2\x82\xae"
     "0\",\"version\":\"1\"}"},
    {"eip155:42220", "0xcebA9300f2b948710d2653dD7B07f33A8B32118C", "USDC", "2", 6,
     R"({"name":"USDC","version":"2"})"},
    {"eip155:11142220", "0x01C5C0122039549AD1493B8220cABEdD739BC44E", "USDC", "2", 6,
     R"({"name":"USDC","version":"2"})"},
    {"eip155:1329", "0xe15fC38F6D8c56aF07bbCBe3BAf5708A2Bf42392", "USDC", "2", 6,
     R"({"name":"USDC","version":"2"})"},
    {"eip155:1328", "0x4fCF1784B31630811181f670Aea7A7bEF803eaED", "USDC", "2", 6,
     R"({"name":"USDC","version":"2"})"},
};

// §1.8, legacy x402 1.2.0 USDC for the v1 networks the 2.27 table lacks (version always "2").
const AssetRow kLegacyRows[] = {
    {"eip155:43113", "0x5425890298aed601595a70AB815c96711a31Bc65", "USD Coin", "2", 6,
     R"({"name":"USD Coin","version":"2"})"},
    {"eip155:4689", "0xcdf79194c6c285077a58da47641d4dbe51f63542", "Bridged USDC", "2", 6,
     R"({"name":"Bridged USDC","version":"2"})"},
    {"eip155:80002", "0x41E94Eb019C0762f9Bfcf9Fb1E58725BfB0e7582", "USDC", "2", 6,
     R"({"name":"USDC","version":"2"})"},
    {"eip155:3338", "0xbbA60da06c2c5424f03f7434542280FCAd453d10", "USDC", "2", 6,
     R"({"name":"USDC","version":"2"})"},
    {"eip155:2741", "0x84a71ccd554cc1b02749b35d22f684cc8ec987e1", "Bridged USDC", "2", 6,
     R"({"name":"Bridged USDC","version":"2"})"},
    {"eip155:11124", "0xe4C7fBB0a626ed208021ccabA6Be1566905E2dFc", "Bridged USDC", "2", 6,
     R"({"name":"Bridged USDC","version":"2"})"},
    {"eip155:1514", "0xF1815bd50389c46847f0Bda824eC8da914045D14", "Bridged USDC", "2", 6,
     R"({"name":"Bridged USDC","version":"2"})"},
    {"eip155:41923", "0x12a272A581feE5577A5dFa371afEB4b2F3a8C2F8", "Bridged USDC (Stargate)", "2", 6,
     R"j({"name":"Bridged USDC (Stargate)","version":"2"})j"},
    {"eip155:324705682", "0x2e08028E3C4c2356572E096d8EF835cD5C6030bD", "Bridged USDC (SKALE Bridge)", "2", 6,
     R"j({"name":"Bridged USDC (SKALE Bridge)","version":"2"})j"},
};

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

void expect_one_cent(const NetworkRegistry& registry, const AssetRow& row, bool address_exact) {
  SCOPED_TRACE(row.network);
  auto money = parse_money("$0.01");
  ASSERT_TRUE(money.ok());
  auto price = resolve_price(*money, row.network, registry);
  ASSERT_TRUE(price.ok()) << price.error().describe();
  if (address_exact) {
    EXPECT_EQ(price->asset, row.address);
  }
  EXPECT_EQ(lower(price->asset), lower(row.address));
  auto checksum = Address::parse(lower(row.address));
  ASSERT_TRUE(checksum.ok());
  EXPECT_EQ(price->asset, checksum->checksummed());  // stored EIP-55
  U256 expected = 1;
  for (unsigned i = 0; i + 2 < row.decimals; ++i) expected *= 10;  // 0.01 * 10^decimals
  EXPECT_EQ(price->amount, expected);
  EXPECT_EQ(stringify(price->extra), row.extra);
  const auto* asset = registry.default_asset(row.network);
  ASSERT_NE(asset, nullptr);
  EXPECT_EQ(asset->eip712_version, row.version);
  if (*row.name) {
    EXPECT_EQ(asset->eip712_name, row.name);
  }
  EXPECT_EQ(asset->decimals, row.decimals);
}

TEST(Assets, EveryCurrentDefaultAssetResolvesOneCent) {
  const auto registry = NetworkRegistry::with_defaults();
  // The 2.27 addresses are mixed case: equality also proves they are valid EIP-55 checksums.
  for (const auto& row : k227Rows) expect_one_cent(registry, row, /*address_exact=*/true);
}

TEST(Assets, EveryLegacyV1UsdcResolvesOneCent) {
  const auto registry = NetworkRegistry::with_defaults();
  for (const auto& row : kLegacyRows) expect_one_cent(registry, row, /*address_exact=*/false);
}

TEST(Assets, V1NamesResolveLikeTheirCaip2) {
  const auto registry = NetworkRegistry::with_defaults();
  auto by_name = resolve_price(Money{"0.01", ""}, "base-sepolia", registry);
  auto by_id = resolve_price(Money{"0.01", ""}, "eip155:84532", registry);
  ASSERT_TRUE(by_name.ok());
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(*by_name, *by_id);
  EXPECT_EQ(by_name->amount, U256(10000));
}

TEST(Assets, ObservedPriceOnBaseSepolia) {
  // §1.9: "$0.001" -> "1000".
  const auto registry = NetworkRegistry::with_defaults();
  auto price = resolve_price(parse_money("$0.001").value(), "eip155:84532", registry);
  ASSERT_TRUE(price.ok());
  EXPECT_EQ(price->amount, U256(1000));
  EXPECT_EQ(price->asset, "0x036CbD53842c5426634e7929541eC2318f3dCF7e");
}

TEST(Assets, SymbolsSelectOtherAssets) {
  const auto registry = NetworkRegistry::with_defaults();
  auto usdt = resolve_price(parse_money("1.5 USDT").value(), "celo", registry);
  ASSERT_TRUE(usdt.ok()) << usdt.error().describe();
  EXPECT_EQ(usdt->asset, "0x48065fbBE25f71C9282ddf5e1cD6D6A887483D5e");
  EXPECT_EQ(usdt->amount, U256(1500000));
  EXPECT_EQ(stringify(usdt->extra), R"({"name":"Tether USD","version":"1"})");
  auto usat = resolve_price(parse_money("2 usat").value(), "eip155:42220", registry);
  ASSERT_TRUE(usat.ok());
  EXPECT_EQ(usat->asset, "0xD2ab3C9A02DBBAB236BfEC45D1d755DF4267F771");
  auto usd = resolve_price(parse_money("$1 USD").value(), "eip155:42220", registry);
  ASSERT_TRUE(usd.ok());
  EXPECT_EQ(usd->asset, "0xcebA9300f2b948710d2653dD7B07f33A8B32118C");
  auto missing = resolve_price(parse_money("1 USDT").value(), "base", registry);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::unknown_asset);
  EXPECT_EQ(missing.error().message, "no USDT asset configured for network base");
}

TEST(Assets, SolanaMints) {
  const auto registry = NetworkRegistry::with_defaults();
  const std::pair<const char*, const char*> usdc[] = {
      {"solana", "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"},
      {"solana-devnet", "4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU"},
      {"solana-testnet", "4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU"},
  };
  for (const auto& [network, mint] : usdc) {
    auto price = resolve_price(parse_money("$0.01").value(), network, registry);
    ASSERT_TRUE(price.ok()) << network;
    EXPECT_EQ(price->asset, mint);
    EXPECT_EQ(price->amount, U256(10000));
    EXPECT_TRUE(price->extra.empty());  // feePayer comes from /supported, not from the table
  }
  auto usdt = resolve_price(parse_money("1 USDT").value(), "solana", registry);
  ASSERT_TRUE(usdt.ok());
  EXPECT_EQ(usdt->asset, "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB");
  // Base58 is case-sensitive: no case-folded match for mints.
  EXPECT_EQ(registry.asset_by_address("solana", "epjfwdd5aufqssqem2qn1xzybapc8g4weggkzwytdt1v"), nullptr);
  EXPECT_NE(registry.asset_by_address("solana", "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"), nullptr);
}

TEST(Assets, LookupByAddressIgnoresEvmCase) {
  const auto registry = NetworkRegistry::with_defaults();
  const auto* asset = registry.asset_by_address("base", "0x833589fcd6edb6e08f4c7c32d4f71b54bda02913");
  ASSERT_NE(asset, nullptr);
  EXPECT_EQ(asset->symbol, "USDC");
  EXPECT_EQ(asset->eip712_name, "USD Coin");
  EXPECT_EQ(registry.asset_by_address("base", "0x036CbD53842c5426634e7929541eC2318f3dCF7e"), nullptr);
}

TEST(Assets, NetworkWithoutAsset) {
  const auto registry = NetworkRegistry::with_defaults();
  auto price = resolve_price(Money{"1", ""}, "sepolia", registry);
  ASSERT_FALSE(price.ok());
  EXPECT_EQ(price.error().code, Errc::unknown_asset);
  EXPECT_EQ(price.error().message, "no default asset configured for network sepolia");
  EXPECT_FALSE(resolve_price(Money{"1", ""}, "eip155:999999", registry).ok());
}

TEST(Assets, EveryNetworkWithAnAssetIsRegistered) {
  const auto registry = NetworkRegistry::with_defaults();
  std::set<std::string> networks;
  for (const auto& asset : registry.assets()) {
    EXPECT_NE(registry.find_network(asset.network), nullptr) << asset.network;
    networks.insert(asset.network);
  }
  EXPECT_EQ(networks.size(), 26u + 9u + 3u);  // 2.27 EVM table + legacy USDC + Solana
}

// --- configuration ----------------------------------------------------------------------------

TEST(Registry, AddLocalChainAndToken) {
  auto registry = NetworkRegistry::with_defaults();
  NetworkInfo anvil;
  anvil.caip2 = "eip155:31337";
  anvil.v1_name = "anvil";
  anvil.display_name = "Anvil";
  anvil.testnet = true;
  ASSERT_TRUE(registry.add_network(anvil).ok());
  EXPECT_EQ(registry.evm_chain_id("anvil"), 31337u);  // derived from the CAIP-2 reference

  AssetInfo token;
  token.network = "anvil";
  token.address = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
  token.symbol = "TUSD";
  token.eip712_name = "Test USD";
  token.eip712_version = "1";
  token.decimals = 6;
  ASSERT_TRUE(registry.add_asset(token).ok());
  const auto* stored = registry.default_asset("eip155:31337");
  ASSERT_NE(stored, nullptr);
  EXPECT_EQ(stored->address, "0x5FbDB2315678afecb367f032d93F642f64180aa3");  // checksummed
  EXPECT_EQ(stored->network, "eip155:31337");

  AssetInfo other = token;
  other.address = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
  other.symbol = "OTHER";
  ASSERT_TRUE(registry.add_asset(other, /*make_default=*/true).ok());
  EXPECT_EQ(registry.default_asset("anvil")->symbol, "OTHER");
  EXPECT_EQ(registry.asset_by_symbol("anvil", "tusd")->symbol, "TUSD");

  auto price = resolve_price(parse_money("$2.5").value(), "anvil", registry);
  ASSERT_TRUE(price.ok());
  EXPECT_EQ(price->amount, U256(2500000));
  EXPECT_EQ(price->asset, "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");

  // Re-adding an asset replaces it in place.
  token.eip712_version = "2";
  ASSERT_TRUE(registry.add_asset(token).ok());
  EXPECT_EQ(registry.asset_by_symbol("anvil", "TUSD")->eip712_version, "2");
  EXPECT_EQ(registry.default_asset("anvil")->symbol, "OTHER");
}

TEST(Registry, RejectsBadConfiguration) {
  auto registry = NetworkRegistry::with_defaults();
  NetworkInfo bad;
  bad.caip2 = "not-caip2";
  EXPECT_EQ(registry.add_network(bad).error().code, Errc::invalid_network);
  bad.caip2 = "eip155:1";
  bad.chain_id = 2;
  EXPECT_EQ(registry.add_network(bad).error().code, Errc::invalid_argument);
  NetworkInfo taken;
  taken.caip2 = "eip155:31337";
  taken.v1_name = "base";
  EXPECT_EQ(registry.add_network(taken).error().code, Errc::conflict);

  AssetInfo asset;
  asset.network = "eip155:999999";
  asset.address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
  asset.symbol = "X";
  asset.eip712_name = "X";
  asset.eip712_version = "1";
  EXPECT_EQ(registry.add_asset(asset).error().code, Errc::not_found);
  asset.network = "base";
  asset.address = "0x5FbDB2315678afecb367f032d93F642f64180aA3";  // broken checksum
  EXPECT_EQ(registry.add_asset(asset).error().code, Errc::invalid_argument);
  asset.address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
  asset.eip712_name.clear();  // eip3009 needs its domain
  EXPECT_EQ(registry.add_asset(asset).error().code, Errc::invalid_argument);
  asset.network = "solana";
  asset.address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";  // not base58
  EXPECT_EQ(registry.add_asset(asset).error().code, Errc::invalid_argument);
}

TEST(Registry, TransferMethodNames) {
  EXPECT_EQ(to_string(TransferMethod::eip3009), "eip3009");
  EXPECT_EQ(to_string(TransferMethod::permit2), "permit2");
}

}  // namespace
}  // namespace x402
