#include "schemes/exact/evm/client.hpp"

#include <sodium.h>

#include <chrono>

#include "crypto/eip712.hpp"

namespace x402::exact_evm {
namespace {

std::uint64_t system_now() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

// extra.name / extra.version as strings, or the reference client's error.
Result<std::pair<std::string, std::string>> eip712_domain_fields(const std::optional<JsonObject>& extra,
                                                                 std::string_view asset) {
  const auto missing = [&] {
    return make_error(Errc::invalid_field,
                      "EIP-712 domain parameters (name, version) are required in payment requirements for asset " +
                          std::string(asset));
  };
  if (!extra) return missing();
  const auto* name = extra->if_contains("name");
  const auto* version = extra->if_contains("version");
  if (name == nullptr || version == nullptr || !name->is_string() || !version->is_string() ||
      name->get_string().empty() || version->get_string().empty())
    return missing();
  return std::pair{std::string(name->get_string()), std::string(version->get_string())};
}

}  // namespace

Bytes32 random_nonce() noexcept {
  Bytes32 nonce;
  randombytes_buf(nonce.data(), nonce.size);
  return nonce;
}

Eip3009Payload sign_authorization(const PrivateKey& key, const SigningRequest& request) {
  const crypto::Eip712Domain domain{request.name, request.version, request.chain_id, request.asset};
  const auto& a = request.authorization;
  const crypto::TransferWithAuthorization message{a.from, a.to, a.value, a.valid_after, a.valid_before, a.nonce};
  const Signature signature = key.sign_digest(crypto::transfer_with_authorization_digest(domain, message));
  const auto bytes = signature.to_bytes();
  return Eip3009Payload{a, Bytes(bytes.begin(), bytes.end())};
}

ExactEvmClient::ExactEvmClient(PrivateKey key, std::shared_ptr<const NetworkRegistry> networks, Clock clock,
                               NonceSource nonces)
    : key_(std::move(key)),
      networks_(std::move(networks)),
      clock_(clock ? std::move(clock) : Clock(system_now)),
      nonces_(nonces ? std::move(nonces) : NonceSource(random_nonce)) {}

Result<JsonObject> ExactEvmClient::create(std::uint64_t chain_id, std::string_view asset, std::string_view pay_to,
                                          const U256& value, std::uint64_t max_timeout_seconds,
                                          const std::optional<JsonObject>& extra, bool v1) const {
  auto domain_fields = eip712_domain_fields(extra, asset);
  if (!domain_fields) return domain_fields.take_error();
  auto asset_address = Address::parse(asset);
  if (!asset_address) return make_error(Errc::invalid_field, "asset: " + asset_address.error().message);
  auto to = Address::parse(pay_to);
  if (!to) return make_error(Errc::invalid_field, "payTo: " + to.error().message);

  const std::uint64_t now = clock_();
  SigningRequest request;
  request.chain_id = chain_id;
  request.asset = *asset_address;
  request.name = std::move(domain_fields->first);
  request.version = std::move(domain_fields->second);
  request.authorization.from = key_.address();
  request.authorization.to = *to;
  request.authorization.value = value;
  // v2 (2.27) signs from the epoch; v1 clients back-date ten minutes for clock skew.
  request.authorization.valid_after = v1 ? U256(now >= 600 ? now - 600 : 0) : U256(0);
  request.authorization.valid_before = U256(now) + U256(max_timeout_seconds);
  request.authorization.nonce = nonces_();
  return to_json(sign_authorization(key_, request));
}

Result<JsonObject> ExactEvmClient::create_payload(const PaymentRequirements& requirements) const {
  auto chain = parse_caip2(requirements.network);
  if (!chain || chain->chain_namespace != "eip155")
    return make_error(Errc::invalid_network, "not an eip155 network: " + requirements.network);
  auto chain_id = networks_->evm_chain_id(requirements.network);
  if (!chain_id) return make_error(Errc::invalid_network, "invalid chain id in " + requirements.network);
  return create(*chain_id, requirements.asset, requirements.pay_to, requirements.amount,
                requirements.max_timeout_seconds, requirements.extra, false);
}

Result<JsonObject> ExactEvmClient::create_payload_v1(const PaymentRequirementsV1& requirements) const {
  const auto* network = networks_->find_network(requirements.network);
  if (network == nullptr || network->chain_id == 0)
    return make_error(Errc::invalid_network, "unknown v1 EVM network: " + requirements.network);
  return create(network->chain_id, requirements.asset, requirements.pay_to, requirements.max_amount_required,
                requirements.max_timeout_seconds, requirements.extra, true);
}

}  // namespace x402::exact_evm
