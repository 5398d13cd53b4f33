// Seller core (framework-independent). The public API is x402/seller.hpp; this header adds the
// pure building blocks the adapters, the gateway and the tests use: route patterns, requirement
// building, payment matching and the 402 shapes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "x402/result.hpp"
#include "x402/seller.hpp"
#include "x402/types.hpp"

namespace x402::seller {

// A parsed route pattern ("GET /items/:id", "/api/*").
class RoutePattern {
 public:
  // Errors: empty path, path not starting with '/', unknown verb, empty parameter name.
  [[nodiscard]] static Result<RoutePattern> parse(std::string_view pattern);

  // `target` may carry a query (ignored). Method compare is case-insensitive; "" verb = any.
  [[nodiscard]] bool matches(std::string_view method, std::string_view target) const;

  [[nodiscard]] const std::string& verb() const noexcept { return verb_; }  // "" = any
  [[nodiscard]] const std::string& path() const noexcept { return path_; }  // as normalised

 private:
  std::string verb_;
  std::string path_;
  std::string compiled_;  // lower-cased path with wildcard tokens (see routes.cpp)
  bool prefix_ = false;   // trailing "/*": also matches the bare prefix
};

// The path of `target` as matched: query/fragment removed, percent-decoded per segment (an
// encoded '/' stays "%2F"), duplicate and trailing slashes collapsed, "." and ".." segments
// resolved, ASCII lower-cased. A segment with a malformed escape is kept verbatim, so a bad
// escape cannot move a request out of a protected prefix.
[[nodiscard]] std::string normalize_path(std::string_view target);

// The requirements of one route option with its price resolved (no resource URL yet).
struct ResolvedOption {
  PaymentRequirements requirements;       // v2, network as CAIP-2
  std::optional<std::string> v1_network;  // the v1 name, if the network has one
};

// Resolves an option's price through the scheme server and applies the option's extra.
[[nodiscard]] Result<ResolvedOption> resolve_option(const PaymentOption& option,
                                                    const NetworkRegistry& networks,
                                                    const SchemeRegistry<SchemeServer>& schemes);

// v1 requirement for a v2 one (the v1 402 body; what a v1 payment is verified against).
[[nodiscard]] PaymentRequirementsV1 to_v1(const PaymentRequirements& requirements, std::string v1_network,
                                          std::string resource_url, std::string description,
                                          std::string mime_type);

// The 2.27 rule: scheme, network, amount, asset, payTo, maxTimeoutSeconds equal, and
// accepted.extra holds every key of the server's extra with an equal value.
[[nodiscard]] bool accepted_matches(const PaymentRequirements& accepted, const PaymentRequirements& server);

}  // namespace x402::seller
