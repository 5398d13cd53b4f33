// Recognises which x402 message a header value or body is, and validates it as that type.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>

#include "x402/result.hpp"

namespace x402::cli {

enum class MessageKind {
  payment_required,               // v2 PAYMENT-REQUIRED
  payment_payload,                // v2 PAYMENT-SIGNATURE
  payment_requirements_response,  // v1 402 body
  payment_payload_v1,             // v1 X-PAYMENT
  settle_response,                // PAYMENT-RESPONSE / X-PAYMENT-RESPONSE / POST /settle answer
  verify_response,                // POST /verify answer
  facilitator_request,            // POST /verify, /settle body
  supported_response,             // GET /supported answer
};

[[nodiscard]] std::string_view to_string(MessageKind kind) noexcept;

struct DecodedMessage {
  MessageKind kind;
  boost::json::value json;  // the canonical re-encoding of the decoded value
};

// JSON text if it starts with '{' (after whitespace), else a base64 header value.
[[nodiscard]] Result<DecodedMessage> decode_message(std::string_view value) noexcept;

}  // namespace x402::cli
