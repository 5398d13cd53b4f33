// A token whose EIP-3009 transfer succeeds but does not pay what was authorized (a fee-on-transfer
// token, contracts/X402TestFeeToken.sol): verify accepts the payment (the simulation succeeds),
// settle sends it, and the mined receipt lacks Transfer(payer, payTo, value). That is no
// settlement: /settle answers invalid_exact_evm_transfer_event_mismatch with the transaction, the
// ledger records the failure, and a retry answers the same without sending anything again.
#include "facilitator/facilitator_harness.hpp"

namespace x402::test::fac {
namespace {

class FeeTokenSettle : public ChainSuite {
 protected:
  static constexpr std::uint64_t kValue = 10'000;
  static constexpr std::uint64_t kFee = 100;  // 1 %

  // X402TestFeeToken at a fresh address, initialised as the devnet initialises its USDC (same
  // domain name and version, the devnet owner), and a buyer holding some of it.
  void SetUp() override {
    ChainSuite::SetUp();
    if (HasFatalFailure()) return;
    token_ = deploy_contract(chain(), "X402TestFeeToken");
    owner_call(chain(), token_,
               abi::encode_call("initialize", {abi::Value::string(chain().info().asset_name),
                                               abi::Value::string(chain().info().asset_version),
                                               abi::Value::address(owner())}));
    owner_call(chain(), token_,
               abi::encode_call(
                   "mint", {abi::Value::address(buyer_.address()), abi::Value::uint256(U256(1'000'000))}));
  }

  static const Address& owner() { return chain().owner_key().address(); }

  // One facilitator signer (so its nonce shows any second transaction), the fee token allowed.
  [[nodiscard]] ConfigSpec config(const std::string& ledger_file) const {
    ConfigSpec spec;
    spec.ledger = sqlite(ledger_file);
    spec.key_files = {chain().key_path(chain().info().facilitator_key_files[0])};
    spec.extra_allowed_assets = {token_.checksummed()};
    return spec;
  }

  [[nodiscard]] Deal deal() const {
    Deal out = make_deal(chain(), buyer_, U256(kValue));
    out.requirements.asset = token_.checksummed();
    out.accepted.asset = out.requirements.asset;
    out.signing.asset = token_;
    return out;
  }

  // The mined transaction succeeded and paid as the fee token pays, not as authorized.
  void expect_fee_transfer(const std::string& tx) const {
    const auto receipt = receipt_of(chain(), tx);
    ASSERT_TRUE(receipt.has_value()) << "no receipt for " << tx;
    EXPECT_TRUE(receipt->status);
    EXPECT_EQ(transfer_logs(*receipt, token_, buyer_.address(), chain().payee(), U256(kValue)), 0u);
    EXPECT_EQ(transfer_logs(*receipt, token_, buyer_.address(), chain().payee(), U256(kValue - kFee)), 1u);
    EXPECT_EQ(transfer_logs(*receipt, token_, buyer_.address(), owner(), U256(kFee)), 1u);
  }

  static void expect_failed_with_mismatch(const std::string& ledger, const store::PaymentKey& key,
                                          const std::string& tx) {
    const auto record = ledger_record(ledger, key);
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->state, store::SettlementState::failed);
    EXPECT_EQ(record->error_reason,
              std::optional<std::string>(reason::invalid_exact_evm_transfer_event_mismatch));
    EXPECT_EQ(record->tx_hash, std::optional<std::string>(tx));
  }

  void expect_mismatch_answer(const HttpAnswer& answer, const std::string& tx) const {
    ASSERT_EQ(answer.status, 200u) << answer.body;
    EXPECT_EQ(bool_at(answer.json, "success"), std::optional<bool>(false)) << answer.body;
    EXPECT_EQ(str_at(answer.json, "errorReason"), reason::invalid_exact_evm_transfer_event_mismatch)
        << answer.body;
    EXPECT_EQ(str_at(answer.json, "payer"), buyer_.address().checksummed()) << answer.body;
    EXPECT_EQ(str_at(answer.json, "network"), chain().network()) << answer.body;
    if (!tx.empty()) EXPECT_EQ(str_at(answer.json, "transaction"), tx) << answer.body;
  }

