#include "schemes/exact/evm/verify_rules.hpp"

#include "crypto/eip712.hpp"
#include "crypto/keccak.hpp"
#include "crypto/secp256k1.hpp"
#include "x402/reasons.hpp"

namespace x402::exact_evm {
namespace {

struct RequestFields {
  int version;
  std::string_view accepted_scheme;
  std::string_view accepted_network;
  const PaymentRequirements* v2 = nullptr;
  const PaymentRequirementsV1* v1 = nullptr;
  const JsonObject* payload;
};

std::string_view view(const std::string& text) noexcept {
  return {text.data(), text.size()};
}

// The payer as the reference reports it on early rejections: authorization.from when readable.
std::optional<Address> payer_hint(const JsonObject& payload) noexcept {
  const auto* auth = payload.if_contains("authorization");
  if (auth == nullptr || !auth->is_object()) return std::nullopt;
  const auto* from = auth->get_object().if_contains("from");
  if (from == nullptr || !from->is_string()) return std::nullopt;
  auto address = Address::parse(view(std::string(from->get_string())));
  if (!address) return std::nullopt;
  return *address;
}

Rejection reject(std::string_view reason, std::string message, const RequestView& request) {
  return Rejection{reason, std::move(message), payer_hint(*request.payload)};
}

// extra.name / extra.version must be non-empty strings.
std::optional<std::pair<std::string, std::string>> eip712_fields(const std::optional<JsonObject>& extra) {
  if (!extra) return std::nullopt;
  const auto* name = extra->if_contains("name");
  const auto* version = extra->if_contains("version");
  if (name == nullptr || version == nullptr || !name->is_string() || !version->is_string())
    return std::nullopt;
  if (name->get_string().empty() || version->get_string().empty()) return std::nullopt;
  return std::pair{std::string(name->get_string()), std::string(version->get_string())};
}

}  // namespace

RequestView view_of(const FacilitatorRequest& request) noexcept {
  RequestView out;
  if (const auto* v2 = std::get_if<PaymentRequestV2>(&request)) {
    const auto& req = v2->requirements;
    out.x402_version = 2;
    out.accepted_scheme = view(v2->payload.accepted.scheme);
    out.accepted_network = view(v2->payload.accepted.network);
    out.scheme = view(req.scheme);
    out.network = view(req.network);
    out.amount = &req.amount;
    out.asset = view(req.asset);
    out.pay_to = view(req.pay_to);
    out.extra = &req.extra;
    out.payload = &v2->payload.payload;
  } else {
    const auto& v1 = std::get<PaymentRequestV1>(request);
    const auto& req = v1.requirements;
    out.x402_version = 1;
    out.accepted_scheme = view(v1.payload.scheme);
    out.accepted_network = view(v1.payload.network);
    out.scheme = view(req.scheme);
    out.network = view(req.network);
    out.amount = &req.max_amount_required;
    out.asset = view(req.asset);
    out.pay_to = view(req.pay_to);
    out.extra = &req.extra;
    out.payload = &v1.payload.payload;
  }
  return out;
}

std::variant<Rejection, PreparedPayment> prepare_payment(const RequestView& request,
                                                         const NetworkRegistry& networks,
                                                         std::uint64_t now) noexcept {
  if (request.accepted_scheme != "exact" || request.scheme != "exact")
    return reject(reason::invalid_exact_evm_scheme, "scheme must be \"exact\"", request);

  // v1 resolves the payload's network name first; v2 checks the domain first.
  std::optional<std::uint64_t> chain_id;
  if (request.x402_version == 1) {
    chain_id = networks.evm_chain_id(request.accepted_network);
    if (!chain_id)
      return reject(reason::invalid_exact_evm_network_mismatch,
                    "unknown EVM network " + std::string(request.accepted_network), request);
  }
  auto domain = eip712_fields(*request.extra);
  if (!domain)
    return reject(reason::invalid_exact_evm_missing_eip712_domain,
                  "paymentRequirements.extra must carry the token's EIP-712 name and version", request);
  if (request.accepted_network != request.network)
    return reject(reason::invalid_exact_evm_network_mismatch,
                  "payload network " + std::string(request.accepted_network) + " != requirements network " +
                      std::string(request.network),
                  request);
  if (!chain_id) {
    auto caip2 = parse_caip2(request.network);
    if (caip2)
      chain_id = caip2->chain_namespace == "eip155" ? networks.evm_chain_id(request.network) : std::nullopt;
    if (!chain_id)
      return reject(reason::invalid_network, "not an EVM network: " + std::string(request.network), request);
  }

  auto asset = Address::parse(request.asset);
  if (!asset)
    return reject(reason::invalid_payment_requirements, "paymentRequirements.asset: " + asset.error().message,
                  request);
  auto pay_to = Address::parse(request.pay_to);
  if (!pay_to)
    return reject(reason::invalid_payment_requirements,
                  "paymentRequirements.payTo: " + pay_to.error().message, request);
  auto payment = parse_eip3009_payload(*request.payload);
  if (!payment) return reject(reason::invalid_payload, payment.error().message, request);

  PreparedPayment out;
  out.payment = std::move(*payment);
  out.asset = *asset;
  out.chain_id = *chain_id;
  out.eip712_name = std::move(domain->first);
  out.eip712_version = std::move(domain->second);
  const auto& auth = out.payment.authorization;
  out.digest = crypto::transfer_with_authorization_digest(
      crypto::Eip712Domain{out.eip712_name, out.eip712_version, out.chain_id, out.asset},
      crypto::TransferWithAuthorization{auth.from, auth.to, auth.value, auth.valid_after, auth.valid_before,
                                        auth.nonce});
  out.erc6492 = parse_erc6492(out.payment.signature);
  out.inner_signature = out.erc6492 ? out.erc6492->inner_signature : out.payment.signature;
  if (out.inner_signature.size() == 65) {
    auto signature = Signature::from_bytes(out.inner_signature);
    if (signature) {
      auto signer = crypto::recover_signer(out.digest, *signature);
      if (signer) out.ecdsa_signer = *signer;
    }
  }

  const auto after = [&](std::string_view reason, std::string message) {
    out.after_signature = Rejection{reason, std::move(message), auth.from};
  };
  if (auth.to != *pay_to) {
    after(reason::invalid_exact_evm_recipient_mismatch,
          "authorization.to " + auth.to.checksummed() + " != payTo " + pay_to->checksummed());
  } else if (auth.valid_before < U256(now) + 6) {
    after(reason::invalid_exact_evm_payload_authorization_valid_before,
          "authorization expires at " + to_decimal(auth.valid_before) + ", less than 6 s from now");
  } else if (auth.valid_after > U256(now)) {
    after(reason::invalid_exact_evm_payload_authorization_valid_after,
          "authorization is valid only after " + to_decimal(auth.valid_after));
  } else if (auth.value != *request.amount) {
    after(request.x402_version == 1 ? reason::invalid_exact_evm_authorization_value
                                    : reason::invalid_exact_evm_payload_authorization_value_mismatch,
          "authorization.value " + to_decimal(auth.value) + " != required " + to_decimal(*request.amount));
  }
  return out;
}

const Bytes32& transfer_event_topic() noexcept {
  static const Bytes32 topic = crypto::keccak256(std::string_view("Transfer(address,address,uint256)"));
  return topic;
}

}  // namespace x402::exact_evm
