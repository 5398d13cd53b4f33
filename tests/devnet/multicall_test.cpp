// X402Multicall3 at the canonical address: the calls viem and the reference facilitator make.
#include <gtest/gtest.h>

#include "devnet/contracts.hpp"
#include "devnet/token_helpers.hpp"

namespace x402::test {
namespace {

using namespace token;

class Multicall : public DevnetTest {
 protected:
  RpcResult<Bytes> call(Bytes data) {
    return simulate(devnet(), devnet().payee(), devnet().multicall3(), std::move(data));
  }
  U256 call_uint(std::string_view fn, std::vector<abi::Value> args = {}) {
    auto r = call(abi::encode_call(fn, args));
    EXPECT_TRUE(r.ok()) << fn;
    return r.ok() ? *abi::decode_uint256(*r) : U256(0);
  }
};

TEST_F(Multicall, CodeAtTheCanonicalAddress) {
  EXPECT_EQ(devnet().multicall3().checksummed(), "0xcA11bde05977b3631167028862bE2a173976CA11");
  auto code = devnet().rpc().run([&](RpcClient& c) { return c.get_code(devnet().multicall3()); });
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(to_hex(*code, false), contracts::find("X402Multicall3")->runtime_code);
}

TEST_F(Multicall, FacilitatorDiagnosticBatch) {
  // balanceOf, name, version, authorizationState(from, nonce), and one call that fails.
  const Address buyer = devnet().buyer_keys()[0].address();
  const Bytes32 nonce = random_nonce();
  std::vector<abi::Call3> calls{
      {devnet().asset(), true, abi::encode_call("balanceOf", {abi::Value::address(buyer)})},
      {devnet().asset(), true, abi::encode_call("name", {})},
      {devnet().asset(), true, abi::encode_call("version", {})},
      {devnet().asset(), true,
       abi::encode_call("authorizationState", {abi::Value::address(buyer), abi::Value::bytes32(nonce)})},
      {devnet().asset(), true,
       abi::encode_call("mint", {abi::Value::address(buyer), abi::Value::uint256(1)})},
  };
  auto raw = call(abi::encode_aggregate3(calls));
  ASSERT_TRUE(raw.ok()) << raw.error().describe();
  auto results = abi::decode_call_results(*raw);
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->size(), 5u);
  EXPECT_TRUE((*results)[0].success);
  EXPECT_GT(*abi::decode_uint256((*results)[0].return_data), U256(0));
  EXPECT_EQ(*abi::decode_string((*results)[1].return_data), "USDC");
  EXPECT_EQ(*abi::decode_string((*results)[2].return_data), "2");
  EXPECT_FALSE(*abi::decode_bool((*results)[3].return_data));
  EXPECT_FALSE((*results)[4].success);
  EXPECT_EQ(chain::evm::decode_revert_reason((*results)[4].return_data), "FiatToken: caller is not a minter");

  // Without allowFailure the whole batch reverts.
  calls[4].allow_failure = false;
  auto failed = call(abi::encode_aggregate3(calls));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().revert_reason, "Multicall3: call failed");
}

TEST_F(Multicall, TryAggregateAndAggregate) {
  const Address buyer = devnet().buyer_keys()[1].address();
  std::vector<abi::Call> calls{
      {devnet().asset(), abi::encode_call("decimals", {})},
      {devnet().asset(), abi::encode_call("mint", {abi::Value::address(buyer), abi::Value::uint256(1)})}};
  auto tried = call(abi::encode_try_aggregate(false, calls));
  ASSERT_TRUE(tried.ok());
  auto results = abi::decode_call_results(*tried);
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->size(), 2u);
  EXPECT_TRUE((*results)[0].success);
  EXPECT_FALSE((*results)[1].success);
  auto strict = call(abi::encode_try_aggregate(true, calls));
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.error().revert_reason, "Multicall3: call failed");

  // aggregate((address,bytes)[]) -> (uint256 blockNumber, bytes[] returnData)
  auto call_type = *abi::Type::parse("(address,bytes)");
  auto items = abi::Value::array(call_type,
                                 {abi::Value::tuple({abi::Value::address(devnet().asset()),
                                                     abi::Value::bytes(abi::encode_call("decimals", {}))})});
  ASSERT_TRUE(items.ok());
  auto aggregated = call(abi::encode_call("aggregate", {*items}));
  ASSERT_TRUE(aggregated.ok()) << aggregated.error().describe();
  auto decoded = abi::decode("(uint256,bytes[])", *aggregated);
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->size(), 2u);  // the parenthesised list is the return values, not one tuple
  EXPECT_GT(*(*decoded)[0].as_uint(), U256(0));
  ASSERT_EQ((*decoded)[1].items().size(), 1u);
  EXPECT_EQ(*abi::decode_uint256(*(*decoded)[1].items()[0].as_bytes()), U256(6));
}

TEST_F(Multicall, BlockAndChainGetters) {
  EXPECT_EQ(call_uint("getChainId"), U256(84532));
  EXPECT_GT(call_uint("getBlockNumber"), U256(0));
  EXPECT_GT(call_uint("getCurrentBlockTimestamp"), U256(1'700'000'000));
  EXPECT_GT(call_uint("getCurrentBlockGasLimit"), U256(0));
  EXPECT_EQ(call_uint("getEthBalance", {abi::Value::address(PrivateKey::generate().address())}), U256(0));
  EXPECT_GT(call_uint("getEthBalance", {abi::Value::address(devnet().payee())}), U256(0));
  (void)call_uint("getBasefee");
  (void)call_uint("getCurrentBlockDifficulty");
  auto coinbase = call(abi::encode_call("getCurrentBlockCoinbase", {}));
  ASSERT_TRUE(coinbase.ok());
  EXPECT_TRUE(abi::decode_address(*coinbase).ok());
  auto last = call(abi::encode_call("getLastBlockHash", {}));
  ASSERT_TRUE(last.ok());
  EXPECT_FALSE(abi::decode_bytes32(*last)->is_zero());
  const U256 number = call_uint("getBlockNumber");
  auto hash = call(abi::encode_call("getBlockHash", {abi::Value::uint256(number - 1)}));
  ASSERT_TRUE(hash.ok());
  EXPECT_FALSE(abi::decode_bytes32(*hash)->is_zero());
}

TEST_F(Multicall, Aggregate3ValueChecksTheSum) {
  auto type = *abi::Type::parse("(address,bool,uint256,bytes)");
  auto items = abi::Value::array(
      type, {abi::Value::tuple({abi::Value::address(devnet().payee()), abi::Value::boolean(false),
                                abi::Value::uint256(5), abi::Value::bytes({})})});
  ASSERT_TRUE(items.ok());
  chain::evm::CallRequest req;
  req.from = devnet().buyer_keys()[0].address();
  req.to = devnet().multicall3();
  req.data = abi::encode_call("aggregate3Value", {*items});
  req.value = U256(5);
  auto ok = devnet().rpc().run([&](RpcClient& c) { return c.call(req); });
  EXPECT_TRUE(ok.ok()) << ok.error().describe();
  req.value = U256(6);
  auto mismatch = devnet().rpc().run([&](RpcClient& c) { return c.call(req); });
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().revert_reason, "Multicall3: value mismatch");
}

}  // namespace
}  // namespace x402::test
