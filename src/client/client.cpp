// x402::Client: one request, at most one payment, one retry (see x402/client.hpp).
#include "x402/client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/http/field.hpp>
#include <cstdlib>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

#include "async/offload.hpp"
#include "async/run.hpp"
#include "client/budget.hpp"
#include "client/payment.hpp"
#include "client/selection.hpp"
#include "http/client.hpp"
#include "schemes/exact/evm/client.hpp"
#include "x402/codec.hpp"

namespace x402 {
namespace {

namespace asio = boost::asio;

// Decoded 402 bodies and headers may carry many options; the codec's 8 KiB default is for
// single payloads.
constexpr std::size_t kMaxRequiredBytes = 256 * 1024;
constexpr std::string_view kExposeHeadersV2 = "PAYMENT-RESPONSE,X-PAYMENT-RESPONSE";
constexpr std::string_view kExposeHeadersV1 = "X-PAYMENT-RESPONSE";

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// RFC 9110 token characters, for the method and field names.
bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

ClientError make_client_error(ClientErrc code, std::string message) {
  ClientError error;
  error.code = code;
  error.message = std::move(message);
  return error;
}

ClientResponse to_client_response(const http::Response& response) {
  ClientResponse out;
  out.status = response.result_int();
  out.reason = std::string(response.reason());
  for (const auto& field : response)
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  out.body = response.body();
  return out;
}

std::optional<std::string> find_field(const http::Response& response, std::string_view name) {
  auto it = response.find(name);
  if (it == response.end()) return std::nullopt;
  return std::string(it->value());
}

ClientErrc transport_class(const Error& error) {
  switch (error.code) {
    case Errc::unavailable:
    case Errc::timeout:
    case Errc::too_large:
    case Errc::io_error:
      return ClientErrc::transport;
    case Errc::invalid_argument:
      return ClientErrc::local;
    default:
      return ClientErrc::transport;
  }
}

// What a 402 asks for, in whichever version it came.
struct Offer {
  int version = 2;
  std::optional<PaymentRequired> v2;
  std::optional<PaymentRequirementsResponse> v1;
};

// v2 when PAYMENT-REQUIRED is present (as the reference client checks it first), else a JSON body
// with x402Version 1.
Result<Offer> read_offer(const http::Response& response) {
  if (auto header = find_field(response, kPaymentRequiredHeader)) {
    auto required = decode_header<PaymentRequired>(*header, HeaderLimits{kMaxRequiredBytes});
    if (!required) return make_error(required.error().code, "PAYMENT-REQUIRED: " + required.error().message);
    Offer offer;
    offer.version = 2;
    offer.v2 = std::move(*required);
    return offer;
  }
  auto json = parse_json(response.body(), JsonLimits{kMaxRequiredBytes, 32});
  if (json) {
    const auto* object = json->if_object();
    const auto* version = object ? object->if_contains("x402Version") : nullptr;
    if (version != nullptr && version->is_int64() && version->get_int64() == 1) {
      auto body = from_json<PaymentRequirementsResponse>(*json);
      if (!body) return make_error(body.error().code, "402 body: " + body.error().message);
      Offer offer;
      offer.version = 1;
      offer.v1 = std::move(*body);
      return offer;
    }
  }
  return make_error(Errc::missing_field,
                    "the 402 has neither a PAYMENT-REQUIRED header nor a JSON body with x402Version 1");
}

std::optional<SettleResponse> read_receipt(const http::Response& response, int version) {
  // The version's own header first; either is accepted (a v2 server behind a v1 proxy, ...).
  const std::string_view first = version == 1 ? kXPaymentResponseHeader : kPaymentResponseHeader;
  const std::string_view second = version == 1 ? kPaymentResponseHeader : kXPaymentResponseHeader;
  for (auto name : {first, second}) {
    if (auto header = find_field(response, name)) {
      auto receipt = decode_header<SettleResponse>(*header, HeaderLimits{kMaxRequiredBytes});
      if (receipt) return std::move(*receipt);
    }
  }
  return std::nullopt;
}

// Why a paid retry came back 402: the settlement's errorReason, the new PAYMENT-REQUIRED's error,
// or a v1 body's error.
std::string rejection_reason(const http::Response& response, const std::optional<SettleResponse>& receipt) {
  if (receipt && !receipt->success) {
    std::string reason = receipt->error_reason.value_or("settlement failed");
    if (receipt->error_message && !receipt->error_message->empty())
      reason += " (" + *receipt->error_message + ")";
    return reason;
  }
  if (auto header = find_field(response, kPaymentRequiredHeader)) {
    auto required = decode_header<PaymentRequired>(*header, HeaderLimits{kMaxRequiredBytes});
    if (required && required->error && !required->error->empty()) return *required->error;
  }
  if (auto json = parse_json(response.body()); json) {
    if (const auto* object = json->if_object()) {
      if (const auto* error = object->if_contains("error");
          error && error->is_string() && !error->get_string().empty())
        return std::string(error->get_string());
    }
  }
  return "the server answered 402 again";
}

// payload.authorization.{from, validBefore} of an EIP-3009 payload; other schemes leave defaults.
void read_authorization(const JsonObject& payload, std::string& payer, std::uint64_t& valid_before) {
  const auto* authorization = payload.if_contains("authorization");
  if (authorization == nullptr || !authorization->is_object()) return;
  const auto& object = authorization->get_object();
  if (const auto* from = object.if_contains("from"); from && from->is_string())
    payer = std::string(from->get_string());
  if (const auto* before = object.if_contains("validBefore"); before && before->is_string()) {
    auto value = parse_u256(std::string_view(before->get_string()));
    if (value && *value <= U256(std::numeric_limits<std::uint64_t>::max()))
      valid_before = static_cast<std::uint64_t>(*value);
  }
}

http::ClientOptions to_http_options(const ClientHttpOptions& options) {
  http::ClientOptions out;
  out.connect_timeout = options.connect_timeout;
  out.request_timeout = options.request_timeout;
  out.max_response_body_bytes = options.max_response_body_bytes;
  out.verify_tls = options.verify_tls;
  out.ca_file = options.ca_file;
  out.user_agent = options.user_agent;
  return out;
}

}  // namespace

std::optional<std::string> ClientResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return value;
  return std::nullopt;
}

