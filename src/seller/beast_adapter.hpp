// Boost.Beast adapter: wraps an http::Handler with the seller. Asynchronous end to end: the inner
// handler's response is held (it is a complete message anyway) until settlement decided.
//
//   http::Server server(options, seller::wrap(seller, my_handler));
#pragma once

#include <memory>
#include <string>

#include "http/server.hpp"
#include "x402/seller.hpp"

namespace x402::seller {

struct WrapOptions {
  std::string url_scheme = "http";  // for resource.url ("https" behind a TLS terminator)
};

[[nodiscard]] http::Handler wrap(std::shared_ptr<Seller> seller, http::Handler inner);
[[nodiscard]] http::Handler wrap(std::shared_ptr<Seller> seller, http::Handler inner, WrapOptions options);

// Conversions, for other Beast-based code (the gateway).
[[nodiscard]] Request to_seller_request(const http::Request& request, std::string_view url_scheme);
[[nodiscard]] http::Response to_http_response(unsigned version, bool keep_alive, const Response& response);
// The same, taking over the body instead of copying it.
[[nodiscard]] http::Response to_http_response(unsigned version, bool keep_alive, Response&& response);
// Adds a Completion's headers (and Cache-Control: private) to a response the handler produced.
void apply_completion(const Completion& completion, http::ResponseHeader& header);

}  // namespace x402::seller
