// Client side of one paid request, end to end in memory: decode the PAYMENT-REQUIRED header of a
// 402, sign the first offered option with ExactEvmClient (EIP-3009 digest, secp256k1 signature,
// fresh CSPRNG nonce, wall clock) and encode the PAYMENT-SIGNATURE header value. This is the unit
// `bench/run` compares with the reference client (bench/ref/client_bench.mjs does the same three
// steps with @x402/core + @x402/evm and a viem local account).
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "client/payment.hpp"
#include "schemes/exact/evm/client.hpp"
#include "x402/codec.hpp"
#include "x402/keys.hpp"
#include "x402/networks.hpp"

namespace {

using namespace x402;

// The 402 a @x402/express seller sends for "$0.001" on Base Sepolia (default USDC, so the reference
// client's spend controls accept it).
const std::string kRequiredJson =
    R"({"x402Version":2,"error":"Payment required","resource":{"url":"http://127.0.0.1:4021/weather","description":"Weather","mimeType":"application/json"},"accepts":[{"scheme":"exact","network":"eip155:84532","amount":"1000","asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e","payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","maxTimeoutSeconds":300,"extra":{"name":"USDC","version":"2"}}]})";

void BM_CreatePaymentSignatureHeader(benchmark::State& state) {
  const auto key = PrivateKey::from_hex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
  const auto networks = std::make_shared<const NetworkRegistry>(NetworkRegistry::with_defaults());
  const exact_evm::ExactEvmClient scheme(*key, networks);
  const std::string required_header = base64_encode(kRequiredJson);
  std::size_t failures = 0;
  for (auto _ : state) {
    auto required = decode_header<PaymentRequired>(required_header);
    if (!required || required->accepts.empty()) {
      ++failures;
      continue;
    }
    auto payment = client::create_payment(*required, required->accepts.front(), scheme);
    if (!payment) {
      ++failures;
      continue;
    }
    std::string header = encode_header(*payment);
    benchmark::DoNotOptimize(header);
  }
  if (failures != 0) state.SkipWithError("payment creation failed");
}
BENCHMARK(BM_CreatePaymentSignatureHeader);

}  // namespace
