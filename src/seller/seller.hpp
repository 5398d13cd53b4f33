// Seller core (framework-independent). The public API is x402/seller.hpp; this header adds the
// pure building blocks the adapters, the gateway and the tests use: route patterns, requirement
// building, payment matching and the 402 shapes.
#pragma once

#include <array>
#include <functional>
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
  // The same with the path already normalised (normalize_path(target)): a router normalises a
  // request's path once and asks every pattern.
  [[nodiscard]] bool matches_normalized(std::string_view method, std::string_view normalized_path) const;

  [[nodiscard]] const std::string& verb() const noexcept { return verb_; }  // "" = any
  [[nodiscard]] const std::string& path() const noexcept { return path_; }  // as normalised

 private:
  std::string verb_;
  std::string path_;
  std::string compiled_;         // lower-cased path with wildcard tokens (see routes.cpp)
  std::string compiled_prefix_;  // prefix_: compiled_ + "/" + any run (the part under the prefix)
  bool prefix_ = false;          // trailing "/*": also matches the bare prefix
  bool literal_ = false;         // compiled_ holds no wildcard token: plain string compares
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

// --- 402 answers ----------------------------------------------------------------------------

// The two documents of a 402 for one resource URL: v2 PaymentRequired (the PAYMENT-REQUIRED
// header) and the v1 PaymentRequirementsResponse (the body).
struct PaymentRequiredDocuments {
  PaymentRequired required;
  PaymentRequirementsResponse body;
};

// Their wire text: the header value (base64 of the compact JSON) and the body.
struct PaymentRequiredTexts {
  std::string header;
  std::string body;
};

// Serializes both (JS-exact, reference key order).
[[nodiscard]] PaymentRequiredTexts render(const PaymentRequiredDocuments& documents);

// A route's plain 402 (error "Payment required") serialized once, with the resource URL, the only
// part of it that depends on the request, left open. fill(url) costs a few copies and the base64
// of the URL's bytes; render(build(url)) costs building and serializing both documents. Byte for
// byte the same text (make() checks this on probe URLs and refuses otherwise). Immutable: safe to
// share between threads; it belongs to one seller configuration and goes with it.
class PaymentRequiredTemplate {
 public:
  using Builder = std::function<PaymentRequiredDocuments(const std::string& resource_url)>;

  // nullopt when the URL cannot be told apart from the rest of the documents (a configured
  // string equal to the placeholder); the caller then renders every answer.
  [[nodiscard]] static std::optional<PaymentRequiredTemplate> make(const Builder& build);

  [[nodiscard]] PaymentRequiredTexts fill(std::string_view resource_url) const;

 private:
  // Header JSON = head + "url" + tail. Its base64 is kept as the base64 of the head's first
  // 3k bytes, the 0-2 bytes left over (carry), and the base64 of the tail without its first
  // 0, 1 or 2 bytes: fill encodes only carry + "url" + the tail bytes that complete a triple.
  std::string header_head_b64_;
  std::string header_carry_;
  std::string header_tail_;
  std::array<std::string, 3> header_tail_b64_;
  // Body = pieces[0] + "url" + pieces[1] + ... (the URL once per v1 requirement).
  std::vector<std::string> body_pieces_;
};

}  // namespace x402::seller
