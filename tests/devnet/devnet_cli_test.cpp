// `x402 devnet up|down|status` end to end, and the test fixture's own guarantees.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <thread>

#include "chain/evm/blocking.hpp"
#include "crypto/abi.hpp"
#include "crypto/eip712.hpp"
#include "devnet/contracts.hpp"
#include "devnet/devnet.hpp"
#include "devnet/process.hpp"
#include "support/devnet_fixture.hpp"
#include "support/test_support.hpp"

namespace x402::test {
namespace {

namespace abi = crypto::abi;
using chain::evm::BlockingRpc;
using chain::evm::RpcClient;

constexpr auto kCliTimeout = std::chrono::seconds(60);

// Waits up to `limit` for the process to disappear.
bool gone_within(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!devnet::process_alive(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return !devnet::process_alive(pid);
}

// Stops whatever a test started in `dir`, even when an assertion failed half-way.
struct DownOnExit {
  std::filesystem::path dir;
  ~DownOnExit() {
    auto info = devnet::load_info(dir);
    run_cli({"devnet", "down", "--dir", dir.string()}, {}, std::chrono::seconds(15));
    if (info && devnet::process_alive(info->anvil_pid)) ::kill(info->anvil_pid, SIGKILL);
  }
};

std::vector<std::string> up_args(const TempDir& dir, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{
      "devnet", "up", "--dir", dir.path().string(), "--watch-pid", std::to_string(::getpid()),
      "--ttl",  "600"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

U256 token_balance(BlockingRpc& rpc, const Address& token, const Address& who) {
  chain::evm::CallRequest c;
  c.to = token;
  c.data = abi::encode_call("balanceOf", {abi::Value::address(who)});
  auto r = rpc.run([&](RpcClient& client) { return client.call(c); });
  EXPECT_TRUE(r.ok());
  return r.ok() ? *abi::decode_uint256(*r) : U256(0);
}

TEST(DevnetCli, UpWritesDevnetJsonKeysAndFundsAccounts) {
  TempDir dir;
  DownOnExit guard{dir.path()};
  auto up = run_cli(up_args(dir), {}, kCliTimeout);
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_NE(up.err.find("devnet started"), std::string::npos);

  // stdout is devnet.json itself.
  const auto text = read_file(dir.path() / "devnet.json");
  EXPECT_EQ(up.out, text);
  auto json = boost::json::parse(text).as_object();
  EXPECT_TRUE(json.at("chain_id").is_number());
  EXPECT_EQ(json.at("chain_id").to_number<std::uint64_t>(), 84532u);
  auto info = devnet::load_info(dir.path());
  ASSERT_TRUE(info.ok()) << info.error().describe();
  EXPECT_EQ(info->rpc_url.rfind("http://127.0.0.1:", 0), 0u);
  EXPECT_EQ(info->rpc_url, "http://127.0.0.1:" + std::to_string(info->port));
  EXPECT_EQ(info->network, "eip155:84532");
  EXPECT_EQ(info->asset, "0x036CbD53842c5426634e7929541eC2318f3dCF7e");
  EXPECT_EQ(info->asset_name, "USDC");
  EXPECT_EQ(info->asset_version, "2");
  EXPECT_EQ(info->asset_decimals, 6u);
  EXPECT_EQ(info->domain_separator, "0x71f17a3b2ff373b803d70a5a07c046c1a2bc8e89c09ef722fcb047abe94c9818");
  EXPECT_EQ(info->multicall3, "0xcA11bde05977b3631167028862bE2a173976CA11");
  EXPECT_TRUE(Address::parse(info->payee).ok());
  EXPECT_EQ(info->buyer_token_balance, "1000000000");
  ASSERT_EQ(info->buyers.size(), 2u);
  ASSERT_EQ(info->facilitators.size(), 2u);
  EXPECT_TRUE(devnet::process_alive(info->anvil_pid));
  EXPECT_EQ(std::stoi(read_file(dir.path() / "anvil.pid")), info->anvil_pid);

  // Key files: 0600, one key each, matching the listed addresses; never on stdout or stderr.
  auto check_key = [&](const std::string& rel, const std::string& address) {
    const auto path = dir.path() / rel;
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0) << rel;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << rel;
    auto key = PrivateKey::load_file(path.string());
    ASSERT_TRUE(key.ok()) << key.error().describe();
    EXPECT_EQ(key->address().checksummed(), address);
    std::string hex = read_file(path);
    while (!hex.empty() && (hex.back() == '\n' || hex.back() == ' ')) hex.pop_back();
    EXPECT_EQ(up.out.find(hex.substr(2)), std::string::npos) << "key printed: " << rel;
    EXPECT_EQ(up.err.find(hex.substr(2)), std::string::npos) << "key printed: " << rel;
    EXPECT_EQ(text.find(hex.substr(2)), std::string::npos);
  };
  for (std::size_t i = 0; i < info->buyers.size(); ++i) check_key(info->buyer_key_files[i], info->buyers[i]);
  for (std::size_t i = 0; i < info->facilitators.size(); ++i)
    check_key(info->facilitator_key_files[i], info->facilitators[i]);
  check_key(info->owner_key_file, info->owner);
  check_key(info->payee_key_file, info->payee);

  // Chain state: balances, token code, the domain separator read back, Multicall3.
  auto rpc = BlockingRpc::connect(info->rpc_url);
  ASSERT_TRUE(rpc.ok());
  const Address token = *Address::parse(info->asset);
  for (const auto& buyer : info->buyers) {
    const Address who = *Address::parse(buyer);
    EXPECT_EQ(token_balance(**rpc, token, who), U256(1'000'000'000));
    auto wei = (*rpc)->run([&](RpcClient& c) { return c.get_balance(who); });
    ASSERT_TRUE(wei.ok());
    EXPECT_GT(*wei, U256(0));
  }
  for (const auto& facilitator : info->facilitators) {
    auto wei = (*rpc)->run([&](RpcClient& c) { return c.get_balance(*Address::parse(facilitator)); });
    ASSERT_TRUE(wei.ok());
    EXPECT_GT(*wei, U256(0));
  }
  chain::evm::CallRequest separator;
  separator.to = token;
  separator.data = abi::encode_call("DOMAIN_SEPARATOR", {});
  auto sep = (*rpc)->run([&](RpcClient& c) { return c.call(separator); });
  ASSERT_TRUE(sep.ok());
  EXPECT_EQ(abi::decode_bytes32(*sep)->hex(),
            "0x71f17a3b2ff373b803d70a5a07c046c1a2bc8e89c09ef722fcb047abe94c9818");
  auto multicall = (*rpc)->run([&](RpcClient& c) { return c.get_code(*Address::parse(info->multicall3)); });
  ASSERT_TRUE(multicall.ok());
  EXPECT_EQ(to_hex(*multicall, false), contracts::find("X402Multicall3")->runtime_code);

  // status while running.
  auto status = run_cli({"devnet", "status", "--dir", dir.path().string()}, {}, kCliTimeout);
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("running"), std::string::npos);
  EXPECT_NE(status.out.find(info->rpc_url), std::string::npos);

  // down stops the process and removes the pid file; status then says stopped; down again is fine.
  auto down = run_cli({"devnet", "down", "--dir", dir.path().string()}, {}, kCliTimeout);
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_TRUE(gone_within(info->anvil_pid, std::chrono::seconds(5)));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "anvil.pid"));
  auto stopped = run_cli({"devnet", "status", "--dir", dir.path().string()}, {}, kCliTimeout);
  EXPECT_EQ(stopped.exit_code, 1);
  EXPECT_NE(stopped.out.find("stopped"), std::string::npos);
  auto again = run_cli({"devnet", "down", "--dir", dir.path().string()}, {}, kCliTimeout);
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.err.find("not running"), std::string::npos);
}

TEST(DevnetCli, UpTwiceReusesTheRunningDevnet) {
  TempDir dir;
  DownOnExit guard{dir.path()};
  auto first = run_cli(up_args(dir), {}, kCliTimeout);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto second = run_cli(up_args(dir, {"--buyers", "5"}), {}, kCliTimeout);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("already running"), std::string::npos);
  EXPECT_EQ(first.out, second.out);  // same devnet, same description
}

TEST(DevnetCli, StalePidFileIsReplacedByAFreshDevnet) {
  TempDir dir;
  DownOnExit guard{dir.path()};
  auto first = run_cli(up_args(dir), {}, kCliTimeout);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto old = devnet::load_info(dir.path());
  ASSERT_TRUE(old.ok());
  ::kill(old->anvil_pid, SIGKILL);  // a crash: pid file and keys left behind
  ASSERT_TRUE(gone_within(old->anvil_pid, std::chrono::seconds(5)));
  auto second = run_cli(up_args(dir), {}, kCliTimeout);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("devnet started"), std::string::npos);
  auto fresh = devnet::load_info(dir.path());
  ASSERT_TRUE(fresh.ok());
  EXPECT_NE(fresh->anvil_pid, old->anvil_pid);
  EXPECT_NE(fresh->buyers, old->buyers);  // new keys
}

