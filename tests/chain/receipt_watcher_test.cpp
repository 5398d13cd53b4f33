// The chain's receipt watcher against a real anvil: many waiters are answered from shared
// batches, nothing is fetched again until a block is mined, every waiter keeps its own deadline,
// stop() answers everyone, and an idle watcher makes no calls at all.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "chain/evm/blocking.hpp"
#include "chain/evm/receipt_watcher.hpp"
#include "chain/evm/rpc.hpp"
#include "chain/evm/sender.hpp"
#include "http/client.hpp"
#include "support/devnet_fixture.hpp"

namespace x402::chain::evm {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

std::uint64_t calls_of(const RpcCallCounts& counts, std::string_view method) {
  for (const auto& [name, n] : counts.by_method)
    if (name == method) return n;
  return 0;
}

// A watcher on its own I/O thread, and waiters on another one (as the facilitator's are).
struct WatcherRig {
  explicit WatcherRig(const std::string& url, ReceiptWatcherOptions options)
      : rpc(watcher_io.async_client(), *http::parse_url(url)),
        watcher(ReceiptWatcher::create(watcher_io.executor(), rpc, options)) {}
  ~WatcherRig() { watcher->stop(); }

  std::future<RpcResult<Receipt>> wait(const Bytes32& hash, std::chrono::milliseconds timeout) {
    return asio::co_spawn(waiter_io.executor(), watcher->wait(hash, timeout), asio::use_future);
  }

