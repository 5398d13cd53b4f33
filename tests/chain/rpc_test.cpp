// The JSON-RPC client against a real anvil (x402 devnet up), plus its pure helpers.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <thread>

#include "chain/evm/blocking.hpp"
#include "chain/evm/rpc.hpp"
#include "chain/evm/sender.hpp"
#include "crypto/abi.hpp"
#include "crypto/keccak.hpp"
#include "devnet/contracts.hpp"
#include "support/devnet_fixture.hpp"
#include "support/test_support.hpp"

namespace x402::chain::evm {
namespace {

namespace abi = crypto::abi;
using test::Devnet;
using test::DevnetTest;

Bytes call_data(std::string_view fn, const std::vector<abi::Value>& args = {}) {
  return abi::encode_call(fn, args);
}

CallRequest token_call(const Devnet& chain, std::string_view fn, const std::vector<abi::Value>& args = {}) {
  CallRequest c;
  c.to = chain.asset();
  c.data = call_data(fn, args);
  return c;
}

Address addr(std::string_view text) {
  return *Address::parse(text);
}

std::unique_ptr<BlockingRpc> connect(const std::string& url,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  http::ClientOptions o;
  o.connect_timeout = timeout;
  o.request_timeout = timeout;
  auto rpc = BlockingRpc::connect(url, o);
  EXPECT_TRUE(rpc.ok());
  return std::move(*rpc);
}

// --- pure helpers ------------------------------------------------------------------------------

TEST(RevertReason, DecodesErrorString) {
  const Bytes data = abi::encode_call("Error", {abi::Value::string("FiatTokenV2: invalid signature")});
  EXPECT_EQ(to_hex(Bytes(data.begin(), data.begin() + 4)), "0x08c379a0");
  EXPECT_EQ(decode_revert_reason(data), "FiatTokenV2: invalid signature");
}

TEST(RevertReason, DecodesPanicAndIgnoresOthers) {
  EXPECT_EQ(decode_revert_reason(abi::encode_call("Panic", {abi::Value::uint256(0x11)})), "panic: 0x11");
  EXPECT_EQ(decode_revert_reason(Bytes{}), "");
  EXPECT_EQ(decode_revert_reason(Bytes{0xde, 0xad, 0xbe, 0xef}), "");
  // Truncated Error(string): offset points past the end.
  Bytes broken = abi::encode_call("Error", {abi::Value::string("abc")});
  broken.resize(4 + 40);
  EXPECT_EQ(decode_revert_reason(broken), "");
}

TEST(RpcDecode, ReceiptAndBlockShapes) {
  EXPECT_FALSE(decode::receipt(boost::json::value(nullptr))->has_value());
  EXPECT_FALSE(decode::block(boost::json::value(nullptr))->has_value());
  EXPECT_FALSE(decode::receipt(boost::json::parse(R"({"status":"0x1"})")).ok());
  EXPECT_EQ(*decode::quantity_u64(boost::json::parse(R"("0x1a")")), 26u);
  EXPECT_FALSE(decode::quantity(boost::json::parse(R"("12")")).ok());
  EXPECT_EQ(BlockRef::number(255).text, "0xff");
}

TEST(RpcError, MapsKindsToErrc) {
  RpcError e;
  e.kind = RpcErrorKind::transport;
  EXPECT_EQ(e.errc(), Errc::unavailable);
  e.kind = RpcErrorKind::timeout;
  EXPECT_EQ(e.errc(), Errc::timeout);
  e.kind = RpcErrorKind::reverted;
  EXPECT_EQ(e.errc(), Errc::conflict);
  EXPECT_TRUE(e.is_revert());
}

// --- transport failures ------------------------------------------------------------------------

TEST(RpcTransport, ConnectionRefusedIsUnavailable) {
  const auto port = test::free_loopback_port();  // nothing listens there
  auto rpc = connect("http://127.0.0.1:" + std::to_string(port));
  auto id = rpc->run([](RpcClient& c) { return c.chain_id(); });
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().kind, RpcErrorKind::transport);
  EXPECT_EQ(id.error().errc(), Errc::unavailable);
  auto batch = rpc->run([](RpcClient& c) {
    return c.batch({requests::chain_id(), requests::block_number()});
  });
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.error().errc(), Errc::unavailable);
}