TEST(DevnetCli, CustomChainTokenAndPort) {
  TempDir dir;
  DownOnExit guard{dir.path()};
  const auto port = free_loopback_port();
  auto up = run_cli(up_args(dir, {"--port", std::to_string(port), "--chain-id", "1337", "--token-address",
                                  "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", "--token-name", "USD Coin",
                                  "--token-version", "2", "--buyers", "3", "--facilitators", "1",
                                  "--buyer-tokens", "5000000", "--block-time", "0"}),
                    {}, kCliTimeout);
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto info = devnet::load_info(dir.path());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->port, port);
  EXPECT_EQ(info->chain_id, 1337u);
  EXPECT_EQ(info->network, "eip155:1337");
  EXPECT_EQ(info->asset, "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913");
  EXPECT_EQ(info->asset_name, "USD Coin");
  EXPECT_EQ(info->buyers.size(), 3u);
  EXPECT_EQ(info->facilitators.size(), 1u);
  const crypto::Eip712Domain domain{"USD Coin", "2", 1337, *Address::parse(info->asset)};
  EXPECT_EQ(info->domain_separator, crypto::domain_separator(domain).hex());
  auto rpc = BlockingRpc::connect(info->rpc_url);
  ASSERT_TRUE(rpc.ok());
  EXPECT_EQ(token_balance(**rpc, *Address::parse(info->asset), *Address::parse(info->buyers[2])),
            U256(5'000'000));
  auto id = (*rpc)->run([](RpcClient& c) { return c.chain_id(); });
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, 1337u);
}

