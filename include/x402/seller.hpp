// The seller role: sell HTTP routes for x402 payments, independent of any HTTP framework.
//
//   auto seller = x402::seller::Seller::create(executor, std::move(options));   // validates
//   co_await (*seller)->initialize();   // GET /supported; refuses routes no facilitator supports
//   auto decision = co_await (*seller)->process(request);
//   switch (decision.kind) {
//     case Decision::Kind::pass:        run the handler untouched (unprotected route)
//     case Decision::Kind::respond:     send decision.response (402, 502, CORS preflight)
//     case Decision::Kind::run_handler: run the handler with its output held back, then
//                                       co_await complete(decision.payment, status) and either
//                                       send completion.replacement or the handler's response
//                                       with completion.headers added
//   }
//
// Behaviour follows the reference seller (x402-reference §1.2, §1.6, §6): a 402 carries the v2
// PAYMENT-REQUIRED header and, as body, the v1 requirements document, so v2 and v1 clients can
// both pay; X-PAYMENT is answered with X-PAYMENT-RESPONSE, PAYMENT-SIGNATURE with PAYMENT-RESPONSE.
// Everything fails closed: no usable facilitator answer means 502 and nothing served.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "x402/money.hpp"
#include "x402/networks.hpp"
#include "x402/result.hpp"
#include "x402/schemes.hpp"
#include "x402/types.hpp"

