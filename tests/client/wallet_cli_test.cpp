// `x402 wallet new | address | balance | fund` on a devnet: key file mode, no key on the terminal
// unless asked, balances read back on chain.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <regex>

#include "support/devnet_fixture.hpp"
#include "support/test_support.hpp"

namespace x402::test {
namespace {

using namespace std::chrono_literals;

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

TEST(WalletCli, NewWritesA0600KeyAndPrintsOnlyTheAddress) {
  TempDir dir;
  const auto file = (dir.path() / "buyer.key").string();
  auto created = run_cli({"wallet", "new", "--out", file});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_TRUE(std::regex_match(created.out, std::regex("0x[0-9a-fA-F]{40}\n"))) << created.out;

  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto key = PrivateKey::load_file(file);
  ASSERT_TRUE(key) << key.error().describe();
  EXPECT_EQ(first_line(created.out), key->address().checksummed());
  const std::string secret = key->reveal_hex().substr(2);
  EXPECT_EQ(created.out.find(secret), std::string::npos);
  EXPECT_EQ(created.err.find(secret), std::string::npos);

  // Never overwritten.
  const std::string before = read_file(file);
  auto again = run_cli({"wallet", "new", "--out", file});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("refusing to overwrite"), std::string::npos) << again.err;
  EXPECT_EQ(read_file(file), before);

  auto address = run_cli({"wallet", "address", "--key-file", file});
  ASSERT_EQ(address.exit_code, 0) << address.err;
  EXPECT_EQ(address.out, created.out);
  auto from_env = run_cli({"wallet", "address", "--key-env", "X402_TEST_WALLET_KEY"}, {}, 30s,
                          {{"X402_TEST_WALLET_KEY", key->reveal_hex()}});
  EXPECT_EQ(from_env.out, created.out);
  EXPECT_EQ(run_cli({"wallet", "address"}).exit_code, 2);
}

TEST(WalletCli, ShowPrivateKeyOnlyWhenAsked) {
  TempDir dir;
  const auto file = (dir.path() / "shown.key").string();
  auto created = run_cli({"wallet", "new", "--out", file, "--show-private-key"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  std::smatch match;
  ASSERT_TRUE(std::regex_search(created.out, match, std::regex("private key: (0x[0-9a-f]{64})")))
      << created.out;
  auto shown = PrivateKey::from_hex(match[1].str());
  ASSERT_TRUE(shown);
  EXPECT_EQ(shown->address().checksummed(), first_line(created.out));
  EXPECT_EQ(PrivateKey::load_file(file)->address(), shown->address());
}

TEST(WalletCli, BalanceAndFundRoundTripOnTheDevnet) {
  Devnet chain;
  TempDir dir;
  const auto file = (dir.path() / "fresh.key").string();
  auto created = run_cli({"wallet", "new", "--out", file});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string address = first_line(created.out);
  const std::string devnet = chain.dir().string();

  auto empty = run_cli({"wallet", "balance", "--devnet", devnet, "--address", address});
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_EQ(first_line(empty.out), "0 USDC (0 atomic units)");

  auto funded = run_cli({"wallet", "fund", "--devnet", devnet, "--to", address, "--amount", "$5"});
  ASSERT_EQ(funded.exit_code, 0) << funded.err;
  EXPECT_NE(funded.out.find("balance 5 USDC"), std::string::npos) << funded.out;
  EXPECT_EQ(chain.token_balance(*Address::parse(address)), U256(5'000'000));
  auto gas = chain.rpc().run([&](chain::evm::RpcClient& rpc) {
    return rpc.get_balance(*Address::parse(address), chain::evm::BlockRef::latest());
  });
  ASSERT_TRUE(gas);
  EXPECT_EQ(*gas, U256("1000000000000000000"));

  // By key, by explicit RPC and asset, and as a bare atomic number.
  auto by_key = run_cli(
      {"wallet", "balance", "--rpc", chain.rpc_url(), "--asset", chain.info().asset, "--key-file", file});
  ASSERT_EQ(by_key.exit_code, 0) << by_key.err;
  EXPECT_EQ(first_line(by_key.out), "5 USDC (5000000 atomic units)");
  EXPECT_NE(by_key.out.find("gas: 1 ETH (1000000000000000000 wei)"), std::string::npos) << by_key.out;
  auto atomic = run_cli({"wallet", "balance", "--devnet", devnet, "--key-file", file, "--atomic"});
  EXPECT_EQ(atomic.out, "5000000\n");

  // Funding adds to what is there.
  auto more =
      run_cli({"wallet", "fund", "--devnet", devnet, "--key-file", file, "--amount", "0.25", "--eth", "0.5"});
  ASSERT_EQ(more.exit_code, 0) << more.err;
  EXPECT_EQ(chain.token_balance(*Address::parse(address)), U256(5'250'000));
  auto more_gas = chain.rpc().run([&](chain::evm::RpcClient& rpc) {
    return rpc.get_balance(*Address::parse(address), chain::evm::BlockRef::latest());
  });
  EXPECT_EQ(*more_gas, U256("1500000000000000000"));

  // The devnet's first buyer when no account is named.
  auto buyer = run_cli({"wallet", "balance", "--devnet", devnet});
  ASSERT_EQ(buyer.exit_code, 0) << buyer.err;
  EXPECT_EQ(first_line(buyer.out), "1000 USDC (1000000000 atomic units)");

  EXPECT_EQ(run_cli({"wallet", "balance", "--address", address}).exit_code, 2);  // no RPC
  EXPECT_EQ(run_cli({"wallet", "fund", "--devnet", devnet, "--to", address, "--amount", "much"}).exit_code,
            2);
}

}  // namespace
}  // namespace x402::test