TEST(DevnetCli, ATakenPortIsRefusedAndTheOtherChainIsLeftAlone) {
  // Our anvil cannot bind a port another node holds; that node answers eth_chainId with the same
  // chain id, and must neither be mistaken for ours nor set up.
  TempDir first_dir;
  DownOnExit first_guard{first_dir.path()};
  ASSERT_EQ(run_cli(up_args(first_dir), {}, kCliTimeout).exit_code, 0);
  auto first = devnet::load_info(first_dir.path());
  ASSERT_TRUE(first.ok());
  auto rpc = BlockingRpc::connect(first->rpc_url);
  ASSERT_TRUE(rpc.ok());
  auto blocks_before = (*rpc)->run([](RpcClient& c) { return c.block_number(); });
  ASSERT_TRUE(blocks_before.ok());

  TempDir second_dir;
  DownOnExit second_guard{second_dir.path()};
  auto second = run_cli(up_args(second_dir, {"--port", std::to_string(first->port)}), {}, kCliTimeout);
  EXPECT_NE(second.exit_code, 0);
  EXPECT_NE(second.err.find("in use by another process"), std::string::npos) << second.err;
  EXPECT_FALSE(devnet::load_info(second_dir.path()).ok());
  auto blocks_after = (*rpc)->run([](RpcClient& c) { return c.block_number(); });
  ASSERT_TRUE(blocks_after.ok());
  EXPECT_EQ(*blocks_after, *blocks_before) << "the other chain received transactions";
  EXPECT_TRUE(devnet::process_alive(first->anvil_pid));
}

