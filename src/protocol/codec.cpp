// JSON codec of the wire types: writers in the reference SDK's key order, readers that validate
// and name the offending field. Key orders: x402-reference §1.3-§1.4 and §5.
#include "x402/codec.hpp"

#include <exception>

#include "protocol/json_read.hpp"
#include "protocol/json_write.hpp"

namespace x402 {
namespace json = boost::json;
using protocol::Reader;

namespace {

// --- writing ----------------------------------------------------------------------------------

void put(json::object& out, std::string_view key, const std::optional<std::string>& value) {
  if (value) out.emplace(key, *value);
}

void put(json::object& out, std::string_view key, const std::optional<JsonObject>& value) {
  if (value) out.emplace(key, *value);
}

json::array string_array(const std::vector<std::string>& values) {
  json::array out;
  out.reserve(values.size());
  for (const auto& value : values) out.emplace_back(value);
  return out;
}

template <typename T>
json::array value_array(const std::vector<T>& values) {
  json::array out;
  out.reserve(values.size());
  for (const auto& value : values) out.push_back(to_json(value));
  return out;
}

void put(json::object& out, std::string_view key, const std::optional<std::vector<std::string>>& values) {
  if (values) out.emplace(key, string_array(*values));
}

// --- reading ----------------------------------------------------------------------------------

constexpr std::size_t kMaxLabelLength = 32;  // serviceName and each tag (2.27 zod)
constexpr std::size_t kMaxTags = 5;
constexpr std::size_t kMaxIconUrlLength = 2048;

bool is_label(std::string_view text) {
  return !text.empty() && text.size() <= kMaxLabelLength && protocol::is_printable_ascii(text);
}

Result<ResourceInfo> read_resource(const json::value& value, const std::string& path) {
  Reader r(value, path);
  ResourceInfo out;
  out.url = r.text("url");
  out.description = r.opt_string("description");
  out.mime_type = r.opt_string("mimeType");
  out.service_name = r.opt_string("serviceName");
  if (out.service_name)
    r.require(is_label(*out.service_name), Errc::invalid_field, "serviceName",
              "expected 1-32 printable ASCII characters");
  out.tags = r.opt_strings("tags");
  if (out.tags) {
    r.require(out.tags->size() <= kMaxTags, Errc::invalid_field, "tags", "at most 5 tags allowed");
    for (std::size_t i = 0; i < out.tags->size(); ++i)
      r.require(is_label((*out.tags)[i]), Errc::invalid_field, "tags[" + std::to_string(i) + "]",
                "expected 1-32 printable ASCII characters");
  }
  out.icon_url = r.opt_string("iconUrl");
  if (out.icon_url)
    r.require(out.icon_url->size() <= kMaxIconUrlLength, Errc::invalid_field, "iconUrl",
              "longer than 2048 characters");
  return r.finish(std::move(out));
}

Result<PaymentRequirements> read_requirements(const json::value& value, const std::string& path) {
  Reader r(value, path);
  PaymentRequirements out;
  out.scheme = r.text("scheme");
  out.network = r.network_v2("network");
  out.amount = r.amount("amount");
  out.asset = r.text("asset");
  out.pay_to = r.text("payTo");
  out.max_timeout_seconds = r.uint("maxTimeoutSeconds");
  out.extra = r.opt_object("extra");
  return r.finish(std::move(out));
}

Result<PaymentRequired> read_payment_required(const json::value& value, const std::string& path) {
  Reader r(value, path);
  PaymentRequired out;
  r.version("x402Version", 2);
  out.error = r.opt_string("error");
  out.resource = r.nested("resource", read_resource);
  out.accepts = r.list("accepts", read_requirements, /*non_empty=*/true);
  out.extensions = r.opt_object("extensions");
  return r.finish(std::move(out));
}

Result<PaymentPayload> read_payload(const json::value& value, const std::string& path) {
  Reader r(value, path);
  PaymentPayload out;
  r.version("x402Version", 2);
  out.payload = r.object("payload");
  out.extensions = r.opt_object("extensions");
  out.resource = r.opt_nested("resource", read_resource);
  out.accepted = r.nested("accepted", read_requirements);
  return r.finish(std::move(out));
}

Result<PaymentRequirementsV1> read_requirements_v1(const json::value& value, const std::string& path) {
  Reader r(value, path);
  PaymentRequirementsV1 out;
  out.scheme = r.text("scheme");
  out.network = r.text("network");
  out.max_amount_required = r.amount("maxAmountRequired");
  out.resource = r.text("resource");
  out.description = r.string("description");
  out.mime_type = r.opt_string("mimeType").value_or("");  // optional in 2.27, always sent by legacy
  out.pay_to = r.text("payTo");
  out.max_timeout_seconds = r.uint("maxTimeoutSeconds");
  out.asset = r.text("asset");
  out.output_schema = r.opt_object("outputSchema");
  out.extra = r.opt_object("extra");
  return r.finish(std::move(out));
}

Result<PaymentRequirementsResponse> read_requirements_response(const json::value& value,
                                                               const std::string& path) {
  Reader r(value, path);
  PaymentRequirementsResponse out;
  r.version("x402Version", 1);
  out.error = r.opt_string("error").value_or("");
  out.accepts = r.list("accepts", read_requirements_v1, /*non_empty=*/true);
  out.payer = r.opt_string("payer");
  return r.finish(std::move(out));
}

Result<PaymentPayloadV1> read_payload_v1(const json::value& value, const std::string& path) {
  Reader r(value, path);
  PaymentPayloadV1 out;
  r.version("x402Version", 1);
  out.scheme = r.text("scheme");
  out.network = r.text("network");
  out.payload = r.object("payload");
  return r.finish(std::move(out));
}

// The request's x402Version picks the shapes; the nested payload decoder then insists on the
// same version, so a v1 payload inside a v2 request fails at paymentPayload.x402Version.
Result<FacilitatorRequest> read_facilitator_request(const json::value& value, const std::string& path) {
  Reader r(value, path);
  const int version = r.version("x402Version", 0);
  if (version == 1) {
    PaymentRequestV1 out;
    out.payload = r.nested("paymentPayload", read_payload_v1);
    out.requirements = r.nested("paymentRequirements", read_requirements_v1);
    return r.finish(FacilitatorRequest(std::move(out)));
  }
  PaymentRequestV2 out;
  out.payload = r.nested("paymentPayload", read_payload);
  out.requirements = r.nested("paymentRequirements", read_requirements);
  return r.finish(FacilitatorRequest(std::move(out)));
}

Result<VerifyResponse> read_verify_response(const json::value& value, const std::string& path) {
  Reader r(value, path);
  VerifyResponse out;
  out.is_valid = r.boolean("isValid");
  out.invalid_reason = r.opt_string("invalidReason");
  out.invalid_message = r.opt_string("invalidMessage");
  out.payer = r.opt_string("payer");
  out.extensions = r.opt_object("extensions");
  out.extra = r.opt_object("extra");
  return r.finish(std::move(out));
}

// `transaction` is required even on failure: the reference's facilitator client schema
// (z.string(), no nullish) rejects a settle answer without it, and every reference producer
// sends "" on failure. `network` is any string (v1 answers carry v1 names).
Result<SettleResponse> read_settle_response(const json::value& value, const std::string& path) {
  Reader r(value, path);
  SettleResponse out;
  out.success = r.boolean("success");
  out.error_reason = r.opt_string("errorReason");
  out.error_message = r.opt_string("errorMessage");
  out.payer = r.opt_string("payer");
  out.transaction = r.string("transaction");
  out.network = r.string("network");
  out.amount = r.opt_amount_text("amount");
  out.extensions = r.opt_object("extensions");
  out.extra = r.opt_object("extra");
  return r.finish(std::move(out));
}

// Networks are not checked for CAIP-2 here: /supported lists v1 kinds under v1 names.
Result<SupportedKind> read_supported_kind(const json::value& value, const std::string& path) {
  Reader r(value, path);
  SupportedKind out;
  out.x402_version = r.version("x402Version", 0);
  out.scheme = r.text("scheme");
  out.network = r.text("network");
  out.extra = r.opt_object("extra");
  return r.finish(std::move(out));
}

Result<std::vector<std::string>> read_string_list(const json::value& value, const std::string& path) {
  const auto* array = value.if_array();
  if (!array) return protocol::field_error(Errc::invalid_field, path, "expected an array");
  std::vector<std::string> out;
  out.reserve(array->size());
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto* text = (*array)[i].if_string();
    if (!text)
      return protocol::field_error(Errc::invalid_field, protocol::index_path(path, i), "expected a string");
    out.emplace_back(*text);
  }
  return out;
}

// `extensions` and `signers` default to empty when absent (v1 facilitators send only `kinds`).
Result<SupportedResponse> read_supported(const json::value& value, const std::string& path) {
  Reader r(value, path);
  SupportedResponse out;
  out.kinds = r.list("kinds", read_supported_kind, /*non_empty=*/false);
  out.extensions = r.opt_strings("extensions").value_or(std::vector<std::string>{});
  if (auto signers = r.opt_object("signers")) {
    const std::string base = protocol::member_path(path, "signers");
    for (const auto& member : *signers) {
      auto addresses = read_string_list(member.value(), protocol::member_path(base, member.key()));
      if (!addresses) {
        r.adopt(addresses.take_error());
        break;
      }
      out.signers.emplace_back(std::string(member.key()), std::move(*addresses));
    }
  }
  return r.finish(std::move(out));
}

Result<DiscoveredResource> read_discovered(const json::value& value, const std::string& path) {
  Reader r(value, path);
  DiscoveredResource out;
  out.resource = r.text("resource");
  out.type = r.text("type");
  out.x402_version = r.version("x402Version", 0);
  if (out.x402_version == 1)
    out.accepts = r.list("accepts", read_requirements_v1, /*non_empty=*/false);
  else
    out.accepts = r.list("accepts", read_requirements, /*non_empty=*/false);
  if (const auto* last_updated = r.raw("lastUpdated")) out.last_updated = *last_updated;
  out.metadata = r.opt_object("metadata");
  out.description = r.opt_string("description");
  out.mime_type = r.opt_string("mimeType");
  out.service_name = r.opt_string("serviceName");
  out.tags = r.opt_strings("tags");
  out.icon_url = r.opt_string("iconUrl");
  out.extensions = r.opt_object("extensions");
  return r.finish(std::move(out));
}

Result<DiscoveryPagination> read_pagination(const json::value& value, const std::string& path) {
  Reader r(value, path);
  DiscoveryPagination out;
  out.limit = r.uint("limit");
  out.offset = r.uint("offset");
  out.total = r.uint("total");
  return r.finish(out);
}

Result<DiscoveryResponse> read_discovery(const json::value& value, const std::string& path) {
  Reader r(value, path);
  DiscoveryResponse out;
  out.x402_version = r.version("x402Version", 0);
  out.items = r.list("items", read_discovered, /*non_empty=*/false);
  out.pagination = r.nested("pagination", read_pagination);
  return r.finish(std::move(out));
}

// Decoders promise not to throw; the only thing that can is allocation.
template <typename T, typename Decode>
Result<T> guarded(Decode decode, const json::value& value) noexcept {
  try {
    return decode(value, std::string());
  } catch (const std::exception& e) {
    return make_error(Errc::internal, std::string("decoder failed: ") + e.what());
  }
}

}  // namespace