TEST(RpcTransport, SilentServerIsTimeout) {
  // A listening socket nobody accepts on: the kernel completes the handshake, no answer comes.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(fd, 16), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  auto rpc = connect("http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)), std::chrono::milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  auto id = rpc->run([](RpcClient& c) { return c.chain_id(); });
  ::close(fd);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().errc(), Errc::timeout) << id.error().describe();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(RpcTransport, RejectsNonHttpUrl) {
  http::BlockingClient http;
  EXPECT_FALSE(RpcClient::create(http.async_client(), "ftp://127.0.0.1:1").ok());
}

// --- against anvil -----------------------------------------------------------------------------

class Rpc : public DevnetTest {};

TEST_F(Rpc, ChainIdAndBlockNumber) {
  auto& rpc = devnet().rpc();
  auto id = rpc.run([](RpcClient& c) { return c.chain_id(); });
  ASSERT_TRUE(id.ok()) << id.error().describe();
  EXPECT_EQ(*id, 84532u);
  auto number = rpc.run([](RpcClient& c) { return c.block_number(); });
  ASSERT_TRUE(number.ok());
  EXPECT_GE(*number, 1u);  // the setup transactions were mined
}

TEST_F(Rpc, BalancesAndNonces) {
  auto& rpc = devnet().rpc();
  const Address buyer = devnet().buyer_keys()[0].address();
  auto wei = rpc.run([&](RpcClient& c) { return c.get_balance(buyer); });
  ASSERT_TRUE(wei.ok());
  EXPECT_GT(*wei, U256(0));
  auto owner_nonce =
      rpc.run([&](RpcClient& c) { return c.get_transaction_count(devnet().owner_key().address()); });
  ASSERT_TRUE(owner_nonce.ok());
  EXPECT_GE(*owner_nonce, 3u);  // initialize + two mints
  auto pending = rpc.run([&](RpcClient& c) {
    return c.get_transaction_count(devnet().owner_key().address(), BlockRef::pending());
  });
  ASSERT_TRUE(pending.ok());
  EXPECT_GE(*pending, *owner_nonce);
  auto nobody = rpc.run(
      [&](RpcClient& c) { return c.get_balance(addr("0x000000000000000000000000000000000000dEaD")); });
  ASSERT_TRUE(nobody.ok());
}

TEST_F(Rpc, TokenCodeIsTheEmbeddedRuntime) {
  auto code = devnet().rpc().run([&](RpcClient& c) { return c.get_code(devnet().asset()); });
  ASSERT_TRUE(code.ok());
  const auto* artifact = contracts::find("X402TestUSDC");
  ASSERT_NE(artifact, nullptr);
  EXPECT_EQ(to_hex(*code, false), artifact->runtime_code);
  auto empty = devnet().rpc().run([&](RpcClient& c) { return c.get_code(devnet().payee()); });
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST_F(Rpc, CallsDecodeNameVersionDomainSeparator) {
  auto& rpc = devnet().rpc();
  auto name = rpc.run([&](RpcClient& c) { return c.call(token_call(devnet(), "name")); });
  ASSERT_TRUE(name.ok()) << name.error().describe();
  EXPECT_EQ(*abi::decode_string(*name), "USDC");
  auto version = rpc.run([&](RpcClient& c) { return c.call(token_call(devnet(), "version")); });
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*abi::decode_string(*version), "2");
  auto decimals = rpc.run([&](RpcClient& c) { return c.call(token_call(devnet(), "decimals")); });
  ASSERT_TRUE(decimals.ok());
  EXPECT_EQ(*abi::decode_uint256(*decimals), U256(6));
  auto separator = rpc.run([&](RpcClient& c) { return c.call(token_call(devnet(), "DOMAIN_SEPARATOR")); });
  ASSERT_TRUE(separator.ok());
  EXPECT_EQ(abi::decode_bytes32(*separator)->hex(),
            "0x71f17a3b2ff373b803d70a5a07c046c1a2bc8e89c09ef722fcb047abe94c9818");
  // From a given sender and at a given block.
  auto at_block = rpc.run([&](RpcClient& c) {
    CallRequest req = token_call(devnet(), "name");
    req.from = devnet().payee();
    return c.call(req, BlockRef::latest());
  });
  EXPECT_TRUE(at_block.ok());
}

