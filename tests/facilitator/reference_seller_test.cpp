// Our facilitator behind the reference seller: `@x402/express` 2.27.0 (tests/interop/peers/
// seller.mjs) configured with our facilitator's URL sells GET /weather on the devnet to the
// reference client (`@x402/fetch` 2.27.0, peers/client.mjs). The client gets the resource and a
// PAYMENT-RESPONSE carrying our transaction hash; the tokens moved on chain.
#include "facilitator/facilitator_harness.hpp"

namespace x402::test::fac {
namespace {

class ReferenceSeller : public ChainSuite {};

const std::string kPeers = std::string(X402_SOURCE_DIR) + "/tests/interop/peers/";

TEST_F(ReferenceSeller, SellsToTheReferenceClientThroughOurFacilitator) {
  auto facilitator = start_with_devnet("facilitator-interop");
  Child seller({X402_NODE, kPeers + "seller.mjs", "--port", "0", "--facilitator", facilitator->url(),
                "--devnet", chain().dir().string()},
               chain().dir() / "seller");
  std::string ready;
  try {
    ready = seller.wait_for_line("Seller listening on http://", 60s);
  } catch (const std::exception& e) {
    FAIL() << e.what() << facilitator->logs();
  }
  const std::string seller_url = ready.substr(std::string_view("Seller listening on ").size());

  const Address buyer = chain().buyer_keys()[0].address();  // the client's --devnet default key
  const U256 payee_before = chain().token_balance(chain().payee());
  const U256 buyer_before = chain().token_balance(buyer);
  const auto nonces_before = signer_nonces(chain());

  const auto client = run_process({X402_NODE, kPeers + "client.mjs", "--url", seller_url + "/weather",
                                   "--devnet", chain().dir().string()},
                                  {}, 90s);
  ASSERT_FALSE(client.timed_out) << client.err;
  const std::string line = client.out.substr(0, client.out.find('\n'));
  boost::system::error_code ec;
  const json::value result = json::parse(line, ec);
  ASSERT_FALSE(ec) << client.out << client.err << seller.logs() << facilitator->logs();
  EXPECT_EQ(client.exit_code, 0) << line << seller.logs() << facilitator->logs();
  EXPECT_EQ(bool_at(result, "success"), std::optional<bool>(true)) << line;
  ASSERT_TRUE(result.as_object().contains("status") && result.at("status").is_number()) << line;
  EXPECT_EQ(result.at("status").to_number<int>(), 200) << line;
  auto body = json::parse(str_at(result, "body"), ec);
  ASSERT_FALSE(ec) << line;
  EXPECT_EQ(str_at(body, "weather"), "sunny");

  // PAYMENT-RESPONSE (as the reference client decoded it): our settlement.
  ASSERT_TRUE(result.at("paymentResponse").is_object()) << line;
  const json::value& payment = result.at("paymentResponse");
  EXPECT_EQ(bool_at(payment, "success"), std::optional<bool>(true)) << line;
  EXPECT_EQ(str_at(payment, "network"), chain().network()) << line;
  EXPECT_EQ(str_at(payment, "payer"), buyer.checksummed()) << line;
  const std::string tx = str_at(payment, "transaction");
  const auto receipt = receipt_of(chain(), tx);
  ASSERT_TRUE(receipt.has_value()) << "no receipt for " << tx;
  EXPECT_TRUE(receipt->status);
  // $0.001 of the default stablecoin (the devnet token at the Base Sepolia USDC address).
  EXPECT_EQ(transfer_logs(*receipt, chain().asset(), buyer, chain().payee(), U256(1'000)), 1u);
  bool ours = false;
  for (const auto& key : chain().facilitator_keys()) ours = ours || receipt->from == key.address();
  EXPECT_TRUE(ours) << "sent by " << receipt->from.checksummed();

  EXPECT_EQ(chain().token_balance(chain().payee()), payee_before + 1'000);
  EXPECT_EQ(chain().token_balance(buyer), buyer_before - 1'000);
  EXPECT_EQ(signer_nonces(chain()), nonces_before + 1);

  // Our ledger holds the settlement, confirmed, with the hash the seller forwarded (the nonce
  // is read from the token's AuthorizationUsed(authorizer, nonce) event).
  const Bytes32 used_topic = crypto::keccak256(std::string_view("AuthorizationUsed(address,bytes32)"));
  std::optional<Bytes32> nonce;
  for (const auto& log : receipt->logs)
    if (log.address == chain().asset() && log.topics.size() == 3 && log.topics[0] == used_topic)
      nonce = log.topics[2];
  ASSERT_TRUE(nonce.has_value());
  const auto record = ledger_record(sqlite("ledger.sqlite"),
                                    {chain().network(), chain().asset().hex(), buyer.hex(), nonce->hex()});
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->state, store::SettlementState::confirmed);
  EXPECT_EQ(record->tx_hash, std::optional<std::string>(tx));

  EXPECT_EQ(seller.terminate(), 0) << seller.logs();
  EXPECT_EQ(facilitator->terminate(), 0) << facilitator->logs();
}

}  // namespace
}  // namespace x402::test::fac
