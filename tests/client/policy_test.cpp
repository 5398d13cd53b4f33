// The pure parts of the buyer: what the policy accepts, which option is chosen, how budgets are
// parsed, and how the spend log counts (with an explicit clock).
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <atomic>
#include <filesystem>
#include <thread>

#include "client/budget.hpp"
#include "client/selection.hpp"
#include "support/test_support.hpp"
#include "x402/client.hpp"
#include "x402/keys.hpp"

namespace x402::client {
namespace {

constexpr const char* kBaseSepoliaUsdc = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
constexpr const char* kBaseUsdc = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";
constexpr const char* kPayTo = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C";

PaymentRequirements requirement(std::string network, std::string asset, std::uint64_t amount) {
  PaymentRequirements r;
  r.scheme = "exact";
  r.network = std::move(network);
  r.amount = amount;
  r.asset = std::move(asset);
  r.pay_to = kPayTo;
  r.max_timeout_seconds = 300;
  JsonObject extra;
  extra["name"] = "USDC";
  extra["version"] = "2";
  r.extra = extra;
  return r;
}

class Selecting : public ::testing::Test {
 protected:
  Selecting() : networks_(std::make_shared<NetworkRegistry>(NetworkRegistry::with_defaults())) {
    auto key = PrivateKey::from_hex(test::kTestKey0);
    register_exact_evm(schemes_, *key, networks_);
  }

  Selection select(const PaymentRequired& required, const Policy& policy) {
    return select_payment(2, options_of(required, *networks_), policy, *networks_, schemes_);
  }

