// Buyer side of exact-EVM: signs an EIP-3009 TransferWithAuthorization for a chosen requirement,
// the way the reference clients do (validAfter "0" in v2, now-600 in v1; validBefore
// now + maxTimeoutSeconds; a fresh 32-byte nonce from the OS CSPRNG).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "schemes/exact/evm/payload.hpp"
#include "x402/keys.hpp"
#include "x402/networks.hpp"
#include "x402/schemes.hpp"

namespace x402::exact_evm {

// The EIP-712 domain and message of one authorization; pure signing, no clock, no randomness.
struct SigningRequest {
  std::uint64_t chain_id = 0;
  Address asset;  // verifyingContract
  std::string name;
  std::string version;
  Authorization authorization;  // `from` must be the key's address
};
[[nodiscard]] Eip3009Payload sign_authorization(const PrivateKey& key, const SigningRequest& request);

class RequirementTermsCache;

class ExactEvmClient final : public SchemeClient {
 public:
  using Clock = std::function<std::uint64_t()>;  // unix seconds
  using NonceSource = std::function<Bytes32()>;  // 32 random bytes

  ExactEvmClient(const PrivateKey& key, std::shared_ptr<const NetworkRegistry> networks, Clock clock = {},
                 NonceSource nonces = {});
  ~ExactEvmClient() override;
  ExactEvmClient(const ExactEvmClient&) = delete;
  ExactEvmClient& operator=(const ExactEvmClient&) = delete;

  [[nodiscard]] std::string_view scheme() const noexcept override { return "exact"; }
  [[nodiscard]] Result<JsonObject> create_payload(const PaymentRequirements& requirements) const override;
  [[nodiscard]] Result<JsonObject> create_payload_v1(
      const PaymentRequirementsV1& requirements) const override;

  [[nodiscard]] const Address& address() const noexcept { return key_.address(); }

 private:
  [[nodiscard]] Result<JsonObject> create(std::uint64_t chain_id, std::string_view asset,
                                          std::string_view pay_to, const U256& value,
                                          std::uint64_t max_timeout_seconds,
                                          const std::optional<JsonObject>& extra, bool v1) const;

  PrivateKey key_;
  std::string checksummed_address_;  // `from` of every payment, spelled once
  std::shared_ptr<const NetworkRegistry> networks_;
  Clock clock_;
  NonceSource nonces_;
  std::unique_ptr<RequirementTermsCache> terms_;  // thread-safe: create() runs concurrently
};

// Fresh nonce from the OS CSPRNG.
[[nodiscard]] Bytes32 random_nonce() noexcept;

}  // namespace x402::exact_evm
