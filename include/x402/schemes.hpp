// The scheme registry. Every role asks "who handles (version, scheme, network)?"; adding a scheme
// or a chain family means one more implementation of these interfaces and one registration.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "x402/money.hpp"
#include "x402/networks.hpp"
#include "x402/result.hpp"
#include "x402/types.hpp"

namespace x402 {

// Buyer side: builds the scheme-specific `payload` object for a chosen requirement, signing with
// the key it was constructed with.
class SchemeClient {
 public:
  virtual ~SchemeClient() = default;
  [[nodiscard]] virtual std::string_view scheme() const noexcept = 0;
  [[nodiscard]] virtual Result<JsonObject> create_payload(const PaymentRequirements& requirements) const = 0;
  [[nodiscard]] virtual Result<JsonObject> create_payload_v1(
      const PaymentRequirementsV1& requirements) const = 0;
};

// Seller side: a price on a network becomes an amount of an asset, with the scheme's `extra`.
class SchemeServer {
 public:
  virtual ~SchemeServer() = default;
  [[nodiscard]] virtual std::string_view scheme() const noexcept = 0;
  [[nodiscard]] virtual Result<AssetAmount> parse_price(const Money& price,
                                                        std::string_view network) const = 0;
  // Adds what the facilitator advertises for this kind (e.g. a fee payer); default: nothing.
  [[nodiscard]] virtual PaymentRequirements enhance(PaymentRequirements requirements,
                                                    const SupportedKind& /*kind*/) const {
    return requirements;
  }
};

// Facilitator side: verifies and settles. An invalid payment is a response (isValid:false,
// success:false with a reason); an error means the facilitator could not decide (chain RPC or
// ledger unavailable) and becomes an HTTP 5xx, so sellers fail closed.
class SchemeFacilitator {
 public:
  virtual ~SchemeFacilitator() = default;
  [[nodiscard]] virtual std::string_view scheme() const noexcept = 0;
  [[nodiscard]] virtual std::string_view caip_family() const noexcept = 0;  // "eip155:*"
  [[nodiscard]] virtual std::optional<JsonObject> supported_extra(std::string_view /*network*/) const {
    return std::nullopt;
  }
  [[nodiscard]] virtual std::vector<std::string> signers(std::string_view network) const = 0;
  virtual boost::asio::awaitable<Result<VerifyResponse>> verify(const FacilitatorRequest& request) = 0;
  virtual boost::asio::awaitable<Result<SettleResponse>> settle(const FacilitatorRequest& request) = 0;
};

// (version, scheme, network pattern) -> implementation. First registration that matches wins.
template <typename Scheme>
class SchemeRegistry {
 public:
  struct Entry {
    int x402_version = 2;
    std::string network_pattern;  // "eip155:*", "eip155:84532", or a v1 name ("base-sepolia")
    std::shared_ptr<Scheme> scheme;
  };

  void add(int x402_version, std::string network_pattern, std::shared_ptr<Scheme> scheme) {
    entries_.push_back(Entry{x402_version, std::move(network_pattern), std::move(scheme)});
  }

  [[nodiscard]] Scheme* find(int x402_version, std::string_view scheme,
                             std::string_view network) const noexcept {
    for (const auto& entry : entries_) {
      if (entry.x402_version == x402_version && entry.scheme->scheme() == scheme &&
          network_matches(entry.network_pattern, network))
        return entry.scheme.get();
    }
    return nullptr;
  }

  [[nodiscard]] const std::vector<Entry>& entries() const noexcept { return entries_; }

 private:
  std::vector<Entry> entries_;
};

}  // namespace x402