  std::shared_ptr<NetworkRegistry> networks_;
  SchemeRegistry<SchemeClient> schemes_;
};

TEST_F(Selecting, AcceptsAKnownStablecoinWithinTheDefaultDollar) {
  PaymentRequired required;
  required.accepts = {requirement("eip155:84532", kBaseSepoliaUsdc, 1000)};
  auto selection = select(required, Policy{});
  ASSERT_TRUE(selection.chosen);
  EXPECT_EQ(selection.chosen_option()->describe_amount(), "0.001 USDC");
  EXPECT_EQ(selection.chosen_option()->caip2, "eip155:84532");
}

TEST_F(Selecting, RefusesMoreThanTheMaximumPerRequest) {
  PaymentRequired required;
  required.accepts = {requirement("eip155:84532", kBaseSepoliaUsdc, 1'000'001)};  // $1.000001
  auto selection = select(required, Policy{});
  EXPECT_FALSE(selection.chosen);
  EXPECT_NE(selection.describe_refusals().find("over the maximum per request ($1)"), std::string::npos)
      << selection.describe_refusals();

  Policy tight;
  tight.max_amount = *parse_dollars("$0.0005");
  required.accepts = {requirement("eip155:84532", kBaseSepoliaUsdc, 500)};
  EXPECT_TRUE(select(required, tight).chosen);  // equal to the cap is fine
  required.accepts = {requirement("eip155:84532", kBaseSepoliaUsdc, 501)};
  EXPECT_FALSE(select(required, tight).chosen);
}

TEST_F(Selecting, RefusesUnknownAssetsUnlessAllowedWithDecimals) {
  const std::string token = "0x1111111111111111111111111111111111111111";
  PaymentRequired required;
  required.accepts = {requirement("eip155:84532", token, 1000)};
  auto selection = select(required, Policy{});
  EXPECT_FALSE(selection.chosen);
  EXPECT_NE(selection.verdicts[0].reason.find("not a known asset"), std::string::npos);

  Policy policy;
  policy.assets.push_back(AssetRule{"eip155:84532", token, std::nullopt, std::nullopt});
  EXPECT_FALSE(select(required, policy).chosen);  // allowed, but its decimals are unknown

  policy.assets[0].decimals = 6;
  auto allowed = select(required, policy);
  ASSERT_TRUE(allowed.chosen);
  EXPECT_EQ(allowed.chosen_option()->describe_amount(), "0.001 units of " + token);

  policy.assets[0].max_amount = U256(999);  // an atomic cap for this asset wins over $1
  EXPECT_FALSE(select(required, policy).chosen);
}

TEST_F(Selecting, AssetRulesRestrictTheKnownAssets) {
  PaymentRequired required;
  required.accepts = {requirement("eip155:84532", kBaseSepoliaUsdc, 1000)};
  Policy policy;
  policy.assets.push_back(AssetRule{"eip155:8453", kBaseUsdc, std::nullopt, std::nullopt});
  EXPECT_FALSE(select(required, policy).chosen);
  policy.assets.push_back(AssetRule{"eip155:*", "0x036cbd53842c5426634e7929541ec2318f3dcf7e", std::nullopt,
                                    std::nullopt});  // any case
  EXPECT_TRUE(select(required, policy).chosen);
}

TEST_F(Selecting, NetworksByCaip2PatternOrV1Name) {
  PaymentRequired required;
  required.accepts = {requirement("eip155:84532", kBaseSepoliaUsdc, 1000)};
  Policy policy;
  policy.networks = {"eip155:8453"};
  auto refused = select(required, policy);
  EXPECT_FALSE(refused.chosen);
  EXPECT_NE(refused.verdicts[0].reason.find("network eip155:84532 is not allowed"), std::string::npos);
  policy.networks = {"base-sepolia"};
  EXPECT_TRUE(select(required, policy).chosen);
  policy.networks = {"eip155:*"};
  EXPECT_TRUE(select(required, policy).chosen);
}

TEST_F(Selecting, PrefersTheCheapestAcrossAssetsElseTheFirst) {
  PaymentRequired required;
  required.accepts = {requirement("eip155:84532", kBaseSepoliaUsdc, 3000),
                      requirement("eip155:8453", kBaseUsdc, 2000),
                      requirement("eip155:84532", kBaseSepoliaUsdc, 2000)};
  auto cheapest = select(required, Policy{});
  ASSERT_TRUE(cheapest.chosen);
  EXPECT_EQ(*cheapest.chosen, 1u);  // ties keep the server's order

  Policy first;
  first.prefer_cheapest = false;
  EXPECT_EQ(*select(required, first).chosen, 0u);
}

TEST_F(Selecting, SkipsSchemesAndNetworksWithoutARegisteredSigner) {
  PaymentRequired required;
  auto upto = requirement("eip155:84532", kBaseSepoliaUsdc, 10);
  upto.scheme = "upto";
  auto solana = requirement("solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1",
                            "4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU", 10);
  required.accepts = {upto, solana, requirement("eip155:84532", kBaseSepoliaUsdc, 5000)};
  auto selection = select(required, Policy{});
  ASSERT_TRUE(selection.chosen);
  EXPECT_EQ(*selection.chosen, 2u);
  EXPECT_NE(selection.verdicts[0].reason.find("no scheme registered for upto"), std::string::npos);
  EXPECT_NE(selection.verdicts[1].reason.find("no scheme registered"), std::string::npos);
}

TEST_F(Selecting, V1OptionsUseTheV1NamesAndMaxAmountRequired) {
  PaymentRequirementsResponse v1;
  PaymentRequirementsV1 option;
  option.scheme = "exact";
  option.network = "base-sepolia";
  option.max_amount_required = 1000;
  option.resource = "http://127.0.0.1/weather";
  option.pay_to = kPayTo;
  option.asset = kBaseSepoliaUsdc;
  v1.accepts = {option};
  auto selection = select_payment(1, options_of(v1, *networks_), Policy{}, *networks_, schemes_);
  ASSERT_TRUE(selection.chosen);
  EXPECT_EQ(selection.chosen_option()->caip2, "eip155:84532");
  EXPECT_EQ(selection.chosen_option()->describe_amount(), "0.001 USDC");

  option.network = "not-a-network";
  v1.accepts = {option};
  EXPECT_FALSE(select_payment(1, options_of(v1, *networks_), Policy{}, *networks_, schemes_).chosen);
}

TEST(Money, WadIsExactAndRoundsUpBeyondEighteenDecimals) {
  EXPECT_EQ(to_wad(U256(1000), 6), U256("1000000000000000"));
  EXPECT_EQ(to_wad(U256(1), 18), U256(1));
  EXPECT_EQ(to_wad(U256(10), 19), U256(1));
  EXPECT_EQ(to_wad(U256(11), 19), U256(2));
  EXPECT_EQ(*money_to_wad(*parse_dollars("$0.001")), U256("1000000000000000"));
  EXPECT_FALSE(parse_dollars("1 USDT"));
  EXPECT_TRUE(parse_dollars("0.05 USD"));
  EXPECT_FALSE(parse_dollars("-1"));
}

TEST(BudgetLimits, Parse) {
  auto total = parse_budget_limit("$5");
  ASSERT_TRUE(total);
  EXPECT_FALSE(total->window);
  EXPECT_EQ(total->amount.decimal, "5");
  EXPECT_EQ(describe(*total), "$5 in total");

  auto daily = parse_budget_limit("$1/24h");
  ASSERT_TRUE(daily);
  EXPECT_EQ(*daily->window, std::chrono::hours(24));
  EXPECT_EQ(describe(*daily), "$1 per 24h");
  EXPECT_EQ(describe(*parse_budget_limit("$20/7d")), "$20 per 7d");
  EXPECT_EQ(*parse_budget_limit("0.10/30m")->window, std::chrono::minutes(30));
  EXPECT_EQ(*parse_budget_limit("$1/h")->window, std::chrono::hours(1));
  EXPECT_EQ(*parse_budget_limit("$1/90s")->window, std::chrono::seconds(90));
  EXPECT_FALSE(parse_budget_limit("$1/24"));
  EXPECT_FALSE(parse_budget_limit("$1/0h"));
  EXPECT_FALSE(parse_budget_limit("$1/"));
  EXPECT_FALSE(parse_budget_limit("1 EURC/1d"));
  EXPECT_FALSE(parse_budget_limit("lots"));
}

SpendRequest spend(std::uint64_t dollars_micro, std::uint64_t valid_before) {
  SpendRequest request;
  request.network = "eip155:84532";
  request.asset = kBaseSepoliaUsdc;
  request.amount = dollars_micro;
  request.decimals = 6;
  request.amount_wad = to_wad(request.amount, 6);
  request.pay_to = kPayTo;
  request.resource = "http://127.0.0.1/weather";
  request.valid_before = valid_before;
  return request;
}

std::vector<ResolvedLimit> limits(const std::vector<std::string>& texts) {
  std::vector<BudgetLimit> parsed;
  for (const auto& text : texts) parsed.push_back(*parse_budget_limit(text));
  return *resolve_limits(parsed);
}

TEST(Budget, TotalAndWindowLimitsPersistAcrossReopen) {
  test::TempDir dir;
  const auto path = (dir.path() / "sub" / "budget.sqlite").string();
  const std::int64_t t0 = 1'700'000'000;
  {
    auto store = BudgetStore::open(path);
    ASSERT_TRUE(store) << store.error().describe();
    auto first = (*store)->reserve(limits({"$0.003", "$0.002/1h"}), spend(2000, t0 + 300), t0);
    ASSERT_TRUE(first);
    ASSERT_TRUE(first->id);
    ASSERT_TRUE((*store)->complete(*first->id, PaymentStatus::settled, "0xpayer", t0 + 300, "0xtx", ""));
    // $0.002 of $0.002 per hour is used: another $0.001 must wait for the window to pass.
    auto second = (*store)->reserve(limits({"$0.003", "$0.002/1h"}), spend(1000, t0 + 400), t0 + 100);
    ASSERT_TRUE(second);
    EXPECT_FALSE(second->id);
    EXPECT_NE(second->refusal.find("budget $0.002 per 1h would be exceeded"), std::string::npos)
        << second->refusal;
  }
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  auto store = BudgetStore::open(path);  // a later run sees the earlier spend
  ASSERT_TRUE(store);
  EXPECT_EQ(*(*store)->spent(std::nullopt, t0 + 100), to_wad(U256(2000), 6));
  auto later = (*store)->reserve(limits({"$0.003", "$0.002/1h"}), spend(1000, t0 + 4000), t0 + 3601);
  ASSERT_TRUE(later);
  EXPECT_TRUE(later->id);  // the hour passed; the total still has $0.001
  auto over = (*store)->reserve(limits({"$0.003"}), spend(1, t0 + 4000), t0 + 3602);
  ASSERT_TRUE(over);
  EXPECT_FALSE(over->id);
  EXPECT_NE(over->refusal.find("$0.003 in total"), std::string::npos);
  auto entries = (*store)->entries();
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].status, "settled");
  EXPECT_EQ((*entries)[0].transaction, "0xtx");
  EXPECT_EQ((*entries)[1].status, "pending");
}