TEST_F(Rpc, RevertCarriesDataAndReason) {
  auto& rpc = devnet().rpc();
  // transfer() more than the payee holds: "ERC20: transfer amount exceeds balance".
  auto reverted = rpc.run([&](RpcClient& c) {
    CallRequest req =
        token_call(devnet(), "transfer",
                   {abi::Value::address(devnet().buyer_keys()[0].address()), abi::Value::uint256(1)});
    req.from = devnet().payee();
    return c.call(req);
  });
  ASSERT_FALSE(reverted.ok());
  const auto& e = reverted.error();
  EXPECT_EQ(e.kind, RpcErrorKind::reverted);
  EXPECT_EQ(e.errc(), Errc::conflict);
  EXPECT_EQ(e.revert_reason, "ERC20: transfer amount exceeds balance");
  ASSERT_GE(e.revert_data.size(), 4u);
  EXPECT_EQ(to_hex(Bytes(e.revert_data.begin(), e.revert_data.begin() + 4)), "0x08c379a0");
  EXPECT_NE(e.message.find("exceeds balance"), std::string::npos);
  EXPECT_NE(e.code, 0);

  // The same through eth_estimateGas.
  auto estimate = rpc.run([&](RpcClient& c) {
    CallRequest req =
        token_call(devnet(), "mint", {abi::Value::address(devnet().payee()), abi::Value::uint256(1)});
    req.from = devnet().payee();
    return c.estimate_gas(req);
  });
  ASSERT_FALSE(estimate.ok());
  EXPECT_EQ(estimate.error().revert_reason, "FiatToken: caller is not a minter");
}

