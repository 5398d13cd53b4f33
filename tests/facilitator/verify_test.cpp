// POST /verify of our facilitator (a real `x402 facilitator` process on a real anvil devnet):
// valid v2 and v1 payloads made by our own client binary, and every reason of the reference
// 2.27.0 verify order (x402-reference §2.3) produced by a crafted payload, with the exact reason
// string and `payer`.
#include "facilitator/facilitator_harness.hpp"

namespace x402::test::fac {
namespace {

// An address with no code, allowed as an asset in this suite's configuration.
const Address kCodelessAsset = *Address::parse("0x00000000000000000000000000000000000C0DE0");
// A contract that is no EIP-3009 token (Multicall3, placed by the devnet), also allowed.
const Address kNotATokenAsset = *Address::parse("0xcA11bde05977b3631167028862bE2a173976CA11");

class Verify : public ChainSuite {
 public:
  static void TearDownTestSuite() {
    facilitator_.reset();
    ChainSuite::TearDownTestSuite();
  }

 protected:
  // Configured from TOML: the devnet token plus a codeless asset address in allowed_assets.
  static FacilitatorProcess& facilitator() {
    if (!facilitator_) {
      ConfigSpec spec;
      spec.ledger = sqlite("ledger-verify.sqlite");
      spec.extra_allowed_assets = {kCodelessAsset.checksummed(), kNotATokenAsset.checksummed()};
      facilitator_ = start_with_config("facilitator-verify", spec);
    }
    return *facilitator_;
  }

  static HttpAnswer verify(const std::string& body) { return facilitator().post("/verify", body); }

  // Asserts an `isValid:false` answer with `reason` and payer = authorization.from as sent.
  static void expect_invalid(const HttpAnswer& answer, std::string_view reason, const Address& payer) {
    ASSERT_EQ(answer.status, 200u) << answer.body;
    EXPECT_EQ(bool_at(answer.json, "isValid"), std::optional<bool>(false)) << answer.body;
    EXPECT_EQ(str_at(answer.json, "invalidReason"), reason) << answer.body;
    EXPECT_EQ(str_at(answer.json, "payer"), payer.checksummed()) << answer.body;
    // The typed decoder (the wire contract) accepts it too.
    auto decoded = decode_json<VerifyResponse>(answer.body);
    ASSERT_TRUE(decoded) << decoded.error().describe();
    EXPECT_FALSE(decoded->is_valid);
  }

