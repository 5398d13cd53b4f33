// Sending EIP-1559 transactions signed with our own keys: fee suggestion from the latest block,
// nonce from the node, gas from eth_estimateGas, signing with crypto/transaction.hpp. For the
// devnet setup and for tests; the facilitator's settlement path keeps its own nonce manager.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>

#include "chain/evm/rpc.hpp"
#include "crypto/transaction.hpp"
#include "x402/keys.hpp"

namespace x402::chain::evm {

struct FeeQuote {
  U256 max_fee_per_gas;
  U256 max_priority_fee_per_gas;
};

// maxPriorityFee = eth_maxPriorityFeePerGas; maxFee = 2 * latest baseFee + maxPriorityFee, so a
// transaction stays includable while the base fee doubles. One batched round trip.
boost::asio::awaitable<RpcResult<FeeQuote>> suggest_fees(RpcClient& rpc);

struct TxRequest {
  std::optional<Address> to;  // nullopt: contract creation
  Bytes data;
  U256 value = 0;
  std::optional<std::uint64_t> gas_limit;  // default: eth_estimateGas * 1.25
  std::optional<std::uint64_t> nonce;      // default: the pending transaction count
  std::optional<FeeQuote> fees;            // default: suggest_fees()
};

// Builds, signs and broadcasts; returns the signed transaction (its hash is the tx hash).
boost::asio::awaitable<RpcResult<crypto::SignedTransaction>> sign_and_send(RpcClient& rpc,
                                                                           const PrivateKey& key,
                                                                           std::uint64_t chain_id,
                                                                           TxRequest request);

// sign_and_send, then wait_for_receipt. A mined but reverted transaction is returned as a
// receipt with status == false, not as an error.
boost::asio::awaitable<RpcResult<Receipt>> send_and_wait(
    RpcClient& rpc, const PrivateKey& key, std::uint64_t chain_id, TxRequest request,
    std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace x402::chain::evm
