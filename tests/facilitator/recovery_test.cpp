// Crash and timeout recovery of settlements, made deterministic by stopping anvil's miner:
//  - kill -9 of the facilitator between broadcast and receipt, then a restart on the same ledger:
//    the reconciler (run at start) confirms the record with the same hash, a repeated settle is
//    answered with it, and the payee is paid exactly once;
//  - a receipt wait that runs out answers `settlement_pending` with the hash; after mining, the
//    same request answers success with that hash;
//  - a settlement transaction that is mined but reverts (the buyer front-ran it with the same
//    authorization) is reported as failed with its hash, and is not retried;
//  - a record left `submitted` whose transaction never reached the node (a crash between the
//    ledger write and the broadcast) is rebroadcast by the reconciler at start and confirmed.
#include <thread>

#include "crypto/transaction.hpp"
#include "facilitator/facilitator_harness.hpp"

namespace x402::test::fac {
namespace {

class Recovery : public ChainSuite {};

TEST_F(Recovery, KillNineBetweenBroadcastAndReceiptThenRestartConfirmsWithoutASecondTransfer) {
  const auto buyer = funded_buyer(U256(100'000));
  const Deal deal = make_deal(chain(), buyer, U256(4'321));
  const std::string body = deal.v2_body();
  const std::string ledger = sqlite("ledger.sqlite");  // what `--devnet D` uses
  const auto key = deal.ledger_key(chain().network());
  const U256 payee_before = chain().token_balance(chain().payee());
  const auto nonces_before = signer_nonces(chain());

  auto first = start_with_devnet("facilitator-crash-1");
  MiningPaused paused(chain());

  // /settle broadcasts, then waits for a receipt that cannot come while mining is off.
  std::thread settler([&first, &body] {
    try {
      (void)first->post("/settle", body);
    } catch (...) {  // the connection dies with the process
    }
  });
  std::string tx;
  {
    KillThenJoin guard{first.get(), &settler};
    const bool broadcast = eventually(
        [&] {
          const auto record = ledger_record(ledger, key);
          if (!record || record->state != store::SettlementState::submitted || !record->tx_hash) return false;
          tx = *record->tx_hash;
          return node_knows(chain(), tx);  // written before broadcast: wait until the node has it
        },
        20s);
    ASSERT_TRUE(broadcast) << "the settlement was not broadcast" << first->logs();
    ASSERT_FALSE(receipt_of(chain(), tx).has_value()) << "mined although mining is off";
  }  // kill -9 now
  ASSERT_FALSE(first->child().running());
  // Nothing could update the ledger after the kill.
  {
    const auto record = ledger_record(ledger, key);
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->state, store::SettlementState::submitted);
  }

  mine_block(chain());
  const auto receipt = receipt_of(chain(), tx);
  ASSERT_TRUE(receipt.has_value()) << "the pool lost the transaction";
  EXPECT_TRUE(receipt->status);
  EXPECT_EQ(transfer_logs(*receipt, chain().asset(), buyer.address(), chain().payee(), U256(4'321)), 1u);

  // Restart on the same devnet directory (same ledger). Mining stays off, so any second
  // transaction would be visible in the pool.
  auto second = start_with_devnet("facilitator-crash-2");
  {
    const auto record = ledger_record(ledger, key);  // reconciled before the ready line
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->state, store::SettlementState::confirmed) << second->logs();
    EXPECT_EQ(record->tx_hash, std::optional<std::string>(tx));
    EXPECT_EQ(record->block_number, std::optional<std::uint64_t>(receipt->block_number));
  }
  const auto again = second->post("/settle", body);
  ASSERT_EQ(again.status, 200u) << again.body;
  EXPECT_EQ(bool_at(again.json, "success"), std::optional<bool>(true)) << again.body;
  EXPECT_EQ(str_at(again.json, "transaction"), tx);

  EXPECT_EQ(chain().token_balance(chain().payee()), payee_before + 4'321);
  EXPECT_EQ(chain().token_balance(buyer.address()), U256(100'000 - 4'321));
  EXPECT_EQ(signer_nonces(chain(), chain::evm::BlockRef::pending()), nonces_before + 1);
  EXPECT_EQ(signer_nonces(chain()), nonces_before + 1);
}

TEST_F(Recovery, ReceiptTimeoutAnswersSettlementPendingThenTheRetrySucceeds) {
  const auto buyer = funded_buyer(U256(100'000));
  const Deal deal = make_deal(chain(), buyer, U256(2'468));
  const std::string body = deal.v2_body();
  const U256 payee_before = chain().token_balance(chain().payee());
  const auto nonces_before = signer_nonces(chain());
  ConfigSpec spec;
  spec.ledger = sqlite("ledger-pending.sqlite");
  spec.receipt_timeout_ms = 1'500;
  auto facilitator = start_with_config("facilitator-pending", spec);

  std::string tx;
  {
    MiningPaused paused(chain());
    const auto started = std::chrono::steady_clock::now();
    const auto pending = facilitator->post("/settle", body);
    const auto waited = std::chrono::steady_clock::now() - started;
    ASSERT_EQ(pending.status, 200u) << pending.body;
    EXPECT_EQ(bool_at(pending.json, "success"), std::optional<bool>(false)) << pending.body;
    EXPECT_EQ(str_at(pending.json, "errorReason"), reason::settlement_pending) << pending.body;
    EXPECT_EQ(str_at(pending.json, "payer"), buyer.address().checksummed());
    EXPECT_EQ(str_at(pending.json, "network"), chain().network());
    tx = str_at(pending.json, "transaction");
    ASSERT_EQ(tx.size(), 66u) << pending.body;
    EXPECT_GE(waited, 1'500ms);
    EXPECT_LT(waited, 15s);
    EXPECT_TRUE(node_knows(chain(), tx));
    EXPECT_FALSE(receipt_of(chain(), tx).has_value());
    const auto record = ledger_record(spec.ledger, deal.ledger_key(chain().network()));
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->state, store::SettlementState::pending);
    EXPECT_EQ(record->tx_hash, std::optional<std::string>(tx));

    // Still unmined: a retry answers pending with the same hash and sends nothing new.
    const auto still = facilitator->post("/settle", body);
    EXPECT_EQ(str_at(still.json, "errorReason"), reason::settlement_pending) << still.body;
    EXPECT_EQ(str_at(still.json, "transaction"), tx) << still.body;
    EXPECT_EQ(signer_nonces(chain(), chain::evm::BlockRef::pending()), nonces_before + 1);

    mine_block(chain());
  }
  const auto retry = facilitator->post("/settle", body);
  ASSERT_EQ(retry.status, 200u) << retry.body;
  EXPECT_EQ(bool_at(retry.json, "success"), std::optional<bool>(true)) << retry.body << facilitator->logs();
  EXPECT_EQ(str_at(retry.json, "transaction"), tx);
  const auto receipt = receipt_of(chain(), tx);
  ASSERT_TRUE(receipt.has_value());
  EXPECT_TRUE(receipt->status);
  EXPECT_EQ(transfer_logs(*receipt, chain().asset(), buyer.address(), chain().payee(), U256(2'468)), 1u);
  EXPECT_EQ(chain().token_balance(chain().payee()), payee_before + 2'468);
  EXPECT_EQ(signer_nonces(chain()), nonces_before + 1);
  const auto record = ledger_record(spec.ledger, deal.ledger_key(chain().network()));
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->state, store::SettlementState::confirmed);
}

TEST_F(Recovery, MinedButRevertedSettlementIsReportedWithItsHash) {
  const auto buyer = funded_buyer(U256(100'000));
  const Deal deal = make_deal(chain(), buyer, U256(1'111));
  const std::string body = deal.v2_body();
  const U256 payee_before = chain().token_balance(chain().payee());
  const auto nonces_before = signer_nonces(chain());
  ConfigSpec spec;
  spec.ledger = sqlite("ledger-revert.sqlite");
  auto facilitator = start_with_config("facilitator-revert", spec);
  const auto key = deal.ledger_key(chain().network());

  MiningPaused paused(chain());
  HttpAnswer answer;
  std::thread settler([&] {
    try {
      answer = facilitator->post("/settle", body);
    } catch (const std::exception& e) {
      answer.body = e.what();
    }
  });
  std::string tx;
  {
    KillThenJoin guard{facilitator.get(), &settler};
    ASSERT_TRUE(eventually(
        [&] {
          const auto record = ledger_record(spec.ledger, key);
          if (!record || !record->tx_hash) return false;
          tx = *record->tx_hash;
          return node_knows(chain(), tx);
        },
        20s))
        << facilitator->logs();

    // Someone else submits the same authorization with a higher tip: mined first.
    const auto payment = deal.payload();
    const auto& a = payment.authorization;
    const auto& sig = payment.signature;
    chain::evm::TxRequest front_run;
    front_run.to = chain().asset();
    front_run.data = abi::encode_call(
        "transferWithAuthorization",
        {abi::Value::address(a.from), abi::Value::address(a.to), abi::Value::uint256(a.value),
         abi::Value::uint256(a.valid_after), abi::Value::uint256(a.valid_before),
         abi::Value::bytes32(a.nonce), abi::Value::uint8(sig[64]),
         abi::Value::bytes32(Bytes32(FixedBytes<32>::from_span(ByteView(sig).subspan(0, 32)))),
         abi::Value::bytes32(Bytes32(FixedBytes<32>::from_span(ByteView(sig).subspan(32, 32))))});
    front_run.gas_limit = 200'000;
    front_run.fees = chain::evm::FeeQuote{U256("500000000000"), U256("400000000000")};
    auto sent = chain().rpc().run([&](RpcClient& rpc) {
      return chain::evm::sign_and_send(rpc, chain().owner_key(), chain().chain_id(), front_run);
    });
    ASSERT_TRUE(sent) << sent.error().describe();
    mine_block(chain());
    settler.join();
    guard.process = nullptr;
  }
  ASSERT_EQ(answer.status, 200u) << answer.body << facilitator->logs();
  EXPECT_EQ(bool_at(answer.json, "success"), std::optional<bool>(false)) << answer.body;
  EXPECT_EQ(str_at(answer.json, "errorReason"), reason::invalid_exact_evm_transaction_failed) << answer.body;
  EXPECT_EQ(str_at(answer.json, "transaction"), tx) << answer.body;
  const auto receipt = receipt_of(chain(), tx);
  ASSERT_TRUE(receipt.has_value());
  EXPECT_FALSE(receipt->status) << "the facilitator's transaction should have reverted";
  {
    const auto record = ledger_record(spec.ledger, key);
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->state, store::SettlementState::failed);
  }
  // Paid once, by the front-runner's transaction.
  EXPECT_EQ(chain().token_balance(chain().payee()), payee_before + 1'111);

  // Settling it again: the authorization is used; nothing is sent.
  resume_mining(chain());
  const auto again = facilitator->post("/settle", body);
  EXPECT_EQ(bool_at(again.json, "success"), std::optional<bool>(false)) << again.body;
  EXPECT_EQ(str_at(again.json, "errorReason"), reason::invalid_exact_evm_nonce_already_used) << again.body;
  EXPECT_EQ(str_at(again.json, "transaction"), "") << again.body;
  EXPECT_EQ(signer_nonces(chain()), nonces_before + 1);
  EXPECT_EQ(chain().token_balance(chain().payee()), payee_before + 1'111);
}

TEST_F(Recovery, SubmittedTransactionTheNodeNeverSawIsRebroadcastByTheReconciler) {
  const auto buyer = funded_buyer(U256(100'000));
  const Deal deal = make_deal(chain(), buyer, U256(3'210));
  const auto payment = deal.payload();
  const std::string ledger = sqlite("ledger-lost.sqlite");
  const auto key = deal.ledger_key(chain().network());
  const U256 payee_before = chain().token_balance(chain().payee());
  const PrivateKey& signer = chain().facilitator_keys()[0];

  // What the facilitator writes before broadcasting: the claim, then the signed transaction.
  const auto& a = payment.authorization;
  const auto& sig = payment.signature;
  auto nonce = chain().rpc().run([&](RpcClient& rpc) {
    return rpc.get_transaction_count(signer.address(), chain::evm::BlockRef::pending());
  });
  ASSERT_TRUE(nonce) << nonce.error().describe();
  auto fees = chain().rpc().run([](RpcClient& rpc) { return chain::evm::suggest_fees(rpc); });
  ASSERT_TRUE(fees) << fees.error().describe();
  crypto::Eip1559Transaction tx;
  tx.chain_id = chain().chain_id();
  tx.nonce = *nonce;
  tx.max_fee_per_gas = fees->max_fee_per_gas;
  tx.max_priority_fee_per_gas = fees->max_priority_fee_per_gas;
  tx.gas_limit = 200'000;
  tx.to = chain().asset();
  tx.data = abi::encode_call(
      "transferWithAuthorization",
      {abi::Value::address(a.from), abi::Value::address(a.to), abi::Value::uint256(a.value),
       abi::Value::uint256(a.valid_after), abi::Value::uint256(a.valid_before), abi::Value::bytes32(a.nonce),
       abi::Value::uint8(sig[64]),
       abi::Value::bytes32(Bytes32(FixedBytes<32>::from_span(ByteView(sig).subspan(0, 32)))),
       abi::Value::bytes32(Bytes32(FixedBytes<32>::from_span(ByteView(sig).subspan(32, 32))))});
  const auto signed_tx = crypto::sign(tx, signer);
  const std::string tx_hash = signed_tx.hash.hex();
  // The ledger's identity of this payment: keccak(EIP-712 digest || signature).
  const Bytes32 digest = crypto::transfer_with_authorization_digest(
      {deal.signing.name, deal.signing.version, deal.signing.chain_id, deal.signing.asset},
      {a.from, a.to, a.value, a.valid_after, a.valid_before, a.nonce});
  Bytes identity(digest.bytes.begin(), digest.bytes.end());
  identity.insert(identity.end(), sig.begin(), sig.end());
  {
    auto store = open_ledger(ledger);
    store::SettlementRecord fresh;
    fresh.key = key;
    fresh.payload_hash = crypto::keccak256(identity).hex();
    fresh.request_json = deal.v2_body();
    fresh.amount = "3210";
    fresh.pay_to = chain().payee().hex();
    fresh.created_at = fresh.updated_at = std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count();
    auto claimed = store->claim(fresh);
    ASSERT_TRUE(claimed && claimed->claimed);
    ASSERT_TRUE(
        store->mark_submitted(key, {signer.address().checksummed(), *nonce, tx_hash, to_hex(signed_tx.raw)}));
  }
  ASSERT_FALSE(node_knows(chain(), tx_hash));

  ConfigSpec spec;
  spec.ledger = ledger;
  spec.key_files = {chain().key_path(chain().info().facilitator_key_files[0])};
  auto facilitator = start_with_config("facilitator-lost", spec);
  {
    const auto record = ledger_record(ledger, key);  // reconciled before the ready line
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->state, store::SettlementState::confirmed) << facilitator->logs();
    EXPECT_EQ(record->tx_hash, std::optional<std::string>(tx_hash));
  }
  const auto receipt = receipt_of(chain(), tx_hash);
  ASSERT_TRUE(receipt.has_value()) << "the reconciler did not rebroadcast the transaction";
  EXPECT_TRUE(receipt->status);
  EXPECT_EQ(transfer_logs(*receipt, chain().asset(), buyer.address(), chain().payee(), U256(3'210)), 1u);
  EXPECT_EQ(chain().token_balance(chain().payee()), payee_before + 3'210);
  const std::string metrics = facilitator->get("/metrics").body;
  EXPECT_EQ(rpc_calls(metrics, chain().network(), "eth_sendRawTransaction"), 1) << metrics;

  // The payment is settled: asking again answers with that transaction and sends nothing.
  const auto again = facilitator->post("/settle", deal.v2_body());
  EXPECT_EQ(bool_at(again.json, "success"), std::optional<bool>(true)) << again.body;
  EXPECT_EQ(str_at(again.json, "transaction"), tx_hash) << again.body;
  EXPECT_EQ(rpc_calls(facilitator->get("/metrics").body, chain().network(), "eth_sendRawTransaction"), 1);
}

}  // namespace
}  // namespace x402::test::fac