TEST(Budget, RejectedPaymentsCountUntilTheirAuthorizationExpires) {
  auto store = BudgetStore::open("");
  ASSERT_TRUE(store);
  const std::int64_t t0 = 1'700'000'000;
  auto reserved = (*store)->reserve(limits({"$0.001"}), spend(1000, t0 + 60), t0);
  ASSERT_TRUE(reserved && reserved->id);
  ASSERT_TRUE(
      (*store)->complete(*reserved->id, PaymentStatus::rejected, "0xpayer", t0 + 60, "", "insufficient"));
  EXPECT_EQ(*(*store)->spent(std::nullopt, t0 + 59), to_wad(U256(1000), 6));
  auto blocked = (*store)->reserve(limits({"$0.001"}), spend(1000, t0 + 120), t0 + 59);
  ASSERT_TRUE(blocked);
  EXPECT_FALSE(blocked->id);
  EXPECT_EQ(*(*store)->spent(std::nullopt, t0 + 60), U256(0));  // expired: can no longer be executed
  auto after = (*store)->reserve(limits({"$0.001"}), spend(1000, t0 + 120), t0 + 61);
  ASSERT_TRUE(after && after->id);
}

TEST(Budget, UnknownOutcomesCountForGoodAndReleasedReservationsVanish) {
  auto store = BudgetStore::open("");
  ASSERT_TRUE(store);
  const std::int64_t t0 = 1'700'000'000;
  auto unknown = (*store)->reserve({}, spend(1000, t0 + 60), t0);
  ASSERT_TRUE(unknown && unknown->id);
  ASSERT_TRUE((*store)->complete(*unknown->id, PaymentStatus::unknown, "0xpayer", t0 + 60, "", "timeout"));
  auto released = (*store)->reserve({}, spend(5000, t0 + 60), t0);
  ASSERT_TRUE(released && released->id);
  ASSERT_TRUE((*store)->release(*released->id));
  EXPECT_EQ(*(*store)->spent(std::nullopt, t0 + 100'000), to_wad(U256(1000), 6));
  EXPECT_EQ(*(*store)->spent(std::chrono::seconds(10), t0 + 100'000), U256(0));  // outside the window
}

TEST(Budget, ConcurrentPayersCannotOverspendASharedFile) {
  test::TempDir dir;
  const auto path = (dir.path() / "shared.sqlite").string();
  const std::int64_t t0 = 1'700'000'000;
  std::atomic<int> reserved{0}, refused{0}, failed{0};
  std::vector<std::thread> payers;
  for (int i = 0; i < 8; ++i) {
    payers.emplace_back([&] {
      auto store = BudgetStore::open(path);  // one connection each, as separate processes have
      if (!store) {
        ++failed;
        return;
      }
      auto reservation = (*store)->reserve(limits({"$0.004"}), spend(1000, t0 + 60), t0);
      if (!reservation)
        ++failed;
      else if (reservation->id)
        ++reserved;
      else
        ++refused;
    });
  }
  for (auto& payer : payers) payer.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(reserved.load(), 4);
  EXPECT_EQ(refused.load(), 4);
}

TEST(Policy, ValidationRefusesNonDollarCaps) {
  Policy policy;
  policy.max_amount = Money{"1", "USDT"};
  EXPECT_FALSE(validate_policy(policy));
  policy.max_amount = Money{"1", ""};
  EXPECT_TRUE(validate_policy(policy));
}

}  // namespace
}  // namespace x402::client
