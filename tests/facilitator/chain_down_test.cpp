// The chain's RPC becomes unreachable: /verify and /settle answer 503 with a message (no verdict
// is invented, nothing is recorded), and a facilitator cannot start against it.
#include "facilitator/facilitator_harness.hpp"

namespace x402::test::fac {
namespace {

class ChainDown : public ChainSuite {};

TEST_F(ChainDown, UnreachableRpcIs503AndBlocksStartup) {
  ConfigSpec spec;
  spec.ledger = sqlite("ledger-down.sqlite");
  auto facilitator = start_with_config("facilitator-down", spec);
  const Deal deal = make_deal(chain(), chain().buyer_keys()[0], U256(1000));
  ASSERT_EQ(bool_at(facilitator->post("/verify", deal.v2_body()).json, "isValid"), std::optional<bool>(true));

  chain().stop();  // anvil gone
  for (const std::string path : {"/verify", "/settle"}) {
    SCOPED_TRACE(path);
    const auto answer = facilitator->post(path, deal.v2_body());
    EXPECT_EQ(answer.status, 503u) << answer.body;
    EXPECT_FALSE(str_at(answer.json, "error").empty()) << answer.body;
  }
  EXPECT_FALSE(ledger_record(spec.ledger, deal.ledger_key(chain().network())).has_value());
  EXPECT_EQ(facilitator->get("/health").status, 200u);
  EXPECT_EQ(facilitator->terminate(), 0) << facilitator->logs();

  try {
    auto late = start_with_config("facilitator-down-2", spec);
    FAIL() << "started without a chain";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("does not answer"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace x402::test::fac
