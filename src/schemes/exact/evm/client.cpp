#include "schemes/exact/evm/client.hpp"

#include <sodium.h>

#include <chrono>
#include <map>
#include <mutex>
#include <tuple>

#include "crypto/eip712.hpp"

namespace x402::exact_evm {
namespace {

// What a requirement contributes to every authorization signed under it: the EIP-712 domain
// separator (four Keccak-f permutations) and the recipient, parsed and spelled in EIP-55 (a
// permutation each; the asset's parse is one more). A client pays the same few sellers again and
// again, so these are worked out once per distinct (chain, asset, payTo, name, version) text.
struct RequirementTerms {
  Bytes32 domain_separator;
  Address pay_to;
  std::string checksummed_pay_to;
};

struct RequirementKeyView {
  std::uint64_t chain_id = 0;
  std::string_view asset;
  std::string_view pay_to;
  std::string_view name;
  std::string_view version;

  [[nodiscard]] auto fields() const noexcept { return std::tie(chain_id, asset, pay_to, name, version); }
};

struct RequirementKey {
  std::uint64_t chain_id = 0;
  std::string asset;
  std::string pay_to;
  std::string name;
  std::string version;

  explicit RequirementKey(const RequirementKeyView& view)
      : chain_id(view.chain_id),
        asset(view.asset),
        pay_to(view.pay_to),
        name(view.name),
        version(view.version) {}
  [[nodiscard]] RequirementKeyView view() const noexcept { return {chain_id, asset, pay_to, name, version}; }
};

// Lookups by views, so a hit allocates nothing.
struct RequirementKeyLess {
  using is_transparent = void;
  static RequirementKeyView view(const RequirementKey& key) noexcept { return key.view(); }
  static const RequirementKeyView& view(const RequirementKeyView& key) noexcept { return key; }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const noexcept {
    return view(a).fields() < view(b).fields();
  }
};

}  // namespace

// Shared by the threads paying through one client. Entries are immutable and handed out by
// shared_ptr, so the lock covers only the map. Requirements come from servers, so the map is
// bounded: when full it is emptied and refilled by what is still being paid.
class RequirementTermsCache {
 public:
  static constexpr std::size_t kMaxEntries = 256;

  [[nodiscard]] std::shared_ptr<const RequirementTerms> find(const RequirementKeyView& key) const {
    std::lock_guard lock(mutex_);
    const auto found = entries_.find(key);
    return found == entries_.end() ? nullptr : found->second;
  }

  void insert(const RequirementKeyView& key, const std::shared_ptr<const RequirementTerms>& terms) {
    RequirementKey owned(key);  // allocated outside the lock
    std::lock_guard lock(mutex_);
    if (entries_.size() >= kMaxEntries) entries_.clear();
    entries_.try_emplace(std::move(owned), terms);
  }

 private:
  mutable std::mutex mutex_;
  std::map<RequirementKey, std::shared_ptr<const RequirementTerms>, RequirementKeyLess> entries_;
};

namespace {

std::uint64_t system_now() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

struct DomainFields {
  std::string_view name;
  std::string_view version;
};

// extra.name / extra.version as strings, or the reference client's error.
Result<DomainFields> eip712_domain_fields(const std::optional<JsonObject>& extra, std::string_view asset) {
  const auto missing = [&] {
    return make_error(
        Errc::invalid_field,
        "EIP-712 domain parameters (name, version) are required in payment requirements for asset " +
            std::string(asset));
  };
  if (!extra) return missing();
  const auto* name = extra->if_contains("name");
  const auto* version = extra->if_contains("version");
  if (name == nullptr || version == nullptr || !name->is_string() || !version->is_string() ||
      name->get_string().empty() || version->get_string().empty())
    return missing();
  return DomainFields{name->get_string(), version->get_string()};
}

// On a cache miss: parses both addresses (errors name the field, asset first), hashes the domain.
Result<std::shared_ptr<const RequirementTerms>> compute_terms(const RequirementKeyView& key) {
  auto asset = Address::parse(key.asset);
  if (!asset) return make_error(Errc::invalid_field, "asset: " + asset.error().message);
  auto pay_to = Address::parse(key.pay_to);
  if (!pay_to) return make_error(Errc::invalid_field, "payTo: " + pay_to.error().message);
  const crypto::Eip712Domain domain{std::string(key.name), std::string(key.version), key.chain_id, *asset};
  return std::make_shared<const RequirementTerms>(
      RequirementTerms{crypto::domain_separator(domain), *pay_to, pay_to->checksummed()});
}

Bytes sign_under(const PrivateKey& key, const Bytes32& domain_separator, const Authorization& a) {
  const crypto::TransferWithAuthorization message{a.from,        a.to,           a.value,
                                                  a.valid_after, a.valid_before, a.nonce};
  const Signature signature =
      key.sign_digest(crypto::typed_data_digest(domain_separator, crypto::struct_hash(message)));
  const auto bytes = signature.to_bytes();
  return Bytes(bytes.begin(), bytes.end());
}

}  // namespace

Bytes32 random_nonce() noexcept {
  Bytes32 nonce;
  randombytes_buf(nonce.data(), nonce.size);
  return nonce;
}

Eip3009Payload sign_authorization(const PrivateKey& key, const SigningRequest& request) {
  const crypto::Eip712Domain domain{request.name, request.version, request.chain_id, request.asset};
  return Eip3009Payload{request.authorization,
                        sign_under(key, crypto::domain_separator(domain), request.authorization)};
}

ExactEvmClient::ExactEvmClient(const PrivateKey& key, std::shared_ptr<const NetworkRegistry> networks,
                               Clock clock, NonceSource nonces)
    : key_(key),
      checksummed_address_(key_.address().checksummed()),
      networks_(std::move(networks)),
      clock_(clock ? std::move(clock) : Clock(system_now)),
      nonces_(nonces ? std::move(nonces) : NonceSource(random_nonce)),
      terms_(std::make_unique<RequirementTermsCache>()) {}

ExactEvmClient::~ExactEvmClient() = default;

Result<JsonObject> ExactEvmClient::create(std::uint64_t chain_id, std::string_view asset,
                                          std::string_view pay_to, const U256& value,
                                          std::uint64_t max_timeout_seconds,
                                          const std::optional<JsonObject>& extra, bool v1) const {
  auto domain_fields = eip712_domain_fields(extra, asset);
  if (!domain_fields) return domain_fields.take_error();
  const RequirementKeyView key{chain_id, asset, pay_to, domain_fields->name, domain_fields->version};
  std::shared_ptr<const RequirementTerms> terms = terms_->find(key);
  if (!terms) {
    auto computed = compute_terms(key);
    if (!computed) return computed.take_error();
    terms = std::move(*computed);
    terms_->insert(key, terms);
  }

  const std::uint64_t now = clock_();
  Eip3009Payload payload;
  auto& authorization = payload.authorization;
  authorization.from = key_.address();
  authorization.to = terms->pay_to;
  authorization.value = value;
  // v2 (2.27) signs from the epoch; v1 clients back-date ten minutes for clock skew.
  authorization.valid_after = v1 ? U256(now >= 600 ? now - 600 : 0) : U256(0);
  authorization.valid_before = U256(now) + U256(max_timeout_seconds);
  authorization.nonce = nonces_();
  payload.signature = sign_under(key_, terms->domain_separator, authorization);
  return to_json(payload, checksummed_address_, terms->checksummed_pay_to);
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
