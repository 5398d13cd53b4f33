// One receipt watcher per chain: the transactions every settlement waits for are looked up
// together, in one JSON-RPC batch, instead of each waiter polling eth_getTransactionReceipt.
//
// While anything is pending, one loop (on the executor given at creation) polls eth_blockNumber
// every `block_poll`; when the block number advances (or every `fallback_poll` regardless) it
// fetches the receipts of all pending hashes in one batch. A newly registered hash is looked up
// once `first_check` after it was registered (batched with the other new ones), so a transaction
// that is already mined is found without waiting for the next block. With nothing pending the loop
// stops and makes no calls; the next waiter starts it again.
//
// A waiter is a coroutine on any executor, with its own deadline: it waits on a timer of its own
// executor, which the watcher nudges (post, never a handler of ours) when the receipt arrives, so
// no completion handler of a waiter is ever held by the watcher's executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>

#include "chain/evm/rpc.hpp"

namespace x402::chain::evm {

struct ReceiptWatcherOptions {
  std::chrono::milliseconds block_poll{50};        // eth_blockNumber interval while anything is pending
  std::chrono::milliseconds first_check{10};       // a new hash is first looked up this long after it arrived
  std::chrono::milliseconds fallback_poll{1'000};  // all pending receipts are fetched at least this often
};

struct ReceiptWatcherStats {
  std::uint64_t block_polls = 0;      // eth_blockNumber calls
  std::uint64_t receipt_batches = 0;  // batches of eth_getTransactionReceipt
  std::uint64_t receipt_lookups = 0;  // receipts asked for, all batches
  std::uint64_t pending = 0;          // hashes waited for right now
};

class ReceiptWatcher : public std::enable_shared_from_this<ReceiptWatcher> {
 public:
  // `executor` runs the polling loop (one thread, or a strand, is enough). The RpcClient's
  // http::Client must outlive the watcher's loop.
  [[nodiscard]] static std::shared_ptr<ReceiptWatcher> create(boost::asio::any_io_executor executor,
                                                              RpcClient rpc, ReceiptWatcherOptions options);
  ~ReceiptWatcher();
  ReceiptWatcher(const ReceiptWatcher&) = delete;
  ReceiptWatcher& operator=(const ReceiptWatcher&) = delete;

  // The receipt of `hash` once it is mined; RpcErrorKind::timeout when `timeout` passes first (the
  // message names the last transport error, if any); the node's error when it answers the lookup
  // of this hash with one (other than a transport failure); RpcErrorKind::transport "stopped"
  // after stop(). Any number of waiters may wait for the same hash.
  boost::asio::awaitable<RpcResult<Receipt>> wait(Bytes32 hash, std::chrono::milliseconds timeout);

  // Ends the loop and answers every waiter (and every later one) with an error. Thread-safe.
  void stop();

  [[nodiscard]] ReceiptWatcherStats stats() const;
  [[nodiscard]] const ReceiptWatcherOptions& options() const noexcept { return options_; }

 private:
  struct Waiter;
  struct Entry;
  struct State;
  ReceiptWatcher(boost::asio::any_io_executor executor, RpcClient rpc, ReceiptWatcherOptions options);

  void add(const std::shared_ptr<Waiter>& waiter);
  void remove(const std::shared_ptr<Waiter>& waiter);
  static void deliver(const std::shared_ptr<Waiter>& waiter, RpcResult<Receipt> result);
  static boost::asio::awaitable<void> loop(std::shared_ptr<ReceiptWatcher> self);

  boost::asio::any_io_executor executor_;
  RpcClient rpc_;
  ReceiptWatcherOptions options_;
  std::unique_ptr<State> state_;
};

}  // namespace x402::chain::evm