// --- to_json ----------------------------------------------------------------------------------

// The v2 header types (PAYMENT-REQUIRED, PAYMENT-SIGNATURE) are described once, member by member
// in the reference key order, for two sinks: one builds the json::value (to_json), the other
// writes the same text stringify() would give for it straight away (serialize), without building
// the value and copying the nested objects into it first.

namespace {

template <typename T>
void write_text(std::string& out, const T& value);

class ValueSink {
 public:
  explicit ValueSink(std::size_t members) { out_.reserve(members); }
  void text(std::string_view key, std::string_view value) { out_.emplace(key, value); }
  void integer(std::string_view key, std::uint64_t value) { out_.emplace(key, value); }
  void version(std::string_view key, int value) { out_.emplace(key, value); }
  void object(std::string_view key, const JsonObject& value) { out_.emplace(key, value); }
  void strings(std::string_view key, const std::vector<std::string>& values) {
    out_.emplace(key, string_array(values));
  }
  template <typename T>
  void nested(std::string_view key, const T& value) {
    out_.emplace(key, to_json(value));
  }
  template <typename T>
  void list(std::string_view key, const std::vector<T>& values) {
    out_.emplace(key, value_array(values));
  }
  [[nodiscard]] json::value take() { return std::move(out_); }

 private:
  json::object out_;
};

class TextSink {
 public:
  explicit TextSink(std::string& out) : out_(out) { out_.push_back('{'); }
  void text(std::string_view key, std::string_view value) { protocol::write_string(name(key), value); }
  void integer(std::string_view key, std::uint64_t value) { protocol::write_uint(name(key), value); }
  void version(std::string_view key, int value) { protocol::write_int(name(key), value); }
  void object(std::string_view key, const JsonObject& value) { protocol::write_object(name(key), value); }
  void strings(std::string_view key, const std::vector<std::string>& values) {
    std::string& out = name(key);
    out.push_back('[');
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i != 0) out.push_back(',');
      protocol::write_string(out, values[i]);
    }
    out.push_back(']');
  }
  template <typename T>
  void nested(std::string_view key, const T& value) {
    write_text(name(key), value);
  }
  template <typename T>
  void list(std::string_view key, const std::vector<T>& values) {
    std::string& out = name(key);
    out.push_back('[');
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i != 0) out.push_back(',');
      write_text(out, values[i]);
    }
    out.push_back(']');
  }
  void finish() { out_.push_back('}'); }

 private:
  std::string& name(std::string_view key) {
    if (!first_) out_.push_back(',');
    first_ = false;
    protocol::write_string(out_, key);
    out_.push_back(':');
    return out_;
  }

  std::string& out_;
  bool first_ = true;
};

