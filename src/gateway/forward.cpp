#include "gateway/forward.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include "seller/beast_adapter.hpp"

namespace x402::gateway {
namespace {

namespace bhttp = boost::beast::http;

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool icontains(std::string_view haystack, std::string_view needle) noexcept {
  if (needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i)
    if (iequals(haystack.substr(i, needle.size()), needle)) return true;
  return false;
}

// Names listed in a Connection field are hop-by-hop too.
template <typename Fields>
std::vector<std::string> connection_tokens(const Fields& fields) {
  std::vector<std::string> out;
  for (const auto& field : fields) {
    if (field.name() != bhttp::field::connection) continue;
    for (const auto& token : bhttp::token_list{field.value()}) out.emplace_back(token);
  }
  return out;
}

template <typename Fields>
bool listed(const std::vector<std::string>& tokens, const typename Fields::value_type& field) {
  for (const auto& token : tokens)
    if (iequals(token, field.name_string())) return true;
  return false;
}

}  // namespace

bool is_hop_by_hop(std::string_view name) noexcept {
  for (std::string_view hop : {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                               "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"})
    if (iequals(name, hop)) return true;
  return false;
}

bool is_payment_request_header(std::string_view name) noexcept {
  return iequals(name, "payment-signature") || iequals(name, "x-payment");
}

bool is_payment_response_header(std::string_view name) noexcept {
  return iequals(name, "payment-required") || iequals(name, "payment-response") ||
         iequals(name, "x-payment-response");
}

http::Request upstream_request(const http::Request& client, const ForwardContext& context) {
  http::Request out{client.method(), client.target(), 11};
  if (client.method() == http::Verb::unknown) out.method_string(client.method_string());
  const auto tokens = connection_tokens(client);
  std::string forwarded_host;
  std::string forwarded_for;
  for (const auto& field : client) {
    const std::string_view name = field.name_string();
    if (is_hop_by_hop(name) || is_payment_request_header(name) || listed<http::Request>(tokens, field))
      continue;
    // Recomputed or answered here: Host belongs to the upstream, Expect was answered by our server.
    if (field.name() == bhttp::field::host) {
      forwarded_host = field.value();
      continue;
    }
    if (field.name() == bhttp::field::content_length || field.name() == bhttp::field::expect) continue;
    if (iequals(name, "x-forwarded-for")) {
      forwarded_for = field.value();
      continue;
    }
    if (context.inject != nullptr) {
      bool replaced = false;
      for (const auto& [inject_name, _] : *context.inject) replaced = replaced || iequals(inject_name, name);
      if (replaced) continue;
    }
    out.insert(field.name_string(), field.value());
  }
  if (!context.remote_address.empty())
    forwarded_for =
        forwarded_for.empty() ? context.remote_address : forwarded_for + ", " + context.remote_address;
  if (!forwarded_for.empty()) out.set("X-Forwarded-For", forwarded_for);
  if (!forwarded_host.empty()) out.set("X-Forwarded-Host", forwarded_host);
  out.set("X-Forwarded-Proto", context.scheme);
  if (context.inject != nullptr)
    for (const auto& [name, value] : *context.inject) out.set(name, value);
  out.body() = client.body();
  return out;
}

ResponseHeader client_header(const ResponseHeader& upstream, bool keep_length) {
  ResponseHeader out;
  out.result(upstream.result_int());
  out.reason(upstream.reason());
  const auto tokens = connection_tokens(upstream);
  for (const auto& field : upstream) {
    const std::string_view name = field.name_string();
    if (is_hop_by_hop(name) || is_payment_response_header(name) || listed<ResponseHeader>(tokens, field))
      continue;
    if (!keep_length && field.name() == bhttp::field::content_length) continue;
    out.insert(field.name_string(), field.value());
  }
  return out;
}

seller::Request seller_request(const http::Request& request, std::string_view base_url) {
  seller::Request out = seller::to_seller_request(request, "http");
  if (!base_url.empty()) out.url = std::string(base_url) + out.target;
  return out;
}

bool is_browser(const http::Request& request) noexcept {
  const auto accept = request.find(bhttp::field::accept);
  const auto agent = request.find(bhttp::field::user_agent);
  return accept != request.end() && agent != request.end() && icontains(accept->value(), "text/html") &&
         agent->value().find("Mozilla") != std::string_view::npos;
}

}  // namespace x402::gateway
