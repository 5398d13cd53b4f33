#include "client/payment.hpp"

namespace x402::client {

Result<PaymentPayload> create_payment(const PaymentRequired& required, const PaymentRequirements& chosen,
                                      const SchemeClient& scheme) {
  auto payload = scheme.create_payload(chosen);
  if (!payload) return payload.take_error();
  PaymentPayload out;
  out.payload = std::move(*payload);
  out.extensions = required.extensions;
  out.resource = required.resource;
  out.accepted = chosen;
  return out;
}

Result<PaymentPayloadV1> create_payment_v1(const PaymentRequirementsV1& chosen, const SchemeClient& scheme) {
  auto payload = scheme.create_payload_v1(chosen);
  if (!payload) return payload.take_error();
  return PaymentPayloadV1{chosen.scheme, chosen.network, std::move(*payload)};
}

}  // namespace x402::client
