// The browser paywall (x402-reference §6.4): a 402 for a browser (Accept: text/html and a Mozilla
// User-Agent) carries an HTML page that shows what is asked and pays with the browser's wallet.
// The PAYMENT-REQUIRED header is still sent with it. The page is self-contained (no fetches of
// scripts or styles at run time); its source is src/gateway/paywall/page.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "x402/networks.hpp"
#include "x402/types.hpp"

namespace x402::gateway {

// The page with its __X402_CONFIG__ token.
[[nodiscard]] std::string_view paywall_template() noexcept;

struct PaywallOptions {
  std::string app_name;
};

// The page for `required`, or nullopt when no requirement is payable from a browser wallet
// (the page signs exact / eip155 / EIP-3009 only); the caller then sends the plain 402.
[[nodiscard]] std::optional<std::string> render_paywall(const PaymentRequired& required,
                                                        const NetworkRegistry& networks,
                                                        const PaywallOptions& options);

}  // namespace x402::gateway