template <typename Sink>
void describe(Sink& sink, const ResourceInfo& value) {
  sink.text("url", value.url);
  if (value.description) sink.text("description", *value.description);
  if (value.mime_type) sink.text("mimeType", *value.mime_type);
  if (value.service_name) sink.text("serviceName", *value.service_name);
  if (value.tags) sink.strings("tags", *value.tags);
  if (value.icon_url) sink.text("iconUrl", *value.icon_url);
}

template <typename Sink>
void describe(Sink& sink, const PaymentRequirements& value) {
  sink.text("scheme", value.scheme);
  sink.text("network", value.network);
  sink.text("amount", to_decimal(value.amount));
  sink.text("asset", value.asset);
  sink.text("payTo", value.pay_to);
  sink.integer("maxTimeoutSeconds", value.max_timeout_seconds);
  if (value.extra) sink.object("extra", *value.extra);
}

template <typename Sink>
void describe(Sink& sink, const PaymentRequired& value) {
  sink.version("x402Version", 2);
  if (value.error) sink.text("error", *value.error);
  sink.nested("resource", value.resource);
  sink.list("accepts", value.accepts);
  if (value.extensions) sink.object("extensions", *value.extensions);
}

template <typename Sink>
void describe(Sink& sink, const PaymentPayload& value) {
  sink.version("x402Version", 2);
  sink.object("payload", value.payload);
  if (value.extensions) sink.object("extensions", *value.extensions);
  if (value.resource) sink.nested("resource", *value.resource);
  sink.nested("accepted", value.accepted);
}

