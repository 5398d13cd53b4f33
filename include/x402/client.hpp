// The buyer: an HTTP(S) client that pays for what it fetches.
//
//   x402::ClientConfig config;
//   config.networks = std::make_shared<x402::NetworkRegistry>(x402::NetworkRegistry::with_defaults());
//   x402::register_exact_evm(config.schemes, key, config.networks);
//   config.policy.max_amount = *x402::parse_money("$0.05");
//   config.budget_file = x402::default_budget_file();
//   auto client = x402::BlockingClient::create(std::move(config));
//   auto paid = (*client)->send(x402::ClientRequest{"GET", "https://api.example.com/weather"});
//
// One request: send it; on 402 read the requirements (v2: PAYMENT-REQUIRED header first; v1: the
// JSON body with x402Version 1), pick an option by policy, sign it through the scheme registry,
// retry once with PAYMENT-SIGNATURE (v2) or X-PAYMENT (v1), and return that response with the
// decoded PAYMENT-RESPONSE / X-PAYMENT-RESPONSE. A second 402 is never paid again: it comes back
// unchanged in ClientError::response (code payment_failed), with what was sent in ::payment.
//
// Budgets (see Policy::budgets) are kept in a small SQLite file so they hold across runs. A
// payment is reserved against them before it is signed, in the same transaction as the check
// (several processes may share the file), and then:
//   settled  (2xx/3xx after paying)          counts for good;
//   rejected (the server answered 402 again)  counts until its authorization expires
//                                             (validBefore), since until then whoever holds the
//                                             signature could still execute it; then released;
//   unknown  (no answer, or a non-402 error)  counts for good: the money may be gone.
// A payment that could not be signed is removed again (nothing left the process); one whose process
// died before the outcome stays pending and counts for good.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "x402/keys.hpp"
#include "x402/money.hpp"
#include "x402/networks.hpp"
#include "x402/result.hpp"
#include "x402/schemes.hpp"
#include "x402/types.hpp"
#include "x402/u256.hpp"