  http::BlockingClient watcher_io;
  http::BlockingClient waiter_io;  // only its I/O thread is used
  RpcClient rpc;
  std::shared_ptr<ReceiptWatcher> watcher;
};

Bytes32 send_value(test::Devnet& chain, const PrivateKey& from) {
  TxRequest tx;
  tx.to = chain.payee();
  tx.value = 1;
  tx.gas_limit = 21'000;
  auto sent = chain.rpc().run([&](RpcClient& c) { return sign_and_send(c, from, chain.chain_id(), tx); });
  if (!sent) throw std::runtime_error("send: " + sent.error().describe());
  return sent->hash;
}

TEST(ReceiptWatcher, WaitersShareBatchesAndAreAnsweredWhenTheBlockIsMined) {
  test::Devnet chain(test::DevnetOptions{4, 1, 0});  // block_time 0: no empty blocks
  auto& rpc = chain.rpc();
  ASSERT_TRUE(rpc.run([](RpcClient& c) { return c.anvil_set_automine(false); }).ok());
  ASSERT_TRUE(rpc.run([](RpcClient& c) { return c.evm_set_interval_mining(0); }).ok());

  std::vector<Bytes32> hashes;
  for (int i = 0; i < 8; ++i) hashes.push_back(send_value(chain, chain.buyer_keys()[i % 4]));

  ReceiptWatcherOptions options;
  options.block_poll = 50ms;
  options.first_check = 10ms;
  options.fallback_poll = 60s;  // out of the picture here
  WatcherRig rig(chain.rpc_url(), options);
  std::vector<std::future<RpcResult<Receipt>>> waits;
  for (const auto& hash : hashes) waits.push_back(rig.wait(hash, 30s));

  // Nothing can be mined: after the first look-ups only the block number is polled.
  std::this_thread::sleep_for(400ms);
  const auto quiet = rig.watcher->stats();
  EXPECT_EQ(quiet.pending, hashes.size());
  EXPECT_GE(quiet.receipt_lookups, hashes.size());
  EXPECT_LE(quiet.receipt_lookups, 2 * hashes.size());
  std::this_thread::sleep_for(300ms);
  const auto still = rig.watcher->stats();
  EXPECT_EQ(still.receipt_lookups, quiet.receipt_lookups) << "receipts fetched again without a new block";
  EXPECT_GE(still.block_polls, quiet.block_polls + 3);
  for (auto& wait : waits) EXPECT_EQ(wait.wait_for(0ms), std::future_status::timeout);

  // One block with all eight: every waiter is answered, from one or two batches.
  ASSERT_TRUE(rpc.run([](RpcClient& c) { return c.evm_mine(); }).ok());
  for (std::size_t i = 0; i < waits.size(); ++i) {
    ASSERT_EQ(waits[i].wait_for(10s), std::future_status::ready) << "waiter " << i;
    auto receipt = waits[i].get();
    ASSERT_TRUE(receipt.ok()) << receipt.error().describe();
    EXPECT_EQ(receipt->transaction_hash, hashes[i]);
    EXPECT_TRUE(receipt->status);
  }
  const auto done = rig.watcher->stats();
  EXPECT_EQ(done.pending, 0u);
  EXPECT_LE(done.receipt_batches, still.receipt_batches + 2);
  EXPECT_LE(done.receipt_lookups, still.receipt_lookups + 2 * hashes.size());

  // The counts the watcher keeps are the calls its client made.
  const auto counts = rig.rpc.call_counts();
  EXPECT_EQ(calls_of(counts, "eth_getTransactionReceipt"), done.receipt_lookups);
  EXPECT_EQ(calls_of(counts, "eth_blockNumber"), done.block_polls);
  EXPECT_EQ(counts.round_trips, done.block_polls + done.receipt_batches);

  // Idle: no waiter, no calls.
  std::this_thread::sleep_for(300ms);
  const auto idle = rig.rpc.call_counts();
  EXPECT_EQ(idle.round_trips, counts.round_trips);
  ASSERT_TRUE(rpc.run([](RpcClient& c) { return c.anvil_set_automine(true); }).ok());
}

TEST(ReceiptWatcher, EveryWaiterKeepsItsOwnDeadline) {
  test::Devnet chain(test::DevnetOptions{1, 1, 0});
  WatcherRig rig(chain.rpc_url(), ReceiptWatcherOptions{});
  Bytes32 unknown;
  unknown.bytes[0] = 0x42;
  const auto start = std::chrono::steady_clock::now();
  auto lost = rig.wait(unknown, 300ms);
  auto patient = rig.wait(unknown, 20s);                          // the same hash, a longer deadline
  const Bytes32 real = send_value(chain, chain.buyer_keys()[0]);  // mined at once
  auto mined = rig.wait(real, 20s);

  ASSERT_EQ(lost.wait_for(5s), std::future_status::ready);
  const auto waited = std::chrono::steady_clock::now() - start;
  auto timed_out = lost.get();
  ASSERT_FALSE(timed_out.ok());
  EXPECT_EQ(timed_out.error().kind, RpcErrorKind::timeout);
  EXPECT_EQ(timed_out.error().errc(), Errc::timeout);
  EXPECT_GE(waited, 300ms);
  EXPECT_LT(waited, 3s);

  ASSERT_EQ(mined.wait_for(10s), std::future_status::ready);
  auto receipt = mined.get();
  ASSERT_TRUE(receipt.ok()) << receipt.error().describe();
  EXPECT_EQ(receipt->transaction_hash, real);

  // The other waiter for the unknown hash is still waiting; stop() answers it at once.
  EXPECT_EQ(patient.wait_for(0ms), std::future_status::timeout);
  EXPECT_EQ(rig.watcher->stats().pending, 1u);
  rig.watcher->stop();
  ASSERT_EQ(patient.wait_for(2s), std::future_status::ready);
  auto stopped = patient.get();
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.error().kind, RpcErrorKind::transport);
  EXPECT_NE(stopped.error().message.find("stopped"), std::string::npos);

  // After stop(), a new waiter is answered at once.
  auto late = rig.wait(real, 20s);
  ASSERT_EQ(late.wait_for(2s), std::future_status::ready);
  EXPECT_FALSE(late.get().ok());
}

TEST(ReceiptWatcher, UnreachableNodeTimesOutWithTheTransportError) {
  const auto port = test::free_loopback_port();  // nothing listens there
  WatcherRig rig("http://127.0.0.1:" + std::to_string(port), ReceiptWatcherOptions{});
  Bytes32 hash;
  hash.bytes[1] = 0x07;
  auto waited = rig.wait(hash, 400ms);
  ASSERT_EQ(waited.wait_for(5s), std::future_status::ready);
  auto result = waited.get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, RpcErrorKind::timeout);
  EXPECT_NE(result.error().message.find("last error"), std::string::npos) << result.error().message;
}

}  // namespace
}  // namespace x402::chain::evm
