// The exact-EVM (EIP-3009) verification rules that need no chain, in the reference order
// (x402-reference §2.3 for v2, the ExactEvmSchemeV1 order for v1). The facilitator runs these
// first, then the chain checks (payer code, ERC-1271, asset code, simulation).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "schemes/exact/evm/erc6492.hpp"
#include "schemes/exact/evm/payload.hpp"
#include "x402/networks.hpp"
#include "x402/types.hpp"

namespace x402::exact_evm {

// v1 and v2 facilitator requests seen through one lens.
struct RequestView {
  int x402_version = 2;
  std::string_view accepted_scheme;   // v2: paymentPayload.accepted.scheme; v1: paymentPayload.scheme
  std::string_view accepted_network;  // v2: accepted.network; v1: paymentPayload.network
  std::string_view scheme;            // paymentRequirements.scheme
  std::string_view network;           // paymentRequirements.network (CAIP-2 in v2, v1 name in v1)
  const U256* amount = nullptr;       // amount (v2) / maxAmountRequired (v1)
  std::string_view asset;
  std::string_view pay_to;
  const std::optional<JsonObject>* extra = nullptr;
  const JsonObject* payload = nullptr;
};

[[nodiscard]] RequestView view_of(const FacilitatorRequest& request) noexcept;

struct Rejection {
  std::string_view reason;  // one of x402::reason
  std::string message;      // invalidMessage / errorMessage
  std::optional<Address> payer;
};

// Everything the chain checks and the settlement need, computed once.
struct PreparedPayment {
  Eip3009Payload payment;
  Address asset;
  std::uint64_t chain_id = 0;
  std::string eip712_name;
  std::string eip712_version;
  Bytes32 digest;                         // EIP-712 digest the payer signed
  std::optional<Erc6492Wrapper> erc6492;  // the signature was ERC-6492-wrapped
  Bytes inner_signature;                  // the signature with any ERC-6492 wrapper removed
  std::optional<Address> ecdsa_signer;    // recovered from a 65-byte inner signature
  // The first failing rule after the signature step (recipient, validBefore, validAfter,
  // value), evaluated now because it needs no chain; applied in order after the signature.
  std::optional<Rejection> after_signature;
};

// `chain_id_of` resolves the request's network (CAIP-2 or v1 name) to an EVM chain id.
// `now` is unix seconds.
[[nodiscard]] std::variant<Rejection, PreparedPayment> prepare_payment(const RequestView& request,
                                                                       const NetworkRegistry& networks,
                                                                       std::uint64_t now) noexcept;

// The Transfer(from, to, value) log the settlement transaction must contain.
[[nodiscard]] const Bytes32& transfer_event_topic() noexcept;

}  // namespace x402::exact_evm
