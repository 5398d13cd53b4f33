// Protocol-layer costs on the hot path of one paid request: the client encodes PAYMENT-SIGNATURE,
// the seller decodes it (and PAYMENT-REQUIRED on the client side), the facilitator parses the
// /verify body.
#include <benchmark/benchmark.h>

#include <string>

#include "x402/codec.hpp"
#include "x402/money.hpp"
#include "x402/networks.hpp"

namespace {

using namespace x402;

const std::string kAccepted =
    R"({"scheme":"exact","network":"eip155:84532","amount":"1000","asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e","payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","maxTimeoutSeconds":300,"extra":{"name":"USDC","version":"2"}})";
const std::string kResource =
    R"({"url":"https://api.example.com/weather?city=Lisbon","description":"Weather","mimeType":"application/json"})";
// A v2 EIP-3009 payload as the reference client sends it (~1 KB of JSON, ~1.4 KB of base64).
const std::string kPayload =
    R"({"x402Version":2,"payload":{"authorization":{"from":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","to":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","value":"1000","validAfter":"0","validBefore":"1740672154","nonce":"0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480"},"signature":"0x887688bfda2adc60488cb21d8355641dc7e6cae2acf979a4e510569110fbeb6912bfec8521359ee79ecbd2c6f8ba9ada97d499a910f5c0d4e274d0da99b8f3561c"},"resource":)" +
    kResource + R"(,"accepted":)" + kAccepted + "}";
const std::string kRequired = R"({"x402Version":2,"error":"Payment required","resource":)" + kResource +
                              R"(,"accepts":[)" + kAccepted + "]}";
const std::string kVerifyBody =
    R"({"x402Version":2,"paymentPayload":)" + kPayload + R"(,"paymentRequirements":)" + kAccepted + "}";

void BM_EncodePaymentSignature(benchmark::State& state) {
  const auto payload = decode_json<PaymentPayload>(kPayload).value();
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string header = encode_header(payload);
    bytes += header.size();
    benchmark::DoNotOptimize(header);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_EncodePaymentSignature);

void BM_DecodePaymentSignature(benchmark::State& state) {
  const std::string header = base64_encode(kPayload);
  for (auto _ : state) {
    auto payload = decode_header<PaymentPayload>(header);
    benchmark::DoNotOptimize(payload);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * header.size()));
}
BENCHMARK(BM_DecodePaymentSignature);

void BM_DecodePaymentRequired(benchmark::State& state) {
  const std::string header = base64_encode(kRequired);
  for (auto _ : state) {
    auto required = decode_header<PaymentRequired>(header);
    benchmark::DoNotOptimize(required);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * header.size()));
}
BENCHMARK(BM_DecodePaymentRequired);

void BM_ParseVerifyRequest(benchmark::State& state) {
  for (auto _ : state) {
    auto request = decode_json<FacilitatorRequest>(kVerifyBody);
    benchmark::DoNotOptimize(request);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kVerifyBody.size()));
}
BENCHMARK(BM_ParseVerifyRequest);

void BM_ResolvePrice(benchmark::State& state) {
  const auto registry = NetworkRegistry::with_defaults();
  for (auto _ : state) {
    auto price = resolve_price(parse_money("$0.01").value(), "eip155:84532", registry);
    benchmark::DoNotOptimize(price);
  }
}
BENCHMARK(BM_ResolvePrice);

}  // namespace
