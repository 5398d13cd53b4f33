// Facilitator side of exact-EVM (EIP-3009) on one chain.
//
// verify: the pure rules (verify_rules.hpp), then one batched JSON-RPC round trip (payer code,
// asset code, the transferWithAuthorization simulation), evaluated in the reference order.
//
// settle: the ledger makes it idempotent. The record is claimed before anything is sent and the
// signed transaction (hash and raw bytes) is written before broadcast; concurrent settles of one
// payment share one execution in this process and one ledger record across processes; a receipt
// wait that runs out answers `settlement_pending` with the hash, and reconcile() finishes it.
//
// RPC per settlement on the normal path: one batch before the claim (the payer's code and the
// transfer simulated with the gas limit learnt for the asset and overload; eth_estimateGas after
// the claim instead, the first time and whenever that simulation fails), one
// eth_sendRawTransaction, and the receipt through the chain's ReceiptWatcher (batched with every
// other pending settlement). Only records found in the ledger (a crash, a timed-out wait, another
// process) or a broadcast that may not have reached the node are looked up at once and rebroadcast.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "async/shared_result.hpp"
#include "chain/evm/receipt_watcher.hpp"
#include "chain/evm/rpc.hpp"
#include "chain/evm/signer_pool.hpp"
#include "schemes/exact/evm/verify_rules.hpp"
#include "store/ledger.hpp"
#include "x402/keys.hpp"
#include "x402/schemes.hpp"

