// The seller core: route table, 402 shapes, verify / settle through the facilitator, settlement
// timing, CORS (x402-reference §1.2, §1.6, §5, §6).
#include "seller/seller.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/json/object.hpp>
#include <exception>
#include <mutex>

#include "schemes/exact/evm/server.hpp"
#include "seller/settlement_queue.hpp"
#include "x402/codec.hpp"
#include "x402/reasons.hpp"

namespace x402::seller {
namespace asio = boost::asio;

namespace {

constexpr std::string_view kExposeHeaders = "PAYMENT-REQUIRED, PAYMENT-RESPONSE, X-PAYMENT-RESPONSE";
constexpr std::string_view kAllowHeaders =
    "PAYMENT-SIGNATURE, X-PAYMENT, Access-Control-Expose-Headers, Content-Type";

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string error_body(std::string_view message) {
  boost::json::object body;
  body.emplace("error", message);
  return stringify(body);
}

Response json_response(unsigned status, std::string body, const Headers& extra) {
  Response out;
  out.status = status;
  out.headers.emplace_back("Content-Type", "application/json");
  for (const auto& header : extra) out.headers.push_back(header);
  out.body = std::move(body);
  return out;
}

// 502: the facilitator gave no usable answer; nothing is served.
Response bad_gateway(std::string_view message, const Headers& cors) {
  spdlog::warn("seller: facilitator failure: {}", message);
  return json_response(502, error_body(message), cors);
}

Response internal_error(std::string_view message, const Headers& cors) {
  spdlog::error("seller: {}", message);
  return json_response(500, error_body(message), cors);
}

bool kind_matches(const SupportedKind& kind, int version, std::string_view scheme, std::string_view network) {
  return kind.x402_version == version && kind.scheme == scheme && network_matches(kind.network, network);
}

}  // namespace

std::optional<std::string_view> Request::header(std::string_view name) const noexcept {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return std::string_view(value);
  return std::nullopt;
}

std::string request_url(std::string_view scheme, std::string_view host, std::string_view target) {
  std::string out(scheme);
  out += "://";
  out += host;
  out += target;
  return out;
}

std::string append_private(std::string_view cache_control) {
  const std::string_view value = trim(cache_control);
  if (value.empty()) return "private";
  std::size_t start = 0;
  while (start <= value.size()) {
    const std::size_t comma = value.find(',', start);
    const std::string_view token =
        trim(value.substr(start, comma == std::string_view::npos ? value.npos : comma - start));
    if (iequals(token, "private")) return std::string(value);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return std::string(value) + ", private";
}

// ---------------------------------------------------------------------------------------------

namespace {

struct CompiledRoute {
  Route route;
  RoutePattern pattern;
  std::vector<ResolvedOption> options;
};

// What initialize() learned: per route and option the requirements as sent (enhanced with what
// the facilitator advertises) and the facilitator that handles them.
struct Snapshot {
  struct Option {
    PaymentRequirements requirements;
    std::shared_ptr<FacilitatorClient> facilitator;
    std::optional<std::string> v1_network;  // set when some facilitator settles it as v1
    std::shared_ptr<FacilitatorClient> v1_facilitator;
  };
  std::vector<std::vector<Option>> routes;
  // Per route: its plain 402 with the resource URL left open (nullopt: rendered every time).
  // Made with the snapshot, so it never outlives the requirements it was made from.
  std::vector<std::optional<PaymentRequiredTemplate>> plain_402;
  std::vector<std::pair<std::shared_ptr<FacilitatorClient>, SupportedResponse>> supported;

  // The facilitator for a stored request (background worker): by advertised kind, else the first.
  std::shared_ptr<FacilitatorClient> pick(int version, std::string_view scheme,
                                          std::string_view network) const {
    for (const auto& [client, answer] : supported)
      for (const auto& kind : answer.kinds)
        if (kind_matches(kind, version, scheme, network)) return client;
    return supported.empty() ? nullptr : supported.front().first;
  }
};

}  // namespace

class PaidRequest {
 public:
  std::size_t route = 0;
  int version = 2;
  FacilitatorRequest request;
  std::shared_ptr<FacilitatorClient> facilitator;
  SettlementTiming timing = SettlementTiming::after_handler;
  Headers cors;
  std::shared_ptr<const Snapshot> snapshot;
  std::string resource_url;
  std::optional<SettleResponse> settled;  // before_handler
  std::string key;                        // background: replay detection
  std::string network;
  std::string payer;
  std::atomic<bool> completed{false};
};

struct Seller::Impl : std::enable_shared_from_this<Seller::Impl> {
  asio::any_io_executor executor;
  SellerOptions options;
  std::vector<CompiledRoute> routes;
  std::shared_ptr<SettlementWorker> worker;  // when a route settles in the background

  bool any_origin = false;  // options.cors.allowed_origins holds "*"
  Headers cors_any;         // the CORS headers of every request when any_origin

  mutable std::mutex mutex;
  std::shared_ptr<const Snapshot> snapshot;  // null until initialize() succeeded

  std::shared_ptr<const Snapshot> current() const {
    std::lock_guard lock(mutex);
    return snapshot;
  }

  std::optional<std::size_t> find(std::string_view method, std::string_view target) const {
    const std::string path = normalize_path(target);  // once, not once per route
    for (std::size_t i = 0; i < routes.size(); ++i)
      if (routes[i].pattern.matches_normalized(method, path)) return i;
    return std::nullopt;
  }

  // --- CORS ----------------------------------------------------------------------------------

  // Allow-Origin for this request, or nullopt when its origin is not allowed.
  std::optional<std::string> allowed_origin(const Request& request) const {
    if (any_origin) return std::string("*");
    const auto origin = request.header("Origin");
    if (!origin) return std::nullopt;
    const auto& origins = options.cors.allowed_origins;
    if (std::find(origins.begin(), origins.end(), *origin) == origins.end()) return std::nullopt;
    return std::string(*origin);
  }

  Headers cors_headers(const Request& request) const {
    if (any_origin) return cors_any;
    Headers out;
    if (!options.cors.enabled) return out;
    out.emplace_back("Vary", "Origin");
    auto origin = allowed_origin(request);
    if (!origin) return out;
    out.emplace_back("Access-Control-Allow-Origin", std::move(*origin));
    out.emplace_back("Access-Control-Expose-Headers", std::string(kExposeHeaders));
    return out;
  }

  Response preflight(const Request& request, std::string_view method) const {
    Response out;
    out.status = 204;
    if (!any_origin) out.headers.emplace_back("Vary", "Origin");
    auto origin = allowed_origin(request);
    if (!origin) return out;
    std::string verb;
    for (char c : method) verb += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string allow_headers(kAllowHeaders);
    if (auto requested = request.header("Access-Control-Request-Headers");
        requested && !trim(*requested).empty())
      allow_headers += ", " + std::string(trim(*requested));
    out.headers.emplace_back("Access-Control-Allow-Origin", std::move(*origin));
    out.headers.emplace_back("Access-Control-Allow-Methods", verb + ", OPTIONS");
    out.headers.emplace_back("Access-Control-Allow-Headers", std::move(allow_headers));
    out.headers.emplace_back("Access-Control-Expose-Headers", std::string(kExposeHeaders));
    out.headers.emplace_back("Access-Control-Max-Age", std::to_string(options.cors.max_age_seconds));
    return out;
  }

  // --- 402 shapes ----------------------------------------------------------------------------

  // The documents of a 402 for this route and resource URL.
  PaymentRequiredDocuments documents(std::size_t route_index, const Snapshot& snapshot,
                                     const std::string& resource_url, std::string_view error_v2,
                                     std::string_view error_v1, std::optional<std::string> payer) const {
    const RouteConfig& config = routes[route_index].route.config;
    PaymentRequiredDocuments out;
    PaymentRequired& required = out.required;
    required.error = std::string(error_v2);
    required.resource.url = resource_url;
    required.resource.description = config.description;
    required.resource.mime_type = config.mime_type;
    PaymentRequirementsResponse& body = out.body;
    body.error = std::string(error_v1);
    body.payer = std::move(payer);
    for (const auto& option : snapshot.routes[route_index]) {
      required.accepts.push_back(option.requirements);
      if (option.v1_network)
        body.accepts.push_back(to_v1(option.requirements, *option.v1_network, resource_url,
                                     config.description, config.mime_type));
    }
    required.extensions = config.extensions;
    return out;
  }

  // v2 header + v1 body: v2 clients read the header first, v1 clients the body.
  static Response payment_required_response(PaymentRequiredTexts texts, Headers cors) {
    Response out;
    out.status = 402;
    out.headers.reserve(3 + cors.size());
    out.headers.emplace_back(std::string(kPaymentRequiredHeader), std::move(texts.header));
    out.headers.emplace_back("Cache-Control", "no-store");
    out.headers.emplace_back("Content-Type", "application/json");
    for (auto& header : cors) out.headers.push_back(std::move(header));
    out.body = std::move(texts.body);
    return out;
  }

  // A 402 with an error of its own (no match, verify failure, replay, settlement failure):
  // rendered for this request, never from the template.
  Response payment_required(std::size_t route_index, const Snapshot& snapshot,
                            const std::string& resource_url, std::string_view error_v2,
                            std::string_view error_v1, std::optional<std::string> payer,
                            const Headers& cors) const {
    return payment_required_response(
        render(documents(route_index, snapshot, resource_url, error_v2, error_v1, std::move(payer))), cors);
  }

  // The plain 402 of a request without a payment: the route's template with the URL filled in.
  Response plain_payment_required(std::size_t route_index, const Snapshot& snapshot,
                                  const std::string& resource_url, Headers cors) const {
    const auto& prepared = snapshot.plain_402[route_index];
    PaymentRequiredTexts texts =
        prepared ? prepared->fill(resource_url)
                 : render(documents(route_index, snapshot, resource_url, reason::payment_required,
                                    reason::x_payment_required, std::nullopt));
    return payment_required_response(std::move(texts), std::move(cors));
  }

  // The plain 402 of every route, prepared once per snapshot (see PaymentRequiredTemplate).
  void prepare_plain_402(Snapshot& snapshot) const {
    snapshot.plain_402.clear();
    for (std::size_t i = 0; i < routes.size(); ++i) {
      auto prepared = PaymentRequiredTemplate::make([&](const std::string& url) {
        return documents(i, snapshot, url, reason::payment_required, reason::x_payment_required,
                         std::nullopt);
      });
      if (!prepared)
        spdlog::debug("seller: route \"{}\": 402 rendered per request (no template)",
                      routes[i].route.pattern);
      snapshot.plain_402.push_back(std::move(prepared));
    }
  }

  // Settlement refused: 402 with the settle answer; no resource. v2: body {}; v1: the v1 body
  // with the reason, as the legacy seller answers.
  Response settlement_failed(const PaidRequest& paid, const SettleResponse& settle) const {
    const std::string reason = settle.error_reason.value_or(std::string(reason::settlement_failed));
    if (paid.version == 1) {
      Response out = payment_required(paid.route, *paid.snapshot, paid.resource_url, reason, reason,
                                      settle.payer, paid.cors);
      out.headers.emplace_back(std::string(kXPaymentResponseHeader), encode_header(settle));
      return out;
    }
    Response out;
    out.status = 402;
    out.headers.emplace_back(std::string(kPaymentResponseHeader), encode_header(settle));
    out.headers.emplace_back("Cache-Control", "no-store");
    out.headers.emplace_back("Content-Type", "application/json");
    for (const auto& header : paid.cors) out.headers.push_back(header);
    out.body = "{}";
    return out;
  }

  static std::pair<std::string, std::string> settle_header(const PaidRequest& paid,
                                                           const SettleResponse& settle) {
    return {std::string(paid.version == 1 ? kXPaymentResponseHeader : kPaymentResponseHeader),
            encode_header(settle)};
  }

  // --- facilitator -----------------------------------------------------------------------------

  // One retry of a settlement the facilitator reports pending with a transaction (reference §2.4).
  static asio::awaitable<Result<SettleResponse>> settle_with_retry(
      std::shared_ptr<FacilitatorClient> facilitator, FacilitatorRequest request) {
    auto first = co_await facilitator->settle(request);
    if (first && !first->success && first->error_reason.value_or("") == reason::settlement_pending &&
        !first->transaction.empty()) {
      spdlog::info("seller: settlement pending ({}), retrying once", first->transaction);
      co_return co_await facilitator->settle(request);
    }
    co_return first;
  }

  // The background worker's settle: the facilitator advertising the stored request's kind.
  static asio::awaitable<Result<SettleResponse>> settle_stored(std::weak_ptr<Impl> weak,
                                                               FacilitatorRequest request) {
    auto impl = weak.lock();
    auto current = impl ? impl->current() : nullptr;
    if (!current) co_return make_error(Errc::unavailable, "seller stopped");
    std::shared_ptr<FacilitatorClient> facilitator;
    if (const auto* v2 = std::get_if<PaymentRequestV2>(&request)) {
      facilitator = current->pick(2, v2->requirements.scheme, v2->requirements.network);
    } else {
      const auto& v1 = std::get<PaymentRequestV1>(request);
      facilitator = current->pick(1, v1.requirements.scheme, v1.requirements.network);
    }
    if (!facilitator) co_return make_error(Errc::unavailable, "no facilitator for the stored payment");
    co_return co_await settle_with_retry(std::move(facilitator), std::move(request));
  }

  static asio::awaitable<Status> initialize(std::shared_ptr<Impl> self) {
    if (self->current()) co_return Status{};
    auto snapshot = std::make_shared<Snapshot>();
    std::string failures;
    for (const auto& facilitator : self->options.facilitators) {
      auto answer = co_await facilitator->supported();
      if (answer) {
        snapshot->supported.emplace_back(facilitator, std::move(*answer));
      } else {
        if (!failures.empty()) failures += "; ";
        failures += answer.error().message;
      }
    }
    if (snapshot->supported.empty())
      co_return make_error(Errc::unavailable, "no facilitator answered /supported: " + failures);

    for (const auto& route : self->routes) {
      std::vector<Snapshot::Option> options;
      for (const auto& resolved : route.options) {
        const auto& requirements = resolved.requirements;
        Snapshot::Option option;
        for (const auto& [client, answer] : snapshot->supported) {
          for (const auto& kind : answer.kinds) {
            if (!option.facilitator && kind_matches(kind, 2, requirements.scheme, requirements.network)) {
              option.facilitator = client;
              const SchemeServer* server =
                  self->options.schemes->find(2, requirements.scheme, requirements.network);
              option.requirements = server ? server->enhance(requirements, kind) : requirements;
            }
            if (!option.v1_facilitator && resolved.v1_network && kind.x402_version == 1 &&
                kind.scheme == requirements.scheme &&
                (kind.network == *resolved.v1_network ||
                 network_matches(kind.network, requirements.network))) {
              option.v1_facilitator = client;
              option.v1_network = resolved.v1_network;
            }
          }
        }
        if (!option.facilitator) {
          const std::string what = "route \"" + route.route.pattern + "\": no facilitator supports x402 v2 " +
                                   requirements.scheme + " on " + requirements.network;
          // An unreachable facilitator might support it: not a configuration error (yet).
          if (!failures.empty()) {
            std::string message = what;
            message.append(" (unreachable: ").append(failures).append(")");
            co_return make_error(Errc::unavailable, std::move(message));
          }
          co_return make_error(Errc::invalid_argument, what);
        }
        options.push_back(std::move(option));
      }
      snapshot->routes.push_back(std::move(options));
    }
    self->prepare_plain_402(*snapshot);
    {
      std::lock_guard lock(self->mutex);
      if (!self->snapshot) self->snapshot = snapshot;
    }
    if (self->worker) {
      std::weak_ptr<Impl> weak = self;
      // A plain lambda around a coroutine with by-value parameters: the frame owns everything.
      self->worker->start(
          [weak](FacilitatorRequest request) { return settle_stored(weak, std::move(request)); });
    }
    co_return Status{};
  }

  // --- the request path ----------------------------------------------------------------------

  static asio::awaitable<Decision> process(std::shared_ptr<Impl> self, Request request) {
    Decision decision;
    const auto respond = [&decision](Response response) {
      decision.kind = Decision::Kind::respond;
      decision.response = std::move(response);
    };

    if (self->options.cors.enabled && iequals(request.method, "OPTIONS")) {
      if (auto method = request.header("Access-Control-Request-Method");
          method && self->find(*method, request.target)) {
        respond(self->preflight(request, *method));
        co_return decision;
      }
    }
    const auto route_index = self->find(request.method, request.target);
    if (!route_index) co_return decision;  // not for sale
    Headers cors = self->cors_headers(request);

    auto snapshot = self->current();
    if (!snapshot) {
      auto ready = co_await initialize(self);
      if (!ready) {
        respond(bad_gateway(ready.error().message, cors));
        co_return decision;
      }
      snapshot = self->current();
    }
    const CompiledRoute& route = self->routes[*route_index];
    const auto& options = snapshot->routes[*route_index];
    std::string resource_url;
    if (route.route.config.resource)
      resource_url = *route.route.config.resource;
    else
      resource_url = std::move(request.url.empty() ? request.target : request.url);  // not read again

    // An undecodable payment header counts as absent (reference §1.1).
    std::optional<PaymentPayload> v2;
    std::optional<PaymentPayloadV1> v1;
    if (auto header = request.header(kPaymentSignatureHeader))
      if (auto decoded = decode_header<PaymentPayload>(trim(*header))) v2 = std::move(*decoded);
    if (!v2)
      if (auto header = request.header(kXPaymentHeader))
        if (auto decoded = decode_header<PaymentPayloadV1>(trim(*header))) v1 = std::move(*decoded);
    if (!v2 && !v1) {
      respond(self->plain_payment_required(*route_index, *snapshot, resource_url, std::move(cors)));
      co_return decision;
    }

    auto paid = std::make_shared<PaidRequest>();
    paid->route = *route_index;
    paid->timing = route.route.config.settlement;
    paid->cors = cors;
    paid->snapshot = snapshot;
    paid->resource_url = resource_url;
    const Snapshot::Option* chosen = nullptr;
    if (v2) {
      for (const auto& option : options)
        if (accepted_matches(v2->accepted, option.requirements)) {
          chosen = &option;
          break;
        }
      if (chosen) {
        paid->version = 2;
        paid->facilitator = chosen->facilitator;
        paid->network = chosen->requirements.network;
        paid->key = payment_key(v2->payload);
        paid->request = PaymentRequestV2{std::move(*v2), chosen->requirements};
      }
    } else {
      for (const auto& option : options)
        if (option.v1_network && *option.v1_network == v1->network &&
            option.requirements.scheme == v1->scheme) {
          chosen = &option;
          break;
        }
      if (chosen) {
        paid->version = 1;
        paid->facilitator = chosen->v1_facilitator;
        paid->network = *chosen->v1_network;
        paid->key = payment_key(v1->payload);
        paid->request = PaymentRequestV1{std::move(*v1),
                                         to_v1(chosen->requirements, *chosen->v1_network, resource_url,
                                               route.route.config.description, route.route.config.mime_type)};
      }
    }
    if (!chosen) {
      respond(self->payment_required(*route_index, *snapshot, resource_url, reason::no_matching_requirements,
                                     reason::v1_no_matching_requirements, std::nullopt, cors));
      co_return decision;
    }

    if (paid->timing == SettlementTiming::background) {
      // A payment already queued was served once: refuse the replay before verifying.
      auto known = co_await self->worker->contains(paid->key);
      if (!known) {
        respond(internal_error("settlement queue unavailable: " + known.error().message, cors));
        co_return decision;
      }
      if (*known) {
        respond(self->payment_required(*route_index, *snapshot, resource_url,
                                       reason::invalid_exact_evm_nonce_already_used,
                                       reason::invalid_exact_evm_nonce_already_used, std::nullopt, cors));
        co_return decision;
      }
    }

    auto verdict = co_await paid->facilitator->verify(paid->request);
    if (!verdict) {
      respond(bad_gateway(verdict.error().message, cors));
      co_return decision;
    }
    if (!verdict->is_valid) {
      const std::string why = verdict->invalid_reason.value_or(std::string(reason::unexpected_verify_error));
      respond(self->payment_required(*route_index, *snapshot, resource_url, why, why, verdict->payer, cors));
      co_return decision;
    }
    paid->payer = verdict->payer.value_or("");

    if (paid->timing == SettlementTiming::before_handler) {
      auto settled = co_await settle_with_retry(paid->facilitator, paid->request);
      if (!settled) {
        respond(bad_gateway(settled.error().message, cors));
        co_return decision;
      }
      if (!settled->success) {
        respond(self->settlement_failed(*paid, *settled));
        co_return decision;
      }
      paid->settled = std::move(*settled);
    }
    decision.kind = Decision::Kind::run_handler;
    decision.payment = std::move(paid);
    co_return decision;
  }

  static asio::awaitable<Completion> complete(std::shared_ptr<Impl> self, std::shared_ptr<PaidRequest> paid,
                                              unsigned status) {
    Completion out;
    if (!paid || paid->completed.exchange(true)) {
      out.replacement = internal_error("payment missing or already completed", Headers{});
      co_return out;
    }
    out.headers = paid->cors;
    switch (paid->timing) {
      case SettlementTiming::before_handler:
        // Paid already: the buyer gets the receipt whatever the handler answered.
        out.headers.push_back(settle_header(*paid, *paid->settled));
        out.cache_private = true;
        co_return out;

      case SettlementTiming::after_handler: {
        if (status >= 400) co_return out;  // nothing served, nothing settled
        auto settled = co_await settle_with_retry(paid->facilitator, paid->request);
        if (!settled) {
          out.replacement = bad_gateway(settled.error().message, paid->cors);
          co_return out;
        }
        if (!settled->success) {
          out.replacement = self->settlement_failed(*paid, *settled);
          co_return out;
        }
        out.headers.push_back(settle_header(*paid, *settled));
        out.cache_private = true;
        co_return out;
      }

      case SettlementTiming::background: {
        if (status >= 400) co_return out;
        // Durable before the response leaves: a crash after this point still settles.
        std::string body = serialize(paid->request);
        auto id = co_await self->worker->enqueue(paid->key, std::move(body), paid->network, paid->payer);
        if (!id) {
          if (id.error().code == Errc::conflict) {
            out.replacement = self->payment_required(paid->route, *paid->snapshot, paid->resource_url,
                                                     reason::invalid_exact_evm_nonce_already_used,
                                                     reason::invalid_exact_evm_nonce_already_used,
                                                     std::nullopt, paid->cors);
          } else {
            out.replacement =
                internal_error("settlement queue unavailable: " + id.error().message, paid->cors);
          }
          co_return out;
        }
        out.cache_private = true;
        co_return out;
      }
    }
    co_return out;
  }
};

// ---------------------------------------------------------------------------------------------

Result<std::shared_ptr<Seller>> Seller::create(asio::any_io_executor executor, SellerOptions options) {
  if (!options.networks)
    options.networks = std::make_shared<const NetworkRegistry>(NetworkRegistry::with_defaults());
  if (!options.schemes) {
    auto registry = std::make_shared<SchemeRegistry<SchemeServer>>();
    registry->add(2, "eip155:*", std::make_shared<exact_evm::ExactEvmServer>(options.networks));
    options.schemes = std::move(registry);
  }
  if (options.facilitators.empty())
    return make_error(Errc::invalid_argument, "seller: no facilitator configured");
  for (const auto& facilitator : options.facilitators)
    if (!facilitator) return make_error(Errc::invalid_argument, "seller: null facilitator");
  if (options.routes.empty()) return make_error(Errc::invalid_argument, "seller: no routes configured");
  if (options.cors.enabled && options.cors.allowed_origins.empty())
    return make_error(Errc::invalid_argument, "seller: CORS enabled without allowed origins");

  auto impl = std::make_shared<Impl>();
  bool background = false;
  for (const auto& route : options.routes) {
    auto pattern = RoutePattern::parse(route.pattern);
    if (!pattern) return make_error(Errc::invalid_argument, "seller: " + pattern.error().message);
    if (route.config.accepts.empty())
      return make_error(Errc::invalid_argument, "seller: route \"" + route.pattern + "\": no payment option");
    CompiledRoute compiled{route, std::move(*pattern), {}};
    for (std::size_t i = 0; i < route.config.accepts.size(); ++i) {
      auto resolved = resolve_option(route.config.accepts[i], *options.networks, *options.schemes);
      if (!resolved)
        return make_error(resolved.error().code, "seller: route \"" + route.pattern + "\", option " +
                                                     std::to_string(i + 1) + ": " + resolved.error().message);
      compiled.options.push_back(std::move(*resolved));
    }
    background = background || route.config.settlement == SettlementTiming::background;
    impl->routes.push_back(std::move(compiled));
  }
  if (background) {
    const auto& settings = options.background;
    if (settings.max_attempts == 0 || settings.initial_backoff.count() <= 0 ||
        settings.max_backoff < settings.initial_backoff)
      return make_error(Errc::invalid_argument, "seller: invalid background settlement retry settings");
    auto store = SettlementStore::open(settings.queue_file);
    if (!store) return make_error(store.error().code, "seller: " + store.error().message);
    impl->worker = std::make_shared<SettlementWorker>(executor, std::move(*store), settings);
  }
  impl->executor = std::move(executor);
  impl->options = std::move(options);
  const auto& origins = impl->options.cors.allowed_origins;
  impl->any_origin = std::find(origins.begin(), origins.end(), "*") != origins.end();
  if (impl->options.cors.enabled && impl->any_origin) {
    impl->cors_any.emplace_back("Access-Control-Allow-Origin", "*");
    impl->cors_any.emplace_back("Access-Control-Expose-Headers", std::string(kExposeHeaders));
  }
  return std::shared_ptr<Seller>(new Seller(std::move(impl)));
}

Seller::Seller(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Seller::~Seller() {
  stop();
}

void Seller::stop() {
  if (impl_->worker) impl_->worker->stop();
}

bool Seller::initialized() const noexcept {
  return impl_->current() != nullptr;
}

const Route* Seller::find_route(std::string_view method, std::string_view target) const noexcept {
  const auto index = impl_->find(method, target);
  return index ? &impl_->routes[*index].route : nullptr;
}

asio::awaitable<Status> Seller::initialize() {
  auto impl = impl_;
  try {
    co_return co_await Impl::initialize(impl);
  } catch (const std::exception& e) {
    co_return make_error(Errc::internal, std::string("seller: initialize: ") + e.what());
  }
}

asio::awaitable<Decision> Seller::process(Request request) {
  auto impl = impl_;
  try {
    co_return co_await Impl::process(impl, std::move(request));
  } catch (const std::exception& e) {
    Decision decision;
    decision.kind = Decision::Kind::respond;
    decision.response = internal_error(std::string("seller: ") + e.what(), Headers{});
    co_return decision;
  }
}

asio::awaitable<Completion> Seller::complete(std::shared_ptr<PaidRequest> payment, unsigned handler_status) {
  auto impl = impl_;
  try {
    co_return co_await Impl::complete(impl, std::move(payment), handler_status);
  } catch (const std::exception& e) {
    Completion out;
    out.replacement = internal_error(std::string("seller: ") + e.what(), Headers{});
    co_return out;
  }
}

}  // namespace x402::seller
