// Crypto layer micro-benchmarks: the per-payment costs of a facilitator (digest, recover, sign a
// settlement transaction) and their building blocks.
#include <benchmark/benchmark.h>

#include <string_view>

#include "crypto/abi.hpp"
#include "crypto/eip712.hpp"
#include "crypto/keccak.hpp"
#include "crypto/secp256k1.hpp"
#include "crypto/transaction.hpp"
#include "x402/keys.hpp"

namespace {

using namespace x402;

constexpr std::string_view kHardhatKey0 =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

const PrivateKey& bench_key() {
  static const PrivateKey key = *PrivateKey::from_hex(kHardhatKey0);
  return key;
}

crypto::Eip712Domain usdc_domain() {
  return {"USDC", "2", 84532, *Address::parse("0x036CbD53842c5426634e7929541eC2318f3dCF7e")};
}

crypto::TransferWithAuthorization authorization() {
  return {bench_key().address(),
          *Address::parse("0x209693Bc6afc0C5328bA36FaF03C514EF312287C"),
          U256(10000),
          U256(0),
          U256(1740672154),
          *Bytes32::from_hex("0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480")};
}

void BM_Keccak256(benchmark::State& state) {
  const Bytes input(static_cast<std::size_t>(state.range(0)), 0xab);
  for (auto _ : state) benchmark::DoNotOptimize(crypto::keccak256(ByteView(input)));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Keccak256)->Arg(32)->Arg(1024);

void BM_SignDigest(benchmark::State& state) {
  const Bytes32 digest = crypto::keccak256(std::string_view("digest"));
  for (auto _ : state) benchmark::DoNotOptimize(bench_key().sign_digest(digest));
}
BENCHMARK(BM_SignDigest);

void BM_RecoverSigner(benchmark::State& state) {
  const Bytes32 digest = crypto::keccak256(std::string_view("digest"));
  const Signature signature = bench_key().sign_digest(digest);
  for (auto _ : state) benchmark::DoNotOptimize(crypto::recover_signer(digest, signature));
}
BENCHMARK(BM_RecoverSigner);

void BM_TransferWithAuthorizationDigest(benchmark::State& state) {
  const auto domain = usdc_domain();
  const auto message = authorization();
  for (auto _ : state) benchmark::DoNotOptimize(crypto::transfer_with_authorization_digest(domain, message));
}
BENCHMARK(BM_TransferWithAuthorizationDigest);

void BM_TypedDataJson(benchmark::State& state) {
  constexpr std::string_view kTyped = R"({
    "types": {"TransferWithAuthorization": [
      {"name": "from", "type": "address"}, {"name": "to", "type": "address"},
      {"name": "value", "type": "uint256"}, {"name": "validAfter", "type": "uint256"},
      {"name": "validBefore", "type": "uint256"}, {"name": "nonce", "type": "bytes32"}]},
    "primaryType": "TransferWithAuthorization",
    "domain": {"name": "USDC", "version": "2", "chainId": 84532,
               "verifyingContract": "0x036CbD53842c5426634e7929541eC2318f3dCF7e"},
    "message": {"from": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
                "to": "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", "value": "10000", "validAfter": "0",
                "validBefore": "1740672154",
                "nonce": "0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480"}})";
  for (auto _ : state) benchmark::DoNotOptimize(crypto::hash_typed_data_json(kTyped));
}
BENCHMARK(BM_TypedDataJson);

void BM_SettlementCalldata(benchmark::State& state) {
  const auto a = authorization();
  const Signature signature = bench_key().sign_digest(crypto::keccak256(std::string_view("digest")));
  for (auto _ : state) {
    using crypto::abi::Value;
    benchmark::DoNotOptimize(crypto::abi::encode_call(
        "transferWithAuthorization",
        {Value::address(a.from), Value::address(a.to), Value::uint256(a.value), Value::uint256(a.valid_after),
         Value::uint256(a.valid_before), Value::bytes32(a.nonce), Value::uint8(signature.v),
         Value::bytes32(signature.r), Value::bytes32(signature.s)}));
  }
}
BENCHMARK(BM_SettlementCalldata);

void BM_Eip1559Sign(benchmark::State& state) {
  crypto::Eip1559Transaction tx;
  tx.chain_id = 84532;
  tx.nonce = 7;
  tx.max_priority_fee_per_gas = 1'000'000;
  tx.max_fee_per_gas = 2'000'000'000;
  tx.gas_limit = 120'000;
  tx.to = *Address::parse("0x036CbD53842c5426634e7929541eC2318f3dCF7e");
  tx.data = Bytes(4 + 9 * 32, 0x11);  // the size of a transferWithAuthorization call
  for (auto _ : state) benchmark::DoNotOptimize(crypto::sign(tx, bench_key()));
}
BENCHMARK(BM_Eip1559Sign);

}  // namespace
