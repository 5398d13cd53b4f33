#include "gateway/gateway.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "async/run.hpp"
#include "gateway/forward.hpp"
#include "gateway/metrics.hpp"
#include "gateway/paywall.hpp"
#include "gateway/upstream.hpp"
#include "http/server.hpp"
#include "schemes/exact/evm/server.hpp"
#include "seller/beast_adapter.hpp"
#include "seller/facilitator_client.hpp"
#include "seller/seller.hpp"
#include "x402/codec.hpp"
#include "x402/reasons.hpp"

namespace x402::gateway {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

// Thrown out of the stream handler to make the server drop the connection: a body that broke off
// upstream must not look complete to the client (a final empty chunk would say it is).
class StreamAborted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Route {
  seller::RoutePattern pattern;
  std::string label;   // the pattern as configured: the metrics label
  std::string method;  // "" = any
  std::string path;    // as configured (case kept), for the discovery document
  std::size_t upstream = 0;
  std::optional<seller::RouteConfig> payment;
  std::vector<PaymentRequirements> requirements;  // resolved, for the discovery document
};

struct State {
  Config config;
  std::shared_ptr<NetworkRegistry> networks;
  std::vector<std::shared_ptr<Upstream>> upstreams;
  std::vector<Route> routes;
  std::shared_ptr<seller::Seller> seller;  // null when no route has a price
  std::uint64_t generation = 1;
  std::string loaded_at;  // ISO 8601, UTC

