#include "cli/message_kind.hpp"

#include "x402/codec.hpp"

namespace x402::cli {
namespace {

template <typename T>
Result<DecodedMessage> as(MessageKind kind, const boost::json::value& json) {
  auto value = from_json<T>(json);
  if (!value) return value.take_error();
  return DecodedMessage{kind, to_json(*value)};
}

bool has(const boost::json::object& object, std::string_view key) {
  return object.contains(key);
}

}  // namespace

std::string_view to_string(MessageKind kind) noexcept {
  switch (kind) {
    case MessageKind::payment_required:
      return "PaymentRequired (v2)";
    case MessageKind::payment_payload:
      return "PaymentPayload (v2)";
    case MessageKind::payment_requirements_response:
      return "PaymentRequirementsResponse (v1 402 body)";
    case MessageKind::payment_payload_v1:
      return "PaymentPayload (v1)";
    case MessageKind::settle_response:
      return "SettleResponse";
    case MessageKind::verify_response:
      return "VerifyResponse";
    case MessageKind::facilitator_request:
      return "VerifyRequest/SettleRequest";
    case MessageKind::supported_response:
      return "SupportedResponse";
  }
  return "unknown";
}

Result<DecodedMessage> decode_message(std::string_view value) noexcept {
  while (!value.empty() &&
         (value.front() == ' ' || value.front() == '\n' || value.front() == '\t' || value.front() == '\r'))
    value.remove_prefix(1);
  while (!value.empty() &&
         (value.back() == ' ' || value.back() == '\n' || value.back() == '\t' || value.back() == '\r'))
    value.remove_suffix(1);
  if (value.empty()) return make_error(Errc::invalid_argument, "empty value");

  std::string text;
  if (value.front() == '{') {
    text.assign(value);
  } else {
    auto decoded = base64_decode(value, JsonLimits{}.max_bytes);
    if (!decoded) return decoded.take_error();
    text = std::move(*decoded);
  }
  auto parsed = parse_json(text);
  if (!parsed) return parsed.take_error();
  if (!parsed->is_object()) return make_error(Errc::invalid_json, "expected a JSON object");
  const auto& object = parsed->get_object();

  const auto* version = object.if_contains("x402Version");
  const bool v1 = version != nullptr && version->is_int64() && version->get_int64() == 1;
  if (has(object, "paymentPayload") || has(object, "paymentRequirements"))
    return as<FacilitatorRequest>(MessageKind::facilitator_request, *parsed);
  if (has(object, "accepts"))
    return v1 ? as<PaymentRequirementsResponse>(MessageKind::payment_requirements_response, *parsed)
              : as<PaymentRequired>(MessageKind::payment_required, *parsed);
  if (has(object, "payload"))
    return v1 ? as<PaymentPayloadV1>(MessageKind::payment_payload_v1, *parsed)
              : as<PaymentPayload>(MessageKind::payment_payload, *parsed);
  if (has(object, "isValid")) return as<VerifyResponse>(MessageKind::verify_response, *parsed);
  if (has(object, "success")) return as<SettleResponse>(MessageKind::settle_response, *parsed);
  if (has(object, "kinds")) return as<SupportedResponse>(MessageKind::supported_response, *parsed);
  return make_error(Errc::invalid_field,
                    "not an x402 message: no accepts, payload, isValid, success or kinds member");
}

}  // namespace x402::cli
