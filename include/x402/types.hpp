// The x402 wire types, protocol v2 and v1, as plain value types.
//
// Field names follow the wire (camelCase there, snake_case here); the JSON codec in codec.hpp
// emits the reference SDK's key orders. Scheme-specific parts (`payload`, `extra`, `extensions`)
// stay JSON objects so unknown members survive a round trip; schemes parse them into typed
// structs (see schemes/exact_evm.hpp).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "x402/u256.hpp"

namespace x402 {

using JsonObject = boost::json::object;
using JsonValue = boost::json::value;

// ---------------------------------------------------------------------------------------------
// v2 (x402Version 2)

struct ResourceInfo {
  std::string url;
  std::optional<std::string> description;
  std::optional<std::string> mime_type;
  std::optional<std::string> service_name;       // 2.27: 1-32 printable ASCII
  std::optional<std::vector<std::string>> tags;  // 2.27: at most 5
  std::optional<std::string> icon_url;           // 2.27
  bool operator==(const ResourceInfo&) const = default;
};

struct PaymentRequirements {
  std::string scheme;   // "exact", "upto", ...
  std::string network;  // CAIP-2, e.g. "eip155:84532"
  U256 amount;          // atomic units
  std::string asset;    // token contract / mint
  std::string pay_to;
  std::uint64_t max_timeout_seconds = 300;
  std::optional<JsonObject> extra;  // EVM exact: {name, version}; emitted when present
  bool operator==(const PaymentRequirements&) const = default;
};

struct PaymentRequired {
  std::optional<std::string> error;
  ResourceInfo resource;
  std::vector<PaymentRequirements> accepts;  // at least one
  std::optional<JsonObject> extensions;
  bool operator==(const PaymentRequired&) const = default;
};

struct PaymentPayload {
  JsonObject payload;  // scheme-specific
  std::optional<JsonObject> extensions;
  std::optional<ResourceInfo> resource;
  PaymentRequirements accepted;  // the chosen requirement, echoed verbatim
  bool operator==(const PaymentPayload&) const = default;
};

// ---------------------------------------------------------------------------------------------
// v1 (x402Version 1)

struct PaymentRequirementsV1 {
  std::string scheme;
  std::string network;  // v1 name, e.g. "base-sepolia"
  U256 max_amount_required;
  std::string resource;  // absolute URL
  std::string description;
  std::string mime_type;
  std::string pay_to;
  std::uint64_t max_timeout_seconds = 60;
  std::string asset;
  std::optional<JsonObject> output_schema;
  std::optional<JsonObject> extra;
  bool operator==(const PaymentRequirementsV1&) const = default;
};

// The v1 402 body.
struct PaymentRequirementsResponse {
  std::string error;
  std::vector<PaymentRequirementsV1> accepts;
  std::optional<std::string> payer;  // legacy servers add it on verify failure
  bool operator==(const PaymentRequirementsResponse&) const = default;
};

struct PaymentPayloadV1 {
  std::string scheme;
  std::string network;
  JsonObject payload;
  bool operator==(const PaymentPayloadV1&) const = default;
};

// ---------------------------------------------------------------------------------------------
// Facilitator API (both versions)

struct PaymentRequestV2 {
  PaymentPayload payload;
  PaymentRequirements requirements;
  bool operator==(const PaymentRequestV2&) const = default;
};
struct PaymentRequestV1 {
  PaymentPayloadV1 payload;
  PaymentRequirementsV1 requirements;
  bool operator==(const PaymentRequestV1&) const = default;
};

// Body of POST /verify and POST /settle: {x402Version, paymentPayload, paymentRequirements}.
using FacilitatorRequest = std::variant<PaymentRequestV2, PaymentRequestV1>;
using VerifyRequest = FacilitatorRequest;
using SettleRequest = FacilitatorRequest;

struct VerifyResponse {
  bool is_valid = false;
  std::optional<std::string> invalid_reason;  // protocol reason string (opaque from other peers)
  std::optional<std::string> invalid_message;
  std::optional<std::string> payer;
  std::optional<JsonObject> extensions;
  std::optional<JsonObject> extra;
  bool operator==(const VerifyResponse&) const = default;
};

struct SettleResponse {
  bool success = false;
  std::optional<std::string> error_reason;
  std::optional<std::string> error_message;
  std::optional<std::string> payer;
  std::string transaction;  // "" on failure
  std::string network;
  std::optional<std::string> amount;
  std::optional<JsonObject> extensions;
  std::optional<JsonObject> extra;
  bool operator==(const SettleResponse&) const = default;
};

struct SupportedKind {
  int x402_version = 2;
  std::string scheme;
  std::string network;
  std::optional<JsonObject> extra;
  bool operator==(const SupportedKind&) const = default;
};

struct SupportedResponse {
  std::vector<SupportedKind> kinds;
  std::vector<std::string> extensions;
  // CAIP family pattern ("eip155:*") -> signer addresses, in insertion order.
  std::vector<std::pair<std::string, std::vector<std::string>>> signers;
  bool operator==(const SupportedResponse&) const = default;
};

// One item of GET /discovery/resources.
struct DiscoveredResource {
  std::string resource;  // URL
  std::string type;      // "http"
  int x402_version = 2;
  std::variant<std::vector<PaymentRequirements>, std::vector<PaymentRequirementsV1>> accepts;
  JsonValue last_updated;  // spec: unix seconds; TS: ISO string. Kept as sent.
  std::optional<JsonObject> metadata;
  std::optional<std::string> description;
  std::optional<std::string> mime_type;
  std::optional<std::string> service_name;       // 2.27
  std::optional<std::vector<std::string>> tags;  // 2.27
  std::optional<std::string> icon_url;           // 2.27
  std::optional<JsonObject> extensions;
  bool operator==(const DiscoveredResource&) const = default;
};

struct DiscoveryPagination {
  std::uint64_t limit = 20;
  std::uint64_t offset = 0;
  std::uint64_t total = 0;
  bool operator==(const DiscoveryPagination&) const = default;
};

struct DiscoveryResponse {
  int x402_version = 2;
  std::vector<DiscoveredResource> items;
  DiscoveryPagination pagination;
  bool operator==(const DiscoveryResponse&) const = default;
};

}  // namespace x402
