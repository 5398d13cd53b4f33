// What crosses the proxy: the request sent upstream (client headers minus hop-by-hop and payment
// headers, plus the upstream's own injected headers) and the response header sent back (upstream
// headers minus hop-by-hop and any x402 headers the upstream might try to forge).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/upstream.hpp"
#include "http/client.hpp"
#include "x402/seller.hpp"

namespace x402::gateway {

// RFC 9110 §7.6.1 connection-specific fields, plus the obsolete Proxy-Connection.
[[nodiscard]] bool is_hop_by_hop(std::string_view name) noexcept;
// Request fields the client uses to pay; never forwarded.
[[nodiscard]] bool is_payment_request_header(std::string_view name) noexcept;
// Response fields only the gateway may set (PAYMENT-REQUIRED, PAYMENT-RESPONSE, X-PAYMENT-RESPONSE).
[[nodiscard]] bool is_payment_response_header(std::string_view name) noexcept;

struct ForwardContext {
  std::string remote_address;   // the client's IP, appended to X-Forwarded-For
  std::string scheme = "http";  // the scheme the client used to reach the gateway
  const std::vector<std::pair<std::string, std::string>>* inject = nullptr;  // the upstream's headers
};

// The request to send upstream: same method, target (path and query unchanged) and body.
[[nodiscard]] http::Request upstream_request(const http::Request& client, const ForwardContext& context);

// The header to send to the client for an upstream response. `keep_length`: the body goes through
// unchanged, so a Content-Length stays valid (otherwise it is dropped and recomputed).
[[nodiscard]] ResponseHeader client_header(const ResponseHeader& upstream, bool keep_length);

// The seller core's view of a request; resource URLs start with `base_url` ("https://api.example")
// when given, else with http://<Host>.
[[nodiscard]] seller::Request seller_request(const http::Request& request, std::string_view base_url);

// Browser detection of the reference seller (§6.4): Accept has text/html and User-Agent has Mozilla.
[[nodiscard]] bool is_browser(const http::Request& request) noexcept;

}  // namespace x402::gateway
