// cpp-httplib adapter (Debian libcpp-httplib-dev 0.11; link with pkg-config cpp-httplib). httplib
// handlers are synchronous and run on its thread pool, so the asynchronous core runs on a
// SellerRuntime's private thread and the handler thread blocks on it.
//
// install() uses the server's pre- and post-routing hooks (replacing any set before), so every
// route of the server goes through the seller, like middleware: pre-routing decides (402, 502,
// preflight, or verified); the route handler runs; post-routing, which httplib calls before it
// writes a byte, settles and adds PAYMENT-RESPONSE, or replaces the held response.
//
//   SellerRuntime runtime;
//   auto seller = Seller::create(runtime.executor(), options);
//   httplib::Server server;
//   x402::seller::httplib_adapter::install(server, *seller, runtime);
//   server.Get("/weather", ...);
#pragma once

#include <httplib.h>

#include <memory>
#include <string>

#include "seller/runtime.hpp"
#include "x402/seller.hpp"

namespace x402::seller::httplib_adapter {

namespace detail {

// The verified payment of the request this handler thread is serving (httplib serves one request
// per thread from pre-routing to post-routing).
struct Pending {
  const ::httplib::Request* request = nullptr;
  std::shared_ptr<PaidRequest> payment;
};
inline thread_local Pending pending;

inline Request to_seller_request(const ::httplib::Request& request, const std::string& url_scheme) {
  Request out;
  out.method = request.method;
  out.target = request.target.empty() ? request.path : request.target;
  const std::string host = request.get_header_value("Host");
  out.url = request_url(url_scheme, host.empty() ? std::string("localhost") : host, out.target);
  for (const auto& [name, value] : request.headers) out.headers.emplace_back(name, value);
  return out;
}

// Replaces whatever the handler produced (body, provider, compression headers) with `response`,
// keeping only httplib's connection headers. `set_length`: after routing httplib no longer
// computes Content-Length, so post-routing replacements set it themselves.
inline void replace(::httplib::Response& target, const Response& response, bool set_length) {
  ::httplib::Headers keep;
  for (const auto& [name, value] : target.headers)
    if (name == "Connection" || name == "Keep-Alive") keep.emplace(name, value);
  target.headers = std::move(keep);
  target.status = static_cast<int>(response.status);
  target.content_provider_ = nullptr;
  target.content_length_ = 0;
  target.is_chunked_content_provider_ = false;
  for (const auto& [name, value] : response.headers) target.headers.emplace(name, value);
  target.body = response.body;
  if (set_length) target.headers.emplace("Content-Length", std::to_string(response.body.size()));
}

inline void add_headers(::httplib::Response& target, const Completion& completion) {
  for (const auto& [name, value] : completion.headers) {
    if (name == "Vary" && target.has_header("Vary")) {
      std::string current = target.get_header_value("Vary");
      target.headers.erase("Vary");
      target.headers.emplace("Vary", current + ", " + value);
    } else {
      target.headers.erase(name);
      target.headers.emplace(name, value);
    }
  }
  if (completion.cache_private) {
    std::string current = target.get_header_value("Cache-Control");
    target.headers.erase("Cache-Control");
    target.headers.emplace("Cache-Control", append_private(current));
  }
}

}  // namespace detail

// `seller` and `runtime` must outlive the server's last request.
inline void install(::httplib::Server& server, std::shared_ptr<Seller> seller, SellerRuntime& runtime,
                    std::string url_scheme = "http") {
  server.set_pre_routing_handler(
      [seller, &runtime, url_scheme](const ::httplib::Request& request, ::httplib::Response& response) {
        detail::pending = {};
        Decision decision = runtime.process(*seller, detail::to_seller_request(request, url_scheme));
        switch (decision.kind) {
          case Decision::Kind::pass:
            return ::httplib::Server::HandlerResponse::Unhandled;
          case Decision::Kind::respond:
            detail::replace(response, decision.response, false);
            return ::httplib::Server::HandlerResponse::Handled;
          case Decision::Kind::run_handler:
            detail::pending = {&request, std::move(decision.payment)};
            return ::httplib::Server::HandlerResponse::Unhandled;
        }
        return ::httplib::Server::HandlerResponse::Unhandled;
      });
  server.set_post_routing_handler(
      [seller, &runtime](const ::httplib::Request& request, ::httplib::Response& response) {
        if (detail::pending.request != &request || !detail::pending.payment) return;
        auto payment = std::move(detail::pending.payment);
        detail::pending = {};
        // httplib turns a throwing handler into 500 before this point: not settled.
        const unsigned status = response.status < 0 ? 500U : static_cast<unsigned>(response.status);
        Completion completion = runtime.complete(*seller, std::move(payment), status);
        if (completion.replacement)
          detail::replace(response, *completion.replacement, true);
        else
          detail::add_headers(response, completion);
      });
}

}  // namespace x402::seller::httplib_adapter
