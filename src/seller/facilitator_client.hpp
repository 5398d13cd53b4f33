// Talking to a facilitator: the FacilitatorClient interface (declared in x402/seller.hpp) and its
// HTTP implementation on http::Client: HTTP and HTTPS (system CAs), keep-alive pool, a timeout per
// call, bounded retries on 429 honouring Retry-After, an optional bearer token. Works with our
// facilitator and hosted ones by base URL ("https://x402.org/facilitator", trailing '/' stripped).
//
// How answers are read (reference HTTPFacilitatorClient, x402-reference §5):
//   2xx that parses                        -> the answer
//   2xx that does not parse                -> error "facilitator response malformed: ..." (→ 502)
//   non-2xx whose JSON carries isValid /
//   success (verify / settle)              -> the answer (reference VerifyError / SettleError)
//   other non-2xx                          -> error (→ 502)
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "x402/result.hpp"
#include "x402/seller.hpp"
#include "x402/types.hpp"

namespace x402::seller {

struct HttpFacilitatorOptions {
  std::string url;                            // base URL, http:// or https://, optionally with a path prefix
  std::chrono::milliseconds timeout{30'000};  // per call (connect + exchange), each attempt
  std::optional<std::string> bearer_token;    // sent as "Authorization: Bearer <token>"
  unsigned max_attempts = 3;                  // attempts when the facilitator answers 429
  std::chrono::milliseconds max_retry_delay{30'000};  // cap on one Retry-After / backoff wait
  std::size_t max_response_bytes = 1024 * 1024;
  bool verify_tls = true;
  std::string ca_file;  // extra trusted CAs (PEM) on top of the system store
};

class HttpFacilitatorClient final : public FacilitatorClient {
 public:
  // Rejects an unusable URL (not http/https, userinfo, query) or a token with line breaks.
  [[nodiscard]] static Result<std::shared_ptr<HttpFacilitatorClient>> create(
      boost::asio::any_io_executor executor, HttpFacilitatorOptions options);
  ~HttpFacilitatorClient() override;

  boost::asio::awaitable<Result<SupportedResponse>> supported() override;
  boost::asio::awaitable<Result<VerifyResponse>> verify(const FacilitatorRequest& request) override;
  boost::asio::awaitable<Result<SettleResponse>> settle(const FacilitatorRequest& request) override;
  [[nodiscard]] std::string name() const override;

  struct Impl;

 private:
  explicit HttpFacilitatorClient(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

// Bearer tokens for the caller to pass in HttpFacilitatorOptions: the first line of a file
// (trailing CR/LF stripped), or an environment variable. Empty tokens are errors.
[[nodiscard]] Result<std::string> read_token_file(const std::filesystem::path& path);
[[nodiscard]] Result<std::string> read_token_env(std::string_view variable);

// Delay before retry number `attempt` (1-based) after a 429: Retry-After seconds or HTTP-date if
// given and parseable, else 1 s * 2^(attempt-1); capped at `cap`. Pure; exposed for tests.
[[nodiscard]] std::chrono::milliseconds retry_delay(std::string_view retry_after, unsigned attempt,
                                                    std::chrono::milliseconds cap);

}  // namespace x402::seller
