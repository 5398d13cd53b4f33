// The local chain: `x402 devnet up/down/status`. Starts anvil in the background, places the test
// token (X402TestUSDC) at the USDC address of the chosen network and Multicall3 at its canonical
// address, creates and funds fresh buyer / facilitator / payee keys, and describes the result in
// <dir>/devnet.json for the other tools and the tests.
//
// Files in <dir>:
//   devnet.json   the description (no secrets; key files are referenced by relative path)
//   anvil.pid     pid of the running anvil (absent when stopped)
//   anvil.log     anvil's stdout/stderr
//   keys/*.key    one 0x-hex private key per file, mode 0600
//   .lock         serialises concurrent up/down on one directory
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "x402/bytes.hpp"
#include "x402/result.hpp"
#include "x402/u256.hpp"

namespace x402::devnet {

inline constexpr std::string_view kDefaultTokenAddress = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
inline constexpr std::string_view kMulticall3Address = "0xcA11bde05977b3631167028862bE2a173976CA11";
inline constexpr std::uint64_t kDefaultChainId = 84532;

inline constexpr std::string_view kInfoFile = "devnet.json";
inline constexpr std::string_view kPidFile = "anvil.pid";
inline constexpr std::string_view kLogFile = "anvil.log";
inline constexpr std::string_view kLockFile = ".lock";

struct UpOptions {
  std::filesystem::path dir;
  std::string anvil_path;             // the anvil executable (absolute)
  std::optional<std::uint16_t> port;  // default: a free port
  std::uint64_t chain_id = kDefaultChainId;
  std::string token_address = std::string(kDefaultTokenAddress);
  std::string token_name = "USDC";  // EIP-712 name (also ERC-20 name and symbol)
  std::string token_version = "2";  // EIP-712 version
  unsigned buyers = 2;
  unsigned facilitators = 2;
  U256 buyer_tokens = U256(1'000'000'000);           // atomic units (1000 USDC)
  U256 account_eth = U256("100000000000000000000");  // 100 ETH for every created account
  // Interval mining on top of instant mining (anvil --mixed-mining): transactions are mined the
  // moment they arrive, so receipts are immediate, and an empty block every `block_time` seconds
  // keeps the latest block's timestamp close to wall time (eth_call simulations of EIP-3009
  // validity windows depend on it). 0: instant mining only.
  unsigned block_time = 1;
  bool anvil_quiet = true;  // anvil --quiet (errors are still logged)
  // Supervision of anvil (see SpawnOptions): stop after `ttl` / when `watch_pid` exits.
  std::optional<std::chrono::seconds> ttl;
  std::optional<pid_t> watch_pid;
  std::chrono::milliseconds start_timeout{30'000};  // anvil answering + on-chain setup
};

struct DevnetInfo {
  std::string rpc_url;  // http://127.0.0.1:<port>
  std::uint16_t port = 0;
  std::uint64_t chain_id = 0;
  std::string network;  // "eip155:<chain_id>"
  std::string asset;    // EIP-55
  std::string asset_name;
  std::string asset_version;
  unsigned asset_decimals = 6;
  std::string asset_symbol;
  std::string domain_separator;  // 0x-hex, as read back from the chain
  std::string multicall3;        // EIP-55
  std::string owner;             // token owner and minter
  std::string owner_key_file;    // relative to the devnet directory
  std::string payee;
  std::string payee_key_file;
  std::vector<std::string> buyers;
  std::vector<std::string> buyer_key_files;
  std::string buyer_token_balance;  // decimal atomic units minted to each buyer
  std::vector<std::string> facilitators;
  std::vector<std::string> facilitator_key_files;
  pid_t anvil_pid = 0;
  std::string anvil_log;  // relative path
  unsigned block_time = 0;
  std::uint64_t started_at = 0;  // unix seconds
};

// devnet.json <-> DevnetInfo.
[[nodiscard]] std::string info_to_json(const DevnetInfo& info);
[[nodiscard]] Result<DevnetInfo> info_from_json(std::string_view text) noexcept;
[[nodiscard]] Result<DevnetInfo> load_info(const std::filesystem::path& dir) noexcept;

struct UpOutcome {
  DevnetInfo info;
  bool reused = false;  // a devnet was already running in the directory and answered
};

// Starts a devnet in options.dir, or returns the one already running there (reused = true).
// On any failure after anvil started, anvil is stopped again.
[[nodiscard]] Result<UpOutcome> up(const UpOptions& options) noexcept;

// Stops the anvil of `dir` (SIGTERM, SIGKILL after `grace`) and removes the pid file. A directory
// without a running devnet is not an error (returns false in `was_running`).
Status down(const std::filesystem::path& dir, bool* was_running = nullptr,
            std::chrono::milliseconds grace = std::chrono::seconds(5)) noexcept;

struct DevnetStatus {
  bool running = false;    // anvil process alive
  bool answering = false;  // eth_blockNumber answered
  pid_t pid = 0;
  std::optional<std::uint64_t> block_number;
  std::optional<DevnetInfo> info;
};
[[nodiscard]] Result<DevnetStatus> status(const std::filesystem::path& dir) noexcept;

}  // namespace x402::devnet
