// URL parsing for the HTTP client (Boost.URL does the RFC 3986 work).
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>

#include "http/client.hpp"

namespace x402::http {
namespace {

std::uint16_t default_port(bool tls) noexcept {
  return tls ? 443 : 80;
}

void append_host(std::string& out, const std::string& host) {
  // IPv6 literals are the only hosts containing ':'; they need brackets in URLs and Host headers.
  if (host.find(':') != std::string::npos) {
    out += '[';
    out += host;
    out += ']';
  } else {
    out += host;
  }
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Result<Url> parse_url_impl(std::string_view text) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) {
    return make_error(Errc::invalid_argument, "invalid URL '" + std::string(text) + "'");
  }
  const boost::urls::url_view& u = *parsed;
  Url url;
  const std::string scheme = ascii_lower(u.scheme());
  if (scheme == "https") {
    url.tls = true;
  } else if (scheme != "http") {
    return make_error(Errc::invalid_argument,
                      "unsupported URL scheme '" + scheme + "' (http and https only)");
  }
  if (!u.has_authority()) {
    return make_error(Errc::invalid_argument, "URL has no host: '" + std::string(text) + "'");
  }
  if (u.has_userinfo()) {
    return make_error(Errc::invalid_argument, "URL must not contain credentials (user:pass@)");
  }
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::name:
      url.host = ascii_lower(u.host_address());
      break;
    case boost::urls::host_type::ipv6:
      url.host = u.host_ipv6_address().to_string();
      break;
    default:
      return make_error(Errc::invalid_argument, "unsupported URL host in '" + std::string(text) + "'");
  }
  if (url.host.empty()) {
    return make_error(Errc::invalid_argument, "URL has no host: '" + std::string(text) + "'");
  }
  url.port = default_port(url.tls);
  if (u.has_port() && !u.port().empty()) {
    const std::string_view digits = u.port();
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc{} || end != digits.data() + digits.size() || value == 0 || value > 65535) {
      return make_error(Errc::invalid_argument, "invalid port '" + std::string(digits) + "' in URL");
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  url.target = u.encoded_path();
  if (url.target.empty()) {
    url.target = "/";
  } else if (url.target.front() != '/') {
    // Boost.URL 1.81 reads "host:8x/" as port 8 and path "x/"; after an authority a path is absolute.
    return make_error(Errc::invalid_argument, "invalid URL '" + std::string(text) + "'");
  }
  if (u.has_query()) {
    url.target += '?';
    url.target += u.encoded_query();
  }
  return url;
}

}  // namespace

std::string Url::origin() const {
  std::string out = tls ? "https://" : "http://";
  append_host(out, host);
  if (port != default_port(tls)) {
    out += ':';
    out += std::to_string(port);
  }
  return out;
}

std::string Url::str() const {
  return origin() + target;
}

std::string Url::host_header() const {
  std::string out;
  append_host(out, host);
  if (port != default_port(tls)) {
    out += ':';
    out += std::to_string(port);
  }
  return out;
}

Result<Url> parse_url(std::string_view text) noexcept {
  try {
    return parse_url_impl(text);
  } catch (const std::exception& e) {  // allocation failure only
    return make_error(Errc::internal, std::string("parse_url: ") + e.what());
  }
}

}  // namespace x402::http
