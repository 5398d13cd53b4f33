// Seller side of exact-EVM: "$0.001" on a network -> amount of its stablecoin with the EIP-712
// domain in `extra`, from the network registry's asset table.
#pragma once

#include <memory>

#include "x402/networks.hpp"
#include "x402/schemes.hpp"

namespace x402::exact_evm {

class ExactEvmServer final : public SchemeServer {
 public:
  explicit ExactEvmServer(std::shared_ptr<const NetworkRegistry> networks) : networks_(std::move(networks)) {}

  [[nodiscard]] std::string_view scheme() const noexcept override { return "exact"; }
  [[nodiscard]] Result<AssetAmount> parse_price(const Money& price, std::string_view network) const override {
    return resolve_price(price, network, *networks_);
  }

 private:
  std::shared_ptr<const NetworkRegistry> networks_;
};

}  // namespace x402::exact_evm