namespace x402::seller {

using Headers = std::vector<std::pair<std::string, std::string>>;

// ---------------------------------------------------------------------------------------------
// Facilitator access

// The three facilitator calls. A payment the facilitator rejects is a value (is_valid / success
// false, with its reason); an error means there is no usable answer (unreachable, timeout,
// malformed) and the seller answers 502. The request must outlive the awaited call.
class FacilitatorClient {
 public:
  virtual ~FacilitatorClient() = default;
  virtual boost::asio::awaitable<Result<SupportedResponse>> supported() = 0;
  virtual boost::asio::awaitable<Result<VerifyResponse>> verify(const FacilitatorRequest& request) = 0;
  virtual boost::asio::awaitable<Result<SettleResponse>> settle(const FacilitatorRequest& request) = 0;
  // For logs and error messages: the base URL (never a token).
  [[nodiscard]] virtual std::string name() const = 0;
};

// ---------------------------------------------------------------------------------------------
// Configuration

// A price: money ("$0.001" → the network's default stablecoin, see resolve_price) or an explicit
// amount of an asset with its `extra` (EVM: the EIP-712 domain {name, version}).
using Price = std::variant<Money, AssetAmount>;

struct PaymentOption {
  std::string scheme = "exact";
  std::string network;  // CAIP-2 ("eip155:84532") or a v1 name ("base-sepolia")
  std::string pay_to;
  Price price;
  std::uint64_t max_timeout_seconds = 300;
  std::optional<JsonObject> extra;  // merged over the price's extra (these keys win)
};

enum class SettlementTiming : std::uint8_t {
  // Verify, run the handler with its output held, settle if its status is < 400, then release.
  after_handler,
  // Verify and settle first; settlement failure → 402 and the handler does not run.
  before_handler,
  // Verify, run the handler, release its response, settle later from a durable queue.
  // RISK: the resource is served before the money moved; a payment that later fails to settle
  // (payer drained the account meanwhile) is lost. Only for cheap requests.
  background,
};

struct RouteConfig {
  std::vector<PaymentOption> accepts;   // at least one
  std::optional<std::string> resource;  // resource.url; default: the full request URL
  std::string description;
  std::string mime_type;
  std::optional<JsonObject> extensions;  // emitted in PAYMENT-REQUIRED as given
  SettlementTiming settlement = SettlementTiming::after_handler;
};

// `pattern` is "<VERB> <path>" or "<path>" (any verb). Path syntax (reference §6.1): `*` any run
// of characters, `:name` or `[name]` one segment; a trailing `/*` also matches the bare prefix.
// Matching is case-insensitive on the path without query, percent-decoded per segment, with
// duplicate and trailing slashes collapsed. The first matching route wins.
struct Route {
  std::string pattern;
  RouteConfig config;
};

struct CorsOptions {
  bool enabled = true;
  // "*" or exact origins ("https://app.example"); a listed origin is echoed with Vary: Origin.
  std::vector<std::string> allowed_origins = {"*"};
  std::uint32_t max_age_seconds = 600;  // preflight cache
};

struct BackgroundSettlementOptions {
  // SQLite file of the durable queue; required when a route uses SettlementTiming::background.
  std::filesystem::path queue_file;
  unsigned max_attempts = 8;  // then the payment is recorded as failed
  std::chrono::milliseconds initial_backoff{1'000};
  std::chrono::milliseconds max_backoff{300'000};
};

struct SellerOptions {
  std::vector<Route> routes;
  // Asked in order; for each (version, scheme, network) the first advertising it is used.
  std::vector<std::shared_ptr<FacilitatorClient>> facilitators;
  std::shared_ptr<const NetworkRegistry> networks;              // default: with_defaults()
  std::shared_ptr<const SchemeRegistry<SchemeServer>> schemes;  // default: exact on eip155:*
  CorsOptions cors;
  BackgroundSettlementOptions background;
};

// ---------------------------------------------------------------------------------------------
// Requests and answers, framework-neutral

struct Request {
  std::string method;  // "GET"
  std::string target;  // origin-form as received: "/weather?city=Paris"
  std::string url;     // the full request URL ("http://host:port/weather?city=Paris"); see request_url
  Headers headers;     // names compared case-insensitively
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const noexcept;
};

// "<scheme>://<host><target>", what the reference uses as resource.url.
[[nodiscard]] std::string request_url(std::string_view scheme, std::string_view host,
                                      std::string_view target);

struct Response {
  unsigned status = 200;
  Headers headers;  // Content-Type included
  std::string body;
};

class PaidRequest;  // a verified payment waiting for its handler's outcome

struct Decision {
  enum class Kind : std::uint8_t {
    pass,         // not a protected route: run the handler untouched
    respond,      // send `response`; do not run the handler
    run_handler,  // run the handler with its output held, then call Seller::complete
  };
  Kind kind = Kind::pass;
  Response response;
  std::shared_ptr<PaidRequest> payment;
};

struct Completion {
  // Set: send this instead of the handler's response (settlement failed → 402, facilitator
  // unusable → 502, durable queue unusable → 500). The handler's output is discarded.
  std::optional<Response> replacement;
  // Otherwise add these to the handler's response (PAYMENT-RESPONSE or X-PAYMENT-RESPONSE, CORS)
  Headers headers;
  // and append "private" to its Cache-Control (see append_private).
  bool cache_private = false;
};

// "no-cache" -> "no-cache, private"; "" -> "private"; already private -> unchanged.
[[nodiscard]] std::string append_private(std::string_view cache_control);

// ---------------------------------------------------------------------------------------------

class Seller : public std::enable_shared_from_this<Seller> {
 public:
  // Validates the routes (patterns, networks, schemes, prices, payTo) and resolves prices; opens
  // the background queue when a route needs it. `executor` runs the background settlement worker.
  // Errors name the offending route; nothing is started on error.
  [[nodiscard]] static Result<std::shared_ptr<Seller>> create(boost::asio::any_io_executor executor,
                                                              SellerOptions options);
  ~Seller();
  Seller(const Seller&) = delete;
  Seller& operator=(const Seller&) = delete;

  // GET /supported on every facilitator; fails (naming the route) if some route option's
  // (2, scheme, network) is advertised by none. Once it succeeded it returns ok at once; after a
  // failure the next call (or the next protected request) tries again. Starts the background
  // settlement worker (which resumes payments a previous run left unsettled).
  boost::asio::awaitable<Status> initialize();

  // Decides what to do with a request (verifies a payment; with SettlementTiming::before_handler
  // also settles it). Never throws.
  boost::asio::awaitable<Decision> process(Request request);

  // After Decision::Kind::run_handler: the handler's status (500 if it threw). Settles (status
  // < 400) or not, and says how to answer. Call exactly once per payment.
  boost::asio::awaitable<Completion> complete(std::shared_ptr<PaidRequest> payment, unsigned handler_status);

  // Stops the background settlement worker (queued payments stay in the queue file).
  void stop();

  // The configured route matching `method` and `target`, or null (pure, no I/O).
  [[nodiscard]] const Route* find_route(std::string_view method, std::string_view target) const noexcept;

  [[nodiscard]] bool initialized() const noexcept;

  struct Impl;

 private:
  explicit Seller(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace x402::seller
