// The facilitator's transaction signers on one chain: keys used round-robin, a nonce counter per
// key kept locally (no RPC round trip per transaction), resynchronised from the chain after any
// failure between allocation and broadcast, and a short-lived fee quote shared by all sends.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "chain/evm/rpc.hpp"
#include "chain/evm/sender.hpp"
#include "x402/keys.hpp"

namespace x402::chain::evm {

class SignerPool {
 public:
  explicit SignerPool(const std::vector<PrivateKey>& keys,
                      std::chrono::milliseconds fee_ttl = std::chrono::seconds(2));

  [[nodiscard]] std::size_t size() const noexcept { return signers_.size(); }
  [[nodiscard]] const PrivateKey& key(std::size_t index) const noexcept { return signers_[index]->key; }
  [[nodiscard]] std::vector<Address> addresses() const;
  // Index of the next signer, round-robin.
  [[nodiscard]] std::size_t next() noexcept;

  // The signer's next nonce: local counter, initialised from eth_getTransactionCount(pending).
  boost::asio::awaitable<RpcResult<std::uint64_t>> allocate_nonce(RpcClient& rpc, std::size_t index);
  // Forget the local counter (a send failed or a nonce may have been skipped).
  void resync(std::size_t index) noexcept;

  // maxFee / maxPriorityFee, refreshed when older than fee_ttl.
  boost::asio::awaitable<RpcResult<FeeQuote>> fees(RpcClient& rpc);

 private:
  struct Signer {
    explicit Signer(const PrivateKey& k) : key(k) {}
    PrivateKey key;
    std::mutex mutex;
    std::optional<std::uint64_t> next_nonce;
    std::uint64_t generation = 0;  // bumped by resync; a stale chain read is then discarded
  };
  std::vector<std::unique_ptr<Signer>> signers_;
  std::atomic<std::size_t> cursor_{0};

  std::chrono::milliseconds fee_ttl_;
  std::mutex fee_mutex_;
  std::optional<FeeQuote> fee_quote_;
  std::chrono::steady_clock::time_point fee_time_;
};

}  // namespace x402::chain::evm
