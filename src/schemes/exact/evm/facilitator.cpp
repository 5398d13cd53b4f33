#include "schemes/exact/evm/facilitator.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <regex>

#include "async/offload.hpp"
#include "crypto/abi.hpp"
#include "crypto/keccak.hpp"
#include "crypto/transaction.hpp"
#include "x402/codec.hpp"
#include "x402/reasons.hpp"

namespace x402::exact_evm {
namespace {

namespace abi = crypto::abi;
using chain::evm::RpcResult;
using std::chrono::milliseconds;

const Address kMulticall3 = *Address::parse("0xcA11bde05977b3631167028862bE2a173976CA11");
constexpr std::uint8_t kErc1271Magic[4] = {0x16, 0x26, 0xba, 0x7e};

std::uint64_t system_now() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string lower_hex(const Address& address) {
  return address.hex();
}

// authorization.from exactly as the payer wrote it (the reference echoes it unchanged).
std::string raw_payer(const JsonObject& payload, const Address& parsed) {
  if (const auto* auth = payload.if_contains("authorization"); auth && auth->is_object())
    if (const auto* from = auth->get_object().if_contains("from"); from && from->is_string())
      return std::string(from->get_string());
  return parsed.checksummed();
}

VerifyResponse invalid(std::string_view reason, std::string message, std::optional<std::string> payer) {
  VerifyResponse out;
  out.is_valid = false;
  out.invalid_reason = std::string(reason);
  if (!message.empty()) out.invalid_message = std::move(message);
  out.payer = std::move(payer);
  return out;
}

// The message of invalid_exact_evm_transfer_event_mismatch, first time and on every retry.
constexpr std::string_view kMinedWithoutTransfer =
    "the transaction was mined, but without a Transfer of the authorized value from the payer to payTo";

SettleResponse settle_failure(std::string_view reason, std::string message, std::optional<std::string> payer,
                              std::string transaction, std::string network) {
  SettleResponse out;
  out.success = false;
  out.error_reason = std::string(reason);
  if (!message.empty()) out.error_message = std::move(message);
  out.payer = std::move(payer);
  out.transaction = std::move(transaction);
  out.network = std::move(network);
  return out;
}

Bytes transfer_calldata(const PreparedPayment& payment) {
  const auto& auth = payment.payment.authorization;
  std::vector<abi::Value> args{abi::Value::address(auth.from),         abi::Value::address(auth.to),
                               abi::Value::uint256(auth.value),        abi::Value::uint256(auth.valid_after),
                               abi::Value::uint256(auth.valid_before), abi::Value::bytes32(auth.nonce)};
  const auto& signature = payment.inner_signature;
  if (signature.size() == 65) {
    // transferWithAuthorization(..., uint8 v, bytes32 r, bytes32 s): selector 0xe3ee160e.
    args.push_back(abi::Value::uint8(signature[64]));
    args.push_back(
        abi::Value::bytes32(Bytes32(FixedBytes<32>::from_span(ByteView(signature).subspan(0, 32)))));
    args.push_back(
        abi::Value::bytes32(Bytes32(FixedBytes<32>::from_span(ByteView(signature).subspan(32, 32)))));
  } else {
    // transferWithAuthorization(..., bytes signature): selector 0xcf092995 (FiatToken >= 2.2).
    args.push_back(abi::Value::bytes(signature));
  }
  return abi::encode_call("transferWithAuthorization", args);
}

Bytes32 address_topic(const Address& address) {
  Bytes32 topic;
  for (std::size_t i = 0; i < 20; ++i) topic.bytes[12 + i] = address.bytes[i];
  return topic;
}

bool has_transfer_log(const chain::evm::Receipt& receipt, const Address& asset, const Address& from,
                      const Address& to, const U256& value) {
  for (const auto& log : receipt.logs) {
    if (log.address != asset || log.topics.size() != 3 || log.topics[0] != transfer_event_topic()) continue;
    if (log.topics[1] == address_topic(from) && log.topics[2] == address_topic(to) && log.data.size() == 32 &&
        from_be_bytes(log.data) == value)
      return true;
  }
  return false;
}

Error rpc_unavailable(const chain::evm::RpcError& error) {
  return make_error(Errc::unavailable, "chain RPC: " + error.describe());
}

}  // namespace

std::string_view reason_for_revert(std::string_view revert_text) noexcept {
  try {
    static const std::regex expired(R"(authorization.*(expired|valid before)|AuthorizationExpired)",
                                    std::regex::icase);
    static const std::regex not_yet(R"(authorization.*not.*valid|AuthorizationNotYetValid)",
                                    std::regex::icase);
    static const std::regex used(
        R"(authorization.*used|AuthorizationAlreadyUsed|AuthorizationUsedOrCanceled)", std::regex::icase);
    static const std::regex balance(
        R"(transfer.*exceeds.*balance|insufficient.*balance|ERC20InsufficientBalance)", std::regex::icase);
    static const std::regex signature(
        R"(invalid.*signature|SignerMismatch|InvalidSignatureV|InvalidSignatureS)", std::regex::icase);
    const std::string text(revert_text);
    if (std::regex_search(text, expired)) return reason::invalid_exact_evm_payload_authorization_valid_before;
    if (std::regex_search(text, not_yet)) return reason::invalid_exact_evm_payload_authorization_valid_after;
    if (std::regex_search(text, used)) return reason::invalid_exact_evm_nonce_already_used;
    if (std::regex_search(text, balance)) return reason::invalid_exact_evm_insufficient_balance;
    if (std::regex_search(text, signature)) return reason::invalid_exact_evm_signature;
  } catch (...) {
  }
  return reason::invalid_exact_evm_transaction_failed;
}

// One settle call: the request seen through the v1/v2 lens plus what the ledger needs.
struct ExactEvmFacilitator::Settlement {
  RequestView view;
  PreparedPayment payment;
  std::string response_network;  // as the request named it (v1 name or CAIP-2)
  std::string payer;             // as the payer wrote it
  store::PaymentKey key;
  std::string key_text;
  std::string payload_hash;
  std::string request_json;
  std::size_t signer_index = 0;
  Bytes calldata;       // transferWithAuthorization(...)
  std::string gas_key;  // asset + selector: what a learnt gas limit is for
  SettleProbe probe;    // from the check before the claim
};

ExactEvmFacilitator::ExactEvmFacilitator(FacilitatorOptions options,
                                         std::shared_ptr<const NetworkRegistry> networks,
                                         chain::evm::RpcClient rpc, const std::vector<PrivateKey>& signers,
                                         std::shared_ptr<store::Ledger> ledger,
                                         boost::asio::thread_pool& blocking,
                                         std::shared_ptr<chain::evm::ReceiptWatcher> receipts, Clock clock)
    : options_(std::move(options)),
      networks_(std::move(networks)),
      rpc_(std::move(rpc)),
      signers_(signers),
      ledger_(std::move(ledger)),
      blocking_(blocking),
      receipts_(std::move(receipts)),
      clock_(clock ? std::move(clock) : Clock(system_now)) {
  allowed_assets_ = options_.allowed_assets;
  if (allowed_assets_.empty()) {
    for (const auto& asset : networks_->assets()) {
      if (asset.network != options_.network) continue;
      if (auto address = Address::parse(asset.address)) allowed_assets_.push_back(*address);
    }
  }
}

std::vector<std::string> ExactEvmFacilitator::signers(std::string_view /*network*/) const {
  std::vector<std::string> out;
  for (const auto& address : signers_.addresses()) out.push_back(address.checksummed());
  return out;
}

bool ExactEvmFacilitator::asset_allowed(const Address& asset) const noexcept {
  for (const auto& allowed : allowed_assets_)
    if (allowed == asset) return true;
  return false;
}

void ExactEvmFacilitator::count(std::uint64_t FacilitatorCounters::*counter) {
  std::lock_guard lock(counters_mutex_);
  ++(counters_.*counter);
}

FacilitatorCounters ExactEvmFacilitator::counters() const {
  std::lock_guard lock(counters_mutex_);
  return counters_;
}

std::optional<chain::evm::ReceiptWatcherStats> ExactEvmFacilitator::receipt_stats() const {
  if (!receipts_) return std::nullopt;
  return receipts_->stats();
}

std::optional<std::uint64_t> ExactEvmFacilitator::learnt_gas_limit(const std::string& key) {
  std::lock_guard lock(asset_cache_mutex_);
  const auto it = gas_estimates_.find(key);
  if (it == gas_estimates_.end()) return std::nullopt;
  return std::min<std::uint64_t>(it->second + it->second / 4, options_.max_gas);
}

void ExactEvmFacilitator::learn_gas(const std::string& key, std::uint64_t estimate) {
  std::lock_guard lock(asset_cache_mutex_);
  auto& highest = gas_estimates_[key];
  highest = std::max(highest, estimate);
}

template <typename F>
auto ExactEvmFacilitator::ledger_call(F function) -> boost::asio::awaitable<std::invoke_result_t<F&>> {
  co_return co_await async::offload(blocking_, std::move(function));
}

// ---------------------------------------------------------------------------------------------
// verify

boost::asio::awaitable<Result<VerifyResponse>> ExactEvmFacilitator::verify(
    const FacilitatorRequest& request) {
  const RequestView view = view_of(request);
  auto prepared = prepare_payment(view, *networks_, clock_());
  if (auto* rejection = std::get_if<Rejection>(&prepared)) {
    count(&FacilitatorCounters::verify_invalid);
    std::optional<std::string> payer;
    if (rejection->payer) payer = raw_payer(*view.payload, *rejection->payer);
    co_return invalid(rejection->reason, rejection->message, payer);
  }
  auto& payment = std::get<PreparedPayment>(prepared);
  auto result = co_await check_on_chain(view, payment, /*simulate=*/true, nullptr);
  if (!result)
    count(&FacilitatorCounters::verify_errors);
  else
    count(result->is_valid ? &FacilitatorCounters::verify_valid : &FacilitatorCounters::verify_invalid);
  co_return result;
}

boost::asio::awaitable<Result<VerifyResponse>> ExactEvmFacilitator::check_on_chain(
    const RequestView& request, const PreparedPayment& payment, bool simulate, SettleProbe* probe) {
  const auto& auth = payment.payment.authorization;
  const std::string payer = raw_payer(*request.payload, auth.from);
  if (!asset_allowed(payment.asset))
    co_return invalid(reason::invalid_payment_requirements,
                      "asset " + payment.asset.checksummed() + " is not accepted by this facilitator on " +
                          options_.network,
                      payer);

  bool asset_known_deployed = false;
  {
    std::lock_guard lock(asset_cache_mutex_);
    auto it = deployed_assets_.find(lower_hex(payment.asset));
    asset_known_deployed = it != deployed_assets_.end() && it->second > std::chrono::steady_clock::now();
  }
  // Simulate speculatively in the same round trip unless a rule that needs no chain already failed.
  const bool run_simulation = simulate && !payment.after_signature;
  const Bytes calldata = transfer_calldata(payment);

  std::vector<chain::evm::RawCall> calls;
  calls.push_back(chain::evm::requests::get_code(auth.from));
  const std::size_t asset_call = asset_known_deployed ? SIZE_MAX : calls.size();
  if (!asset_known_deployed) calls.push_back(chain::evm::requests::get_code(payment.asset));
  const std::size_t simulation_call = run_simulation ? calls.size() : SIZE_MAX;
  if (run_simulation)
    calls.push_back(chain::evm::requests::call(
        {std::nullopt, payment.asset, calldata, std::nullopt, std::nullopt}, chain::evm::BlockRef::latest()));
  const bool probe_simulation = probe != nullptr && probe->simulation.has_value();
  const std::size_t probe_call = probe_simulation ? calls.size() : SIZE_MAX;
  if (probe_simulation)
    calls.push_back(chain::evm::requests::call(*probe->simulation, chain::evm::BlockRef::latest()));

  auto batch = co_await rpc_.batch(std::move(calls));
  if (!batch) co_return rpc_unavailable(batch.error());
  auto& results = *batch;

  auto payer_code =
      results[0] ? chain::evm::decode::bytes(*results[0]) : RpcResult<Bytes>(results[0].error());
  if (!payer_code) co_return rpc_unavailable(payer_code.error());
  const bool payer_has_code = !payer_code->empty();
  if (probe != nullptr) {
    probe->payer_has_code = payer_has_code;
    if (probe_simulation)
      probe->simulated = results[probe_call] ? chain::evm::decode::bytes(*results[probe_call])
                                             : RpcResult<Bytes>(results[probe_call].error());
  }

  // ERC-6492: an undeployed wallet would need its factory called; no factory is allow-listed.
  if (payment.erc6492 && !payer_has_code)
    co_return invalid(reason::eip6492_factory_not_allowed,
                      "factory " + payment.erc6492->factory.checksummed() + " is not allow-listed", payer);

  bool signature_ok = false;
  if (!payer_has_code) {
    signature_ok = payment.inner_signature.size() == 65 && payment.ecdsa_signer == auth.from;
  } else {
    // A contract payer (smart wallet, 7702 account) decides through ERC-1271, as the token will.
    auto data = abi::encode_call("isValidSignature", {abi::Value::bytes32(payment.digest),
                                                      abi::Value::bytes(payment.inner_signature)});
    // Named arguments: GCC 12 destroys braced temporaries of a co_await expression twice.
    chain::evm::CallRequest call{std::nullopt, auth.from, std::move(data), std::nullopt, std::nullopt};
    auto latest = chain::evm::BlockRef::latest();
    auto answer = co_await rpc_.call(std::move(call), std::move(latest));
    if (!answer && !answer.error().is_revert()) co_return rpc_unavailable(answer.error());
    signature_ok =
        answer && answer->size() >= 32 && std::equal(kErc1271Magic, kErc1271Magic + 4, answer->begin());
  }
  if (!signature_ok)
    co_return invalid(reason::invalid_exact_evm_signature,
                      payer_has_code ? "ERC-1271 isValidSignature rejected the signature"
                                     : "signature does not recover to authorization.from",
                      payer);

  if (payment.after_signature)
    co_return invalid(payment.after_signature->reason, payment.after_signature->message, payer);

  if (!asset_known_deployed) {
    auto asset_code = results[asset_call] ? chain::evm::decode::bytes(*results[asset_call])
                                          : RpcResult<Bytes>(results[asset_call].error());
    if (!asset_code) co_return rpc_unavailable(asset_code.error());
    if (asset_code->empty())
      co_return invalid(reason::asset_not_deployed_contract,
                        "no contract at asset " + payment.asset.checksummed(), payer);
    std::lock_guard lock(asset_cache_mutex_);
    deployed_assets_[lower_hex(payment.asset)] = std::chrono::steady_clock::now() + options_.asset_code_ttl;
  }

  if (run_simulation) {
    const auto& simulation = results[simulation_call];
    if (!simulation) {
      const auto& error = simulation.error();
      if (!error.is_revert()) co_return rpc_unavailable(error);
      std::string text =
          error.revert_reason.empty() ? error.rpc_message : "execution reverted: " + error.revert_reason;
      co_return co_await diagnose_simulation_failure(payment, *request.amount, payer, std::move(text));
    }
  }

  VerifyResponse valid;
  valid.is_valid = true;
  valid.payer = payer;
  co_return valid;
}

boost::asio::awaitable<VerifyResponse> ExactEvmFacilitator::diagnose_simulation_failure(
    const PreparedPayment& payment, const U256& amount, std::string payer, std::string revert_text) {
  const auto& auth = payment.payment.authorization;
  const std::vector<abi::Call3> calls{
      {payment.asset, true, abi::encode_call("balanceOf", {abi::Value::address(auth.from)})},
      {payment.asset, true, abi::encode_call("name", {})},
      {payment.asset, true, abi::encode_call("version", {})},
      {payment.asset, true,
       abi::encode_call("authorizationState",
                        {abi::Value::address(auth.from), abi::Value::bytes32(auth.nonce)})},
  };
  chain::evm::CallRequest call{std::nullopt, kMulticall3, abi::encode_aggregate3(calls), std::nullopt,
                               std::nullopt};
  auto latest = chain::evm::BlockRef::latest();
  auto answer = co_await rpc_.call(std::move(call), std::move(latest));
  std::string_view reason = reason::invalid_exact_evm_transaction_simulation_failed;
  if (answer) {
    auto results = abi::decode_call_results(*answer);
    if (results && results->size() == 4) {
      const auto& [balance_call, name_call, version_call, state_call] =
          std::tie((*results)[0], (*results)[1], (*results)[2], (*results)[3]);
      auto used = state_call.success ? abi::decode_bool(state_call.return_data) : Result<bool>(Error{});
      auto name =
          name_call.success ? abi::decode_string(name_call.return_data) : Result<std::string>(Error{});
      auto version =
          version_call.success ? abi::decode_string(version_call.return_data) : Result<std::string>(Error{});
      auto balance =
          balance_call.success ? abi::decode_uint256(balance_call.return_data) : Result<U256>(Error{});
      if (!state_call.success)
        reason = reason::invalid_exact_evm_eip3009_not_supported;
      else if (used && *used)
        reason = reason::invalid_exact_evm_nonce_already_used;
      else if (name && *name != payment.eip712_name)
        reason = reason::invalid_exact_evm_token_name_mismatch;
      else if (version && *version != payment.eip712_version)
        reason = reason::invalid_exact_evm_token_version_mismatch;
      else if (balance && *balance < amount)
        reason = reason::invalid_exact_evm_insufficient_balance;
    }
  }
  co_return invalid(reason, std::move(revert_text), std::move(payer));
}

// ---------------------------------------------------------------------------------------------
// settle

boost::asio::awaitable<Result<SettleResponse>> ExactEvmFacilitator::settle(
    const FacilitatorRequest& request) {
  const RequestView view = view_of(request);
  auto prepared = prepare_payment(view, *networks_, clock_());
  if (auto* rejection = std::get_if<Rejection>(&prepared)) {
    count(&FacilitatorCounters::settle_failed);
    std::optional<std::string> payer;
    if (rejection->payer) payer = raw_payer(*view.payload, *rejection->payer);
    co_return settle_failure(rejection->reason, rejection->message, payer, "", std::string(view.network));
  }

  Settlement settlement;
  settlement.view = view;
  settlement.payment = std::move(std::get<PreparedPayment>(prepared));
  const auto& auth = settlement.payment.payment.authorization;
  settlement.response_network = std::string(view.network);
  settlement.payer = raw_payer(*view.payload, auth.from);
  settlement.key =
      store::PaymentKey{networks_->to_caip2(view.network).value_or(std::string(view.network)),
                        lower_hex(settlement.payment.asset), lower_hex(auth.from), auth.nonce.hex()};
  settlement.key_text = settlement.key.network + '|' + settlement.key.asset + '|' + settlement.key.payer +
                        '|' + settlement.key.nonce;
  // Same digest and signature = the same payment, whatever envelope (v1, v2) carried it.
  Bytes identity(settlement.payment.digest.bytes.begin(), settlement.payment.digest.bytes.end());
  identity.insert(identity.end(), settlement.payment.payment.signature.begin(),
                  settlement.payment.payment.signature.end());
  settlement.payload_hash = crypto::keccak256(identity).hex();
  settlement.request_json = serialize(request);

  // Concurrent settles of one payment in this process share one execution.
  std::shared_ptr<SharedSettle> shared;
  bool owner = false;
  {
    std::lock_guard lock(inflight_mutex_);
    auto [it, inserted] = inflight_.try_emplace(settlement.key_text + '|' + settlement.payload_hash);
    if (inserted) it->second = std::make_shared<SharedSettle>();
    shared = it->second;
    owner = inserted;
  }
  if (!owner) {
    count(&FacilitatorCounters::settle_replayed);
    co_return co_await shared->async_wait(boost::asio::use_awaitable);
  }

  Result<SettleResponse> result = make_error(Errc::internal, "settlement did not complete");
  try {
    result = co_await settle_once(settlement);
  } catch (const std::exception& e) {
    result = make_error(Errc::internal, std::string("settlement raised: ") + e.what());
  }
  {
    std::lock_guard lock(inflight_mutex_);
    inflight_.erase(settlement.key_text + '|' + settlement.payload_hash);
  }
  shared->set(result);
  if (!result)
    count(&FacilitatorCounters::settle_errors);
  else if (result->success)
    count(&FacilitatorCounters::settle_success);
  else if (result->error_reason == reason::settlement_pending)
    count(&FacilitatorCounters::settle_pending);
  else
    count(&FacilitatorCounters::settle_failed);
  co_return result;
}

boost::asio::awaitable<Result<SettleResponse>> ExactEvmFacilitator::settle_once(Settlement& s) {
  const auto& auth = s.payment.payment.authorization;
  auto executor = co_await boost::asio::this_coro::executor;
  s.signer_index = signers_.next();
  s.calldata = transfer_calldata(s.payment);
  s.gas_key = lower_hex(s.payment.asset) + to_hex(ByteView(s.calldata).subspan(0, 4));
  for (int round = 0; round < 4; ++round) {
    auto found = co_await ledger_call([&] { return ledger_->find(s.key); });
    if (!found) co_return found.take_error();
    if (found->has_value()) {
      store::SettlementRecord record = std::move(**found);
      // A transaction that was mined but did not pay as authorized has used the authorization:
      // that failure is final, unlike a revert or an abandoned claim, which leave it unused.
      const bool used_without_paying =
          record.state == store::SettlementState::failed &&
          record.error_reason == std::string_view(reason::invalid_exact_evm_transfer_event_mismatch);
      if (used_without_paying) {
        if (record.payload_hash != s.payload_hash)
          co_return settle_failure(reason::invalid_exact_evm_nonce_already_used,
                                   "this nonce was used by another authorization", s.payer,
                                   record.tx_hash.value_or(""), s.response_network);
        co_return settle_failure(reason::invalid_exact_evm_transfer_event_mismatch,
                                 std::string(kMinedWithoutTransfer), s.payer, record.tx_hash.value_or(""),
                                 s.response_network);
      }
      if (record.state != store::SettlementState::failed && record.payload_hash != s.payload_hash)
        co_return settle_failure(reason::invalid_exact_evm_nonce_already_used,
                                 "another authorization with this nonce is already being settled", s.payer,
                                 record.tx_hash.value_or(""), s.response_network);
      switch (record.state) {
        case store::SettlementState::confirmed: {
          SettleResponse replay;
          replay.success = true;
          replay.payer = s.payer;
          replay.transaction = record.tx_hash.value_or("");
          replay.network = s.response_network;
          co_return replay;
        }
        case store::SettlementState::submitted:
        case store::SettlementState::pending:
          co_return co_await await_submitted(s, std::move(record), /*recovered=*/true);
        case store::SettlementState::verified: {
          // Another process claimed it and has not sent yet; a claim that old was abandoned.
          if (now_ms() - record.updated_at > options_.stale_claim_after.count()) {
            (void)co_await ledger_call(
                [&] { return ledger_->mark_failed(s.key, "abandoned: claimed but never submitted"); });
            continue;
          }
          boost::asio::steady_timer timer(executor, milliseconds(100));
          co_await timer.async_wait(boost::asio::use_awaitable);
          --round;  // waiting for another process is not a new attempt
          if (now_ms() - record.created_at >
              options_.stale_claim_after.count() + options_.receipt_timeout.count())
            co_return make_error(Errc::conflict, "settlement of this payment is in progress elsewhere");
          continue;
        }
        case store::SettlementState::failed:
          break;  // a new attempt may be made: the authorization was not used
      }
    }

    // Re-verify without verify's simulation, as the reference does: the transaction itself is
    // simulated, with the gas limit learnt for this asset and overload if there is one (in the
    // same round trip, judged after the claim), else by eth_estimateGas after the claim.
    s.probe = SettleProbe{};
    if (const auto learnt = learnt_gas_limit(s.gas_key)) {
      s.probe.simulation = chain::evm::CallRequest{signers_.key(s.signer_index).address(), s.payment.asset,
                                                   s.calldata, std::nullopt, *learnt};
      s.probe.gas_limit = *learnt;
    }
    auto check = co_await check_on_chain(s.view, s.payment, /*simulate=*/false, &s.probe);
    if (!check) co_return check.take_error();
    if (!check->is_valid)
      co_return settle_failure(check->invalid_reason.value_or(std::string(reason::unexpected_settle_error)),
                               check->invalid_message.value_or(""), s.payer, "", s.response_network);

    store::SettlementRecord fresh;
    fresh.key = s.key;
    fresh.state = store::SettlementState::verified;
    fresh.payload_hash = s.payload_hash;
    fresh.request_json = s.request_json;
    fresh.amount = to_decimal(auth.value);
    fresh.pay_to = lower_hex(auth.to);
    fresh.created_at = fresh.updated_at = now_ms();
    auto claim = co_await ledger_call([&] { return ledger_->claim(fresh); });
    if (!claim) co_return claim.take_error();
    if (!claim->claimed) continue;  // someone else won the race: follow their record
    co_return co_await send_and_confirm(s);
  }
  co_return make_error(Errc::conflict, "could not settle: the ledger record kept changing");
}

boost::asio::awaitable<Result<SettleResponse>> ExactEvmFacilitator::send_and_confirm(Settlement& s) {
  const auto& auth = s.payment.payment.authorization;
  const auto fail_before_broadcast =
      [&](std::string_view reason, std::string message) -> boost::asio::awaitable<Result<SettleResponse>> {
    auto marked = co_await ledger_call([&] { return ledger_->mark_failed(s.key, std::string(reason)); });
    if (!marked) co_return marked.take_error();
    co_return settle_failure(reason, std::move(message), s.payer, "", s.response_network);
  };
  const auto error_before_broadcast = [&](Error error) -> boost::asio::awaitable<Result<SettleResponse>> {
    // Release the claim so a retry can proceed; nothing was sent.
    (void)co_await ledger_call(
        [&] { return ledger_->mark_failed(s.key, std::string(reason::unexpected_settle_error)); });
    co_return error;
  };

  const std::size_t index = s.signer_index;
  const PrivateKey& key = signers_.key(index);

  // The gas limit. For a payer without code: the highest estimate seen for this asset and
  // overload (+25 %, within the cap), proven enough for this very transaction by the simulation
  // with exactly that limit in the check before the claim (one eth_call instead of
  // eth_estimateGas's several executions). If there was none, or it failed in any way (revert,
  // out of gas), eth_estimateGas decides as it always did: a revert refuses the settlement
  // before anything is sent.
  std::optional<std::uint64_t> gas_limit;
  if (!s.probe.payer_has_code && s.probe.gas_limit && s.probe.simulated && s.probe.simulated->ok())
    gas_limit = *s.probe.gas_limit;
  if (!gas_limit) {
    chain::evm::CallRequest estimate{key.address(), s.payment.asset, s.calldata, std::nullopt, std::nullopt};
    auto gas = co_await rpc_.estimate_gas(std::move(estimate));
    if (!gas) {
      const auto& error = gas.error();
      if (!error.is_revert()) co_return co_await error_before_broadcast(rpc_unavailable(error));
      std::string text = error.revert_reason.empty() ? error.rpc_message : error.revert_reason;
      co_return co_await fail_before_broadcast(reason_for_revert(text), "execution reverted: " + text);
    }
    if (*gas > options_.max_gas)
      co_return co_await fail_before_broadcast(
          reason::invalid_exact_evm_transaction_failed,
          "gas estimate " + std::to_string(*gas) + " exceeds the cap " + std::to_string(options_.max_gas));
    gas_limit = std::min<std::uint64_t>(*gas + *gas / 4, options_.max_gas);
    if (!s.probe.payer_has_code) learn_gas(s.gas_key, *gas);
  }

  auto fees = co_await signers_.fees(rpc_);
  if (!fees) co_return co_await error_before_broadcast(rpc_unavailable(fees.error()));
  chain::evm::FeeQuote quote = *fees;
  if (options_.max_fee_per_gas != 0 && quote.max_fee_per_gas > options_.max_fee_per_gas) {
    quote.max_fee_per_gas = options_.max_fee_per_gas;
    quote.max_priority_fee_per_gas = std::min(quote.max_priority_fee_per_gas, quote.max_fee_per_gas);
  }

  auto nonce = co_await signers_.allocate_nonce(rpc_, index);
  if (!nonce) co_return co_await error_before_broadcast(rpc_unavailable(nonce.error()));

  crypto::Eip1559Transaction tx;
  tx.chain_id = s.payment.chain_id;
  tx.nonce = *nonce;
  tx.max_priority_fee_per_gas = quote.max_priority_fee_per_gas;
  tx.max_fee_per_gas = quote.max_fee_per_gas;
  tx.gas_limit = *gas_limit;
  tx.to = s.payment.asset;
  tx.value = 0;
  tx.data = s.calldata;
  const crypto::SignedTransaction signed_tx = crypto::sign(tx, key);

  store::SubmittedTx submitted{key.address().checksummed(), *nonce, signed_tx.hash.hex(),
                               to_hex(signed_tx.raw)};
  // Durable before broadcast: a crash after this line leaves a record the reconciler finishes.
  auto marked = co_await ledger_call([&] { return ledger_->mark_submitted(s.key, submitted); });
  if (!marked) {
    signers_.resync(index);
    co_return co_await error_before_broadcast(marked.take_error());
  }

  count(&FacilitatorCounters::transactions_sent);
  auto sent = co_await rpc_.send_raw_transaction(signed_tx.raw);
  bool maybe_not_received = false;
  if (!sent) {
    const auto& error = sent.error();
    const bool definite_rejection =
        error.kind == chain::evm::RpcErrorKind::rpc || error.kind == chain::evm::RpcErrorKind::reverted;
    const bool already_known = error.rpc_message.find("already known") != std::string::npos;
    if (definite_rejection && !already_known) {
      // The node refused it, so it was not broadcast: the authorization is unused.
      signers_.resync(index);
      std::string text = error.revert_reason.empty() ? error.rpc_message : error.revert_reason;
      auto failed = co_await ledger_call(
          [&] { return ledger_->mark_failed(s.key, std::string(reason_for_revert(text))); });
      if (!failed) co_return failed.take_error();
      co_return settle_failure(reason_for_revert(text), "transaction rejected: " + text, s.payer, "",
                               s.response_network);
    }
    // Transport failure: it may or may not have reached the node. Wait for it like a recovered
    // record (look up, rebroadcast the same bytes if unknown).
    maybe_not_received = !already_known;
  }

  store::SettlementRecord record;
  record.key = s.key;
  record.state = store::SettlementState::submitted;
  record.amount = to_decimal(auth.value);
  record.pay_to = lower_hex(auth.to);
  record.tx_hash = submitted.tx_hash;
  record.raw_tx = submitted.raw_tx;
  co_return co_await await_submitted(s, std::move(record), maybe_not_received);
}

boost::asio::awaitable<chain::evm::RpcResult<chain::evm::Receipt>> ExactEvmFacilitator::wait_receipt(
    Bytes32 hash, milliseconds timeout) {
  if (receipts_) co_return co_await receipts_->wait(hash, timeout);
  co_return co_await rpc_.wait_for_receipt(hash, timeout, options_.receipt_poll);
}

boost::asio::awaitable<Result<std::optional<chain::evm::Receipt>>> ExactEvmFacilitator::finish_receipt(
    const store::SettlementRecord& record, milliseconds timeout, bool recovered) {
  auto hash = Bytes32::from_hex(record.tx_hash.value_or(""));
  if (!hash) co_return make_error(Errc::internal, "ledger record without a valid tx hash");
  if (recovered) {
    auto existing = co_await rpc_.get_transaction_receipt(*hash);
    if (existing && existing->has_value()) co_return std::move(*existing);
    // Not mined, or the node never got it or lost it (a crash before the broadcast reached it, a
    // node restart): broadcasting the same signed bytes again is harmless.
    if (record.raw_tx) {
      if (auto raw = from_hex(*record.raw_tx)) (void)co_await rpc_.send_raw_transaction(std::move(*raw));
    }
  }
  // A transaction this process has just broadcast is simply waited for.
  auto receipt = co_await wait_receipt(*hash, timeout);
  if (!receipt) co_return std::optional<chain::evm::Receipt>{};
  co_return std::optional<chain::evm::Receipt>(std::move(*receipt));
}

boost::asio::awaitable<Result<SettleResponse>> ExactEvmFacilitator::await_submitted(
    Settlement& s, store::SettlementRecord record, bool recovered) {
  const auto& auth = s.payment.payment.authorization;
  const std::string tx_hash = record.tx_hash.value_or("");
  auto receipt = co_await finish_receipt(record, options_.receipt_timeout, recovered);
  if (!receipt) co_return receipt.take_error();
  if (!receipt->has_value()) {
    if (record.state == store::SettlementState::submitted)
      (void)co_await ledger_call([&] { return ledger_->mark_pending(s.key); });
    co_return settle_failure(reason::settlement_pending,
                             "transaction broadcast; no receipt within " +
                                 std::to_string(options_.receipt_timeout.count()) + " ms",
                             s.payer, tx_hash, s.response_network);
  }
  const auto& mined = **receipt;
  if (!mined.status || !has_transfer_log(mined, s.payment.asset, auth.from, auth.to, auth.value)) {
    const auto reason = !mined.status ? reason::invalid_exact_evm_transaction_failed
                                      : reason::invalid_exact_evm_transfer_event_mismatch;
    auto marked = co_await ledger_call([&] { return ledger_->mark_failed(s.key, std::string(reason)); });
    if (!marked && marked.error().code != Errc::conflict) co_return marked.take_error();
    co_return settle_failure(reason, mined.status ? std::string(kMinedWithoutTransfer) : std::string(),
                             s.payer, tx_hash, s.response_network);
  }
  auto marked = co_await ledger_call([&] { return ledger_->mark_confirmed(s.key, mined.block_number); });
  if (!marked && marked.error().code != Errc::conflict) co_return marked.take_error();
  SettleResponse ok;
  ok.success = true;
  ok.payer = s.payer;
  ok.transaction = tx_hash;
  ok.network = s.response_network;
  co_return ok;
}

// ---------------------------------------------------------------------------------------------
// reconcile

boost::asio::awaitable<Result<std::size_t>> ExactEvmFacilitator::reconcile() {
  auto open = co_await ledger_call([&] { return ledger_->unresolved(options_.stale_claim_after); });
  if (!open) co_return open.take_error();
  std::size_t changed = 0;
  for (const auto& record : *open) {
    if (record.key.network != options_.network) continue;
    {
      // A settle running in this process owns its record.
      std::lock_guard lock(inflight_mutex_);
      const std::string prefix = record.key.network + '|' + record.key.asset + '|' + record.key.payer + '|' +
                                 record.key.nonce + '|' + record.payload_hash;
      if (inflight_.contains(prefix)) continue;
    }
    if (record.state == store::SettlementState::verified) {
      // Claimed but never submitted: nothing was broadcast, release it.
      auto marked = co_await ledger_call(
          [&] { return ledger_->mark_failed(record.key, "abandoned: claimed but never submitted"); });
      if (marked) ++changed;
      continue;
    }
    auto receipt = co_await finish_receipt(record, std::chrono::seconds(2), /*recovered=*/true);
    if (!receipt || !receipt->has_value()) {
      if (record.state == store::SettlementState::submitted) {
        auto marked = co_await ledger_call([&] { return ledger_->mark_pending(record.key); });
        if (marked) ++changed;
      }
      continue;
    }
    const auto& mined = **receipt;
    auto from = Address::parse(record.key.payer);
    auto to = Address::parse(record.pay_to);
    auto asset = Address::parse(record.key.asset);
    auto value = parse_u256(record.amount);
    const bool transferred =
        mined.status && from && to && asset && value && has_transfer_log(mined, *asset, *from, *to, *value);
    auto marked = co_await ledger_call([&] {
      return transferred ? ledger_->mark_confirmed(record.key, mined.block_number)
                         : ledger_->mark_failed(
                               record.key,
                               std::string(mined.status ? reason::invalid_exact_evm_transfer_event_mismatch
                                                        : reason::invalid_exact_evm_transaction_failed));
    });
    if (marked) ++changed;
  }
  co_return changed;
}

}  // namespace x402::exact_evm
