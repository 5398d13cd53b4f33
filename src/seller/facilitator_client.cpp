// HTTP facilitator client: GET /supported, POST /verify, POST /settle on http::Client.
#include "seller/facilitator_client.hpp"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <utility>

#include "http/client.hpp"
#include "x402/codec.hpp"

namespace x402::seller {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kErrorSnippet = 200;

std::string snippet(std::string_view text) {
  std::string out(text.substr(0, kErrorSnippet));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return out;
}

bool has_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

enum class Call : std::uint8_t { supported, verify, settle };

std::string_view path_of(Call call) {
  switch (call) {
    case Call::supported:
      return "/supported";
    case Call::verify:
      return "/verify";
    case Call::settle:
      return "/settle";
  }
  return "/";
}

}  // namespace

std::chrono::milliseconds retry_delay(std::string_view retry_after, unsigned attempt,
                                      std::chrono::milliseconds cap) {
  std::chrono::milliseconds delay{0};
  bool parsed = false;
  while (!retry_after.empty() && retry_after.front() == ' ') retry_after.remove_prefix(1);
  while (!retry_after.empty() && retry_after.back() == ' ') retry_after.remove_suffix(1);
  if (!retry_after.empty() &&
      std::all_of(retry_after.begin(), retry_after.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    // Saturate long digit strings: anything beyond the cap is the cap.
    if (retry_after.size() > 9) return cap;
    delay = std::chrono::seconds(std::strtoull(std::string(retry_after).c_str(), nullptr, 10));
    parsed = true;
  } else if (!retry_after.empty()) {
    std::tm tm{};
    const std::string text(retry_after);
    if (const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm); end && *end == '\0') {
      const std::time_t when = timegm(&tm);
      const std::time_t now = std::time(nullptr);
      delay = std::chrono::seconds(when > now ? when - now : 0);
      parsed = true;
    }
  }
  if (!parsed) {
    const unsigned shift = std::min(attempt == 0 ? 0U : attempt - 1, 16U);
    delay = std::chrono::milliseconds(1000LL << shift);
  }
  return std::min(delay, cap);
}

struct HttpFacilitatorClient::Impl {
  Impl(asio::any_io_executor executor, HttpFacilitatorOptions opts, http::Url url,
       http::ClientOptions client_options)
      : options(std::move(opts)),
        base(std::move(url)),
        client(std::move(executor), std::move(client_options)) {}

  http::Url url_for(Call call) const {
    http::Url url = base;
    url.target = base.target + std::string(path_of(call));
    return url;
  }

  http::Headers headers() const {
    http::Headers out;
    out.emplace_back("Accept", "application/json");
    if (options.bearer_token) out.emplace_back("Authorization", "Bearer " + *options.bearer_token);
    return out;
  }

  // One call with the 429 retry policy. Returns the final response (any status) or an I/O error.
  static asio::awaitable<Result<http::Response>> exchange(std::shared_ptr<Impl> self, Call call,
                                                          std::string body) {
    const unsigned attempts = std::max(1U, self->options.max_attempts);
    for (unsigned attempt = 1;; ++attempt) {
      http::Url url = self->url_for(call);
      http::Headers headers = self->headers();
      Result<http::Response> response = make_error(Errc::internal, "");
      if (call == Call::supported) {
        response = co_await self->client.get(std::move(url), std::move(headers));
      } else {
        std::string copy = body;
        response = co_await self->client.post_json(std::move(url), std::move(copy), std::move(headers));
      }
      if (!response) {
        Error error = response.take_error();
        error.message = "facilitator " + self->name() + std::string(path_of(call)) + ": " + error.message;
        co_return error;
      }
      if (response->result_int() != 429 || attempt >= attempts) co_return response;
      const auto field = response->find(boost::beast::http::field::retry_after);
      const std::string_view retry_after =
          field == response->end() ? std::string_view()
                                   : std::string_view(field->value().data(), field->value().size());
      asio::steady_timer timer(co_await asio::this_coro::executor);
      timer.expires_after(retry_delay(retry_after, attempt, self->options.max_retry_delay));
      co_await timer.async_wait(asio::use_awaitable);
    }
  }

  std::string name() const { return base.origin() + base.target; }

  template <typename T>
  Result<T> malformed(Call call, const Error& error) const {
    return make_error(Errc::invalid_json, "facilitator response malformed (" + name() +
                                              std::string(path_of(call)) + "): " + error.message);
  }

