#include "support/devnet_fixture.hpp"

#include <signal.h>
#include <unistd.h>

#include <stdexcept>

#include "chain/evm/sender.hpp"
#include "crypto/abi.hpp"
#include "devnet/process.hpp"

namespace x402::test {

namespace {

PrivateKey load_key(const std::filesystem::path& path) {
  auto key = PrivateKey::load_file(path.string());
  if (!key) throw std::runtime_error("devnet fixture: " + key.error().describe());
  return std::move(*key);
}

Address parse_address(const std::string& text) {
  auto address = Address::parse(text);
  if (!address) throw std::runtime_error("devnet fixture: bad address " + text);
  return *address;
}

}  // namespace

Devnet::Devnet(DevnetOptions options) {
  std::vector<std::string> args{"devnet",         "up",
                                "--dir",          dir_.path().string(),
                                "--buyers",       std::to_string(options.buyers),
                                "--facilitators", std::to_string(options.facilitators),
                                "--block-time",   std::to_string(options.block_time),
                                "--ttl",          std::to_string(options.ttl.count()),
                                "--watch-pid",    std::to_string(::getpid()),
                                "--timeout",      std::to_string(options.startup_timeout.count())};
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  auto result = run_cli(args, {}, options.startup_timeout + std::chrono::seconds(5));
  auto loaded = devnet::load_info(dir_.path());
  if (loaded) info_ = std::move(*loaded);
  if (result.exit_code != 0 || !loaded) {
    stop();  // whatever did start
    throw std::runtime_error("x402 devnet up failed (exit " + std::to_string(result.exit_code) +
                             (result.timed_out ? ", timed out" : "") + "): " + result.err);
  }
  try {
    asset_ = parse_address(info_.asset);
    multicall3_ = parse_address(info_.multicall3);
    for (const auto& file : info_.buyer_key_files) buyers_.push_back(load_key(dir_.path() / file));
    for (const auto& file : info_.facilitator_key_files)
      facilitators_.push_back(load_key(dir_.path() / file));
    owner_key_ = load_key(dir_.path() / info_.owner_key_file);
    payee_key_ = load_key(dir_.path() / info_.payee_key_file);
    http::ClientOptions http_options;
    http_options.connect_timeout = std::chrono::seconds(2);
    http_options.request_timeout = std::chrono::seconds(20);
    auto rpc = chain::evm::BlockingRpc::connect(info_.rpc_url, http_options);
    if (!rpc) throw std::runtime_error("devnet fixture: " + rpc.error().describe());
    rpc_ = std::move(*rpc);
  } catch (...) {
    stop();
    throw;
  }
}

Devnet::~Devnet() {
  stop();
}

void Devnet::stop() {
  if (stopped_) return;
  stopped_ = true;
  rpc_.reset();
  run_cli({"devnet", "down", "--dir", dir_.path().string(), "--grace-ms", "3000"}, {},
          std::chrono::seconds(15));
  // Belt and braces: whatever `down` could not do, SIGKILL does.
  if (info_.anvil_pid > 0 && devnet::process_alive(info_.anvil_pid)) {
    const auto cmdline = devnet::process_cmdline(info_.anvil_pid);
    if (!cmdline.empty() && cmdline.front().find("anvil") != std::string::npos)
      ::kill(info_.anvil_pid, SIGKILL);
  }
}

U256 Devnet::token_balance(const Address& account) {
  chain::evm::CallRequest call;
  call.to = asset_;
  call.data = crypto::abi::encode_call("balanceOf", {crypto::abi::Value::address(account)});
  auto data = rpc_->run([&](chain::evm::RpcClient& rpc) { return rpc.call(call); });
  if (!data) throw std::runtime_error("balanceOf: " + data.error().describe());
  auto balance = crypto::abi::decode_uint256(*data);
  if (!balance) throw std::runtime_error("balanceOf: " + balance.error().describe());
  return *balance;
}

void Devnet::mint(const Address& to, const U256& amount) {
  chain::evm::TxRequest tx;
  tx.to = asset_;
  tx.data = crypto::abi::encode_call("mint",
                                     {crypto::abi::Value::address(to), crypto::abi::Value::uint256(amount)});
  auto receipt = rpc_->run([&](chain::evm::RpcClient& rpc) {
    return chain::evm::send_and_wait(rpc, *owner_key_, info_.chain_id, tx);
  });
  if (!receipt) throw std::runtime_error("mint: " + receipt.error().describe());
  if (!receipt->status) throw std::runtime_error("mint reverted");
}

std::unique_ptr<Devnet> DevnetTest::shared_;
std::string DevnetTest::start_error_;

void DevnetTest::SetUpTestSuite() {
  start_error_.clear();
  try {
    shared_ = std::make_unique<Devnet>();
  } catch (const std::exception& e) {
    start_error_ = e.what();
  }
}

void DevnetTest::TearDownTestSuite() {
  shared_.reset();
}

void DevnetTest::SetUp() {
  if (!shared_) FAIL() << "the devnet did not start: " << start_error_;
}

}  // namespace x402::test