namespace x402 {

// ---------------------------------------------------------------------------------------------
// HTTP values

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct ClientRequest {
  std::string method = "GET";
  std::string url;     // http:// or https://
  HeaderList headers;  // sent as given (Host, Content-Length are set by the client)
  std::string body;
};

struct ClientResponse {
  unsigned status = 0;
  std::string reason;
  HeaderList headers;  // in received order
  std::string body;
  // First field with this name, compared case-insensitively.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

// ---------------------------------------------------------------------------------------------
// Policy

// One entry of an accepts list, the same shape for v1 and v2.
struct PaymentOption {
  int x402_version = 2;
  std::size_t index = 0;  // position in `accepts`
  std::string scheme;
  std::string network;  // as offered: CAIP-2 (v2) or a v1 name
  std::string caip2;    // the CAIP-2 id ("" for an unknown v1 name)
  std::string asset;
  U256 amount;  // amount (v2) / maxAmountRequired (v1), atomic units
  std::string pay_to;
  std::uint64_t max_timeout_seconds = 0;
  std::optional<AssetInfo> asset_info;  // symbol and decimals, when the asset is known
  // "0.001 USDC", or "1000 atomic units of 0x…" for an unknown asset.
  [[nodiscard]] std::string describe_amount() const;
};

// An asset the policy allows. The money caps need the asset's decimals: from here, else from the
// NetworkRegistry; an asset with neither is refused.
struct AssetRule {
  std::string network;  // CAIP-2, v1 name or pattern ("eip155:*")
  std::string address;  // token contract (EVM addresses compare case-insensitively) / mint
  std::optional<unsigned> decimals;
  std::optional<U256> max_amount;  // atomic cap per request for this asset (overrides max_amount)
};

struct BudgetLimit {
  Money amount;                                // dollars ("$5"); 1 token of a stablecoin = $1
  std::optional<std::chrono::seconds> window;  // sliding window; nullopt: in total, all time
  bool operator==(const BudgetLimit&) const = default;
};
// "$5" (in total) or "$1/24h", "$0.10/30m", "$20/7d", "$1/3600s".
[[nodiscard]] Result<BudgetLimit> parse_budget_limit(std::string_view text) noexcept;
[[nodiscard]] std::string describe(const BudgetLimit& limit);

struct Policy {
  // Networks that may be paid on (CAIP-2, v1 names, patterns); empty: any network a scheme is
  // registered for.
  std::vector<std::string> networks;
  // Allowed assets; empty: every asset the NetworkRegistry knows (by default the reference's
  // stablecoin table, as the 2.27 spend controls).
  std::vector<AssetRule> assets;
  // Cap per request in dollars, converted with each asset's decimals (fraction truncated). The
  // reference client's default is $1.
  Money max_amount{"1", ""};
  std::vector<BudgetLimit> budgets;
  // Cheapest acceptable option (compared in dollars across assets); false: the first acceptable
  // one in the server's order (the reference's default selector).
  bool prefer_cheapest = true;
};

// Why each offered option was or was not acceptable, and which one was chosen.
struct OptionVerdict {
  PaymentOption option;
  bool acceptable = false;
  std::string reason;  // why not ("" when acceptable)
};
struct Selection {
  int x402_version = 2;
  std::vector<OptionVerdict> verdicts;  // in offered order
  std::optional<std::size_t> chosen;    // index into verdicts
  [[nodiscard]] const PaymentOption* chosen_option() const noexcept {
    return chosen ? &verdicts[*chosen].option : nullptr;
  }
  // "option 0 (…): reason; option 1 (…): reason".
  [[nodiscard]] std::string describe_refusals() const;
};

// ---------------------------------------------------------------------------------------------
// Outcomes

enum class PaymentStatus : std::uint8_t {
  settled,   // the paid retry succeeded (2xx/3xx)
  rejected,  // the server answered the paid retry with 402 (verify or settlement failed)
  unknown,   // no answer, or a non-402 error: the authorization may or may not be executed
};
[[nodiscard]] std::string_view to_string(PaymentStatus status) noexcept;

// A payment that was signed and sent.
struct PaymentRecord {
  PaymentOption option;
  std::string payer;               // the signer's address
  std::uint64_t valid_before = 0;  // unix seconds; the authorization is executable until then
  PaymentStatus status = PaymentStatus::unknown;
  unsigned http_status = 0;               // of the paid retry (0: no answer)
  std::optional<SettleResponse> receipt;  // PAYMENT-RESPONSE / X-PAYMENT-RESPONSE, decoded
  std::string reason;                     // the server's reason when rejected ("" otherwise)
};

struct PaidResponse {
  ClientResponse response;               // the final response
  std::optional<PaymentRecord> payment;  // absent when no payment was needed
};

// What would be paid, without paying (x402 pay --dry-run).
struct Quote {
  ClientResponse response;              // the first response
  std::optional<Selection> selection;   // set when it was a 402
  std::optional<PaymentOption> chosen;  // what would be paid (policy and budgets allow it)
  std::string refusal;                  // why nothing would be paid ("" if something would)
};

enum class ClientErrc : std::uint8_t {
  refused,           // policy, budget, a before-payment hook or no usable option: nothing signed
  payment_failed,    // a payment was sent and the server answered 402 again
  transport,         // could not reach the server, TLS, I/O, timeout
  http_status,       // a non-402 error status (>= 400), before or after paying
  invalid_response,  // a 402 that cannot be read (no PAYMENT-REQUIRED, no v1 body)
  invalid_request,   // unusable URL or method
  local,             // budget file, signing: a failure on this side
};
[[nodiscard]] std::string_view to_string(ClientErrc code) noexcept;

struct ClientError {
  ClientErrc code = ClientErrc::local;
  std::string message;
  std::optional<ClientResponse> response;      // when the server answered
  std::optional<PaymentRecord> payment;        // when a payment was sent
  std::optional<Selection> selection;          // refused: the verdict on every option
  [[nodiscard]] std::string describe() const;  // "<code>: <message>"
};

// A value or a ClientError (the shape of x402::Result).
template <typename T>
class [[nodiscard]] ClientResult {
 public:
  ClientResult(T value) : state_(std::in_place_index<0>, std::move(value)) {}            // NOLINT
  ClientResult(ClientError error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT
  [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  T& value() & noexcept { return *std::get_if<0>(&state_); }
  const T& value() const& noexcept { return *std::get_if<0>(&state_); }
  T&& value() && noexcept { return std::move(*std::get_if<0>(&state_)); }
  T* operator->() noexcept { return std::get_if<0>(&state_); }
  const T* operator->() const noexcept { return std::get_if<0>(&state_); }
  T& operator*() & noexcept { return value(); }
  const T& operator*() const& noexcept { return value(); }
  [[nodiscard]] const ClientError& error() const noexcept { return *std::get_if<1>(&state_); }
  ClientError&& take_error() noexcept { return std::move(*std::get_if<1>(&state_)); }

 private:
  std::variant<T, ClientError> state_;
};

// ---------------------------------------------------------------------------------------------
// Hooks

struct PaymentContext {
  std::string method;
  std::string url;
  int x402_version = 2;
  PaymentOption option;  // the chosen one
};
// Runs before anything is signed; returning a reason aborts (ClientErrc::refused). Hooks run on
// the I/O thread: they must not block.
using BeforePaymentHook = std::function<std::optional<std::string>(const PaymentContext&)>;
// Runs once the paid retry has an outcome (settled, rejected or unknown), receipt included.
using AfterPaymentHook = std::function<void(const PaymentContext&, const PaymentRecord&)>;

// ---------------------------------------------------------------------------------------------
// The client

struct ClientHttpOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{60'000};  // each exchange (a paid one includes settlement)
  std::size_t max_response_body_bytes = 64 * 1024 * 1024;
  bool verify_tls = true;
  std::string ca_file;  // extra trusted CAs (PEM)
  std::string user_agent = "x402-cpp";
};

struct ClientConfig {
  std::shared_ptr<const NetworkRegistry> networks;  // null: NetworkRegistry::with_defaults()
  SchemeRegistry<SchemeClient> schemes;             // see register_exact_evm
  Policy policy;
  std::string budget_file;  // SQLite file, created if missing; "": kept in memory only
  ClientHttpOptions http;
};

// exact on EVM with `key`: v2 for "eip155:*" and v1 for every EVM v1 name `networks` knows.
void register_exact_evm(SchemeRegistry<SchemeClient>& schemes, const PrivateKey& key,
                        std::shared_ptr<const NetworkRegistry> networks);

// $X402_HOME/budget.sqlite, else ~/.x402/budget.sqlite.
[[nodiscard]] std::string default_budget_file();

// Coroutine API. Thread-safe once configured (add hooks before the first send).
class Client {
 public:
  // Validates the policy and opens (creates) the budget file.
  [[nodiscard]] static Result<Client> create(boost::asio::any_io_executor executor, ClientConfig config);

  Client(Client&&) noexcept = default;
  Client& operator=(Client&&) noexcept = default;
  ~Client();

  void on_before_payment(BeforePaymentHook hook);
  void on_after_payment(AfterPaymentHook hook);

  // Sends, pays on 402 if policy allows, retries once. The awaitable keeps what it needs alive:
  // the Client may be destroyed while a request is in flight.
  boost::asio::awaitable<ClientResult<PaidResponse>> send(ClientRequest request);
  // Sends, and on 402 says what would be paid (policy and budgets applied; hooks not run); signs
  // and records nothing.
  boost::asio::awaitable<ClientResult<Quote>> quote(ClientRequest request);

  [[nodiscard]] const Policy& policy() const noexcept;
  [[nodiscard]] const NetworkRegistry& networks() const noexcept;

  struct Impl;

 private:
  explicit Client(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

// For code that is not on an io_context (CLI commands, scripts): owns one I/O thread and blocks
// the caller for each request. Do not call from that thread (hooks run there).
class BlockingClient {
 public:
  [[nodiscard]] static Result<std::unique_ptr<BlockingClient>> create(ClientConfig config);
  ~BlockingClient();
  BlockingClient(const BlockingClient&) = delete;
  BlockingClient& operator=(const BlockingClient&) = delete;

  ClientResult<PaidResponse> send(ClientRequest request);
  ClientResult<Quote> quote(ClientRequest request);

  [[nodiscard]] Client& async_client() noexcept;
  [[nodiscard]] boost::asio::any_io_executor executor() const noexcept;

  struct Impl;

 private:
  explicit BlockingClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace x402
