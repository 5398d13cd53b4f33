// A running local chain for tests: `x402 devnet up` in a fresh temp directory, the parsed
// devnet.json, the generated keys, and an RPC client. The chain always stops: in the destructor
// (also when a test fails), and, should the test process die, by itself (anvil is started with
// --watch-pid <this process> and a time limit).
//
//   TEST(Settle, Works) {
//     x402::test::Devnet chain;                 // ~0.5 s
//     auto& buyer = chain.buyer_keys()[0];
//     auto balance = chain.token_balance(buyer.address());
//   }
//
// Or one devnet per test suite: derive the fixture from DevnetTest and call devnet().
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chain/evm/blocking.hpp"
#include "devnet/devnet.hpp"
#include "support/test_support.hpp"
#include "x402/keys.hpp"

namespace x402::test {

struct DevnetOptions {
  unsigned buyers = 2;
  unsigned facilitators = 2;
  unsigned block_time = 1;                   // see `x402 devnet up --help`
  std::vector<std::string> extra_args;       // more `devnet up` flags
  std::chrono::seconds startup_timeout{60};  // bound on `devnet up`
  std::chrono::seconds ttl{900};             // anvil stops by itself after this
};

class Devnet {
 public:
  // Starts the chain; throws std::runtime_error with the CLI's message if that fails.
  explicit Devnet(DevnetOptions options = {});
  ~Devnet();  // stop()
  Devnet(const Devnet&) = delete;
  Devnet& operator=(const Devnet&) = delete;

  // `x402 devnet down` (bounded), then SIGKILL to the anvil pid if it is still there. Idempotent.
  void stop();

  [[nodiscard]] const devnet::DevnetInfo& info() const noexcept { return info_; }
  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_.path(); }
  [[nodiscard]] const std::string& rpc_url() const noexcept { return info_.rpc_url; }
  [[nodiscard]] std::uint64_t chain_id() const noexcept { return info_.chain_id; }
  [[nodiscard]] const std::string& network() const noexcept { return info_.network; }
  [[nodiscard]] pid_t anvil_pid() const noexcept { return info_.anvil_pid; }
  [[nodiscard]] const Address& asset() const noexcept { return asset_; }
  [[nodiscard]] const Address& multicall3() const noexcept { return multicall3_; }
  [[nodiscard]] const Address& payee() const noexcept { return payee_key_->address(); }

  [[nodiscard]] const std::vector<PrivateKey>& buyer_keys() const noexcept { return buyers_; }
  [[nodiscard]] const std::vector<PrivateKey>& facilitator_keys() const noexcept { return facilitators_; }
  [[nodiscard]] const PrivateKey& owner_key() const noexcept { return *owner_key_; }  // token owner, minter
  [[nodiscard]] const PrivateKey& payee_key() const noexcept { return *payee_key_; }
  // Absolute paths of the key files (mode 0600), for commands that take --key-file.
  [[nodiscard]] std::filesystem::path key_path(const std::string& relative) const { return dir() / relative; }

  // A blocking JSON-RPC client on the chain (its own I/O thread).
  [[nodiscard]] chain::evm::BlockingRpc& rpc() { return *rpc_; }

  // Conveniences on the token; throw std::runtime_error on RPC failure.
  [[nodiscard]] U256 token_balance(const Address& account);
  // Mints `amount` to `to`, signed by the owner key; waits for the receipt.
  void mint(const Address& to, const U256& amount);

 private:
  TempDir dir_;
  devnet::DevnetInfo info_;
  Address asset_;
  Address multicall3_;
  std::vector<PrivateKey> buyers_;
  std::vector<PrivateKey> facilitators_;
  std::optional<PrivateKey> owner_key_;
  std::optional<PrivateKey> payee_key_;
  std::unique_ptr<chain::evm::BlockingRpc> rpc_;
  bool stopped_ = false;
};

// One devnet for all tests of a suite: started in SetUpTestSuite, stopped in TearDownTestSuite.
// Tests share its state, so they should use fresh nonces / accounts rather than assume balances.
class DevnetTest : public ::testing::Test {
 public:
  static void SetUpTestSuite();
  static void TearDownTestSuite();

 protected:
  void SetUp() override;
  static Devnet& devnet() { return *shared_; }

 private:
  static std::unique_ptr<Devnet> shared_;
  static std::string start_error_;
};

}  // namespace x402::test