namespace x402::exact_evm {

struct FacilitatorOptions {
  std::string network;                  // CAIP-2 id of the chain this instance serves
  std::vector<Address> allowed_assets;  // empty: the registry's assets for the network
  std::uint64_t max_gas = 300'000;      // gas cap of one settlement transaction
  U256 max_fee_per_gas = 0;             // cap on maxFeePerGas; 0: none
  std::chrono::milliseconds receipt_timeout{30'000};
  std::chrono::milliseconds receipt_poll{20};            // per-hash polling, only without a ReceiptWatcher
  std::chrono::milliseconds stale_claim_after{120'000};  // a claim with no transaction this old was abandoned
  std::chrono::milliseconds asset_code_ttl{15 * 60'000};
};

struct FacilitatorCounters {
  std::uint64_t verify_valid = 0, verify_invalid = 0, verify_errors = 0;
  std::uint64_t settle_success = 0, settle_failed = 0, settle_pending = 0, settle_errors = 0;
  std::uint64_t settle_replayed = 0;  // answered from the ledger without a new transaction
  std::uint64_t transactions_sent = 0;
};

class ExactEvmFacilitator final : public SchemeFacilitator {
 public:
  using Clock = std::function<std::uint64_t()>;  // unix seconds

  // `receipts`: the chain's receipt watcher (one per chain); null: each settlement polls alone.
  ExactEvmFacilitator(FacilitatorOptions options, std::shared_ptr<const NetworkRegistry> networks,
                      chain::evm::RpcClient rpc, const std::vector<PrivateKey>& signers,
                      std::shared_ptr<store::Ledger> ledger, boost::asio::thread_pool& blocking,
                      std::shared_ptr<chain::evm::ReceiptWatcher> receipts, Clock clock = {});

  [[nodiscard]] std::string_view scheme() const noexcept override { return "exact"; }
  [[nodiscard]] std::string_view caip_family() const noexcept override { return "eip155:*"; }
  [[nodiscard]] std::vector<std::string> signers(std::string_view network) const override;
  [[nodiscard]] const std::string& network() const noexcept { return options_.network; }

  boost::asio::awaitable<Result<VerifyResponse>> verify(const FacilitatorRequest& request) override;
  boost::asio::awaitable<Result<SettleResponse>> settle(const FacilitatorRequest& request) override;

  // Finishes what a crash or a receipt timeout left open: submitted and pending records get their
  // receipt (or are rebroadcast), stale claims without a transaction are released. Returns how
  // many records changed state.
  boost::asio::awaitable<Result<std::size_t>> reconcile();

  [[nodiscard]] FacilitatorCounters counters() const;
  // JSON-RPC calls this facilitator (and its receipt watcher) made, by method.
  [[nodiscard]] chain::evm::RpcCallCounts rpc_calls() const { return rpc_.call_counts(); }
  [[nodiscard]] std::optional<chain::evm::ReceiptWatcherStats> receipt_stats() const;

 private:
  struct Settlement;  // one settle call's context (facilitator.cpp)
  // Settle's additions to the check before the claim, in the same batch.
  struct SettleProbe {
    std::optional<chain::evm::CallRequest> simulation;      // in: the transaction as it will be sent
    std::optional<std::uint64_t> gas_limit;                 // in: the learnt limit it is simulated with
    bool payer_has_code = true;                             // out
    std::optional<chain::evm::RpcResult<Bytes>> simulated;  // out: the simulation's answer
  };
  using SharedSettle = async::SharedResult<Result<SettleResponse>>;

  // simulate: verify's eth_call (judged here) in the same batch. probe (settle): more of the
  // same round trip, not judged here.
  boost::asio::awaitable<Result<VerifyResponse>> check_on_chain(const RequestView& request,
                                                                const PreparedPayment& payment, bool simulate,
                                                                SettleProbe* probe);
  boost::asio::awaitable<VerifyResponse> diagnose_simulation_failure(const PreparedPayment& payment,
                                                                     const U256& amount, std::string payer,
                                                                     std::string revert_text);
  boost::asio::awaitable<Result<SettleResponse>> settle_once(Settlement& settlement);
  boost::asio::awaitable<Result<SettleResponse>> send_and_confirm(Settlement& settlement);
  // recovered: the record was found in the ledger (or the broadcast may not have reached the
  // node): look the receipt up at once and rebroadcast the signed bytes if there is none.
  boost::asio::awaitable<Result<SettleResponse>> await_submitted(Settlement& settlement,
                                                                 store::SettlementRecord record,
                                                                 bool recovered);
  boost::asio::awaitable<Result<std::optional<chain::evm::Receipt>>> finish_receipt(
      const store::SettlementRecord& record, std::chrono::milliseconds timeout, bool recovered);
  boost::asio::awaitable<chain::evm::RpcResult<chain::evm::Receipt>> wait_receipt(
      Bytes32 hash, std::chrono::milliseconds timeout);

  template <typename F>
  auto ledger_call(F function) -> boost::asio::awaitable<std::invoke_result_t<F&>>;

  [[nodiscard]] bool asset_allowed(const Address& asset) const noexcept;
  void count(std::uint64_t FacilitatorCounters::*counter);
  [[nodiscard]] std::optional<std::uint64_t> learnt_gas_limit(const std::string& key);
  void learn_gas(const std::string& key, std::uint64_t estimate);

  FacilitatorOptions options_;
  std::shared_ptr<const NetworkRegistry> networks_;
  chain::evm::RpcClient rpc_;
  chain::evm::SignerPool signers_;
  std::shared_ptr<store::Ledger> ledger_;
  boost::asio::thread_pool& blocking_;
  std::shared_ptr<chain::evm::ReceiptWatcher> receipts_;
  Clock clock_;
  std::vector<Address> allowed_assets_;

  std::mutex asset_cache_mutex_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> deployed_assets_;
  // Highest eth_estimateGas seen per (asset, selector), for payers without code.
  std::unordered_map<std::string, std::uint64_t> gas_estimates_;

  std::mutex inflight_mutex_;
  std::unordered_map<std::string, std::shared_ptr<SharedSettle>> inflight_;

  mutable std::mutex counters_mutex_;
  FacilitatorCounters counters_;
};

// The reference's mapping of a settlement revert text to a reason (x402-reference §2.4).
[[nodiscard]] std::string_view reason_for_revert(std::string_view revert_text) noexcept;

}  // namespace x402::exact_evm