template <typename T>
json::value value_of(const T& value, std::size_t members) {
  ValueSink sink(members);
  describe(sink, value);
  return sink.take();
}

template <typename T>
void write_text(std::string& out, const T& value) {
  TextSink sink(out);
  describe(sink, value);
  sink.finish();
}

template <typename T>
std::string text_of(const T& value) {
  std::string out;
  out.reserve(1024);  // a typical header's JSON: one allocation, no regrowth
  write_text(out, value);
  return out;
}

}  // namespace

json::value to_json(const ResourceInfo& value) {
  return value_of(value, 6);
}
json::value to_json(const PaymentRequirements& value) {
  return value_of(value, 7);
}
json::value to_json(const PaymentRequired& value) {
  return value_of(value, 5);
}
json::value to_json(const PaymentPayload& value) {
  return value_of(value, 5);
}

std::string serialize(const PaymentRequired& value) {
  return text_of(value);
}
std::string serialize(const PaymentPayload& value) {
  return text_of(value);
}

json::value to_json(const PaymentRequirementsV1& value) {
  json::object out;
  out.reserve(11);
  out.emplace("scheme", value.scheme);
  out.emplace("network", value.network);
  out.emplace("maxAmountRequired", to_decimal(value.max_amount_required));
  out.emplace("resource", value.resource);
  out.emplace("description", value.description);
  out.emplace("mimeType", value.mime_type);
  out.emplace("payTo", value.pay_to);
  out.emplace("maxTimeoutSeconds", value.max_timeout_seconds);
  out.emplace("asset", value.asset);
  put(out, "outputSchema", value.output_schema);
  put(out, "extra", value.extra);
  return out;
}

