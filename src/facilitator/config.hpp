// Facilitator configuration: a TOML file (`x402 facilitator --config F`) or a devnet directory
// (`x402 facilitator --devnet D`). String values may reference the environment as ${NAME}, so
// secrets stay out of the file; keys come from files or environment variables only.
//
//   listen = "127.0.0.1:4020"
//   threads = 0                          # 0: one per core
//   ledger = "sqlite:/var/lib/x402/ledger.sqlite"   # or "postgres:host=... dbname=x402"
//   auth_token = "${X402_FACILITATOR_TOKEN}"        # optional bearer token for /verify, /settle
//   max_body_bytes = 65536
//   reconcile_interval_ms = 5000
//   log_level = "info"
//
//   [[networks]]
//   network = "eip155:84532"
//   rpc_url = "${BASE_SEPOLIA_RPC}"
//   signer_key_files = ["keys/settler-1.key", "keys/settler-2.key"]
//   signer_key_envs = []                 # names of variables holding keys
//   allowed_assets = ["0x036CbD53842c5426634e7929541eC2318f3dCF7e"]   # default: the network's table
//   max_gas = 300000
//   max_fee_per_gas = "0"                # wei, decimal; "0": no cap
//   receipt_timeout_ms = 30000
//   receipt_poll_ms = 50                 # eth_blockNumber interval of the receipt watcher
//   chain_id = 84532                     # only for networks the built-in table lacks
//   v1_name = "base-sepolia"             # likewise
//   [[networks.assets]]                  # tokens the built-in table lacks
//   address = "0x..."  name = "USDC"  version = "2"  decimals = 6  symbol = "USDC"
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "x402/networks.hpp"
#include "x402/result.hpp"

namespace x402::facilitator {

struct NetworkConfig {
  std::string network;  // CAIP-2
  std::string rpc_url;
  std::vector<std::string> signer_key_files;  // absolute, or relative to the config file
  std::vector<std::string> signer_key_envs;
  std::vector<std::string> allowed_assets;
  std::uint64_t max_gas = 300'000;
  std::string max_fee_per_gas = "0";
  std::chrono::milliseconds receipt_timeout{30'000};
  std::chrono::milliseconds receipt_poll{50};  // the chain's receipt watcher polls eth_blockNumber this often
  std::optional<std::uint64_t> chain_id;
  std::optional<std::string> v1_name;
  std::vector<AssetInfo> assets;
};

struct Config {
  std::string listen_address = "127.0.0.1";
  std::uint16_t port = 4020;
  unsigned threads = 0;
  std::string ledger = "sqlite:x402-ledger.sqlite";
  std::optional<std::string> auth_token;
  std::size_t max_body_bytes = 64 * 1024;
  std::chrono::milliseconds reconcile_interval{5'000};
  std::string log_level = "info";
  std::vector<NetworkConfig> networks;
};

// "127.0.0.1:4020" -> address and port.
[[nodiscard]] Status parse_listen(std::string_view text, std::string& address, std::uint16_t& port);

// Replaces every ${NAME} by the variable's value; an unset variable is an error.
[[nodiscard]] Result<std::string> expand_env(std::string_view text);

[[nodiscard]] Result<Config> parse_config(std::string_view toml_text, const std::filesystem::path& base_dir);
[[nodiscard]] Result<Config> load_config(const std::filesystem::path& path);
// The devnet's chain, token and facilitator keys; ledger D/ledger.sqlite.
[[nodiscard]] Result<Config> config_from_devnet(const std::filesystem::path& dir);

}  // namespace x402::facilitator