  static inline std::unique_ptr<FacilitatorProcess> facilitator_;
};

// --- valid payloads -------------------------------------------------------------------------

TEST_F(Verify, ValidV2PayloadFromOurClientBinaryVerifies) {
  const auto& buyer = chain().buyer_keys()[0];
  const Deal deal = make_deal(chain(), buyer, U256(1000));
  PaymentRequired required;
  required.error = std::string(reason::payment_required);
  required.resource = ResourceInfo{"http://127.0.0.1:1/weather", "Weather", "application/json"};
  required.accepts = {deal.requirements};
  // `x402 payload` signs it as a buyer would (PAYMENT-SIGNATURE value on stdout).
  const auto signed_header = run_cli({"payload", "--required", encode_header(required), "--key-file",
                                      chain().key_path(chain().info().buyer_key_files[0]).string()});
  ASSERT_EQ(signed_header.exit_code, 0) << signed_header.err;
  auto payload = decode_header<PaymentPayload>(
      std::string_view(signed_header.out).substr(0, signed_header.out.find('\n')));
  ASSERT_TRUE(payload) << payload.error().describe() << ": " << signed_header.out;
  EXPECT_EQ(payload->accepted, deal.requirements);

  PaymentRequestV2 request{*payload, deal.requirements};
  const auto answer = verify(serialize(FacilitatorRequest(request)));
  ASSERT_EQ(answer.status, 200u) << answer.body << facilitator().logs();
  // Exactly the reference's answer (x402-reference §2.7): key order, no invalidReason.
  EXPECT_EQ(answer.body, R"({"isValid":true,"payer":")" + buyer.address().checksummed() + R"("})");
}

TEST_F(Verify, ValidV1PayloadFromOurClientBinaryVerifies) {
  const auto& buyer = chain().buyer_keys()[1];
  const Deal deal = make_deal(chain(), buyer, U256(2500));
  PaymentRequirementsResponse required;
  required.error = std::string(reason::x_payment_required);
  required.accepts = {deal.request_v1().requirements};
  // A v1 402 body (JSON) gives an X-PAYMENT value.
  const auto signed_header = run_cli({"payload", "--required", serialize(required), "--key-file",
                                      chain().key_path(chain().info().buyer_key_files[1]).string()});
  ASSERT_EQ(signed_header.exit_code, 0) << signed_header.err;
  auto payload = decode_header<PaymentPayloadV1>(
      std::string_view(signed_header.out).substr(0, signed_header.out.find('\n')));
  ASSERT_TRUE(payload) << payload.error().describe() << ": " << signed_header.out;
  EXPECT_EQ(payload->network, kV1Network);

  PaymentRequestV1 request{*payload, required.accepts[0]};
  const auto answer = verify(serialize(FacilitatorRequest(request)));
  ASSERT_EQ(answer.status, 200u) << answer.body << facilitator().logs();
  EXPECT_EQ(answer.body, R"({"isValid":true,"payer":")" + buyer.address().checksummed() + R"("})");
}

TEST_F(Verify, ValidCraftedPayloadsVerifyInBothVersions) {
  // The harness's own payloads are valid as built (so each test below changes exactly one thing).
  const auto& buyer = chain().buyer_keys()[0];
  const Deal deal = make_deal(chain(), buyer, U256(7));
  for (const auto& body : {deal.v2_body(), deal.v1_body()}) {
    const auto answer = verify(body);
    ASSERT_EQ(answer.status, 200u) << answer.body;
    EXPECT_EQ(bool_at(answer.json, "isValid"), std::optional<bool>(true))
        << answer.body << facilitator().logs();
    EXPECT_EQ(str_at(answer.json, "payer"), buyer.address().checksummed());
  }
}

// --- pure rules, in the reference order -----------------------------------------------------

TEST_F(Verify, AcceptedSchemeOtherThanExact) {
  const auto& buyer = chain().buyer_keys()[0];
  Deal deal = make_deal(chain(), buyer, U256(1000));
  deal.accepted.scheme = "upto";
  expect_invalid(verify(deal.v2_body()), reason::invalid_exact_evm_scheme, buyer.address());
}

TEST_F(Verify, MissingEip712Domain) {
  const auto& buyer = chain().buyer_keys()[0];
  Deal deal = make_deal(chain(), buyer, U256(1000));
  deal.requirements.extra = JsonObject{};  // extra: {}
  deal.accepted.extra = JsonObject{};
  expect_invalid(verify(deal.v2_body()), reason::invalid_exact_evm_missing_eip712_domain, buyer.address());

  Deal no_version = make_deal(chain(), buyer, U256(1000));
  no_version.requirements.extra = JsonObject{{"name", "USDC"}};
  expect_invalid(verify(no_version.v2_body()), reason::invalid_exact_evm_missing_eip712_domain,
                 buyer.address());

  Deal absent = make_deal(chain(), buyer, U256(1000));
  absent.requirements.extra.reset();
  expect_invalid(verify(absent.v2_body()), reason::invalid_exact_evm_missing_eip712_domain, buyer.address());
}

TEST_F(Verify, AcceptedNetworkDiffersFromRequirements) {
  const auto& buyer = chain().buyer_keys()[0];
  Deal deal = make_deal(chain(), buyer, U256(1000));
  deal.accepted.network = "eip155:8453";
  expect_invalid(verify(deal.v2_body()), reason::invalid_exact_evm_network_mismatch, buyer.address());
}

TEST_F(Verify, GarbageSignature) {
  const auto& buyer = chain().buyer_keys()[0];
  Deal deal = make_deal(chain(), buyer, U256(1000));
  deal.signature = Bytes(65, 0x11);
  expect_invalid(verify(deal.v2_body()), reason::invalid_exact_evm_signature, buyer.address());
  deal.signature = Bytes{0xde, 0xad, 0xbe, 0xef};
  expect_invalid(verify(deal.v2_body()), reason::invalid_exact_evm_signature, buyer.address());
  deal.signature = Bytes(65, 0x00);
  expect_invalid(verify(deal.v1_body()), reason::invalid_exact_evm_signature, buyer.address());
}

TEST_F(Verify, SignatureByAnotherKey) {
  const auto& buyer = chain().buyer_keys()[0];
  Deal deal = make_deal(chain(), buyer, U256(1000));
  deal.signer = std::make_shared<const PrivateKey>(chain().buyer_keys()[1]);  // from stays buyer 0
  expect_invalid(verify(deal.v2_body()), reason::invalid_exact_evm_signature, buyer.address());
  expect_invalid(verify(deal.v1_body()), reason::invalid_exact_evm_signature, buyer.address());
}

TEST_F(Verify, EditedSignedFields) {
  const auto& buyer = chain().buyer_keys()[0];
  // Each edit keeps every other rule satisfied, so only the signature can catch it.
  const std::vector<std::pair<std::string, std::function<void(Deal&)>>> edits{
      {"value",
       [](Deal& d) {
         d.edit_after_signing = [](exact_evm::Authorization& a) { a.value = 1001; };
         d.requirements.amount = 1001;
         d.accepted.amount = 1001;
       }},
      {"nonce",
       [](Deal& d) { d.edit_after_signing = [](exact_evm::Authorization& a) { a.nonce.bytes[31] ^= 1; }; }},
      {"validBefore",
       [](Deal& d) { d.edit_after_signing = [](exact_evm::Authorization& a) { a.valid_before += 1; }; }},
      {"validAfter",
       [](Deal& d) { d.edit_after_signing = [](exact_evm::Authorization& a) { a.valid_after = 1; }; }},
      {"to",
       [&](Deal& d) {
         // Signed for another recipient, then pointed at the payee.
         d.signing.authorization.to = PrivateKey::generate().address();
         d.edit_after_signing = [payee = chain().payee()](exact_evm::Authorization& a) { a.to = payee; };
       }},
      {"domain", [](Deal& d) { d.signing.chain_id = 1; }},
  };
  for (const auto& [field, edit] : edits) {
    SCOPED_TRACE(field);
    Deal deal = make_deal(chain(), buyer, U256(1000));
    edit(deal);
    expect_invalid(verify(deal.v2_body()), reason::invalid_exact_evm_signature, buyer.address());
  }
}

TEST_F(Verify, RecipientMismatch) {
  const auto& buyer = chain().buyer_keys()[0];
  Deal deal = make_deal(chain(), buyer, U256(1000));
  deal.signing.authorization.to = PrivateKey::generate().address();  // validly signed, wrong payee
  expect_invalid(verify(deal.v2_body()), reason::invalid_exact_evm_recipient_mismatch, buyer.address());
}

TEST_F(Verify, ValidBeforeTooSoon) {
  const auto& buyer = chain().buyer_keys()[0];
  Deal deal = make_deal(chain(), buyer, U256(1000));
  deal.signing.authorization.valid_before = U256(unix_now() + 3);  // < now + 6
  expect_invalid(verify(deal.v2_body()), reason::invalid_exact_evm_payload_authorization_valid_before,
                 buyer.address());
  deal.signing.authorization.valid_before = U256(unix_now() - 60);  // expired
  expect_invalid(verify(deal.v1_body()), reason::invalid_exact_evm_payload_authorization_valid_before,
                 buyer.address());
}

TEST_F(Verify, ValidAfterInTheFuture) {
  const auto& buyer = chain().buyer_keys()[0];
  Deal deal = make_deal(chain(), buyer, U256(1000));
  deal.signing.authorization.valid_after = U256(unix_now() + 600);
  expect_invalid(verify(deal.v2_body()), reason::invalid_exact_evm_payload_authorization_valid_after,
                 buyer.address());
}

TEST_F(Verify, ValueMismatchV2) {
  const auto& buyer = chain().buyer_keys()[0];
  Deal deal = make_deal(chain(), buyer, U256(1000));
  deal.signing.authorization.value = 999;  // signed 999, 1000 required
  expect_invalid(verify(deal.v2_body()), reason::invalid_exact_evm_payload_authorization_value_mismatch,
                 buyer.address());
  deal.signing.authorization.value = 1001;  // over-payment is a mismatch too (exact equality)
  expect_invalid(verify(deal.v2_body()), reason::invalid_exact_evm_payload_authorization_value_mismatch,
                 buyer.address());
}

TEST_F(Verify, ValueMismatchV1UsesTheV1Reason) {
  const auto& buyer = chain().buyer_keys()[0];
  Deal deal = make_deal(chain(), buyer, U256(1000));
  deal.signing.authorization.value = 999;
  expect_invalid(verify(deal.v1_body()), reason::invalid_exact_evm_authorization_value, buyer.address());
}

TEST_F(Verify, OrderSignatureBeforeRecipientBeforeTimeBeforeValue) {
  // Several rules broken at once: the reference order decides which one is reported.
  const auto& buyer = chain().buyer_keys()[0];
  Deal deal = make_deal(chain(), buyer, U256(1000));
  deal.signing.authorization.to = PrivateKey::generate().address();
  deal.signing.authorization.valid_before = U256(unix_now() + 2);
  deal.signing.authorization.value = 5;
  expect_invalid(verify(deal.v2_body()), reason::invalid_exact_evm_recipient_mismatch, buyer.address());
  deal.signing.authorization.to = chain().payee();
  expect_invalid(verify(deal.v2_body()), reason::invalid_exact_evm_payload_authorization_valid_before,
                 buyer.address());
  deal.signer = std::make_shared<const PrivateKey>(chain().buyer_keys()[1]);
  expect_invalid(verify(deal.v2_body()), reason::invalid_exact_evm_signature, buyer.address());
}

// --- chain checks -----------------------------------------------------------------------------

TEST_F(Verify, AssetWithoutCode) {
  const auto& buyer = chain().buyer_keys()[0];
  Deal deal = make_deal(chain(), buyer, U256(1000));
  deal.requirements.asset = kCodelessAsset.checksummed();
  deal.accepted.asset = deal.requirements.asset;
  deal.signing.asset = kCodelessAsset;  // a valid signature for that (codeless) verifyingContract
  expect_invalid(verify(deal.v2_body()), reason::asset_not_deployed_contract, buyer.address());
}

TEST_F(Verify, AssetWithCodeButNoEip3009) {
  // Multicall3 has code, so the simulation runs, reverts, and the diagnosis finds that
  // authorizationState itself reverts.
  const auto& buyer = chain().buyer_keys()[0];
  Deal deal = make_deal(chain(), buyer, U256(1000));
  deal.requirements.asset = kNotATokenAsset.checksummed();
  deal.accepted.asset = deal.requirements.asset;
  deal.signing.asset = kNotATokenAsset;
  expect_invalid(verify(deal.v2_body()), reason::invalid_exact_evm_eip3009_not_supported, buyer.address());
}

TEST_F(Verify, AssetNotAllowedIsRefusedBeforeAnyChainCheck) {
  const auto& buyer = chain().buyer_keys()[0];
  Deal deal = make_deal(chain(), buyer, U256(1000));
  const Address other = PrivateKey::generate().address();
  deal.requirements.asset = other.checksummed();
  deal.accepted.asset = deal.requirements.asset;
  deal.signing.asset = other;
  expect_invalid(verify(deal.v2_body()), reason::invalid_payment_requirements, buyer.address());
}

TEST_F(Verify, SettledNonceIsAlreadyUsed) {
  const auto buyer = funded_buyer(U256(10'000));
  const Deal deal = make_deal(chain(), buyer, U256(1000));
  const auto settled = facilitator().post("/settle", deal.v2_body());
  ASSERT_EQ(bool_at(settled.json, "success"), std::optional<bool>(true))
      << settled.body << facilitator().logs();
  const auto answer = verify(deal.v2_body());
  expect_invalid(answer, reason::invalid_exact_evm_nonce_already_used, buyer.address());
  EXPECT_NE(str_at(answer.json, "invalidMessage").find("authorization is used"), std::string::npos)
      << answer.body;
}

TEST_F(Verify, UnfundedPayerHasInsufficientBalance) {
  const auto buyer = PrivateKey::generate();
  const Deal deal = make_deal(chain(), buyer, U256(1000));
  const auto answer = verify(deal.v2_body());
  expect_invalid(answer, reason::invalid_exact_evm_insufficient_balance, buyer.address());
  EXPECT_NE(str_at(answer.json, "invalidMessage").find("exceeds balance"), std::string::npos) << answer.body;
}

TEST_F(Verify, WrongDomainNameClaimedByRequirements) {
  const auto& buyer = chain().buyer_keys()[0];
  Deal deal = make_deal(chain(), buyer, U256(1000));
  claim_domain(deal, "USD Coin", chain().info().asset_version);  // the token is "USDC"
  expect_invalid(verify(deal.v2_body()), reason::invalid_exact_evm_token_name_mismatch, buyer.address());
}

TEST_F(Verify, WrongDomainVersionClaimedByRequirements) {
  const auto& buyer = chain().buyer_keys()[0];
  Deal deal = make_deal(chain(), buyer, U256(1000));
  claim_domain(deal, chain().info().asset_name, "1");  // the token is version "2"
  expect_invalid(verify(deal.v2_body()), reason::invalid_exact_evm_token_version_mismatch, buyer.address());
}

TEST_F(Verify, SimulationFailureNoDiagnosisExplains) {
  // Paying the zero address: every rule and every diagnosis passes, the token still reverts.
  const auto& buyer = chain().buyer_keys()[0];
  Deal deal = make_deal(chain(), buyer, U256(1000));
  deal.requirements.pay_to = Address{}.checksummed();
  deal.accepted.pay_to = deal.requirements.pay_to;
  deal.signing.authorization.to = Address{};
  const auto answer = verify(deal.v2_body());
  expect_invalid(answer, reason::invalid_exact_evm_transaction_simulation_failed, buyer.address());
  EXPECT_NE(str_at(answer.json, "invalidMessage").find("transfer to the zero address"), std::string::npos)
      << answer.body;
}

TEST_F(Verify, Erc6492SignatureFromAnAddressWithoutCode) {
  const auto buyer = PrivateKey::generate();  // a counterfactual wallet: no code at `from`
  Deal deal = make_deal(chain(), buyer, U256(1000));
  const auto inner = exact_evm::sign_authorization(buyer, deal.signing).signature;
  deal.signature = erc6492_wrap(PrivateKey::generate().address(), Bytes{0x12, 0x34, 0x56, 0x78}, inner);
  expect_invalid(verify(deal.v2_body()), reason::eip6492_factory_not_allowed, buyer.address());
}

TEST_F(Verify, Erc1271SmartWalletPayer) {
  const auto wallet_owner = PrivateKey::generate();
  const Address wallet = deploy_smart_wallet(chain(), wallet_owner.address());
  chain().mint(wallet, U256(50'000));

  // Signed by the wallet's owner: the facilitator asks the wallet (isValidSignature) and the
  // simulation goes through the token's ERC-1271 path.
  Deal deal = make_deal(chain(), wallet_owner, U256(1000));
  deal.signing.authorization.from = wallet;
  const auto valid = verify(deal.v2_body());
  ASSERT_EQ(valid.status, 200u) << valid.body;
  EXPECT_EQ(valid.body, R"({"isValid":true,"payer":")" + wallet.checksummed() + R"("})")
      << facilitator().logs();

  // Another key: the wallet says no.
  Deal stranger = make_deal(chain(), wallet_owner, U256(1000));
  stranger.signing.authorization.from = wallet;
  stranger.signer = std::make_shared<const PrivateKey>(PrivateKey::generate());
  expect_invalid(verify(stranger.v2_body()), reason::invalid_exact_evm_signature, wallet);
  // Not 65 bytes: the wallet refuses it as well.
  stranger.signature = Bytes(64, 0x01);
  expect_invalid(verify(stranger.v2_body()), reason::invalid_exact_evm_signature, wallet);
}

// --- what this facilitator does not serve ------------------------------------------------------

TEST_F(Verify, UnsupportedNetworkAndScheme) {
  const auto& buyer = chain().buyer_keys()[0];
  Deal other_network = make_deal(chain(), buyer, U256(1000));
  other_network.requirements.network = "eip155:1";
  other_network.accepted.network = "eip155:1";
  auto answer = verify(other_network.v2_body());
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(bool_at(answer.json, "isValid"), std::optional<bool>(false));
  EXPECT_EQ(str_at(answer.json, "invalidReason"), reason::invalid_network) << answer.body;
  EXPECT_NE(str_at(answer.json, "invalidMessage").find("eip155:1"), std::string::npos) << answer.body;

  auto settle = facilitator().post("/settle", other_network.v2_body());
  ASSERT_EQ(settle.status, 200u) << settle.body;
  EXPECT_EQ(bool_at(settle.json, "success"), std::optional<bool>(false));
  EXPECT_EQ(str_at(settle.json, "errorReason"), reason::invalid_network);
  EXPECT_EQ(str_at(settle.json, "transaction"), "");
  EXPECT_EQ(str_at(settle.json, "network"), "eip155:1");

  Deal other_scheme = make_deal(chain(), buyer, U256(1000));
  other_scheme.requirements.scheme = "upto";
  other_scheme.accepted.scheme = "upto";
  answer = verify(other_scheme.v2_body());
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(str_at(answer.json, "invalidReason"), reason::unsupported_scheme) << answer.body;

  // v1 with a name this facilitator does not serve.
  Deal v1 = make_deal(chain(), buyer, U256(1000));
  auto request = v1.request_v1();
  request.payload.network = "base";
  request.requirements.network = "base";
  answer = verify(serialize(FacilitatorRequest(request)));
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(str_at(answer.json, "invalidReason"), reason::invalid_network) << answer.body;
}

TEST_F(Verify, MalformedPayloadObjectIsInvalidPayload) {
  const auto& buyer = chain().buyer_keys()[0];
  Deal deal = make_deal(chain(), buyer, U256(1000));
  auto request = deal.request_v2();
  request.payload.payload.erase("authorization");
  auto answer = verify(serialize(FacilitatorRequest(request)));
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(str_at(answer.json, "invalidReason"), reason::invalid_payload) << answer.body;
  EXPECT_NE(str_at(answer.json, "invalidMessage").find("authorization"), std::string::npos) << answer.body;

  request = deal.request_v2();
  request.payload.payload["authorization"].as_object()["value"] = 1000;  // a number, not a string
  answer = verify(serialize(FacilitatorRequest(request)));
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(str_at(answer.json, "invalidReason"), reason::invalid_payload) << answer.body;
  EXPECT_NE(str_at(answer.json, "invalidMessage").find("value"), std::string::npos) << answer.body;
}

}  // namespace
}  // namespace x402::test::fac