std::string_view to_string(ClientErrc code) noexcept {
  switch (code) {
    case ClientErrc::refused:
      return "refused";
    case ClientErrc::payment_failed:
      return "payment_failed";
    case ClientErrc::transport:
      return "transport";
    case ClientErrc::http_status:
      return "http_status";
    case ClientErrc::invalid_response:
      return "invalid_response";
    case ClientErrc::invalid_request:
      return "invalid_request";
    case ClientErrc::local:
      return "local";
  }
  return "local";
}

std::string ClientError::describe() const {
  return std::string(to_string(code)) + ": " + message;
}

void register_exact_evm(SchemeRegistry<SchemeClient>& schemes, const PrivateKey& key,
                        std::shared_ptr<const NetworkRegistry> networks) {
  if (!networks) networks = std::make_shared<const NetworkRegistry>(NetworkRegistry::with_defaults());
  auto scheme = std::make_shared<exact_evm::ExactEvmClient>(key, networks);
  schemes.add(2, "eip155:*", scheme);
  for (const auto& network : networks->networks())
    if (network.v1_name && network.chain_id != 0 && network.caip2.rfind("eip155:", 0) == 0)
      schemes.add(1, *network.v1_name, scheme);
}

std::string default_budget_file() {
  if (const char* home = std::getenv("X402_HOME"); home != nullptr && *home != '\0')
    return std::string(home) + "/budget.sqlite";
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
    return std::string(home) + "/.x402/budget.sqlite";
  return ".x402/budget.sqlite";
}

// ---------------------------------------------------------------------------------------------

struct Client::Impl {
  Impl(asio::any_io_executor executor, ClientConfig config_in)
      : config(std::move(config_in)), http(std::move(executor), to_http_options(config.http)) {}
  ~Impl() { pool.join(); }

