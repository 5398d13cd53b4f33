// POST /settle of our facilitator on a real anvil devnet: tokens move (balances read over RPC),
// the answer carries the transaction hash of a successful receipt with the Transfer log, v1 works,
// concurrent settles of one payload make one transfer, and a confirmed settlement survives a
// restart (answered from the ledger, no new transaction).
#include <latch>
#include <mutex>
#include <set>

#include "facilitator/facilitator_harness.hpp"

namespace x402::test::fac {
namespace {

class Settle : public ChainSuite {
 public:
  static void TearDownTestSuite() {
    facilitator_.reset();
    ChainSuite::TearDownTestSuite();
  }

 protected:
  // Signs with facilitator key 0 only; the restart test's processes use key 1, so their nonce
  // counters never compete with this long-lived process.
  static FacilitatorProcess& facilitator() {
    if (!facilitator_) {
      ConfigSpec spec;
      spec.ledger = ledger();
      spec.key_files = {chain().key_path(chain().info().facilitator_key_files[0])};
      facilitator_ = start_with_config("facilitator-settle", spec);
    }
    return *facilitator_;
  }
  static std::string ledger() { return sqlite("ledger-settle.sqlite"); }

  // A successful settle answer for `deal`; returns the transaction hash.
  static std::string expect_success(const HttpAnswer& answer, const Deal& deal, const std::string& network) {
    EXPECT_EQ(answer.status, 200u) << answer.body;
    EXPECT_EQ(bool_at(answer.json, "success"), std::optional<bool>(true)) << answer.body;
    EXPECT_EQ(str_at(answer.json, "payer"), deal.signing.authorization.from.checksummed()) << answer.body;
    EXPECT_EQ(str_at(answer.json, "network"), network) << answer.body;
    auto decoded = decode_json<SettleResponse>(answer.body);
    EXPECT_TRUE(decoded) << answer.body;
    const std::string tx = str_at(answer.json, "transaction");
    EXPECT_EQ(tx.size(), 66u) << answer.body;
    return tx;
  }

  // The receipt of `tx` succeeded and holds exactly one Transfer(from, payee, value) of the token.
  static void expect_transfer_receipt(const std::string& tx, const Deal& deal) {
    auto receipt = receipt_of(chain(), tx);
    ASSERT_TRUE(receipt.has_value()) << "no receipt for " << tx;
    EXPECT_TRUE(receipt->status);
    EXPECT_EQ(receipt->to, std::optional<Address>(chain().asset()));
    EXPECT_EQ(transfer_logs(*receipt, chain().asset(), deal.signing.authorization.from, chain().payee(),
                            deal.signing.authorization.value),
              1u);
    bool from_our_signer = false;
    for (const auto& key : chain().facilitator_keys())
      from_our_signer = from_our_signer || receipt->from == key.address();
    EXPECT_TRUE(from_our_signer) << "sent by " << receipt->from.checksummed();
  }