  // `answer_key`: "isValid" / "success": a non-2xx JSON carrying it is still the answer.
  template <typename T>
  Result<T> interpret(Call call, const http::Response& response, std::string_view answer_key) const {
    const unsigned status = response.result_int();
    const JsonLimits limits{options.max_response_bytes, 32};
    if (status >= 200 && status < 300) {
      auto json = parse_json(response.body(), limits);
      if (!json) return malformed<T>(call, json.error());
      auto value = from_json<T>(*json);
      if (!value) return malformed<T>(call, value.error());
      return value;
    }
    if (!answer_key.empty()) {
      if (auto json = parse_json(response.body(), limits);
          json && json->is_object() && json->as_object().contains(answer_key)) {
        if (auto value = from_json<T>(*json)) return value;
      }
    }
    return make_error(Errc::unavailable, "facilitator " + name() + std::string(path_of(call)) +
                                             " answered HTTP " + std::to_string(status) + ": " +
                                             snippet(response.body()));
  }

  const HttpFacilitatorOptions options;
  const http::Url base;  // target = path prefix without trailing '/' ("" for none)
  http::Client client;
};

Result<std::shared_ptr<HttpFacilitatorClient>> HttpFacilitatorClient::create(asio::any_io_executor executor,
                                                                             HttpFacilitatorOptions options) {
  std::string text = options.url;
  while (!text.empty() && text.back() == '/') text.pop_back();
  auto url = http::parse_url(text);
  if (!url) return make_error(Errc::invalid_argument, "facilitator URL: " + url.error().message);
  if (url->target.find_first_of("?#") != std::string::npos)
    return make_error(Errc::invalid_argument, "facilitator URL must not carry a query");
  if (url->target == "/") url->target.clear();
  if (options.bearer_token && (options.bearer_token->empty() || has_control(*options.bearer_token)))
    return make_error(Errc::invalid_argument,
                      "facilitator bearer token is empty or contains control characters");
  if (options.timeout <= 0ms)
    return make_error(Errc::invalid_argument, "facilitator timeout must be positive");
  http::ClientOptions client_options;
  client_options.connect_timeout = std::min<std::chrono::milliseconds>(options.timeout, 10s);
  client_options.request_timeout = options.timeout;
  client_options.max_response_body_bytes = options.max_response_bytes;
  client_options.verify_tls = options.verify_tls;
  client_options.ca_file = options.ca_file;
  client_options.user_agent = "x402-cpp-seller";
  auto impl = std::make_shared<Impl>(std::move(executor), std::move(options), std::move(*url),
                                     std::move(client_options));
  return std::shared_ptr<HttpFacilitatorClient>(new HttpFacilitatorClient(std::move(impl)));
}

HttpFacilitatorClient::HttpFacilitatorClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpFacilitatorClient::~HttpFacilitatorClient() = default;

std::string HttpFacilitatorClient::name() const {
  return impl_->name();
}

asio::awaitable<Result<SupportedResponse>> HttpFacilitatorClient::supported() {
  auto impl = impl_;
  std::string empty;
  auto response = co_await Impl::exchange(impl, Call::supported, std::move(empty));
  if (!response) co_return response.take_error();
  co_return impl->interpret<SupportedResponse>(Call::supported, *response, "");
}

asio::awaitable<Result<VerifyResponse>> HttpFacilitatorClient::verify(const FacilitatorRequest& request) {
  auto impl = impl_;
  std::string body = serialize(request);
  auto response = co_await Impl::exchange(impl, Call::verify, std::move(body));
  if (!response) co_return response.take_error();
  co_return impl->interpret<VerifyResponse>(Call::verify, *response, "isValid");
}

asio::awaitable<Result<SettleResponse>> HttpFacilitatorClient::settle(const FacilitatorRequest& request) {
  auto impl = impl_;
  std::string body = serialize(request);
  auto response = co_await Impl::exchange(impl, Call::settle, std::move(body));
  if (!response) co_return response.take_error();
  co_return impl->interpret<SettleResponse>(Call::settle, *response, "success");
}

Result<std::string> read_token_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::io_error, "cannot read token file " + path.string());
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  if (line.empty()) return make_error(Errc::invalid_argument, "token file " + path.string() + " is empty");
  if (has_control(line))
    return make_error(Errc::invalid_argument, "token file " + path.string() + " holds control characters");
  return line;
}

Result<std::string> read_token_env(std::string_view variable) {
  const std::string name(variable);
  const char* value = std::getenv(name.c_str());
  if (value == nullptr || *value == '\0')
    return make_error(Errc::invalid_argument, "environment variable " + name + " is unset or empty");
  std::string token(value);
  if (has_control(token))
    return make_error(Errc::invalid_argument, "environment variable " + name + " holds control characters");
  return token;
}

}  // namespace x402::seller
