// The facilitator's HTTP surface (x402-reference §5): GET /supported, malformed bodies (400 with a
// message that names the problem), the bearer token (401), methods and paths.
#include "facilitator/facilitator_harness.hpp"

namespace x402::test::fac {
namespace {

class Api : public ChainSuite {
 public:
  static void TearDownTestSuite() {
    facilitator_.reset();
    ChainSuite::TearDownTestSuite();
  }

 protected:
  static FacilitatorProcess& facilitator() {
    if (!facilitator_) facilitator_ = start_with_devnet("facilitator-api");
    return *facilitator_;
  }

  // 400 {"error": "..."} whose message contains `mentions`.
  static void expect_bad_request(const std::string& path, const std::string& body,
                                 std::string_view mentions) {
    SCOPED_TRACE(path + " " + body.substr(0, 120));
    const auto answer = facilitator().post(path, body);
    EXPECT_EQ(answer.status, 400u) << answer.body;
    ASSERT_TRUE(answer.json.is_object()) << answer.body;
    const std::string error = str_at(answer.json, "error");
    EXPECT_FALSE(error.empty()) << answer.body;
    EXPECT_NE(error.find(mentions), std::string::npos)
        << "error \"" << error << "\" should mention " << mentions;
  }

  static inline std::unique_ptr<FacilitatorProcess> facilitator_;
};

TEST_F(Api, SupportedListsV2AndV1KindsAndTheSigners) {
  const auto answer = facilitator().get("/supported");
  ASSERT_EQ(answer.status, 200u) << answer.body;
  auto supported = decode_json<SupportedResponse>(answer.body);
  ASSERT_TRUE(supported) << supported.error().describe() << ": " << answer.body;
  const std::vector<SupportedKind> expected{{2, "exact", chain().network(), std::nullopt},
                                            {1, "exact", kV1Network, std::nullopt}};
  EXPECT_EQ(supported->kinds, expected) << answer.body;
  EXPECT_TRUE(supported->extensions.empty());
  ASSERT_EQ(supported->signers.size(), 1u) << answer.body;
  EXPECT_EQ(supported->signers[0].first, "eip155:*");
  std::vector<std::string> keys;
  for (const auto& key : chain().facilitator_keys()) keys.push_back(key.address().checksummed());
  EXPECT_EQ(supported->signers[0].second, keys);
}

TEST_F(Api, HealthAnswers) {
  const auto answer = facilitator().get("/health");
  EXPECT_EQ(answer.status, 200u);
  EXPECT_EQ(str_at(answer.json, "status"), "ok") << answer.body;
}

TEST_F(Api, MalformedBodiesAre400WithAClearMessage) {
  const Deal deal = make_deal(chain(), chain().buyer_keys()[0], U256(1000));
  const json::object good = json::parse(deal.v2_body()).as_object();
  const auto without = [&](std::string_view key) {
    json::object copy = good;
    copy.erase(key);
    return json::serialize(copy);
  };
  const auto with = [&](std::string_view key, json::value value) {
    json::object copy = good;
    copy[key] = std::move(value);
    return json::serialize(copy);
  };
  const auto with_requirement = [&](std::string_view key, json::value value) {
    json::object copy = good;
    copy["paymentRequirements"].as_object()[key] = std::move(value);
    return json::serialize(copy);
  };
  for (const std::string path : {"/verify", "/settle"}) {
    expect_bad_request(path, "this is not json", "");
    expect_bad_request(path, "", "");
    expect_bad_request(path, "{\"x402Version\":2,", "");
    expect_bad_request(path, "[]", "");
    expect_bad_request(path, without("paymentPayload"), "paymentPayload");
    expect_bad_request(path, without("paymentRequirements"), "paymentRequirements");
    expect_bad_request(path, with("paymentPayload", "a string"), "paymentPayload");
    expect_bad_request(path, with("paymentRequirements", json::array{}), "paymentRequirements");
    expect_bad_request(path, with("x402Version", "2"), "x402Version");
    expect_bad_request(path, with_requirement("amount", 1000), "amount");
    expect_bad_request(path, with_requirement("amount", "-1"), "amount");
    expect_bad_request(path, with_requirement("maxTimeoutSeconds", "300"), "maxTimeoutSeconds");
    expect_bad_request(path, with_requirement("payTo", nullptr), "payTo");
  }
  // The service is unharmed: a good request still verifies.
  const auto answer = facilitator().post("/verify", deal.v2_body());
  EXPECT_EQ(bool_at(answer.json, "isValid"), std::optional<bool>(true)) << answer.body;
}

TEST_F(Api, OversizedBodyIsRefused) {
  const std::string huge = "{\"x402Version\":2,\"pad\":\"" + std::string(200 * 1024, 'x') + "\"}";
  const auto answer = facilitator().post("/verify", huge);
  EXPECT_TRUE(answer.status == 413u || answer.status == 400u)
      << answer.status << " " << answer.body.substr(0, 200);
}

TEST_F(Api, WrongMethodAndUnknownPath) {
  EXPECT_EQ(facilitator().get("/verify").status, 405u);
  EXPECT_EQ(facilitator().get("/settle").status, 405u);
  EXPECT_EQ(facilitator().post("/supported", "{}").status, 405u);
  EXPECT_EQ(facilitator().get("/nothing-here").status, 404u);
}

TEST_F(Api, BearerTokenIsRequiredWhenConfigured) {
  // The token comes from the environment (never argv).
  const std::string token = "t0k3n-" + PrivateKey::generate().address().hex().substr(2, 16);
  ConfigSpec spec;
  spec.ledger = sqlite("ledger-auth.sqlite");
  spec.auth_token_env = "X402_TEST_FACILITATOR_TOKEN";
  auto guarded = start_with_config("facilitator-auth", spec, {{"X402_TEST_FACILITATOR_TOKEN", token}});
  const Deal deal = make_deal(chain(), chain().buyer_keys()[0], U256(1000));

  for (const std::string path : {"/verify", "/settle"}) {
    SCOPED_TRACE(path);
    auto answer = guarded->post(path, deal.v2_body());
    EXPECT_EQ(answer.status, 401u) << answer.body;
    EXPECT_EQ(answer.www_authenticate, "Bearer");
    EXPECT_FALSE(str_at(answer.json, "error").empty()) << answer.body;
    answer = guarded->post(path, deal.v2_body(), {{"Authorization", "Bearer wrong-" + token}});
    EXPECT_EQ(answer.status, 401u) << answer.body;
    answer = guarded->post(path, deal.v2_body(), {{"Authorization", token}});  // no scheme
    EXPECT_EQ(answer.status, 401u) << answer.body;
  }
  // Nothing was settled by the refused calls.
  EXPECT_FALSE(ledger_record(sqlite("ledger-auth.sqlite"), deal.ledger_key(chain().network())).has_value());

  const auto answer = guarded->post("/verify", deal.v2_body(), {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(bool_at(answer.json, "isValid"), std::optional<bool>(true)) << answer.body;
  // /supported stays public (sellers call it at start-up).
  EXPECT_EQ(guarded->get("/supported").status, 200u);
  EXPECT_EQ(guarded->terminate(), 0) << guarded->logs();
}

}  // namespace
}  // namespace x402::test::fac
