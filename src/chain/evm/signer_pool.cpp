#include "chain/evm/signer_pool.hpp"

namespace x402::chain::evm {

SignerPool::SignerPool(const std::vector<PrivateKey>& keys, std::chrono::milliseconds fee_ttl)
    : fee_ttl_(fee_ttl) {
  signers_.reserve(keys.size());
  for (const auto& key : keys) signers_.push_back(std::make_unique<Signer>(key));
}

std::vector<Address> SignerPool::addresses() const {
  std::vector<Address> out;
  out.reserve(signers_.size());
  for (const auto& signer : signers_) out.push_back(signer->key.address());
  return out;
}

std::size_t SignerPool::next() noexcept {
  return cursor_.fetch_add(1, std::memory_order_relaxed) % signers_.size();
}

boost::asio::awaitable<RpcResult<std::uint64_t>> SignerPool::allocate_nonce(RpcClient& rpc,
                                                                            std::size_t index) {
  auto& signer = *signers_[index];
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::uint64_t generation = 0;
    {
      std::lock_guard lock(signer.mutex);
      if (signer.next_nonce) co_return (*signer.next_nonce)++;
      generation = signer.generation;
    }
    // Read the chain outside the lock; the first reader to come back initialises the counter.
    auto count = co_await rpc.get_transaction_count(signer.key.address(), BlockRef::pending());
    if (!count) co_return count.take_error();
    std::lock_guard lock(signer.mutex);
    if (signer.generation != generation) continue;  // resynced meanwhile: read again
    if (!signer.next_nonce) signer.next_nonce = *count;
    co_return (*signer.next_nonce)++;
  }
  co_return RpcError{RpcErrorKind::bad_response, "nonce allocation kept racing with resync"};
}

void SignerPool::resync(std::size_t index) noexcept {
  auto& signer = *signers_[index];
  std::lock_guard lock(signer.mutex);
  signer.next_nonce.reset();
  ++signer.generation;
}

boost::asio::awaitable<RpcResult<FeeQuote>> SignerPool::fees(RpcClient& rpc) {
  {
    std::lock_guard lock(fee_mutex_);
    if (fee_quote_ && std::chrono::steady_clock::now() - fee_time_ < fee_ttl_) co_return *fee_quote_;
  }
  auto quote = co_await suggest_fees(rpc);
  if (!quote) co_return quote.take_error();
  std::lock_guard lock(fee_mutex_);
  fee_quote_ = *quote;
  fee_time_ = std::chrono::steady_clock::now();
  co_return *quote;
}

}  // namespace x402::chain::evm
