// `x402 devnet up|down|status --dir D`: the local chain (see src/devnet/devnet.hpp).
#include <cstdlib>
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "devnet/devnet.hpp"

namespace x402::cli {
namespace {

constexpr const char* kCommand = "devnet";

struct UpArgs {
  std::string dir;
  std::uint16_t port = 0;
  std::uint64_t chain_id = devnet::kDefaultChainId;
  std::string token_address = std::string(devnet::kDefaultTokenAddress);
  std::string token_name = "USDC";
  std::string token_version = "2";
  unsigned buyers = 2;
  unsigned facilitators = 2;
  std::string buyer_tokens = "1000000000";
  unsigned block_time = 1;
  std::string anvil;
  unsigned ttl = 0;
  int watch_pid = 0;
  bool verbose_anvil = false;
  unsigned timeout = 30;
};

// --anvil, else $X402_ANVIL, else the anvil pinned at build time.
std::string resolve_anvil(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("X402_ANVIL"); env != nullptr && *env != '\0') return env;
  return X402_DEFAULT_ANVIL;
}

int run_up(const UpArgs& args) {
  devnet::UpOptions options;
  options.dir = args.dir;
  if (args.port != 0) options.port = args.port;
  options.chain_id = args.chain_id;
  options.token_address = args.token_address;
  options.token_name = args.token_name;
  options.token_version = args.token_version;
  options.buyers = args.buyers;
  options.facilitators = args.facilitators;
  auto tokens = parse_u256(args.buyer_tokens);
  if (!tokens || *tokens == 0)
    return fail(kCommand, "--buyer-tokens: expected a positive integer", kExitUsage);
  options.buyer_tokens = *tokens;
  options.block_time = args.block_time;
  options.anvil_path = resolve_anvil(args.anvil);
  if (args.ttl != 0) options.ttl = std::chrono::seconds(args.ttl);
  if (args.watch_pid > 0) options.watch_pid = static_cast<pid_t>(args.watch_pid);
  options.anvil_quiet = !args.verbose_anvil;
  options.start_timeout = std::chrono::seconds(args.timeout);

  auto outcome = devnet::up(options);
  if (!outcome) return fail(kCommand, "up: " + outcome.error().describe());
  const auto& info = outcome->info;
  std::cerr << (outcome->reused ? "devnet already running" : "devnet started") << ": " << info.rpc_url
            << " (chain " << info.chain_id << ", anvil pid " << info.anvil_pid << ")\n";
  std::cout << devnet::info_to_json(info);
  return kExitOk;
}

int run_down(const std::string& dir, unsigned grace_ms) {
  bool was_running = false;
  auto stopped = devnet::down(dir, &was_running, std::chrono::milliseconds(grace_ms));
  if (!stopped) return fail(kCommand, "down: " + stopped.error().describe());
  std::cerr << (was_running ? "devnet stopped" : "devnet was not running") << '\n';
  return kExitOk;
}

int run_status(const std::string& dir) {
  auto state = devnet::status(dir);
  if (!state) return fail(kCommand, "status: " + state.error().describe());
  if (!state->running) {
    std::cout << "stopped\n";
    return kExitFailure;
  }
  std::cout << (state->answering ? "running" : "not answering") << "\n";
  std::cout << "pid: " << state->pid << '\n';
  if (state->info) {
    std::cout << "rpc_url: " << state->info->rpc_url << '\n'
              << "network: " << state->info->network << '\n'
              << "asset: " << state->info->asset << '\n';
  }
  if (state->block_number) std::cout << "block: " << *state->block_number << '\n';
  return state->answering ? kExitOk : kExitFailure;
}

const CommandRegistration registration{
    kCommand, [](CLI::App& app) {
      auto* command = app.add_subcommand(
          kCommand,
          "A local EVM chain for development and tests: anvil with a USDC-like EIP-3009 token\n"
          "(X402TestUSDC) at the USDC address, Multicall3 at its canonical address, and fresh funded keys.");
      command->require_subcommand(1);

      auto up_args = std::make_shared<UpArgs>();
      auto* up = command->add_subcommand(
          "up",
          "Start anvil on 127.0.0.1 in the background and set up the token and accounts; print devnet.json.\n"
          "Writes into DIR: devnet.json (description, no secrets), anvil.pid, anvil.log and keys/*.key\n"
          "(one 0x-hex private key per file, mode 0600: owner, payee, buyer-N, facilitator-N).\n"
          "Idempotent: if DIR already has a running, answering devnet, it is left as is and described\n"
          "again (its settings win over the flags); a running anvil that does not answer is an error\n"
          "(run `x402 devnet down` first). Private keys are never printed.");
      up->add_option("--dir", up_args->dir, "devnet directory (created if missing)")->required();
      up->add_option("--port", up_args->port, "RPC port on 127.0.0.1 (default: a free port)");
      up->add_option("--chain-id", up_args->chain_id, "chain id")->capture_default_str();
      up->add_option("--token-address", up_args->token_address, "where the test token is placed")
          ->capture_default_str();
      up->add_option("--token-name", up_args->token_name, "token EIP-712 name (also ERC-20 name and symbol)")
          ->capture_default_str();
      up->add_option("--token-version", up_args->token_version, "token EIP-712 version")
          ->capture_default_str();
      up->add_option("--buyers", up_args->buyers, "buyer keys to create and fund")->capture_default_str();
      up->add_option("--facilitators", up_args->facilitators, "facilitator signer keys to create and fund")
          ->capture_default_str();
      up->add_option("--buyer-tokens", up_args->buyer_tokens, "tokens minted to each buyer, atomic units")
          ->capture_default_str();
      up->add_option("--block-time", up_args->block_time,
                     "seconds between empty blocks (transactions are mined at once either way); 0: none")
          ->capture_default_str();
      up->add_option("--anvil", up_args->anvil,
                     "anvil executable (default: $X402_ANVIL, else the pinned one)");
      up->add_option("--ttl", up_args->ttl, "stop anvil after this many seconds (default: never)");
      up->add_option("--watch-pid", up_args->watch_pid, "stop anvil when this process exits");
      up->add_flag("--verbose-anvil", up_args->verbose_anvil, "let anvil log every request to anvil.log");
      up->add_option("--timeout", up_args->timeout, "seconds allowed for startup and setup")
          ->capture_default_str();

      auto down_dir = std::make_shared<std::string>();
      auto grace_ms = std::make_shared<unsigned>(5000);
      auto* down = command->add_subcommand(
          "down",
          "Stop the devnet's anvil (SIGTERM, then SIGKILL after the grace period) and remove anvil.pid.\n"
          "Keys, devnet.json and anvil.log stay. Not running is not an error.");
      down->add_option("--dir", *down_dir, "devnet directory")->required();
      down->add_option("--grace-ms", *grace_ms, "milliseconds to wait after SIGTERM")->capture_default_str();

      auto status_dir = std::make_shared<std::string>();
      auto* status = command->add_subcommand(
          "status", "Show whether the devnet runs and answers (exit 0) or not (exit 1).");
      status->add_option("--dir", *status_dir, "devnet directory")->required();

      return [=] {
        if (up->parsed()) return run_up(*up_args);
        if (down->parsed()) return run_down(*down_dir, *grace_ms);
        if (status->parsed()) return run_status(*status_dir);
        return fail(kCommand, "expected up, down or status", kExitUsage);
      };
    }};

}  // namespace
}  // namespace x402::cli