  [[nodiscard]] const Route* match(std::string_view method, std::string_view target) const {
    const std::string path = seller::normalize_path(target);  // once, not once per route
    for (const auto& route : routes)
      if (route.pattern.matches_normalized(method, path)) return &route;
    return nullptr;
  }
};

std::string iso_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string_view path_of(std::string_view target) {
  const auto cut = target.find_first_of("?#");
  return cut == std::string_view::npos ? target : target.substr(0, cut);
}

bool has_payment(const http::Request& request) {
  for (const auto& field : request)
    if (is_payment_request_header(field.name_string())) return true;
  return false;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::optional<std::string_view> find_header(const seller::Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return std::string_view(value);
  return std::nullopt;
}

// The settlement answer a response carries (PAYMENT-RESPONSE or X-PAYMENT-RESPONSE), if any.
std::optional<SettleResponse> settlement_of(const seller::Headers& headers) {
  auto value = find_header(headers, kPaymentResponseHeader);
  if (!value) value = find_header(headers, kXPaymentResponseHeader);
  if (!value) return std::nullopt;
  auto decoded = decode_header<SettleResponse>(*value);
  if (!decoded) return std::nullopt;
  return std::move(*decoded);
}

std::string upstream_error_kind(const Error& error) {
  switch (error.code) {
    case Errc::timeout:
      return "timeout";
    case Errc::too_large:
      return "too_large";
    default:
      return "unavailable";
  }
}

// The route's path as written ("/items/:id"), without its verb.
std::string pattern_path(std::string_view pattern) {
  while (!pattern.empty() && pattern.front() == ' ') pattern.remove_prefix(1);
  if (const auto space = pattern.find(' '); space != std::string_view::npos) pattern.remove_prefix(space + 1);
  while (!pattern.empty() && pattern.front() == ' ') pattern.remove_prefix(1);
  while (!pattern.empty() && pattern.back() == ' ') pattern.remove_suffix(1);
  return std::string(pattern);
}

Result<std::shared_ptr<NetworkRegistry>> build_networks(const Config& config) {
  auto registry = std::make_shared<NetworkRegistry>(NetworkRegistry::with_defaults());
  for (std::size_t i = 0; i < config.assets.size(); ++i) {
    const AssetInfo& asset = config.assets[i];
    if (registry->find_network(asset.network) == nullptr) {
      NetworkInfo network;
      network.caip2 = asset.network;
      network.display_name = asset.network;
      network.testnet = true;
      if (asset.network.rfind("eip155:", 0) == 0) {
        const std::string reference = asset.network.substr(7);
        if (reference.empty() || reference.size() > 18 ||
            reference.find_first_not_of("0123456789") != std::string::npos)
          return make_error(Errc::invalid_network, "assets: " + asset.network + " has no numeric chain id");
        network.chain_id = std::stoull(reference);
      }
      if (auto added = registry->add_network(std::move(network)); !added)
        return make_error(added.error().code, "assets: " + added.error().message);
    }
    const bool make_default = std::find(config.default_assets.begin(), config.default_assets.end(), i) !=
                              config.default_assets.end();
    if (auto added = registry->add_asset(asset, make_default); !added)
      return make_error(added.error().code, "assets: " + added.error().message);
  }
  return registry;
}

// Everything of a configuration except the facilitator check (Seller::initialize).
Result<std::shared_ptr<State>> build_state(Config config, const asio::any_io_executor& executor,
                                           std::uint64_t generation) {
  auto state = std::make_shared<State>();
  state->generation = generation;
  state->loaded_at = iso_now();
  auto networks = build_networks(config);
  if (!networks) return networks.take_error();
  state->networks = std::move(*networks);
  auto schemes = std::make_shared<SchemeRegistry<SchemeServer>>();
  schemes->add(2, "eip155:*", std::make_shared<exact_evm::ExactEvmServer>(state->networks));

  if (config.upstreams.empty())
    return make_error(Errc::invalid_argument, "upstreams: at least one is required");
  for (const auto& upstream : config.upstreams) {
    auto created = Upstream::create(upstream.url, upstream.options);
    if (!created)
      return make_error(created.error().code,
                        "upstream " + upstream.url.origin() + ": " + created.error().message);
    state->upstreams.push_back(std::move(*created));
  }

  seller::SellerOptions options;
  for (const auto& configured : config.routes) {
    auto pattern = seller::RoutePattern::parse(configured.pattern);
    if (!pattern)
      return make_error(Errc::invalid_argument,
                        "route \"" + configured.pattern + "\": " + pattern.error().message);
    if (configured.upstream >= state->upstreams.size())
      return make_error(Errc::invalid_argument, "route \"" + configured.pattern + "\": no such upstream");
    Route route{std::move(*pattern), configured.pattern, {}, pattern_path(configured.pattern),
                configured.upstream, configured.payment, {}};
    route.method = route.pattern.verb();
    if (route.payment) {
      for (const auto& option : route.payment->accepts) {
        auto resolved = seller::resolve_option(option, *state->networks, *schemes);
        if (!resolved)
          return make_error(resolved.error().code,
                            "route \"" + configured.pattern + "\": " + resolved.error().message);
        route.requirements.push_back(std::move(resolved->requirements));
      }
      options.routes.push_back(seller::Route{configured.pattern, *route.payment});
    }
    state->routes.push_back(std::move(route));
  }

  if (!options.routes.empty()) {
    if (!config.facilitator)
      return make_error(Errc::invalid_argument, "facilitator: required for paid routes");
    seller::HttpFacilitatorOptions facilitator;
    facilitator.url = config.facilitator->url;
    facilitator.timeout = config.facilitator->timeout;
    facilitator.bearer_token = config.facilitator->auth_token;
    facilitator.verify_tls = config.facilitator->verify_tls;
    facilitator.ca_file = config.facilitator->ca_file;
    auto client = seller::HttpFacilitatorClient::create(executor, std::move(facilitator));
    if (!client) return make_error(client.error().code, "facilitator: " + client.error().message);
    options.facilitators.push_back(std::move(*client));
    options.networks = state->networks;
    options.schemes = schemes;
    options.cors = config.cors;
    options.background.queue_file = config.settlement_queue;
    for (const auto& route : options.routes)
      if (route.config.settlement == seller::SettlementTiming::background && config.settlement_queue.empty())
        return make_error(
            Errc::invalid_argument,
            "route \"" + route.pattern + "\": settlement = \"background\" needs settlement_queue");
    auto created = seller::Seller::create(executor, std::move(options));
    if (!created) return created.take_error();
    state->seller = std::move(*created);
  }
  state->config = std::move(config);
  return state;
}

std::string discovery_json(const State& state, std::string_view base) {
  boost::json::array items;
  for (const auto& route : state.routes) {
    if (!route.payment) continue;
    boost::json::object item;
    item["resource"] = route.payment->resource.value_or(std::string(base) + route.path);
    item["type"] = "http";
    item["x402Version"] = 2;
    item["method"] = route.method.empty() ? "*" : route.method;
    item["path"] = route.path;
    item["description"] = route.payment->description;
    item["mimeType"] = route.payment->mime_type;
    boost::json::array accepts;
    for (const auto& requirements : route.requirements) accepts.push_back(to_json(requirements));
    item["accepts"] = std::move(accepts);
    item["settlement"] = to_string(route.payment->settlement);
    item["lastUpdated"] = state.loaded_at;
    boost::json::object input;
    input["type"] = "http";
    if (!route.method.empty()) input["method"] = route.method;
    boost::json::object info;
    info["input"] = std::move(input);
    boost::json::object bazaar;
    bazaar["info"] = std::move(info);
    if (route.path.find_first_of(":[*") != std::string::npos) bazaar["routeTemplate"] = route.path;
    boost::json::object extensions;
    extensions["bazaar"] = std::move(bazaar);
    item["extensions"] = std::move(extensions);
    items.push_back(std::move(item));
  }
  boost::json::object doc;
  doc["x402Version"] = 2;
  const auto total = items.size();
  doc["items"] = std::move(items);
  boost::json::object pagination;
  pagination["limit"] = total;
  pagination["offset"] = 0;
  pagination["total"] = total;
  doc["pagination"] = std::move(pagination);
  return stringify(doc);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct Gateway::Impl {
  ConfigLoader loader;
  asio::io_context control{1};  // the seller core's executor (facilitator calls, background worker)
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> control_work;
  std::thread control_thread;

  std::atomic<std::shared_ptr<const State>> current;
  std::mutex reload_mutex;                            // one reload at a time
  std::vector<std::shared_ptr<const State>> retired;  // replaced, maybe still serving; under reload_mutex
  Metrics metrics;

  std::unique_ptr<http::Server> server;
  std::size_t server_body_limit = 0;
  std::string listen_address;
  std::uint16_t listen_port = 0;
  unsigned threads = 0;

  int reload_fd = -1;  // eventfd: request_reload() and stop() wake the reload thread
  std::atomic<bool> stopping{false};
  std::thread reloader;

  Impl() : control_work(asio::make_work_guard(control)), reload_fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    control_thread = std::thread([this] {
      for (;;) {
        try {
          control.run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("gateway: control task threw: {}", e.what());
        }
      }
    });
  }

  ~Impl() { shutdown(); }

  void shutdown() {
    if (server) server->stop();
    stopping = true;
    wake_reloader();
    if (reloader.joinable()) reloader.join();
    {
      std::lock_guard lock(reload_mutex);
      for (auto& state : retired)
        if (state->seller) state->seller->stop();
      retired.clear();
    }
    if (auto state = current.load(); state && state->seller) state->seller->stop();
    current.store(nullptr);
    server.reset();  // its io_contexts close the upstream connections pooled on them
    control_work.reset();
    control.stop();
    if (control_thread.joinable()) control_thread.join();
    if (reload_fd >= 0) {
      ::close(reload_fd);
      reload_fd = -1;
    }
  }

  void wake_reloader() noexcept {
    if (reload_fd < 0) return;
    const std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(reload_fd, &one, sizeof one);
  }

  // Builds and checks a configuration; the facilitator must answer for every paid route.
  Result<std::shared_ptr<State>> prepare(Config config, std::uint64_t generation) {
    auto state = build_state(std::move(config), control.get_executor(), generation);
    if (!state) return state.take_error();
    if ((*state)->seller) {
      Status ready = async::run_blocking(control.get_executor(), (*state)->seller->initialize());
      if (!ready) {
        (*state)->seller->stop();
        return make_error(ready.error().code, "facilitator check: " + ready.error().message);
      }
    }
    return state;
  }

  Status reload(Config config) {
    std::lock_guard lock(reload_mutex);
    const std::shared_ptr<const State> old = current.load();
    const std::uint64_t generation = old ? old->generation + 1 : 1;
    auto next = prepare(std::move(config), generation);
    if (!next) {
      metrics.reload(false, generation);
      spdlog::error("gateway: reload rejected, keeping configuration {}: {}", old ? old->generation : 0,
                    next.error().describe());
      return next.take_error();
    }
    const Config& fresh = (*next)->config;
    if (fresh.listen_address != listen_address || fresh.port != listen_port || fresh.threads != threads)
      spdlog::warn("gateway: listen/threads changed; they take effect after a restart");
    if (fresh.max_request_body_bytes > server_body_limit)
      spdlog::warn("gateway: max_request_body_bytes above {} takes effect after a restart",
                   server_body_limit);
    current.store(std::shared_ptr<const State>(std::move(*next)));
    if (old) {
      // Only one background worker may drain the settlement queue; the new one took over.
      if (old->seller) old->seller->stop();
      retired.push_back(old);
    }
    metrics.reload(true, generation);
    spdlog::info("gateway: configuration {} in use ({} routes)", generation, current.load()->routes.size());
    return {};
  }

  Status reload_from_loader() {
    if (!loader) return make_error(Errc::invalid_argument, "no configuration source to reload from");
    auto config = loader();
    if (!config) {
      metrics.reload(false, 0);
      spdlog::error("gateway: reload rejected, keeping the current configuration: {}",
                    config.error().describe());
      return config.take_error();
    }
    return reload(std::move(*config));
  }

  // Replaced configurations go once no request uses them any more.
  void reap() {
    std::lock_guard lock(reload_mutex);
    std::erase_if(retired, [](const std::shared_ptr<const State>& state) { return state.use_count() == 1; });
  }

  void reload_loop() {
    while (!stopping) {
      pollfd fd{reload_fd, POLLIN, 0};
      const int ready = ::poll(&fd, 1, 1000);
      if (stopping) break;
      if (ready > 0) {
        std::uint64_t count = 0;
        [[maybe_unused]] auto n = ::read(reload_fd, &count, sizeof count);
        spdlog::info("gateway: reloading the configuration");
        [[maybe_unused]] Status ignored = reload_from_loader();
      }
      reap();
    }
  }

  // --- request path ----------------------------------------------------------------------------

  static std::string base_url(const State& state, const http::Request& request) {
    if (state.config.public_url) return *state.config.public_url;
    const auto host = request[bhttp::field::host];
    return "http://" + (host.empty() ? std::string("localhost") : std::string(host));
  }

  static asio::awaitable<unsigned> reply(http::ResponseWriter& writer, http::Response response) {
    const unsigned status = response.result_int();
    [[maybe_unused]] Status sent = co_await writer.write(std::move(response));
    co_return status;
  }

  static asio::awaitable<unsigned> reply_error(http::ResponseWriter& writer, const http::Request& request,
                                               unsigned status, std::string_view message) {
    http::Response response = http::make_json_error(request, status, message);
    co_return co_await reply(writer, std::move(response));
  }

  asio::awaitable<void> handle(http::Request request, http::ResponseWriter& writer,
                               http::RequestContext& context) {
    const std::shared_ptr<const State> state = current.load();
    if (!state) {
      co_await reply_error(writer, request, 503, "gateway stopping");
      co_return;
    }
    const std::string_view path = path_of(request.target());
    const EndpointsConfig& endpoints = state->config.endpoints;
    const bool read_only = request.method() == http::Verb::get || request.method() == http::Verb::head;
    if (!endpoints.health.empty() && path == endpoints.health) {
      if (!read_only) {
        co_await reply_error(writer, request, 405, "method not allowed");
        co_return;
      }
      std::string body = R"({"status":"ok","generation":)" + std::to_string(state->generation) + "}";
      http::Response response = http::make_response(request, 200, std::move(body));
      co_await reply(writer, std::move(response));
      co_return;
    }
    if (!endpoints.metrics.empty() && path == endpoints.metrics) {
      if (!read_only) {
        co_await reply_error(writer, request, 405, "method not allowed");
        co_return;
      }
      http::Response response =
          http::make_response(request, 200, metrics.render(), "text/plain; version=0.0.4");
      co_await reply(writer, std::move(response));
      co_return;
    }
    if (!endpoints.discovery.empty() && path == endpoints.discovery) {
      if (!read_only) {
        co_await reply_error(writer, request, 405, "method not allowed");
        co_return;
      }
      std::string body = discovery_json(*state, base_url(*state, request));
      http::Response response = http::make_response(request, 200, std::move(body));
      co_await reply(writer, std::move(response));
      co_return;
    }

    const auto started = Clock::now();
    const std::string method(request.method_string());
    const Route* route = state->match(request.method_string(), request.target());
    const std::string label = route ? route->label : "unmatched";
    unsigned status = 0;
    if (!route && !state->config.forward_unmatched) {
      status = co_await reply_error(writer, request, 404, "not found");
    } else if (request.body().size() > state->config.max_request_body_bytes) {
      status = co_await reply_error(writer, request, 413, "request body too large");
    } else if (route && route->payment) {
      status = co_await serve_paid(state, *route, std::move(request), writer, context);
    } else {
      status =
          co_await serve_free(state, route ? route->upstream : 0, label, std::move(request), writer, context);
    }
    metrics.request(label, status);
    spdlog::debug("gateway: {} {} -> {} ({} ms)", method, label, status,
                  std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count());
  }

  asio::awaitable<Result<UpstreamExchange>> forward(const State& state, std::size_t upstream,
                                                    const std::string& label, const http::Request& request,
                                                    const http::RequestContext& context) {
    ForwardContext forwarding;
    forwarding.remote_address = context.remote_address;
    forwarding.inject = &state.config.upstreams[upstream].headers;
    http::Request outgoing = upstream_request(request, forwarding);
    const auto started = Clock::now();
    auto exchange = co_await state.upstreams[upstream]->send(std::move(outgoing));
    if (exchange) {
      metrics.upstream_latency(label, Clock::now() - started);
    } else {
      metrics.upstream_error(label, upstream_error_kind(exchange.error()));
      spdlog::warn("gateway: {} {}: {}", request.method_string(), label, exchange.error().message);
    }
    co_return exchange;
  }

  static unsigned failure_status(const Error& error) { return error.code == Errc::timeout ? 504 : 502; }
  static std::string_view failure_message(const Error& error) {
    return error.code == Errc::timeout ? "upstream timed out" : "upstream unavailable";
  }

  // Passes the upstream body through as it arrives.
  asio::awaitable<unsigned> stream(http::ResponseWriter& writer, const http::Request& request,
                                   UpstreamExchange& exchange, ResponseHeader header, std::size_t limit,
                                   const std::string& label) {
    const unsigned status = header.result_int();
    if (const auto length = exchange.content_length();
        length && *length > limit && request.method() != http::Verb::head) {
      metrics.upstream_error(label, "too_large");
      co_return co_await reply_error(writer, request, 502, "upstream response too large");
    }
    if (!(co_await writer.write_header(std::move(header)))) co_return status;  // the client left
    std::size_t sent = 0;
    while (!exchange.done()) {
      auto piece = co_await exchange.read_some();
      if (!piece) {
        metrics.upstream_error(label, "aborted");
        metrics.request(label, status);
        throw StreamAborted("upstream body broke off: " + piece.error().message);
      }
      if (piece->empty()) break;
      sent += piece->size();
      if (sent > limit) {
        metrics.upstream_error(label, "too_large");
        metrics.request(label, status);
        throw StreamAborted("upstream body exceeds max_response_body_bytes");
      }
      if (!(co_await writer.write_chunk(*piece))) co_return status;
    }
    [[maybe_unused]] Status finished = co_await writer.finish();
    co_return status;
  }

  asio::awaitable<unsigned> serve_free(std::shared_ptr<const State> state, std::size_t upstream,
                                       std::string label, http::Request request, http::ResponseWriter& writer,
                                       http::RequestContext& context) {
    auto exchange = co_await forward(*state, upstream, label, request, context);
    if (!exchange)
      co_return co_await reply_error(writer, request, failure_status(exchange.error()),
                                     failure_message(exchange.error()));
    ResponseHeader header = client_header(exchange->header(), true);
    co_return co_await stream(writer, request, *exchange, std::move(header),
                              state->config.max_response_body_bytes, label);
  }

  // The 402 as an HTML page for a browser; nullopt when the requirements are not browser-payable.
  static std::optional<http::Response> paywall_page(const State& state, const http::Request& request,
                                                    const seller::Response& answer) {
    const auto header = find_header(answer.headers, kPaymentRequiredHeader);
    if (!header) return std::nullopt;
    auto required = decode_header<PaymentRequired>(*header);
    if (!required ||
        required->error.value_or(std::string(reason::payment_required)) != reason::payment_required)
      return std::nullopt;
    PaywallOptions options;
    options.app_name = state.config.paywall.app_name;
    auto page = render_paywall(*required, *state.networks, options);
    if (!page) return std::nullopt;
    seller::Response html;
    html.status = 402;
    for (const auto& [name, value] : answer.headers)
      if (!iequals(name, "Content-Type")) html.headers.emplace_back(name, value);
    html.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
    // Not framable (the pay button must not be clickjacked); the paid HTML the page shows inherits
    // this policy, so it stays permissive otherwise.
    html.headers.emplace_back("Content-Security-Policy",
                              "object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
    html.headers.emplace_back("X-Content-Type-Options", "nosniff");
    html.headers.emplace_back("Referrer-Policy", "no-referrer");
    html.body = std::move(*page);
    return seller::to_http_response(request.version(), request.keep_alive(), std::move(html));
  }

  asio::awaitable<unsigned> serve_paid(std::shared_ptr<const State> state, const Route& route,
                                       http::Request request, http::ResponseWriter& writer,
                                       http::RequestContext& context) {
    const std::string& label = route.label;
    const bool paying = has_payment(request);
    seller::Request view = seller_request(request, state->config.public_url.value_or(""));
    seller::Decision decision = co_await state->seller->process(std::move(view));
    switch (decision.kind) {
      case seller::Decision::Kind::pass:
        co_return co_await serve_free(state, route.upstream, label, std::move(request), writer, context);
      case seller::Decision::Kind::respond: {
        const seller::Response& answer = decision.response;
        if (paying && answer.status == 402)
          metrics.payment(label, settlement_of(answer.headers) ? PaymentEvent::settle_failed
                                                               : PaymentEvent::verify_failed);
        std::optional<http::Response> page;
        if (answer.status == 402 && !paying && state->config.paywall.enabled && is_browser(request))
          page = paywall_page(*state, request, answer);
        if (!page)
          page =
              seller::to_http_response(request.version(), request.keep_alive(), std::move(decision.response));
        co_return co_await reply(writer, std::move(*page));
      }
      case seller::Decision::Kind::run_handler:
        break;
    }

    const seller::SettlementTiming timing = route.payment->settlement;
    metrics.payment(label, PaymentEvent::verified);
    if (timing == seller::SettlementTiming::before_handler) metrics.payment(label, PaymentEvent::settled);
    const bool holds = timing == seller::SettlementTiming::after_handler;
    const std::size_t limit = state->config.max_response_body_bytes;

    auto exchange = co_await forward(*state, route.upstream, label, request, context);
    if (!exchange) {
      const unsigned status = failure_status(exchange.error());
      seller::Completion completion = co_await state->seller->complete(std::move(decision.payment), status);
      if (timing != seller::SettlementTiming::before_handler)
        metrics.payment(label, PaymentEvent::not_settled);
      http::Response response =
          completion.replacement
              ? seller::to_http_response(request.version(), request.keep_alive(), *completion.replacement)
              : http::make_json_error(request, status, failure_message(exchange.error()));
      if (!completion.replacement) seller::apply_completion(completion, response.base());
      co_return co_await reply(writer, std::move(response));
    }

    const unsigned upstream_status = exchange->status();
    if (holds && upstream_status < 400) {
      // Settle-after-handler: nothing leaves before the money moved.
      auto body = co_await exchange->read_all(limit);
      if (!body) {
        metrics.upstream_error(label, upstream_error_kind(body.error()));
        spdlog::warn("gateway: {} {}: {}", request.method_string(), label, body.error().message);
        seller::Completion completion = co_await state->seller->complete(std::move(decision.payment), 502);
        metrics.payment(label, PaymentEvent::not_settled);
        const std::string message =
            body.error().code == Errc::too_large ? "upstream response too large" : "upstream unavailable";
        http::Response response = http::make_json_error(request, 502, message);
        seller::apply_completion(completion, response.base());
        co_return co_await reply(writer, std::move(response));
      }
      seller::Completion completion =
          co_await state->seller->complete(std::move(decision.payment), upstream_status);
      if (completion.replacement) {
        metrics.payment(label, PaymentEvent::settle_failed);
        http::Response response =
            seller::to_http_response(request.version(), request.keep_alive(), *completion.replacement);
        co_return co_await reply(writer, std::move(response));
      }
      metrics.payment(label, PaymentEvent::settled);
      http::Response response;
      response.base() = client_header(exchange->header(), request.method() == http::Verb::head);
      response.version(request.version());
      response.body() = std::move(*body);
      seller::apply_completion(completion, response.base());
      co_return co_await reply(writer, std::move(response));
    }

    // Streamed: settled before (or settled later, or nothing to settle for an error status).
    seller::Completion completion =
        co_await state->seller->complete(std::move(decision.payment), upstream_status);
    if (completion.replacement) {
      if (timing == seller::SettlementTiming::background) metrics.payment(label, PaymentEvent::settle_failed);
      http::Response response =
          seller::to_http_response(request.version(), request.keep_alive(), *completion.replacement);
      co_return co_await reply(writer, std::move(response));
    }
    if (timing == seller::SettlementTiming::background && upstream_status < 400)
      metrics.payment(label, PaymentEvent::queued);
    else if (timing != seller::SettlementTiming::before_handler)
      metrics.payment(label, PaymentEvent::not_settled);
    ResponseHeader header = client_header(exchange->header(), true);
    seller::apply_completion(completion, header);
    co_return co_await stream(writer, request, *exchange, std::move(header), limit, label);
  }
};

// ---------------------------------------------------------------------------------------------

Result<std::unique_ptr<Gateway>> Gateway::create(Config config, ConfigLoader loader) {
  auto impl = std::make_unique<Impl>();
  if (impl->reload_fd < 0) return make_error(Errc::io_error, std::string("eventfd: ") + std::strerror(errno));
  impl->loader = std::move(loader);
  impl->listen_address = config.listen_address;
  impl->listen_port = config.port;
  impl->threads = config.threads;
  impl->server_body_limit = config.max_request_body_bytes;
  auto state = impl->prepare(std::move(config), 1);
  if (!state) return state.take_error();
  std::size_t paid = 0;
  for (const auto& route : (*state)->routes) paid += route.payment ? 1 : 0;
  for (const auto& upstream : (*state)->config.upstreams)
    spdlog::info("gateway: upstream {} = {}", upstream.name.empty() ? "(default)" : upstream.name,
                 upstream.url.origin());
  spdlog::info("gateway: {} routes ({} paid), unmatched requests are {}", (*state)->routes.size(), paid,
               (*state)->config.forward_unmatched ? "forwarded free" : "rejected");
  impl->current.store(std::shared_ptr<const State>(std::move(*state)));
  return std::unique_ptr<Gateway>(new Gateway(std::move(impl)));
}

Gateway::Gateway(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Gateway::~Gateway() = default;

Status Gateway::start() {
  http::ServerOptions options;
  options.address = impl_->listen_address;
  options.port = impl_->listen_port;
  options.threads = impl_->threads;
  options.max_body_bytes = impl_->server_body_limit;
  Impl* impl = impl_.get();
  // A plain lambda forwarding to a coroutine: the coroutine's frame owns its by-value arguments.
  http::StreamHandler handler = [impl](http::Request request, http::ResponseWriter& writer,
                                       http::RequestContext& context) {
    return impl->handle(std::move(request), writer, context);
  };
  impl_->server = std::make_unique<http::Server>(std::move(options), std::move(handler));
  if (auto started = impl_->server->start(); !started) return started;
  impl_->reloader = std::thread([impl] { impl->reload_loop(); });
  return {};
}

void Gateway::wait() {
  if (impl_->server) impl_->server->wait();
}

void Gateway::request_stop() noexcept {
  if (impl_->server) impl_->server->request_stop();
}

void Gateway::stop() {
  impl_->shutdown();
}

void Gateway::request_reload() noexcept {
  impl_->wake_reloader();
}

Status Gateway::reload() {
  return impl_->reload_from_loader();
}

Status Gateway::reload(Config config) {
  return impl_->reload(std::move(config));
}

std::uint16_t Gateway::port() const noexcept {
  return impl_->server ? impl_->server->port() : 0;
}

std::uint64_t Gateway::generation() const noexcept {
  const auto state = impl_->current.load();
  return state ? state->generation : 0;
}

std::string Gateway::metrics_text() const {
  return impl_->metrics.render();
}

}  // namespace x402::gateway
