// Beast adapter of the seller.
#include "seller/beast_adapter.hpp"

#include <boost/beast/http/field.hpp>
#include <exception>
#include <utility>

namespace x402::seller {
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

namespace {

asio::awaitable<http::Response> handle(std::shared_ptr<Seller> seller,
                                       std::shared_ptr<const http::Handler> inner,
                                       std::shared_ptr<const WrapOptions> options, http::Request request,
                                       http::RequestContext& context) {
  Request view = to_seller_request(request, options->url_scheme);
  Decision decision = co_await seller->process(std::move(view));
  const unsigned version = request.version();
  const bool keep_alive = request.keep_alive();
  switch (decision.kind) {
    case Decision::Kind::pass:
      co_return co_await (*inner)(std::move(request), context);
    case Decision::Kind::respond:
      co_return to_http_response(version, keep_alive, std::move(decision.response));
    case Decision::Kind::run_handler:
      break;
  }

  std::optional<http::Response> response;
  try {
    response = co_await (*inner)(std::move(request), context);
  } catch (const std::exception&) {
    // Treated as a 500 below: nothing is settled for a failed handler.
  }
  const unsigned status = response ? response->result_int() : 500;
  Completion completion = co_await seller->complete(std::move(decision.payment), status);
  if (completion.replacement) co_return to_http_response(version, keep_alive, *completion.replacement);
  if (!response) {
    Response failed;
    failed.status = 500;
    failed.headers.emplace_back("Content-Type", "application/json");
    failed.body = R"({"error":"Internal Server Error"})";
    for (const auto& header : completion.headers) failed.headers.push_back(header);
    co_return to_http_response(version, keep_alive, failed);
  }
  apply_completion(completion, response->base());
  co_return std::move(*response);
}

}  // namespace

Request to_seller_request(const http::Request& request, std::string_view url_scheme) {
  Request out;
  out.method = std::string(request.method_string());
  out.target = std::string(request.target());
  const auto host = request[bhttp::field::host];
  out.url = request_url(
      url_scheme, host.empty() ? std::string_view("localhost") : std::string_view(host.data(), host.size()),
      out.target);
  for (const auto& field : request)
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  return out;
}

namespace {

http::Response make_http_response(unsigned version, bool keep_alive, const Response& response,
                                  std::string body) {
  http::Response out{static_cast<bhttp::status>(response.status), version};
  out.set(bhttp::field::server, "x402");
  for (const auto& [name, value] : response.headers) out.insert(name, value);
  out.body() = std::move(body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

}  // namespace

http::Response to_http_response(unsigned version, bool keep_alive, const Response& response) {
  return make_http_response(version, keep_alive, response, response.body);
}

http::Response to_http_response(unsigned version, bool keep_alive, Response&& response) {
  std::string body = std::move(response.body);
  return make_http_response(version, keep_alive, response, std::move(body));
}

void apply_completion(const Completion& completion, http::ResponseHeader& header) {
  for (const auto& [name, value] : completion.headers) {
    if (name == "Vary") {
      const auto current = header[bhttp::field::vary];
      header.set(bhttp::field::vary, current.empty() ? value : std::string(current) + ", " + value);
    } else {
      header.set(name, value);
    }
  }
  if (completion.cache_private) {
    const auto current = header[bhttp::field::cache_control];
    header.set(bhttp::field::cache_control, append_private(std::string_view(current.data(), current.size())));
  }
}

http::Handler wrap(std::shared_ptr<Seller> seller, http::Handler inner) {
  return wrap(std::move(seller), std::move(inner), WrapOptions{});
}

http::Handler wrap(std::shared_ptr<Seller> seller, http::Handler inner, WrapOptions options) {
  auto shared_inner = std::make_shared<const http::Handler>(std::move(inner));
  auto shared_options = std::make_shared<const WrapOptions>(std::move(options));
  // A plain lambda forwarding to a coroutine with by-value parameters: the frame owns its state.
  return [seller = std::move(seller), shared_inner, shared_options](http::Request request,
                                                                    http::RequestContext& context) {
    return handle(seller, shared_inner, shared_options, std::move(request), context);
  };
}

}  // namespace x402::seller
