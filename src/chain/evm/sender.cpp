#include "chain/evm/sender.hpp"

#include <utility>
#include <vector>

namespace x402::chain::evm {

namespace asio = boost::asio;

asio::awaitable<RpcResult<FeeQuote>> suggest_fees(RpcClient& rpc) {
  std::vector<RawCall> calls{requests::get_block_by_number(BlockRef::latest()),
                             requests::max_priority_fee_per_gas()};
  auto answers = co_await rpc.batch(std::move(calls));
  if (!answers) co_return answers.take_error();
  auto& results = *answers;
  if (!results[0]) co_return results[0].take_error();
  auto block = decode::block(*results[0]);
  if (!block) co_return block.take_error();
  // A node without eth_maxPriorityFeePerGas gets a 1 gwei tip.
  U256 tip = U256(1'000'000'000);
  if (results[1]) {
    auto quoted = decode::quantity(*results[1]);
    if (quoted) tip = *quoted;
  }
  const U256 base = block->has_value() && (*block)->base_fee_per_gas ? *(*block)->base_fee_per_gas : U256(0);
  co_return FeeQuote{base * 2 + tip, tip};
}

asio::awaitable<RpcResult<crypto::SignedTransaction>> sign_and_send(RpcClient& rpc, const PrivateKey& key,
                                                                    std::uint64_t chain_id,
                                                                    TxRequest request) {
  crypto::Eip1559Transaction tx;
  tx.chain_id = chain_id;
  tx.to = request.to;
  tx.value = request.value;
  tx.data = std::move(request.data);

  if (request.nonce) {
    tx.nonce = *request.nonce;
  } else {
    auto nonce = co_await rpc.get_transaction_count(key.address(), BlockRef::pending());
    if (!nonce) co_return nonce.take_error();
    tx.nonce = *nonce;
  }
  FeeQuote fees;
  if (request.fees) {
    fees = *request.fees;
  } else {
    auto quoted = co_await suggest_fees(rpc);
    if (!quoted) co_return quoted.take_error();
    fees = *quoted;
  }
  tx.max_fee_per_gas = fees.max_fee_per_gas;
  tx.max_priority_fee_per_gas = fees.max_priority_fee_per_gas;
  if (request.gas_limit) {
    tx.gas_limit = *request.gas_limit;
  } else {
    CallRequest estimate;
    estimate.from = key.address();
    estimate.to = tx.to;
    estimate.data = tx.data;
    if (tx.value != 0) estimate.value = tx.value;
    auto gas = co_await rpc.estimate_gas(std::move(estimate));
    if (!gas) co_return gas.take_error();
    tx.gas_limit = *gas + *gas / 4;
  }

  auto signed_tx = crypto::sign(tx, key);
  auto hash = co_await rpc.send_raw_transaction(signed_tx.raw);
  if (!hash) co_return hash.take_error();
  if (*hash != signed_tx.hash) {
    RpcError e;
    e.kind = RpcErrorKind::bad_response;
    e.message = "node reported transaction hash " + hash->hex() + ", expected " + signed_tx.hash.hex();
    co_return e;
  }
  co_return signed_tx;
}

asio::awaitable<RpcResult<Receipt>> send_and_wait(RpcClient& rpc, const PrivateKey& key,
                                                  std::uint64_t chain_id, TxRequest request,
                                                  std::chrono::milliseconds timeout) {
  auto sent = co_await sign_and_send(rpc, key, chain_id, std::move(request));
  if (!sent) co_return sent.take_error();
  co_return co_await rpc.wait_for_receipt(sent->hash, timeout);
}

}  // namespace x402::chain::evm
