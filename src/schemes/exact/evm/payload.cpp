#include "schemes/exact/evm/payload.hpp"

#include <string>

namespace x402::exact_evm {
namespace {

Result<std::string_view> string_member(const JsonObject& object, std::string_view key,
                                       std::string_view path) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || value->is_null())
    return make_error(Errc::missing_field, std::string(path) + ": missing");
  if (!value->is_string()) return make_error(Errc::invalid_field, std::string(path) + ": expected a string");
  const auto& text = value->get_string();
  return std::string_view(text.data(), text.size());
}

Result<Address> address_member(const JsonObject& object, std::string_view key, std::string_view path) {
  auto text = string_member(object, key, path);
  if (!text) return text.take_error();
  auto address = Address::parse(*text);
  if (!address) return make_error(Errc::invalid_field, std::string(path) + ": " + address.error().message);
  return *address;
}

Result<U256> uint_member(const JsonObject& object, std::string_view key, std::string_view path) {
  auto text = string_member(object, key, path);
  if (!text) return text.take_error();
  auto value = parse_u256(*text);
  if (!value) return make_error(Errc::invalid_field, std::string(path) + ": expected a decimal string");
  return *value;
}

}  // namespace

bool is_permit2_payload(const JsonObject& payload) noexcept {
  return payload.contains("permit2Authorization");
}

Result<Eip3009Payload> parse_eip3009_payload(const JsonObject& payload) noexcept {
  const auto* auth_value = payload.if_contains("authorization");
  if (auth_value == nullptr || auth_value->is_null())
    return make_error(Errc::missing_field, "payload.authorization: missing");
  if (!auth_value->is_object())
    return make_error(Errc::invalid_field, "payload.authorization: expected an object");
  const auto& auth = auth_value->get_object();

  Eip3009Payload out;
  auto from = address_member(auth, "from", "payload.authorization.from");
  if (!from) return from.take_error();
  auto to = address_member(auth, "to", "payload.authorization.to");
  if (!to) return to.take_error();
  auto value = uint_member(auth, "value", "payload.authorization.value");
  if (!value) return value.take_error();
  auto valid_after = uint_member(auth, "validAfter", "payload.authorization.validAfter");
  if (!valid_after) return valid_after.take_error();
  auto valid_before = uint_member(auth, "validBefore", "payload.authorization.validBefore");
  if (!valid_before) return valid_before.take_error();
  auto nonce_text = string_member(auth, "nonce", "payload.authorization.nonce");
  if (!nonce_text) return nonce_text.take_error();
  auto nonce = Bytes32::from_hex(*nonce_text);
  if (!nonce || nonce_text->substr(0, 2) != "0x")
    return make_error(Errc::invalid_field, "payload.authorization.nonce: expected 0x + 64 hex digits");

  auto signature_text = string_member(payload, "signature", "payload.signature");
  if (!signature_text) return signature_text.take_error();
  if (signature_text->substr(0, 2) != "0x")
    return make_error(Errc::invalid_field, "payload.signature: expected 0x-prefixed hex");
  auto signature = from_hex(*signature_text);
  if (!signature || signature->empty())
    return make_error(Errc::invalid_field, "payload.signature: expected 0x-prefixed hex");

  out.authorization = Authorization{*from, *to, *value, *valid_after, *valid_before, *nonce};
  out.signature = std::move(*signature);
  return out;
}

JsonObject to_json(const Eip3009Payload& payload) {
  return to_json(payload, payload.authorization.from.checksummed(), payload.authorization.to.checksummed());
}

JsonObject to_json(const Eip3009Payload& payload, std::string_view checksummed_from,
                   std::string_view checksummed_to) {
  const auto& auth = payload.authorization;
  JsonObject authorization(6);
  authorization.emplace("from", checksummed_from);
  authorization.emplace("to", checksummed_to);
  authorization.emplace("value", to_decimal(auth.value));
  authorization.emplace("validAfter", to_decimal(auth.valid_after));
  authorization.emplace("validBefore", to_decimal(auth.valid_before));
  authorization.emplace("nonce", auth.nonce.hex());
  JsonObject out(2);
  out.emplace("authorization", std::move(authorization));
  out.emplace("signature", to_hex(payload.signature));
  return out;
}

}  // namespace x402::exact_evm