TEST(DevnetCli, ErrorsAndHelp) {
  TempDir dir;
  auto missing = run_cli({"devnet", "up", "--dir", dir.path().string(), "--anvil", "/nonexistent/anvil"}, {},
                         kCliTimeout);
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("anvil"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "anvil.pid"));

  // X402_ANVIL is honoured when --anvil is absent.
  auto from_env = run_cli({"devnet", "up", "--dir", dir.path().string()}, {}, kCliTimeout,
                          {{"X402_ANVIL", "/nonexistent/anvil-from-env"}});
  EXPECT_NE(from_env.exit_code, 0);
  EXPECT_NE(from_env.err.find("anvil-from-env"), std::string::npos);

  auto bad_token =
      run_cli({"devnet", "up", "--dir", dir.path().string(), "--token-address", "0x1234"}, {}, kCliTimeout);
  EXPECT_NE(bad_token.exit_code, 0);
  EXPECT_NE(bad_token.err.find("--token-address"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "anvil.pid"));

  auto no_dir = run_cli({"devnet", "up"}, {}, kCliTimeout);
  EXPECT_EQ(no_dir.exit_code, 2);
  auto bare = run_cli({"devnet"}, {}, kCliTimeout);
  EXPECT_NE(bare.exit_code, 0);

  for (const char* sub : {"up", "down", "status"}) {
    auto help = run_cli({"devnet", sub, "--help"}, {}, kCliTimeout);
    EXPECT_EQ(help.exit_code, 0) << sub;
    EXPECT_NE(help.out.find("--dir"), std::string::npos) << sub;
  }
  auto help = run_cli({"devnet", "--help"}, {}, kCliTimeout);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("up"), std::string::npos);

  auto status = run_cli({"devnet", "status", "--dir", dir.path().string()}, {}, kCliTimeout);
  EXPECT_EQ(status.exit_code, 1);
}

TEST(DevnetCli, WatchPidStopsAnvilWhenTheOwnerExits) {
  TempDir dir;
  DownOnExit guard{dir.path()};
  // The "owner": a child process we end ourselves.
  const pid_t owner = ::fork();
  ASSERT_GE(owner, 0);
  if (owner == 0) {
    ::sleep(60);
    ::_exit(0);
  }
  auto up = run_cli({"devnet", "up", "--dir", dir.path().string(), "--watch-pid", std::to_string(owner)}, {},
                    kCliTimeout);
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto info = devnet::load_info(dir.path());
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(devnet::process_alive(info->anvil_pid));
  ::kill(owner, SIGKILL);
  ::waitpid(owner, nullptr, 0);
  EXPECT_TRUE(gone_within(info->anvil_pid, std::chrono::seconds(6)));
}

TEST(DevnetCli, TtlStopsAnvil) {
  TempDir dir;
  DownOnExit guard{dir.path()};
  auto up = run_cli({"devnet", "up", "--dir", dir.path().string(), "--ttl", "1"}, {}, kCliTimeout);
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto info = devnet::load_info(dir.path());
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(gone_within(info->anvil_pid, std::chrono::seconds(6)));
}

TEST(DevnetFixture, DestructorStopsAnvil) {
  pid_t pid = 0;
  std::filesystem::path dir;
  {
    Devnet chain(DevnetOptions{1, 1});
    pid = chain.anvil_pid();
    dir = chain.dir();
    EXPECT_TRUE(devnet::process_alive(pid));
    EXPECT_EQ(chain.buyer_keys().size(), 1u);
    EXPECT_EQ(chain.facilitator_keys().size(), 1u);
    EXPECT_EQ(chain.buyer_keys()[0].address().checksummed(), chain.info().buyers[0]);
    EXPECT_EQ(chain.token_balance(chain.buyer_keys()[0].address()), U256(1'000'000'000));
    chain.mint(chain.payee(), U256(12));
    EXPECT_EQ(chain.token_balance(chain.payee()), U256(12));
  }
  EXPECT_TRUE(gone_within(pid, std::chrono::seconds(5)));
  EXPECT_FALSE(std::filesystem::exists(dir));  // the temp dir went with it
}

TEST(DevnetInfoJson, RoundTripsAndRejectsMissingFields) {
  devnet::DevnetInfo info;
  info.rpc_url = "http://127.0.0.1:1";
  info.port = 1;
  info.chain_id = 84532;
  info.network = "eip155:84532";
  info.buyers = {"0x1", "0x2"};
  info.buyer_key_files = {"keys/buyer-0.key", "keys/buyer-1.key"};
  info.anvil_pid = 42;
  auto parsed = devnet::info_from_json(devnet::info_to_json(info));
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(parsed->buyers, info.buyers);
  EXPECT_EQ(parsed->anvil_pid, 42);
  EXPECT_FALSE(devnet::info_from_json("{}").ok());
  EXPECT_FALSE(devnet::info_from_json("[").ok());
}

}  // namespace
}  // namespace x402::test