  ClientConfig config;
  std::vector<client::ResolvedLimit> limits;
  std::unique_ptr<client::BudgetStore> budget;
  asio::thread_pool pool{1};  // SQLite off the I/O threads
  http::Client http;
  std::mutex hooks_mutex;
  std::vector<BeforePaymentHook> before_hooks;
  std::vector<AfterPaymentHook> after_hooks;

  // A prepared request: parsed URL and the Beast message, reused for the paid retry.
  struct Prepared {
    http::Url url;
    http::Request request;
  };

  static Result<Prepared> prepare(const ClientRequest& request) {
    auto url = http::parse_url(request.url);
    if (!url) return make_error(Errc::invalid_argument, "URL '" + request.url + "': " + url.error().message);
    if (!is_token(request.method))
      return make_error(Errc::invalid_argument, "invalid method '" + request.method + "'");
    Prepared out{std::move(*url), http::Request{}};
    out.request.version(11);
    out.request.method_string(request.method);
    for (const auto& [name, value] : request.headers) {
      if (!is_token(name) || has_line_break(value))
        return make_error(Errc::invalid_argument, "invalid header '" + name + "'");
      out.request.insert(name, value);
    }
    out.request.body() = request.body;
    return out;
  }

  Selection select(const Offer& offer) const {
    auto options = offer.version == 2 ? client::options_of(*offer.v2, *config.networks)
                                      : client::options_of(*offer.v1, *config.networks);
    return client::select_payment(offer.version, std::move(options), config.policy, *config.networks,
                                  config.schemes);
  }

  std::vector<BeforePaymentHook> before() {
    std::lock_guard lock(hooks_mutex);
    return before_hooks;
  }
  std::vector<AfterPaymentHook> after() {
    std::lock_guard lock(hooks_mutex);
    return after_hooks;
  }

  void run_after_hooks(const PaymentContext& context, const PaymentRecord& record) {
    for (const auto& hook : after()) {
      try {
        hook(context, record);
      } catch (...) {  // an observer's failure must not change the outcome of a payment
      }
    }
  }

  // Records the outcome in the budget file; a failure here is reported but does not undo the
  // payment's result.
  static asio::awaitable<void> record_outcome(std::shared_ptr<Impl> self, std::int64_t id,
                                              PaymentRecord record) {
    auto* store = self->budget.get();
    const std::string tx = record.receipt ? record.receipt->transaction : std::string();
    // Only trivially destructible captures: offload moves the function into a lambda built
    // inside a co_await expression, and GCC 12 may destroy such a temporary twice (see
    // docs/ENGINEERING.md). The pointees live in this suspended frame.
    const PaymentRecord* outcome = &record;
    const std::string* tx_hash = &tx;
    auto work = [store, id, outcome, tx_hash]() {
      return store->complete(id, outcome->status, outcome->payer, outcome->valid_before, *tx_hash,
                             outcome->reason);
    };
    (void)co_await async::offload(self->pool, std::move(work));
  }

  static asio::awaitable<ClientResult<PaidResponse>> send(std::shared_ptr<Impl> self, ClientRequest request) {
    try {
      co_return co_await self->send_impl(self, std::move(request));
    } catch (const std::exception& e) {
      co_return make_client_error(ClientErrc::local, std::string("client: ") + e.what());
    }
  }

  static asio::awaitable<ClientResult<Quote>> quote(std::shared_ptr<Impl> self, ClientRequest request) {
    try {
      co_return co_await self->quote_impl(self, std::move(request));
    } catch (const std::exception& e) {
      co_return make_client_error(ClientErrc::local, std::string("client: ") + e.what());
    }
  }

