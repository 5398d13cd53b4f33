// Assembling a payment from a 402: the scheme signs its part, the envelope is the protocol's.
#pragma once

#include "x402/schemes.hpp"
#include "x402/types.hpp"

namespace x402::client {

// v2: {x402Version:2, payload, extensions (the server's, echoed), resource (copied), accepted
// (the chosen requirement, verbatim)}.
[[nodiscard]] Result<PaymentPayload> create_payment(const PaymentRequired& required,
                                                    const PaymentRequirements& chosen,
                                                    const SchemeClient& scheme);

// v1: {x402Version:1, scheme, network, payload}.
[[nodiscard]] Result<PaymentPayloadV1> create_payment_v1(const PaymentRequirementsV1& chosen,
                                                         const SchemeClient& scheme);

}  // namespace x402::client