TEST_F(Rpc, UnknownMethodIsRpcError) {
  auto r = devnet().rpc().run([](RpcClient& c) { return c.request("eth_noSuchMethod", {}); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, RpcErrorKind::rpc);
  EXPECT_EQ(r.error().code, -32601);
  EXPECT_FALSE(r.error().rpc_message.empty());
}

TEST_F(Rpc, BatchAnswersInOrderWithPerCallErrors) {
  auto& rpc = devnet().rpc();
  CallRequest failing =
      token_call(devnet(), "mint", {abi::Value::address(devnet().payee()), abi::Value::uint256(1)});
  failing.from = devnet().payee();
  std::vector<RawCall> calls{requests::chain_id(),
                             requests::get_code(devnet().asset()),
                             requests::get_balance(devnet().buyer_keys()[0].address()),
                             requests::call(failing),
                             requests::call(token_call(devnet(), "version")),
                             RawCall{"eth_noSuchMethod", {}}};
  auto results = rpc.run([&](RpcClient& c) { return c.batch(calls); });
  ASSERT_TRUE(results.ok()) << results.error().describe();
  ASSERT_EQ(results->size(), calls.size());
  auto& r = *results;
  EXPECT_EQ(*decode::quantity_u64(*r[0]), 84532u);
  EXPECT_FALSE(decode::bytes(*r[1])->empty());
  EXPECT_GT(*decode::quantity(*r[2]), U256(0));
  ASSERT_FALSE(r[3].ok());
  EXPECT_EQ(r[3].error().revert_reason, "FiatToken: caller is not a minter");
  EXPECT_EQ(*abi::decode_string(*decode::bytes(*r[4])), "2");
  ASSERT_FALSE(r[5].ok());
  EXPECT_EQ(r[5].error().kind, RpcErrorKind::rpc);
}

TEST_F(Rpc, BatchSplitsIntoRoundTripsAboveTheLimit) {
  RpcOptions options;
  options.max_batch_size = 3;
  auto rpc = BlockingRpc::connect(devnet().rpc_url(), {}, options);
  ASSERT_TRUE(rpc.ok());
  std::vector<RawCall> calls;
  for (int i = 0; i < 10; ++i) calls.push_back(requests::get_balance(devnet().buyer_keys()[0].address()));
  calls.push_back(requests::chain_id());
  auto results = (*rpc)->run([&](RpcClient& c) { return c.batch(calls); });
  ASSERT_TRUE(results.ok()) << results.error().describe();
  ASSERT_EQ(results->size(), 11u);
  for (std::size_t i = 0; i < 10; ++i) EXPECT_TRUE((*results)[i].ok());
  EXPECT_EQ(*decode::quantity_u64(*(*results)[10]), 84532u);
}

TEST_F(Rpc, EmptyBatchNeedsNoRoundTrip) {
  auto r = devnet().rpc().run([](RpcClient& c) { return c.batch({}); });
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST_F(Rpc, FeesAndLatestBlock) {
  auto& rpc = devnet().rpc();
  auto block = rpc.run([](RpcClient& c) { return c.get_block_by_number(BlockRef::latest()); });
  ASSERT_TRUE(block.ok()) << block.error().describe();
  ASSERT_TRUE(block->has_value());
  EXPECT_TRUE((*block)->base_fee_per_gas.has_value());
  EXPECT_GT((*block)->timestamp, 1'700'000'000u);
  EXPECT_GT((*block)->gas_limit, 0u);
  auto missing = rpc.run([](RpcClient& c) { return c.get_block_by_number(BlockRef::number(1'000'000'000)); });
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  auto price = rpc.run([](RpcClient& c) { return c.gas_price(); });
  ASSERT_TRUE(price.ok());
  EXPECT_GT(*price, U256(0));
  auto tip = rpc.run([](RpcClient& c) { return c.max_priority_fee_per_gas(); });
  ASSERT_TRUE(tip.ok());
  auto fees = rpc.run([](RpcClient& c) { return suggest_fees(c); });
  ASSERT_TRUE(fees.ok());
  EXPECT_GE(fees->max_fee_per_gas, fees->max_priority_fee_per_gas);
}

TEST_F(Rpc, ReceiptOfSignedEip1559TokenTransfer) {
  auto& rpc = devnet().rpc();
  const auto& buyer = devnet().buyer_keys()[1];
  const Address to = devnet().payee();
  const U256 amount = 1234;
  TxRequest tx;
  tx.to = devnet().asset();
  tx.data = call_data("transfer", {abi::Value::address(to), abi::Value::uint256(amount)});
  auto sent = rpc.run([&](RpcClient& c) { return sign_and_send(c, buyer, devnet().chain_id(), tx); });
  ASSERT_TRUE(sent.ok()) << sent.error().describe();
  auto receipt =
      rpc.run([&](RpcClient& c) { return c.wait_for_receipt(sent->hash, std::chrono::seconds(10)); });
  ASSERT_TRUE(receipt.ok()) << receipt.error().describe();
  EXPECT_TRUE(receipt->status);
  EXPECT_EQ(receipt->transaction_hash, sent->hash);
  EXPECT_EQ(receipt->from, buyer.address());
  ASSERT_TRUE(receipt->to.has_value());
  EXPECT_EQ(*receipt->to, devnet().asset());
  EXPECT_GT(receipt->block_number, 0u);
  EXPECT_GT(receipt->gas_used, 21'000u);
  EXPECT_GT(receipt->effective_gas_price, U256(0));
  EXPECT_EQ(receipt->type, 2);
  ASSERT_EQ(receipt->logs.size(), 1u);
  const auto& log = receipt->logs[0];
  EXPECT_EQ(log.address, devnet().asset());
  ASSERT_EQ(log.topics.size(), 3u);
  EXPECT_EQ(log.topics[0], crypto::keccak256(std::string_view("Transfer(address,address,uint256)")));
  EXPECT_EQ(Address(FixedBytes<20>::from_span(ByteView(log.topics[1].bytes).subspan(12))), buyer.address());
  EXPECT_EQ(Address(FixedBytes<20>::from_span(ByteView(log.topics[2].bytes).subspan(12))), to);
  EXPECT_EQ(from_be_bytes(log.data), amount);

  // The block the receipt names exists and the lookup by hash is repeatable.
  auto again = rpc.run([&](RpcClient& c) { return c.get_transaction_receipt(sent->hash); });
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->block_hash, receipt->block_hash);
}

TEST_F(Rpc, ReceiptOfRevertedTransactionHasStatusZero) {
  auto& rpc = devnet().rpc();
  TxRequest tx;
  tx.to = devnet().asset();
  tx.data = call_data("mint", {abi::Value::address(devnet().payee()), abi::Value::uint256(1)});
  tx.gas_limit = 100'000;  // skip estimation, which would refuse the reverting call
  auto receipt =
      rpc.run([&](RpcClient& c) { return send_and_wait(c, devnet().payee_key(), devnet().chain_id(), tx); });
  ASSERT_TRUE(receipt.ok()) << receipt.error().describe();
  EXPECT_FALSE(receipt->status);
  EXPECT_TRUE(receipt->logs.empty());
}

TEST_F(Rpc, UnknownReceiptIsEmptyAndWaitTimesOut) {
  Bytes32 unknown;
  unknown.bytes[0] = 0x42;
  auto none = devnet().rpc().run([&](RpcClient& c) { return c.get_transaction_receipt(unknown); });
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  const auto start = std::chrono::steady_clock::now();
  auto waited = devnet().rpc().run([&](RpcClient& c) {
    return c.wait_for_receipt(unknown, std::chrono::milliseconds(300), std::chrono::milliseconds(50));
  });
  ASSERT_FALSE(waited.ok());
  EXPECT_EQ(waited.error().errc(), Errc::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(Rpc, DevMethodsSetCodeBalanceStorage) {
  auto& rpc = devnet().rpc();
  const Address target = PrivateKey::generate().address();
  ASSERT_TRUE(rpc.run([&](RpcClient& c) { return c.anvil_set_balance(target, U256(777)); }).ok());
  EXPECT_EQ(*rpc.run([&](RpcClient& c) { return c.get_balance(target); }), U256(777));
  const Bytes code{0x60, 0x00, 0x60, 0x00, 0xf3};  // return(0, 0)
  ASSERT_TRUE(rpc.run([&](RpcClient& c) { return c.anvil_set_code(target, code); }).ok());
  EXPECT_EQ(*rpc.run([&](RpcClient& c) { return c.get_code(target); }), code);
  Bytes32 value;
  value.bytes[31] = 0x2a;
  ASSERT_TRUE(rpc.run([&](RpcClient& c) { return c.anvil_set_storage_at(target, U256(5), value); }).ok());
  EXPECT_EQ(*rpc.run([&](RpcClient& c) { return c.get_storage_at(target, U256(5)); }), value);
  ASSERT_TRUE(rpc.run([&](RpcClient& c) { return c.anvil_set_nonce(target, 9); }).ok());
  EXPECT_EQ(*rpc.run([&](RpcClient& c) { return c.get_transaction_count(target); }), 9u);
}

TEST_F(Rpc, DevMethodsMineAndTime) {
  auto& rpc = devnet().rpc();
  const auto before = *rpc.run([](RpcClient& c) { return c.block_number(); });
  ASSERT_TRUE(rpc.run([](RpcClient& c) { return c.anvil_mine(5); }).ok());
  ASSERT_TRUE(rpc.run([](RpcClient& c) { return c.evm_mine(); }).ok());
  const auto after = *rpc.run([](RpcClient& c) { return c.block_number(); });
  EXPECT_GE(after, before + 6);

  // Snapshots undo state changes.
  const Address target = PrivateKey::generate().address();
  auto snapshot = rpc.run([](RpcClient& c) { return c.evm_snapshot(); });
  ASSERT_TRUE(snapshot.ok());
  ASSERT_TRUE(rpc.run([&](RpcClient& c) { return c.anvil_set_balance(target, U256(5)); }).ok());
  auto reverted = rpc.run([&](RpcClient& c) { return c.evm_revert(*snapshot); });
  ASSERT_TRUE(reverted.ok());
  EXPECT_TRUE(*reverted);
  EXPECT_EQ(*rpc.run([&](RpcClient& c) { return c.get_balance(target); }), U256(0));
}

TEST_F(Rpc, ConcurrentCallsFromManyThreads) {
  // Request ids are unique per client and answers are matched to their callers.
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  const auto& buyers = devnet().buyer_keys();
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        if (i % 2 == 0) {
          auto id = devnet().rpc().run([](RpcClient& c) { return c.chain_id(); });
          if (!id || *id != 84532u) ++failures;
        } else {
          const Address who = buyers[static_cast<std::size_t>(t) % buyers.size()].address();
          auto code = devnet().rpc().run([&](RpcClient& c) { return c.get_code(who); });
          if (!code || !code->empty()) ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

// Instant mining off: a transaction waits in the pool until a block is mined.
TEST(RpcMining, AutomineToggleAndManualMining) {
  Devnet chain(test::DevnetOptions{1, 1, 0});
  auto& rpc = chain.rpc();
  ASSERT_TRUE(rpc.run([](RpcClient& c) { return c.anvil_set_automine(false); }).ok());
  TxRequest tx;
  tx.to = chain.payee();
  tx.value = 1;
  tx.gas_limit = 21'000;
  auto sent =
      rpc.run([&](RpcClient& c) { return sign_and_send(c, chain.buyer_keys()[0], chain.chain_id(), tx); });
  ASSERT_TRUE(sent.ok()) << sent.error().describe();
  auto pending = rpc.run([&](RpcClient& c) { return c.get_transaction_receipt(sent->hash); });
  ASSERT_TRUE(pending.ok());
  EXPECT_FALSE(pending->has_value());

  auto block = rpc.run([](RpcClient& c) { return c.get_block_by_number(BlockRef::latest()); });
  ASSERT_TRUE(block.ok() && block->has_value());
  const std::uint64_t next_time = (*block)->timestamp + 1000;
  ASSERT_TRUE(rpc.run([&](RpcClient& c) { return c.evm_set_next_block_timestamp(next_time); }).ok());
  ASSERT_TRUE(rpc.run([](RpcClient& c) { return c.evm_mine(); }).ok());
  auto mined = rpc.run([&](RpcClient& c) { return c.wait_for_receipt(sent->hash, std::chrono::seconds(5)); });
  ASSERT_TRUE(mined.ok()) << mined.error().describe();
  EXPECT_TRUE(mined->status);
  auto latest = rpc.run([](RpcClient& c) { return c.get_block_by_number(BlockRef::latest()); });
  EXPECT_EQ((*latest)->timestamp, next_time);

  ASSERT_TRUE(rpc.run([](RpcClient& c) { return c.evm_set_interval_mining(1); }).ok());
  const auto n0 = *rpc.run([](RpcClient& c) { return c.block_number(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  const auto n1 = *rpc.run([](RpcClient& c) { return c.block_number(); });
  EXPECT_GT(n1, n0);
  ASSERT_TRUE(rpc.run([](RpcClient& c) { return c.anvil_set_automine(true); }).ok());
  auto increased = rpc.run([](RpcClient& c) { return c.evm_increase_time(60); });
  EXPECT_TRUE(increased.ok());
}

}  // namespace
}  // namespace x402::chain::evm