  // The first exchange: the response, or the error for transport failures and non-402 errors.
  struct First {
    http::Response response;
    std::optional<Offer> offer;  // set for a 402
  };
  asio::awaitable<ClientResult<First>> first_exchange(const Prepared& prepared) {
    auto url = prepared.url;
    auto message = prepared.request;
    auto response = co_await http.send(std::move(url), std::move(message));
    if (!response)
      co_return make_client_error(transport_class(response.error()), response.error().describe());
    First first{std::move(*response), std::nullopt};
    const unsigned status = first.response.result_int();
    if (status == 402) {
      auto offer = read_offer(first.response);
      if (!offer) {
        auto error = make_client_error(ClientErrc::invalid_response, offer.error().message);
        error.response = to_client_response(first.response);
        co_return error;
      }
      first.offer = std::move(*offer);
    } else if (status >= 400) {
      auto error = make_client_error(ClientErrc::http_status, "HTTP " + std::to_string(status) + " " +
                                                                  std::string(first.response.reason()));
      error.response = to_client_response(first.response);
      co_return error;
    }
    co_return std::move(first);
  }

  client::SpendRequest spend_request(const PaymentOption& option, const std::string& resource) const {
    client::SpendRequest spend;
    spend.network = option.caip2.empty() ? option.network : option.caip2;
    spend.asset = option.asset;
    spend.amount = option.amount;
    spend.decimals = client::option_decimals(option);
    spend.amount_wad = client::to_wad(option.amount, spend.decimals);
    spend.pay_to = option.pay_to;
    spend.resource = resource;
    spend.valid_before = static_cast<std::uint64_t>(unix_now()) + option.max_timeout_seconds;
    return spend;
  }

  asio::awaitable<ClientResult<Quote>> quote_impl(std::shared_ptr<Impl> self, ClientRequest request) {
    auto prepared = prepare(request);
    if (!prepared) co_return make_client_error(ClientErrc::invalid_request, prepared.error().message);
    auto first = co_await first_exchange(*prepared);
    if (!first) co_return first.take_error();
    Quote quote;
    quote.response = to_client_response(first->response);
    if (!first->offer) co_return quote;
    quote.selection = select(*first->offer);
    const auto* chosen = quote.selection->chosen_option();
    if (chosen == nullptr) {
      quote.refusal = quote.selection->describe_refusals();
      co_return quote;
    }
    const auto wad = client::to_wad(chosen->amount, client::option_decimals(*chosen));
    auto* store = self->budget.get();
    const auto* limits = &self->limits;  // trivially destructible captures only (see record_outcome)
    const U256* amount = &wad;
    auto work = [store, limits, amount, now = unix_now()]() { return store->check(*limits, *amount, now); };
    auto refusal = co_await async::offload(self->pool, std::move(work));
    if (!refusal) co_return make_client_error(ClientErrc::local, refusal.error().describe());
    if (!refusal->empty()) {
      quote.refusal = std::move(*refusal);
      co_return quote;
    }
    quote.chosen = *chosen;
    co_return quote;
  }