  static inline std::unique_ptr<FacilitatorProcess> facilitator_;
};

TEST_F(Settle, V2SettleMovesTheTokensAndReturnsTheTransaction) {
  const auto buyer = funded_buyer(U256(100'000));
  const Deal deal = make_deal(chain(), buyer, U256(12'345));
  const U256 payee_before = chain().token_balance(chain().payee());
  const auto nonces_before = signer_nonces(chain());

  const auto answer = facilitator().post("/settle", deal.v2_body());
  const std::string tx = expect_success(answer, deal, chain().network());
  expect_transfer_receipt(tx, deal);
  EXPECT_EQ(chain().token_balance(buyer.address()), U256(100'000 - 12'345));
  EXPECT_EQ(chain().token_balance(chain().payee()), payee_before + 12'345);
  EXPECT_EQ(signer_nonces(chain()), nonces_before + 1);
  EXPECT_EQ(str_at(answer.json, "errorReason"), "<absent>") << answer.body;

  const auto record = ledger_record(ledger(), deal.ledger_key(chain().network()));
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->state, store::SettlementState::confirmed);
  EXPECT_EQ(record->tx_hash, std::optional<std::string>(tx));
}

TEST_F(Settle, OneSettlementIsOneBroadcastAndItsReceiptComesFromTheWatcher) {
  // Counted by the facilitator's own /metrics: a settlement broadcasts its transaction exactly
  // once (no rebroadcast on the normal path) and finds its receipt in a few batched look-ups.
  // The second payment (same asset and overload) needs no eth_estimateGas: the learnt gas limit
  // is proven by the one simulation (eth_call) instead.
  const std::string network = chain().network();
  const auto rpc_delta = [&](const std::string& before, const std::string& after, const std::string& method) {
    return rpc_calls(after, network, method) - rpc_calls(before, network, method);
  };
  const auto sent_total = [&](const std::string& text) {
    return metric(text, "x402_transactions_sent_total{network=\"" + network + "\"}");
  };
  const U256 payee_before = chain().token_balance(chain().payee());
  const auto nonces_before = signer_nonces(chain());

  const std::string m0 = facilitator().get("/metrics").body;
  const Deal first = make_deal(chain(), funded_buyer(U256(10'000)), U256(1'234));
  const std::string first_tx = expect_success(facilitator().post("/settle", first.v2_body()), first, network);
  expect_transfer_receipt(first_tx, first);
  const std::string m1 = facilitator().get("/metrics").body;
  EXPECT_EQ(rpc_delta(m0, m1, "eth_sendRawTransaction"), 1) << m1;
  EXPECT_EQ(sent_total(m1) - sent_total(m0), 1) << m1;
  EXPECT_GE(rpc_delta(m0, m1, "eth_getTransactionReceipt"), 1) << m1;
  EXPECT_LE(rpc_delta(m0, m1, "eth_getTransactionReceipt"), 4) << m1;
  EXPECT_LE(rpc_delta(m0, m1, "eth_estimateGas") + rpc_delta(m0, m1, "eth_call"), 2) << m1;

  const Deal second = make_deal(chain(), funded_buyer(U256(10'000)), U256(4'321));
  const std::string second_tx =
      expect_success(facilitator().post("/settle", second.v2_body()), second, network);
  expect_transfer_receipt(second_tx, second);
  const std::string m2 = facilitator().get("/metrics").body;
  EXPECT_EQ(rpc_delta(m1, m2, "eth_sendRawTransaction"), 1) << m2;
  EXPECT_EQ(rpc_delta(m1, m2, "eth_estimateGas"), 0) << m2;
  EXPECT_EQ(rpc_delta(m1, m2, "eth_call"), 1) << m2;
  EXPECT_EQ(rpc_delta(m1, m2, "eth_getCode"), 1) << m2;  // a new payer; the asset's code is cached
  EXPECT_LE(rpc_delta(m1, m2, "eth_getTransactionReceipt"), 4) << m2;

  // Settling the second one again (a payer now known to have no code) is answered from the
  // ledger: no chain call at all.
  EXPECT_EQ(expect_success(facilitator().post("/settle", second.v2_body()), second, network), second_tx);
  const std::string m3 = facilitator().get("/metrics").body;
  EXPECT_EQ(metric(m3, "x402_rpc_round_trips_total{network=\"" + network + "\"}"),
            metric(m2, "x402_rpc_round_trips_total{network=\"" + network + "\"}"))
      << m3;

  EXPECT_EQ(chain().token_balance(chain().payee()), payee_before + 1'234 + 4'321);
  EXPECT_EQ(signer_nonces(chain()), nonces_before + 2);
}

TEST_F(Settle, V1SettleMovesTheTokens) {
  const auto buyer = funded_buyer(U256(100'000));
  const Deal deal = make_deal(chain(), buyer, U256(777));
  const U256 payee_before = chain().token_balance(chain().payee());

  const auto answer = facilitator().post("/settle", deal.v1_body());
  const std::string tx = expect_success(answer, deal, kV1Network);
  expect_transfer_receipt(tx, deal);
  EXPECT_EQ(chain().token_balance(buyer.address()), U256(100'000 - 777));
  EXPECT_EQ(chain().token_balance(chain().payee()), payee_before + 777);
  // The ledger keys payments by CAIP-2 network whatever version carried them.
  const auto record = ledger_record(ledger(), deal.ledger_key(chain().network()));
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->state, store::SettlementState::confirmed);
}

TEST_F(Settle, RepeatedSettleIsAnsweredFromTheLedgerInEitherVersion) {
  const auto buyer = funded_buyer(U256(100'000));
  const Deal deal = make_deal(chain(), buyer, U256(500));
  const std::string tx =
      expect_success(facilitator().post("/settle", deal.v2_body()), deal, chain().network());
  const U256 payee_after = chain().token_balance(chain().payee());
  const auto nonces_after = signer_nonces(chain());
  // The same authorization again (v2, then the same one in a v1 envelope): same hash, no transfer.
  EXPECT_EQ(expect_success(facilitator().post("/settle", deal.v2_body()), deal, chain().network()), tx);
  EXPECT_EQ(expect_success(facilitator().post("/settle", deal.v1_body()), deal, kV1Network), tx);
  EXPECT_EQ(chain().token_balance(chain().payee()), payee_after);
  EXPECT_EQ(signer_nonces(chain()), nonces_after);
}

TEST_F(Settle, AnotherAuthorizationWithASettledNonceIsRefused) {
  const auto buyer = funded_buyer(U256(100'000));
  const Deal deal = make_deal(chain(), buyer, U256(500));
  const std::string tx =
      expect_success(facilitator().post("/settle", deal.v2_body()), deal, chain().network());
  const U256 payee_after = chain().token_balance(chain().payee());

  Deal twin = deal;  // same payer and nonce, another amount: a different authorization
  twin.signing.authorization.value = 600;
  twin.requirements.amount = 600;
  twin.accepted.amount = 600;
  const auto answer = facilitator().post("/settle", twin.v2_body());
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(bool_at(answer.json, "success"), std::optional<bool>(false)) << answer.body;
  EXPECT_EQ(str_at(answer.json, "errorReason"), reason::invalid_exact_evm_nonce_already_used) << answer.body;
  EXPECT_EQ(chain().token_balance(chain().payee()), payee_after);
  // The settled record is untouched.
  const auto record = ledger_record(ledger(), deal.ledger_key(chain().network()));
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->state, store::SettlementState::confirmed);
  EXPECT_EQ(record->tx_hash, std::optional<std::string>(tx));
}

TEST_F(Settle, InvalidPaymentIsNotSentAndNotRecorded) {
  const auto buyer = funded_buyer(U256(100'000));
  Deal deal = make_deal(chain(), buyer, U256(500));
  deal.signer = std::make_shared<const PrivateKey>(PrivateKey::generate());
  const auto nonces_before = signer_nonces(chain());
  const auto answer = facilitator().post("/settle", deal.v2_body());
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(bool_at(answer.json, "success"), std::optional<bool>(false)) << answer.body;
  EXPECT_EQ(str_at(answer.json, "errorReason"), reason::invalid_exact_evm_signature) << answer.body;
  EXPECT_EQ(str_at(answer.json, "transaction"), "") << answer.body;
  EXPECT_EQ(str_at(answer.json, "payer"), buyer.address().checksummed()) << answer.body;
  EXPECT_EQ(signer_nonces(chain()), nonces_before);
  EXPECT_EQ(chain().token_balance(buyer.address()), U256(100'000));
  EXPECT_FALSE(ledger_record(ledger(), deal.ledger_key(chain().network())).has_value());

  // Unfunded payer: refused before broadcast as well (settle re-verifies; the gas estimate fails).
  const Deal broke = make_deal(chain(), PrivateKey::generate(), U256(500));
  const auto refused = facilitator().post("/settle", broke.v2_body());
  EXPECT_EQ(bool_at(refused.json, "success"), std::optional<bool>(false)) << refused.body;
  EXPECT_EQ(str_at(refused.json, "errorReason"), reason::invalid_exact_evm_insufficient_balance)
      << refused.body;
  EXPECT_EQ(str_at(refused.json, "transaction"), "") << refused.body;
  EXPECT_EQ(signer_nonces(chain()), nonces_before);
}

TEST_F(Settle, SmartWalletPayerSettlesThroughErc1271) {
  const auto wallet_owner = PrivateKey::generate();
  const Address wallet = deploy_smart_wallet(chain(), wallet_owner.address());
  chain().mint(wallet, U256(10'000));
  Deal deal = make_deal(chain(), wallet_owner, U256(2'000));
  deal.signing.authorization.from = wallet;
  const U256 payee_before = chain().token_balance(chain().payee());
  const std::string tx =
      expect_success(facilitator().post("/settle", deal.v2_body()), deal, chain().network());
  expect_transfer_receipt(tx, deal);
  EXPECT_EQ(chain().token_balance(wallet), U256(8'000));
  EXPECT_EQ(chain().token_balance(chain().payee()), payee_before + 2'000);
}

TEST_F(Settle, TwentyConcurrentSettlesOfOnePayloadMakeOneTransfer) {
  constexpr int kCallers = 20;
  const auto buyer = funded_buyer(U256(100'000));
  const Deal deal = make_deal(chain(), buyer, U256(3'333));
  const std::string body = deal.v2_body();
  const U256 payee_before = chain().token_balance(chain().payee());
  const auto nonces_before = signer_nonces(chain());
  const std::string url = facilitator().url();

  std::vector<HttpAnswer> answers(kCallers);
  std::vector<std::string> errors(kCallers);
  {
    // One client per caller: 20 connections, released together.
    std::latch start(kCallers);
    std::vector<std::jthread> callers;
    for (int i = 0; i < kCallers; ++i)
      callers.emplace_back([&, i] {
        try {
          http::BlockingClient client;
          auto target = http::parse_url(url + "/settle");
          start.arrive_and_wait();
          auto response = client.post_json(*target, body);
          if (!response) {
            errors[i] = response.error().describe();
            return;
          }
          answers[i].status = response->result_int();
          answers[i].body = response->body();
          boost::system::error_code ec;
          answers[i].json = json::parse(answers[i].body, ec);
        } catch (const std::exception& e) {
          errors[i] = e.what();
        }
      });
  }
  std::set<std::string> hashes;
  for (int i = 0; i < kCallers; ++i) {
    SCOPED_TRACE("caller " + std::to_string(i));
    EXPECT_EQ(errors[i], "");
    EXPECT_EQ(answers[i].status, 200u) << answers[i].body;
    EXPECT_EQ(bool_at(answers[i].json, "success"), std::optional<bool>(true)) << answers[i].body;
    hashes.insert(str_at(answers[i].json, "transaction"));
  }
  ASSERT_EQ(hashes.size(), 1u) << "different answers: " << ::testing::PrintToString(hashes)
                               << facilitator().logs();
  expect_transfer_receipt(*hashes.begin(), deal);
  EXPECT_EQ(chain().token_balance(chain().payee()), payee_before + 3'333);
  EXPECT_EQ(chain().token_balance(buyer.address()), U256(100'000 - 3'333));
  EXPECT_EQ(signer_nonces(chain()), nonces_before + 1);
  EXPECT_EQ(signer_nonces(chain(), chain::evm::BlockRef::pending()), nonces_before + 1);
}

// Runs `bodies[i]` against /settle from one thread each, all released together.
std::vector<HttpAnswer> settle_concurrently(const std::string& url, const std::vector<std::string>& bodies,
                                            std::vector<std::string>& errors) {
  std::vector<HttpAnswer> answers(bodies.size());
  errors.assign(bodies.size(), "");
  std::latch start(static_cast<std::ptrdiff_t>(bodies.size()));
  std::vector<std::jthread> callers;
  for (std::size_t i = 0; i < bodies.size(); ++i)
    callers.emplace_back([&, i] {
      try {
        http::BlockingClient client;
        auto target = http::parse_url(url + "/settle");
        start.arrive_and_wait();
        auto response = client.post_json(*target, bodies[i]);
        if (!response) {
          errors[i] = response.error().describe();
          return;
        }
        answers[i].status = response->result_int();
        answers[i].body = response->body();
        boost::system::error_code ec;
        answers[i].json = json::parse(answers[i].body, ec);
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  callers.clear();  // joins
  return answers;
}

TEST_F(Settle, TenDifferentPaymentsSettleConcurrentlyWithOneSigner) {
  // One signer key, ten transactions at once: the local nonce counter must hand out ten nonces.
  constexpr int kPayments = 10;
  std::vector<Deal> deals;
  std::vector<std::string> bodies;
  for (int i = 0; i < kPayments; ++i) {
    deals.push_back(make_deal(chain(), funded_buyer(U256(10'000)), U256(100 + i)));
    bodies.push_back(i % 2 == 0 ? deals.back().v2_body() : deals.back().v1_body());
  }
  const U256 payee_before = chain().token_balance(chain().payee());
  const auto nonces_before = signer_nonces(chain());
  std::vector<std::string> errors;
  const auto answers = settle_concurrently(facilitator().url(), bodies, errors);
  std::set<std::string> hashes;
  U256 total = 0;
  for (int i = 0; i < kPayments; ++i) {
    SCOPED_TRACE("payment " + std::to_string(i));
    EXPECT_EQ(errors[i], "");
    EXPECT_EQ(bool_at(answers[i].json, "success"), std::optional<bool>(true)) << answers[i].body;
    const std::string tx = str_at(answers[i].json, "transaction");
    hashes.insert(tx);
    expect_transfer_receipt(tx, deals[i]);
    EXPECT_EQ(chain().token_balance(deals[i].signing.authorization.from), U256(10'000 - (100 + i)));
    total += 100 + i;
  }
  EXPECT_EQ(hashes.size(), static_cast<std::size_t>(kPayments)) << facilitator().logs();
  EXPECT_EQ(chain().token_balance(chain().payee()), payee_before + total);
  EXPECT_EQ(signer_nonces(chain()), nonces_before + kPayments);
}

TEST_F(Settle, ConflictingAuthorizationsForOneNonceSettleAtMostOnce) {
  // Two different authorizations (500 and 600) with one nonce, each sent ten times at once: one
  // of them is settled, every caller of the other is told the nonce is used.
  const auto buyer = funded_buyer(U256(100'000));
  const Deal first = make_deal(chain(), buyer, U256(500));
  Deal second = first;
  second.signing.authorization.value = 600;
  second.requirements.amount = 600;
  second.accepted.amount = 600;
  std::vector<std::string> bodies;
  for (int i = 0; i < 20; ++i) bodies.push_back(i % 2 == 0 ? first.v2_body() : second.v2_body());
  const U256 payee_before = chain().token_balance(chain().payee());
  const auto nonces_before = signer_nonces(chain());
  std::vector<std::string> errors;
  const auto answers = settle_concurrently(facilitator().url(), bodies, errors);

  std::set<std::string> winning_hashes;
  std::set<int> winners;  // 0: first, 1: second
  for (std::size_t i = 0; i < answers.size(); ++i) {
    SCOPED_TRACE("caller " + std::to_string(i));
    EXPECT_EQ(errors[i], "");
    ASSERT_EQ(answers[i].status, 200u) << answers[i].body;
    if (bool_at(answers[i].json, "success") == std::optional<bool>(true)) {
      winners.insert(static_cast<int>(i % 2));
      winning_hashes.insert(str_at(answers[i].json, "transaction"));
    } else {
      EXPECT_EQ(str_at(answers[i].json, "errorReason"), reason::invalid_exact_evm_nonce_already_used)
          << answers[i].body;
    }
  }
  ASSERT_EQ(winners.size(), 1u) << "both authorizations were reported settled" << facilitator().logs();
  ASSERT_EQ(winning_hashes.size(), 1u);
  const Deal& winner = *winners.begin() == 0 ? first : second;
  expect_transfer_receipt(*winning_hashes.begin(), winner);
  EXPECT_EQ(chain().token_balance(chain().payee()), payee_before + winner.signing.authorization.value);
  EXPECT_EQ(signer_nonces(chain()), nonces_before + 1);
}

TEST_F(Settle, SignerWithoutGasMoneyFailsCleanlyAndARetrySucceeds) {
  // A facilitator whose only signer holds no ETH: the node refuses the transaction, the payment
  // stays unsettled (ledger: failed, authorization unused); once the signer is funded, settling
  // the same payload again re-claims the record and succeeds.
  const auto signer = PrivateKey::generate();
  const auto key_file = chain().dir() / "keys" / "broke-signer.key";
  ASSERT_TRUE(write_key_file(key_file.string(), signer));
  ConfigSpec spec;
  spec.ledger = sqlite("ledger-broke.sqlite");
  spec.key_files = {key_file};
  auto broke = start_with_config("facilitator-broke", spec);

  const auto buyer = funded_buyer(U256(100'000));
  const Deal deal = make_deal(chain(), buyer, U256(900));
  const U256 payee_before = chain().token_balance(chain().payee());
  const auto refused = broke->post("/settle", deal.v2_body());
  ASSERT_EQ(refused.status, 200u) << refused.body;
  EXPECT_EQ(bool_at(refused.json, "success"), std::optional<bool>(false)) << refused.body;
  EXPECT_EQ(str_at(refused.json, "errorReason"), reason::invalid_exact_evm_transaction_failed)
      << refused.body;
  EXPECT_EQ(str_at(refused.json, "transaction"), "") << refused.body;
  EXPECT_EQ(chain().token_balance(chain().payee()), payee_before);
  auto record = ledger_record(spec.ledger, deal.ledger_key(chain().network()));
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->state, store::SettlementState::failed);

  auto funded = chain().rpc().run(
      [&](RpcClient& rpc) { return rpc.anvil_set_balance(signer.address(), U256("1000000000000000000")); });
  ASSERT_TRUE(funded);
  const auto retried = broke->post("/settle", deal.v2_body());
  const std::string tx = expect_success(retried, deal, chain().network());
  auto receipt = receipt_of(chain(), tx);
  ASSERT_TRUE(receipt.has_value());
  EXPECT_TRUE(receipt->status);
  EXPECT_EQ(receipt->from, signer.address());
  EXPECT_EQ(chain().token_balance(chain().payee()), payee_before + 900);
  record = ledger_record(spec.ledger, deal.ledger_key(chain().network()));
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->state, store::SettlementState::confirmed);
  EXPECT_EQ(record->attempt, 2u);
  EXPECT_EQ(record->tx_hash, std::optional<std::string>(tx));
}

TEST_F(Settle, ConfirmedSettlementSurvivesARestart) {
  const auto buyer = funded_buyer(U256(100'000));
  const Deal deal = make_deal(chain(), buyer, U256(4'000));
  const std::string restart_ledger = sqlite("ledger-restart.sqlite");
  ConfigSpec spec;
  spec.ledger = restart_ledger;
  spec.key_files = {chain().key_path(chain().info().facilitator_key_files[1])};

  std::string tx;
  {
    auto first = start_with_config("facilitator-restart-1", spec);
    tx = expect_success(first->post("/settle", deal.v2_body()), deal, chain().network());
    EXPECT_EQ(first->terminate(), 0) << "SIGTERM should stop it cleanly" << first->logs();
  }
  expect_transfer_receipt(tx, deal);
  const U256 payee_after = chain().token_balance(chain().payee());
  const auto nonces_after = signer_nonces(chain());

  auto second = start_with_config("facilitator-restart-2", spec);
  const auto record = ledger_record(restart_ledger, deal.ledger_key(chain().network()));
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->state, store::SettlementState::confirmed);
  EXPECT_EQ(record->tx_hash, std::optional<std::string>(tx));
  // Replayed from the ledger: same hash, no new transaction, no second transfer.
  EXPECT_EQ(expect_success(second->post("/settle", deal.v2_body()), deal, chain().network()), tx);
  EXPECT_EQ(chain().token_balance(chain().payee()), payee_after);
  EXPECT_EQ(chain().token_balance(buyer.address()), U256(100'000 - 4'000));
  EXPECT_EQ(signer_nonces(chain()), nonces_after);
  // Verify now reports the nonce as used (the chain agrees with the ledger).
  const auto verify = second->post("/verify", deal.v2_body());
  EXPECT_EQ(str_at(verify.json, "invalidReason"), reason::invalid_exact_evm_nonce_already_used)
      << verify.body;
}

}  // namespace
}  // namespace x402::test::fac
