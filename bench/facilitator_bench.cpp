// The facilitator's /verify decision with the chain out of the loop: parse the request body, run
// the exact-EVM rules (EIP-712 digest, signature recovery, recipient/time/amount checks) and
// serialize the answer. No RPC is made: the chain checks (payer code, simulation) are what the
// HTTP rows in BENCHMARKS.md add on top. bench/ref/verify_offchain.mjs measures the reference
// doing the same with its chain calls stubbed to answer at once; bench/run compares the two.
#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>
#include <string>
#include <variant>

#include "client/payment.hpp"
#include "schemes/exact/evm/client.hpp"
#include "schemes/exact/evm/verify_rules.hpp"
#include "x402/codec.hpp"
#include "x402/keys.hpp"
#include "x402/networks.hpp"

namespace {

using namespace x402;

std::uint64_t unix_now() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

// A valid /verify body signed now: $0.001 of Base Sepolia USDC.
std::string verify_body() {
  const std::string required_json =
      R"({"x402Version":2,"error":"Payment required","resource":{"url":"http://127.0.0.1:4021/weather","description":"Weather","mimeType":"application/json"},"accepts":[{"scheme":"exact","network":"eip155:84532","amount":"1000","asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e","payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","maxTimeoutSeconds":3600,"extra":{"name":"USDC","version":"2"}}]})";
  const auto key = PrivateKey::from_hex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
  const auto networks = std::make_shared<const NetworkRegistry>(NetworkRegistry::with_defaults());
  const exact_evm::ExactEvmClient scheme(*key, networks);
  auto required = decode_json<PaymentRequired>(required_json);
  auto payment = client::create_payment(*required, required->accepts.front(), scheme);
  const FacilitatorRequest request = PaymentRequestV2{std::move(*payment), required->accepts.front()};
  return serialize(request);
}

void BM_VerifyDecisionOffChain(benchmark::State& state) {
  const std::string body = verify_body();
  const auto networks = NetworkRegistry::with_defaults();
  std::size_t invalid = 0;
  for (auto _ : state) {
    auto request = decode_json<FacilitatorRequest>(body);
    if (!request) {
      ++invalid;
      continue;
    }
    const auto view = exact_evm::view_of(*request);
    auto prepared = exact_evm::prepare_payment(view, networks, unix_now());
    const auto* payment = std::get_if<exact_evm::PreparedPayment>(&prepared);
    VerifyResponse response;
    response.is_valid = payment != nullptr && !payment->after_signature && payment->ecdsa_signer &&
                        *payment->ecdsa_signer == payment->payment.authorization.from;
    if (payment != nullptr) response.payer = payment->payment.authorization.from.checksummed();
    if (!response.is_valid) ++invalid;
    std::string answer = serialize(response);
    benchmark::DoNotOptimize(answer);
  }
  if (invalid != 0) state.SkipWithError("the payment was not valid");
}
BENCHMARK(BM_VerifyDecisionOffChain);

}  // namespace