json::value to_json(const PaymentRequirementsResponse& value) {
  json::object out;
  out.reserve(4);
  out.emplace("x402Version", 1);
  out.emplace("error", value.error);
  out.emplace("accepts", value_array(value.accepts));
  put(out, "payer", value.payer);
  return out;
}

json::value to_json(const PaymentPayloadV1& value) {
  json::object out;
  out.reserve(4);
  out.emplace("x402Version", 1);
  out.emplace("scheme", value.scheme);
  out.emplace("network", value.network);
  out.emplace("payload", value.payload);
  return out;
}

json::value to_json(const FacilitatorRequest& value) {
  json::object out;
  out.reserve(3);
  if (const auto* v2 = std::get_if<PaymentRequestV2>(&value)) {
    out.emplace("x402Version", 2);
    out.emplace("paymentPayload", to_json(v2->payload));
    out.emplace("paymentRequirements", to_json(v2->requirements));
  } else {
    const auto& v1 = std::get<PaymentRequestV1>(value);
    out.emplace("x402Version", 1);
    out.emplace("paymentPayload", to_json(v1.payload));
    out.emplace("paymentRequirements", to_json(v1.requirements));
  }
  return out;
}

json::value to_json(const VerifyResponse& value) {
  json::object out;
  out.reserve(6);
  out.emplace("isValid", value.is_valid);
  put(out, "invalidReason", value.invalid_reason);
  put(out, "invalidMessage", value.invalid_message);
  put(out, "payer", value.payer);
  put(out, "extensions", value.extensions);
  put(out, "extra", value.extra);
  return out;
}

json::value to_json(const SettleResponse& value) {
  json::object out;
  out.reserve(9);
  out.emplace("success", value.success);
  put(out, "errorReason", value.error_reason);
  put(out, "errorMessage", value.error_message);
  put(out, "payer", value.payer);
  out.emplace("transaction", value.transaction);
  out.emplace("network", value.network);
  put(out, "amount", value.amount);
  put(out, "extensions", value.extensions);
  put(out, "extra", value.extra);
  return out;
}

json::value to_json(const SupportedKind& value) {
  json::object out;
  out.reserve(4);
  out.emplace("x402Version", value.x402_version);
  out.emplace("scheme", value.scheme);
  out.emplace("network", value.network);
  put(out, "extra", value.extra);
  return out;
}

json::value to_json(const SupportedResponse& value) {
  json::object signers;
  signers.reserve(value.signers.size());
  for (const auto& [pattern, addresses] : value.signers) signers.emplace(pattern, string_array(addresses));
  json::object out;
  out.reserve(3);
  out.emplace("kinds", value_array(value.kinds));
  out.emplace("extensions", string_array(value.extensions));
  out.emplace("signers", std::move(signers));
  return out;
}