  Address token_;
  PrivateKey buyer_ = PrivateKey::generate();
};

TEST_F(FeeTokenSettle, ATransferThatPaysLessThanAuthorizedIsNotASettlement) {
  const ConfigSpec spec = config("ledger-fee-token.sqlite");
  auto facilitator = start_with_config("facilitator-fee-token", spec);
  const Deal deal = this->deal();
  const std::string network = chain().network();

  const HttpAnswer verified = facilitator->post("/verify", deal.v2_body());
  ASSERT_EQ(verified.status, 200u) << verified.body;
  EXPECT_EQ(bool_at(verified.json, "isValid"), std::optional<bool>(true)) << verified.body;

  const U256 payee_before = balance_of(chain(), token_, chain().payee());
  const U256 owner_before = balance_of(chain(), token_, owner());
  const HttpAnswer settled = facilitator->post("/settle", deal.v2_body());
  expect_mismatch_answer(settled, "");
  const std::string tx = str_at(settled.json, "transaction");
  ASSERT_EQ(tx.size(), 66u) << settled.body;

  // On chain: mined successfully, the payee got value - fee, and no Transfer of `value` exists.
  expect_fee_transfer(tx);
  EXPECT_EQ(balance_of(chain(), token_, chain().payee()), payee_before + kValue - kFee);
  EXPECT_EQ(balance_of(chain(), token_, owner()), owner_before + kFee);
  expect_failed_with_mismatch(spec.ledger, deal.ledger_key(network), tx);

  // The authorization is used: a retry gets the same answer from the ledger and sends nothing.
  const std::string metrics_before = facilitator->get("/metrics").body;
  const auto signer_nonces_before = signer_nonces(chain());
  const HttpAnswer again = facilitator->post("/settle", deal.v2_body());
  EXPECT_EQ(again.status, 200u) << again.body;
  EXPECT_EQ(again.body, settled.body);
  const std::string metrics_after = facilitator->get("/metrics").body;
  EXPECT_EQ(rpc_calls(metrics_after, network, "eth_sendRawTransaction"),
            rpc_calls(metrics_before, network, "eth_sendRawTransaction"))
      << metrics_after;
  EXPECT_EQ(signer_nonces(chain()), signer_nonces_before);
  EXPECT_EQ(balance_of(chain(), token_, chain().payee()), payee_before + kValue - kFee);
  expect_failed_with_mismatch(spec.ledger, deal.ledger_key(network), tx);
}

// The facilitator dies (kill -9) between broadcast and receipt, leaving the record `submitted`;
// the transaction is then mined. The restarted facilitator's reconciler (run before it listens)
// finds the receipt without the authorized Transfer and records the same final failure.
TEST_F(FeeTokenSettle, ASubmittedFeeTokenTransferIsReconciledToFailedAfterACrash) {
  const ConfigSpec spec = config("ledger-fee-token-crash.sqlite");
  const Deal deal = this->deal();
  const std::string body = deal.v2_body();
  const auto key = deal.ledger_key(chain().network());
  const U256 payee_before = balance_of(chain(), token_, chain().payee());
  const auto nonces_before = signer_nonces(chain());

  auto first = start_with_config("facilitator-fee-token-crash-1", spec);
  // Mining stays off until the end, so any second transaction would stay visible in the pool.
  MiningPaused paused(chain());
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
          const auto record = ledger_record(spec.ledger, key);
          if (!record || record->state != store::SettlementState::submitted || !record->tx_hash) return false;
          tx = *record->tx_hash;
          return node_knows(chain(), tx);  // written before broadcast: wait until the node has it
        },
        20s);
    ASSERT_TRUE(broadcast) << "the settlement was not broadcast" << first->logs();
  }  // kill -9 now
  {
    const auto left = ledger_record(spec.ledger, key);  // nothing could update it after the kill
    ASSERT_TRUE(left.has_value());
    ASSERT_EQ(left->state, store::SettlementState::submitted);
  }

  mine_block(chain());
  expect_fee_transfer(tx);

  auto second = start_with_config("facilitator-fee-token-crash-2", spec);
  expect_failed_with_mismatch(spec.ledger, key, tx);

  // A retry answers from the ledger with that transaction; the restarted process sent nothing.
  const HttpAnswer again = second->post("/settle", body);
  expect_mismatch_answer(again, tx);
  EXPECT_EQ(rpc_calls(second->get("/metrics").body, chain().network(), "eth_sendRawTransaction"), 0);
  EXPECT_EQ(signer_nonces(chain(), chain::evm::BlockRef::pending()), nonces_before + 1);
  EXPECT_EQ(balance_of(chain(), token_, chain().payee()), payee_before + kValue - kFee);
}

}  // namespace
}  // namespace x402::test::fac
