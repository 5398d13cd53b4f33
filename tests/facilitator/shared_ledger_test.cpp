// Several facilitator instances sharing one ledger (each with its own signer key, as a deployment
// would run them): concurrent settles of one payload spread over both instances make exactly one
// transfer, and every caller gets the same transaction hash. PostgreSQL (the multi-host store),
// and SQLite (several processes on one host share the file).
#include <latch>
#include <set>

#include "facilitator/facilitator_harness.hpp"
#include "support/postgres_fixture.hpp"

namespace x402::test::fac {
namespace {

class SharedLedger : public ChainSuite {
 protected:
  static void race(const std::string& ledger, const std::string& name);
};

void SharedLedger::race(const std::string& ledger, const std::string& name) {
  // The ledger spec goes into the config files (never argv: a conninfo may hold a password).
  std::vector<std::unique_ptr<FacilitatorProcess>> instances;
  for (std::size_t i = 0; i < 2; ++i) {
    ConfigSpec spec;
    spec.ledger = ledger;
    spec.key_files = {chain().key_path(chain().info().facilitator_key_files[i])};
    instances.push_back(start_with_config(name + "-" + std::to_string(i), spec));
  }

  constexpr int kCallers = 16;
  constexpr int kRounds = 3;  // several payments: several chances for the race to go wrong
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const auto buyer = funded_buyer(U256(50'000));
    const Deal deal = make_deal(chain(), buyer, U256(1'000 + round));
    const std::string body = deal.v2_body();
    const U256 payee_before = chain().token_balance(chain().payee());
    const auto nonces_before = signer_nonces(chain());

    std::vector<HttpAnswer> answers(kCallers);
    std::vector<std::string> errors(kCallers);
    {
      std::latch start(kCallers);
      std::vector<std::jthread> callers;
      for (int i = 0; i < kCallers; ++i)
        callers.emplace_back([&, i] {
          try {
            http::BlockingClient client;
            auto target = http::parse_url(instances[i % 2]->url() + "/settle");
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
      SCOPED_TRACE("caller " + std::to_string(i) + " on instance " + std::to_string(i % 2));
      EXPECT_EQ(errors[i], "");
      EXPECT_EQ(answers[i].status, 200u) << answers[i].body;
      EXPECT_EQ(bool_at(answers[i].json, "success"), std::optional<bool>(true)) << answers[i].body;
      hashes.insert(str_at(answers[i].json, "transaction"));
    }
    ASSERT_EQ(hashes.size(), 1u) << ::testing::PrintToString(hashes) << instances[0]->logs()
                                 << instances[1]->logs();
    const std::string tx = *hashes.begin();
    const auto receipt = receipt_of(chain(), tx);
    ASSERT_TRUE(receipt.has_value()) << tx;
    EXPECT_TRUE(receipt->status);
    EXPECT_EQ(transfer_logs(*receipt, chain().asset(), buyer.address(), chain().payee(), U256(1'000 + round)),
              1u);
    EXPECT_EQ(chain().token_balance(chain().payee()), payee_before + (1'000 + round));
    EXPECT_EQ(chain().token_balance(buyer.address()), U256(50'000 - (1'000 + round)));
    EXPECT_EQ(signer_nonces(chain(), chain::evm::BlockRef::pending()), nonces_before + 1);

    const auto record = ledger_record(ledger, deal.ledger_key(chain().network()));
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->state, store::SettlementState::confirmed);
    EXPECT_EQ(record->tx_hash, std::optional<std::string>(tx));
    EXPECT_EQ(record->attempt, 1u);
  }
  for (auto& instance : instances) EXPECT_EQ(instance->terminate(), 0) << instance->logs();
}

TEST_F(SharedLedger, TwoInstancesOnOnePostgresLedgerSettleOnce) {
  PostgresFixture postgres;
  race("postgres:" + postgres.conninfo(), "facilitator-pg");
}

TEST_F(SharedLedger, TwoInstancesOnOneSqliteFileSettleOnce) {
  race(sqlite("ledger-shared.sqlite"), "facilitator-sq");
}

}  // namespace
}  // namespace x402::test::fac