  asio::awaitable<ClientResult<PaidResponse>> send_impl(std::shared_ptr<Impl> self, ClientRequest request) {
    auto prepared = prepare(request);
    if (!prepared) co_return make_client_error(ClientErrc::invalid_request, prepared.error().message);
    auto first = co_await first_exchange(*prepared);
    if (!first) co_return first.take_error();
    if (!first->offer) {
      PaidResponse out;
      out.response = to_client_response(first->response);
      co_return out;
    }
    const Offer& offer = *first->offer;

    // One payment per request: a request that already carried one is not paid again.
    if (prepared->request.find(kPaymentSignatureHeader) != prepared->request.end() ||
        prepared->request.find(kXPaymentHeader) != prepared->request.end()) {
      auto error = make_client_error(
          ClientErrc::payment_failed,
          "the request already carried a payment and got 402: " +
              rejection_reason(first->response, read_receipt(first->response, offer.version)));
      error.response = to_client_response(first->response);
      co_return error;
    }

    auto selection = select(offer);
    const auto* chosen_ptr = selection.chosen_option();
    if (chosen_ptr == nullptr) {
      auto error = make_client_error(ClientErrc::refused,
                                     "no acceptable payment option: " + selection.describe_refusals());
      error.response = to_client_response(first->response);
      error.selection = std::move(selection);
      co_return error;
    }
    const PaymentOption chosen = *chosen_ptr;
    PaymentContext context;
    context.method = request.method;
    context.url = request.url;
    context.x402_version = offer.version;
    context.option = chosen;

    for (const auto& hook : before()) {
      std::optional<std::string> abort;
      try {
        abort = hook(context);
      } catch (const std::exception& e) {
        abort = std::string("before-payment hook failed: ") + e.what();
      }
      if (abort) {
        auto error = make_client_error(ClientErrc::refused, "payment aborted by a hook: " + *abort);
        error.response = to_client_response(first->response);
        error.selection = std::move(selection);
        co_return error;
      }
    }

    // Reserve against the budgets before anything is signed.
    auto* store = self->budget.get();
    auto spend = spend_request(chosen, request.url);
    const auto* limits = &self->limits;  // trivially destructible captures only (see record_outcome)
    const client::SpendRequest* pending = &spend;
    auto reserve_work = [store, limits, pending, now = unix_now()]() {
      return store->reserve(*limits, *pending, now);
    };
    auto reservation = co_await async::offload(self->pool, std::move(reserve_work));
    if (!reservation) co_return make_client_error(ClientErrc::local, reservation.error().describe());
    if (!reservation->id) {
      auto error = make_client_error(ClientErrc::refused, reservation->refusal);
      error.response = to_client_response(first->response);
      error.selection = std::move(selection);
      co_return error;
    }
    const std::int64_t reservation_id = *reservation->id;

    // Sign through the scheme registry.
    const auto* scheme = config.schemes.find(offer.version, chosen.scheme, chosen.network);
    std::string header_name;
    std::string header_value;
    JsonObject payload;
    Status signed_ok;
    if (offer.version == 2) {
      auto payment = client::create_payment(*offer.v2, offer.v2->accepts[chosen.index], *scheme);
      if (payment) {
        payload = payment->payload;
        header_name = std::string(kPaymentSignatureHeader);
        header_value = encode_header(*payment);
      } else {
        signed_ok = payment.take_error();
      }
    } else {
      auto payment = client::create_payment_v1(offer.v1->accepts[chosen.index], *scheme);
      if (payment) {
        payload = payment->payload;
        header_name = std::string(kXPaymentHeader);
        header_value = encode_header(*payment);
      } else {
        signed_ok = payment.take_error();
      }
    }
    if (!signed_ok) {
      auto release_work = [store, reservation_id]() { return store->release(reservation_id); };
      (void)co_await async::offload(self->pool, std::move(release_work));
      co_return make_client_error(ClientErrc::local,
                                  "cannot sign the payment: " + signed_ok.error().describe());
    }

    PaymentRecord record;
    record.option = chosen;
    record.valid_before = spend.valid_before;
    read_authorization(payload, record.payer, record.valid_before);

    // The single paid retry: the original request plus the payment and the reference's hint.
    auto url = prepared->url;
    auto retry = prepared->request;
    retry.set(header_name, header_value);
    retry.set(boost::beast::http::field::access_control_expose_headers,
              offer.version == 2 ? kExposeHeadersV2 : kExposeHeadersV1);
    auto response = co_await http.send(std::move(url), std::move(retry));

    if (!response) {
      record.status = PaymentStatus::unknown;
      record.reason = response.error().describe();
      co_await record_outcome(self, reservation_id, record);
      run_after_hooks(context, record);
      auto error = make_client_error(transport_class(response.error()),
                                     "payment sent, no answer: " + response.error().describe());
      error.payment = std::move(record);
      co_return error;
    }

    const unsigned status = response->result_int();
    record.http_status = status;
    record.receipt = read_receipt(*response, offer.version);
    if (status == 402) {
      record.status = PaymentStatus::rejected;
      record.reason = rejection_reason(*response, record.receipt);
      co_await record_outcome(self, reservation_id, record);
      run_after_hooks(context, record);
      auto error = make_client_error(ClientErrc::payment_failed, "payment rejected: " + record.reason);
      error.response = to_client_response(*response);
      error.payment = std::move(record);
      co_return error;
    }
    if (status >= 400) {
      // The seller may or may not have settled (a reference seller does not when its handler
      // fails, but a facilitator error mid-settlement is indistinguishable): counted as unknown.
      record.status = PaymentStatus::unknown;
      record.reason = "HTTP " + std::to_string(status) + " " + std::string(response->reason());
      co_await record_outcome(self, reservation_id, record);
      run_after_hooks(context, record);
      auto error = make_client_error(ClientErrc::http_status, "payment sent, then " + record.reason);
      error.response = to_client_response(*response);
      error.payment = std::move(record);
      co_return error;
    }
    record.status = PaymentStatus::settled;
    co_await record_outcome(self, reservation_id, record);
    run_after_hooks(context, record);
    PaidResponse out;
    out.response = to_client_response(*response);
    out.payment = std::move(record);
    co_return out;
  }
};

