// A token whose EIP-3009 transfer succeeds but does not pay what was authorized (a fee-on-transfer
// token, contracts/X402TestFeeToken.sol): verify accepts the payment (the simulation succeeds),
// settle sends it, and the mined receipt lacks Transfer(payer, payTo, value). That is no
// settlement: /settle answers invalid_exact_evm_transfer_event_mismatch with the transaction, the
// ledger records the failure, and a retry answers the same without sending anything again.
#include "facilitator/facilitator_harness.hpp"

namespace x402::test::fac {
namespace {

class FeeTokenSettle : public ChainSuite {};

TEST_F(FeeTokenSettle, ATransferThatPaysLessThanAuthorizedIsNotASettlement) {
  const Address token = deploy_contract(chain(), "X402TestFeeToken");
  const Address& owner = chain().owner_key().address();
  owner_call(chain(), token,
             abi::encode_call("initialize", {abi::Value::string(chain().info().asset_name),
                                             abi::Value::string(chain().info().asset_version),
                                             abi::Value::address(owner)}));
  const auto buyer = PrivateKey::generate();
  owner_call(
      chain(), token,
      abi::encode_call("mint", {abi::Value::address(buyer.address()), abi::Value::uint256(U256(1'000'000))}));

  ConfigSpec spec;
  spec.ledger = sqlite("ledger-fee-token.sqlite");
  spec.key_files = {chain().key_path(chain().info().facilitator_key_files[0])};
  spec.extra_allowed_assets = {token.checksummed()};
  auto facilitator = start_with_config("facilitator-fee-token", spec);

  const U256 value(10'000);
  const U256 fee(100);  // 1 %
  Deal deal = make_deal(chain(), buyer, value);
  deal.requirements.asset = token.checksummed();
  deal.accepted.asset = deal.requirements.asset;
  deal.signing.asset = token;
  const std::string network = chain().network();

  const HttpAnswer verified = facilitator->post("/verify", deal.v2_body());
  ASSERT_EQ(verified.status, 200u) << verified.body;
  EXPECT_EQ(bool_at(verified.json, "isValid"), std::optional<bool>(true)) << verified.body;

  const U256 payee_before = balance_of(chain(), token, chain().payee());
  const U256 owner_before = balance_of(chain(), token, owner);
  const HttpAnswer settled = facilitator->post("/settle", deal.v2_body());
  ASSERT_EQ(settled.status, 200u) << settled.body;
  EXPECT_EQ(bool_at(settled.json, "success"), std::optional<bool>(false)) << settled.body;
  EXPECT_EQ(str_at(settled.json, "errorReason"), reason::invalid_exact_evm_transfer_event_mismatch)
      << settled.body;
  EXPECT_EQ(str_at(settled.json, "payer"), buyer.address().checksummed()) << settled.body;
  EXPECT_EQ(str_at(settled.json, "network"), network) << settled.body;
  const std::string tx = str_at(settled.json, "transaction");
  ASSERT_EQ(tx.size(), 66u) << settled.body;

  // On chain: mined successfully, the payee got value - fee, and no Transfer of `value` exists.
  const auto receipt = receipt_of(chain(), tx);
  ASSERT_TRUE(receipt.has_value()) << "no receipt for " << tx;
  EXPECT_TRUE(receipt->status);
  EXPECT_EQ(transfer_logs(*receipt, token, buyer.address(), chain().payee(), value), 0u);
  EXPECT_EQ(transfer_logs(*receipt, token, buyer.address(), chain().payee(), value - fee), 1u);
  EXPECT_EQ(balance_of(chain(), token, chain().payee()), payee_before + value - fee);
  EXPECT_EQ(balance_of(chain(), token, owner), owner_before + fee);

  const auto record = ledger_record(spec.ledger, deal.ledger_key(network));
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->state, store::SettlementState::failed);
  EXPECT_EQ(record->error_reason,
            std::optional<std::string>(reason::invalid_exact_evm_transfer_event_mismatch));
  EXPECT_EQ(record->tx_hash, std::optional<std::string>(tx));

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
  EXPECT_EQ(balance_of(chain(), token, chain().payee()), payee_before + value - fee);
  EXPECT_EQ(ledger_record(spec.ledger, deal.ledger_key(network))->state, store::SettlementState::failed);
}

}  // namespace
}  // namespace x402::test::fac