json::value to_json(const DiscoveredResource& value) {
  json::object out;
  out.reserve(12);
  out.emplace("resource", value.resource);
  out.emplace("type", value.type);
  out.emplace("x402Version", value.x402_version);
  std::visit([&](const auto& accepts) { out.emplace("accepts", value_array(accepts)); }, value.accepts);
  if (!value.last_updated.is_null()) out.emplace("lastUpdated", value.last_updated);
  put(out, "metadata", value.metadata);
  put(out, "description", value.description);
  put(out, "mimeType", value.mime_type);
  put(out, "serviceName", value.service_name);
  put(out, "tags", value.tags);
  put(out, "iconUrl", value.icon_url);
  put(out, "extensions", value.extensions);
  return out;
}

json::value to_json(const DiscoveryResponse& value) {
  json::object pagination;
  pagination.reserve(3);
  pagination.emplace("limit", value.pagination.limit);
  pagination.emplace("offset", value.pagination.offset);
  pagination.emplace("total", value.pagination.total);
  json::object out;
  out.reserve(3);
  out.emplace("x402Version", value.x402_version);
  out.emplace("items", value_array(value.items));
  out.emplace("pagination", std::move(pagination));
  return out;
}

// --- from_json --------------------------------------------------------------------------------

template <>
Result<ResourceInfo> from_json<ResourceInfo>(const json::value& json) noexcept {
  return guarded<ResourceInfo>(read_resource, json);
}
template <>
Result<PaymentRequirements> from_json<PaymentRequirements>(const json::value& json) noexcept {
  return guarded<PaymentRequirements>(read_requirements, json);
}
template <>
Result<PaymentRequired> from_json<PaymentRequired>(const json::value& json) noexcept {
  return guarded<PaymentRequired>(read_payment_required, json);
}
template <>
Result<PaymentPayload> from_json<PaymentPayload>(const json::value& json) noexcept {
  return guarded<PaymentPayload>(read_payload, json);
}
template <>
Result<PaymentRequirementsV1> from_json<PaymentRequirementsV1>(const json::value& json) noexcept {
  return guarded<PaymentRequirementsV1>(read_requirements_v1, json);
}
template <>
Result<PaymentRequirementsResponse> from_json<PaymentRequirementsResponse>(const json::value& json) noexcept {
  return guarded<PaymentRequirementsResponse>(read_requirements_response, json);
}
template <>
Result<PaymentPayloadV1> from_json<PaymentPayloadV1>(const json::value& json) noexcept {
  return guarded<PaymentPayloadV1>(read_payload_v1, json);
}
template <>
Result<FacilitatorRequest> from_json<FacilitatorRequest>(const json::value& json) noexcept {
  return guarded<FacilitatorRequest>(read_facilitator_request, json);
}
template <>
Result<VerifyResponse> from_json<VerifyResponse>(const json::value& json) noexcept {
  return guarded<VerifyResponse>(read_verify_response, json);
}
template <>
Result<SettleResponse> from_json<SettleResponse>(const json::value& json) noexcept {
  return guarded<SettleResponse>(read_settle_response, json);
}
template <>
Result<SupportedKind> from_json<SupportedKind>(const json::value& json) noexcept {
  return guarded<SupportedKind>(read_supported_kind, json);
}
template <>
Result<SupportedResponse> from_json<SupportedResponse>(const json::value& json) noexcept {
  return guarded<SupportedResponse>(read_supported, json);
}
template <>
Result<DiscoveredResource> from_json<DiscoveredResource>(const json::value& json) noexcept {
  return guarded<DiscoveredResource>(read_discovered, json);
}
template <>
Result<DiscoveryResponse> from_json<DiscoveryResponse>(const json::value& json) noexcept {
  return guarded<DiscoveryResponse>(read_discovery, json);
}

}  // namespace x402
