// JSON and HTTP-header codecs for the wire types.
//
// Encoding emits compact JSON (JSON.stringify-compatible) in the reference SDK's key order.
// Decoding accepts `null` for optional members, rejects wrong types with a message naming the
// field ("accepts[0].amount: expected a decimal string"), and never throws.
#pragma once

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "x402/result.hpp"
#include "x402/types.hpp"

namespace x402 {

// HTTP header names as the reference writes them (matching is case-insensitive).
inline constexpr std::string_view kPaymentRequiredHeader = "PAYMENT-REQUIRED";
inline constexpr std::string_view kPaymentSignatureHeader = "PAYMENT-SIGNATURE";
inline constexpr std::string_view kPaymentResponseHeader = "PAYMENT-RESPONSE";
inline constexpr std::string_view kXPaymentHeader = "X-PAYMENT";
inline constexpr std::string_view kXPaymentResponseHeader = "X-PAYMENT-RESPONSE";

// --- JSON -------------------------------------------------------------------------------------

boost::json::value to_json(const ResourceInfo& value);
boost::json::value to_json(const PaymentRequirements& value);
boost::json::value to_json(const PaymentRequired& value);
boost::json::value to_json(const PaymentPayload& value);
boost::json::value to_json(const PaymentRequirementsV1& value);
boost::json::value to_json(const PaymentRequirementsResponse& value);
boost::json::value to_json(const PaymentPayloadV1& value);
boost::json::value to_json(const FacilitatorRequest& value);
boost::json::value to_json(const VerifyResponse& value);
boost::json::value to_json(const SettleResponse& value);
boost::json::value to_json(const SupportedKind& value);
boost::json::value to_json(const SupportedResponse& value);
boost::json::value to_json(const DiscoveredResource& value);
boost::json::value to_json(const DiscoveryResponse& value);

// Decoders, one explicit specialisation per wire type above. Unknown members of the typed
// objects are dropped (as the reference's zod schemas do); `extra`, `extensions`, `payload`,
// `outputSchema` and `metadata` are kept verbatim, member order included.
template <typename T>
Result<T> from_json(const boost::json::value& json) noexcept;

template <>
Result<ResourceInfo> from_json<ResourceInfo>(const boost::json::value&) noexcept;
template <>
Result<PaymentRequirements> from_json<PaymentRequirements>(const boost::json::value&) noexcept;
template <>
Result<PaymentRequired> from_json<PaymentRequired>(const boost::json::value&) noexcept;
template <>
Result<PaymentPayload> from_json<PaymentPayload>(const boost::json::value&) noexcept;
template <>
Result<PaymentRequirementsV1> from_json<PaymentRequirementsV1>(const boost::json::value&) noexcept;
template <>
Result<PaymentRequirementsResponse> from_json<PaymentRequirementsResponse>(
    const boost::json::value&) noexcept;
template <>
Result<PaymentPayloadV1> from_json<PaymentPayloadV1>(const boost::json::value&) noexcept;
template <>
Result<FacilitatorRequest> from_json<FacilitatorRequest>(const boost::json::value&) noexcept;
template <>
Result<VerifyResponse> from_json<VerifyResponse>(const boost::json::value&) noexcept;
template <>
Result<SettleResponse> from_json<SettleResponse>(const boost::json::value&) noexcept;
template <>
Result<SupportedKind> from_json<SupportedKind>(const boost::json::value&) noexcept;
template <>
Result<SupportedResponse> from_json<SupportedResponse>(const boost::json::value&) noexcept;
template <>
Result<DiscoveredResource> from_json<DiscoveredResource>(const boost::json::value&) noexcept;
template <>
Result<DiscoveryResponse> from_json<DiscoveryResponse>(const boost::json::value&) noexcept;

// The exact text JavaScript's JSON.stringify gives for the same value: numbers as JS prints
// them (60, 1.5, 1e+21; integers beyond 2^53 rounded as a JS number would be), only the
// escapes JS uses (no '/' or U+2028 escaping, non-ASCII raw), and integer-like keys
// ("0", "7") first in ascending order, as JS objects order them.
std::string stringify(const boost::json::value& value);

// Compact JSON text of any wire type.
template <typename T>
std::string serialize(const T& value) {
  return stringify(to_json(value));
}
// The v2 header types are written straight to text: the same bytes, without building the
// json::value (and copying every nested object into it) first.
std::string serialize(const PaymentRequired& value);
std::string serialize(const PaymentPayload& value);

struct JsonLimits {
  std::size_t max_bytes = 1 << 20;  // body cap for facilitator requests and 402 bodies
  std::size_t max_depth = 32;
};

// Parses JSON text strictly (no comments, no trailing commas, no duplicate-key tolerance beyond
// Boost.JSON's last-wins) within the limits.
Result<boost::json::value> parse_json(std::string_view text, const JsonLimits& limits = {}) noexcept;

template <typename T>
Result<T> decode_json(std::string_view text, const JsonLimits& limits = {}) noexcept {
  auto parsed = parse_json(text, limits);
  if (!parsed) return parsed.take_error();
  return from_json<T>(*parsed);
}

// --- base64 headers ---------------------------------------------------------------------------

inline constexpr std::size_t kDefaultMaxHeaderBytes = 8 * 1024;

struct HeaderLimits {
  std::size_t max_decoded_bytes = kDefaultMaxHeaderBytes;
};

// Standard RFC 4648 alphabet with '=' padding.
std::string base64_encode(std::string_view bytes);
// Strict: standard alphabet only, padding required, no whitespace, decoded size capped.
Result<std::string> base64_decode(std::string_view text, std::size_t max_decoded_bytes) noexcept;

// base64(compact JSON) of a wire type: the value of PAYMENT-REQUIRED, PAYMENT-SIGNATURE,
// PAYMENT-RESPONSE, X-PAYMENT and X-PAYMENT-RESPONSE.
template <typename T>
std::string encode_header(const T& value) {
  return base64_encode(serialize(value));
}

template <typename T>
Result<T> decode_header(std::string_view header_value, const HeaderLimits& limits = {}) noexcept {
  auto text = base64_decode(header_value, limits.max_decoded_bytes);
  if (!text) return text.take_error();
  return decode_json<T>(*text, JsonLimits{limits.max_decoded_bytes, 32});
}

}  // namespace x402