Result<Client> Client::create(asio::any_io_executor executor, ClientConfig config) {
  if (!config.networks)
    config.networks = std::make_shared<const NetworkRegistry>(NetworkRegistry::with_defaults());
  if (auto status = client::validate_policy(config.policy); !status) return status.take_error();
  auto limits = client::resolve_limits(config.policy.budgets);
  if (!limits) return limits.take_error();
  auto budget = client::BudgetStore::open(config.budget_file);
  if (!budget) return budget.take_error();
  auto impl = std::make_shared<Impl>(std::move(executor), std::move(config));
  impl->limits = std::move(*limits);
  impl->budget = std::move(*budget);
  return Client(std::move(impl));
}

Client::~Client() = default;

void Client::on_before_payment(BeforePaymentHook hook) {
  std::lock_guard lock(impl_->hooks_mutex);
  impl_->before_hooks.push_back(std::move(hook));
}

void Client::on_after_payment(AfterPaymentHook hook) {
  std::lock_guard lock(impl_->hooks_mutex);
  impl_->after_hooks.push_back(std::move(hook));
}

// Not coroutines themselves: the Impl is captured now, so the Client may go away meanwhile.
asio::awaitable<ClientResult<PaidResponse>> Client::send(ClientRequest request) {
  return Impl::send(impl_, std::move(request));
}

asio::awaitable<ClientResult<Quote>> Client::quote(ClientRequest request) {
  return Impl::quote(impl_, std::move(request));
}

const Policy& Client::policy() const noexcept {
  return impl_->config.policy;
}

const NetworkRegistry& Client::networks() const noexcept {
  return *impl_->config.networks;
}

// ---------------------------------------------------------------------------------------------

struct BlockingClient::Impl {
  Impl() {
    thread = std::thread([this] {
      for (;;) {
        try {
          io.run();
          return;
        } catch (...) {  // nothing spawned here throws; keep the thread alive regardless
        }
      }
    });
  }
  ~Impl() {
    client.reset();
    work.reset();
    io.stop();
    thread.join();
  }

  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::optional<Client> client;
  std::thread thread;
};

Result<std::unique_ptr<BlockingClient>> BlockingClient::create(ClientConfig config) {
  auto impl = std::make_unique<Impl>();
  auto client = Client::create(impl->io.get_executor(), std::move(config));
  if (!client) return client.take_error();
  impl->client.emplace(std::move(*client));
  return std::unique_ptr<BlockingClient>(new BlockingClient(std::move(impl)));
}

BlockingClient::BlockingClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

BlockingClient::~BlockingClient() = default;

ClientResult<PaidResponse> BlockingClient::send(ClientRequest request) {
  return async::run_blocking(impl_->io.get_executor(), impl_->client->send(std::move(request)));
}

ClientResult<Quote> BlockingClient::quote(ClientRequest request) {
  return async::run_blocking(impl_->io.get_executor(), impl_->client->quote(std::move(request)));
}

Client& BlockingClient::async_client() noexcept {
  return *impl_->client;
}

asio::any_io_executor BlockingClient::executor() const noexcept {
  return impl_->io.get_executor();
}

}  // namespace x402
