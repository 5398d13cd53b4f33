// Decodes the spec's PAYMENT-REQUIRED example and resolves a price, through the public API only.
#include <x402/codec.hpp>
#include <x402/money.hpp>
#include <x402/networks.hpp>

#include <iostream>

int main() {
  x402::PaymentRequired required;
  required.error = "Payment required";
  required.resource.url = "https://api.example.com/premium-data";
  auto registry = x402::NetworkRegistry::with_defaults();
  auto price = x402::resolve_price(*x402::parse_money("$0.01"), "eip155:84532", registry);
  if (!price) return 1;
  x402::PaymentRequirements option;
  option.scheme = "exact";
  option.network = "eip155:84532";
  option.amount = price->amount;
  option.asset = price->asset;
  option.pay_to = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C";
  option.extra = price->extra;
  required.accepts.push_back(option);
  const std::string header = x402::encode_header(required);
  auto decoded = x402::decode_header<x402::PaymentRequired>(header);
  if (!decoded || !(*decoded == required)) return 1;
  std::cout << x402::serialize(*decoded) << '\n';
  return 0;
}
