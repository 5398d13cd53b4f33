#include "facilitator/service.hpp"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <map>
#include <sstream>
#include <thread>

#include "async/offload.hpp"
#include "async/run.hpp"
#include "chain/evm/receipt_watcher.hpp"
#include "chain/evm/rpc.hpp"
#include "http/server.hpp"
#include "schemes/exact/evm/facilitator.hpp"
#include "store/ledger.hpp"
#include "x402/codec.hpp"
#include "x402/reasons.hpp"
#include "x402/schemes.hpp"

namespace x402::facilitator {
namespace {

namespace asio = boost::asio;
namespace http_ = boost::beast::http;

// Request latency buckets (seconds) for /verify and /settle.
constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                          0.05,   0.1,   0.25,   0.5,   1,    5};

struct EndpointStats {
  std::atomic<std::uint64_t> count{0};
  std::atomic<std::uint64_t> sum_micros{0};
  std::array<std::atomic<std::uint64_t>, kBuckets.size()> buckets{};
  std::map<unsigned, std::atomic<std::uint64_t>> by_status;  // fixed set, created up front

  EndpointStats() {
    for (unsigned status : {200u, 400u, 401u, 404u, 405u, 413u, 500u, 503u}) by_status[status];
  }
  void observe(unsigned status, std::chrono::steady_clock::duration elapsed) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
    count.fetch_add(1, std::memory_order_relaxed);
    sum_micros.fetch_add(static_cast<std::uint64_t>(micros), std::memory_order_relaxed);
    const double seconds = static_cast<double>(micros) / 1e6;
    for (std::size_t i = 0; i < kBuckets.size(); ++i)
      if (seconds <= kBuckets[i]) buckets[i].fetch_add(1, std::memory_order_relaxed);
    auto it = by_status.find(status);
    if (it != by_status.end()) it->second.fetch_add(1, std::memory_order_relaxed);
  }
};

std::string_view path_of(std::string_view target) {
  const auto query = target.find('?');
  return query == std::string_view::npos ? target : target.substr(0, query);
}

bool token_matches(std::string_view header, const std::string& token) {
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() != kBearer.size() + token.size() || header.substr(0, kBearer.size()) != kBearer)
    return false;
  return CRYPTO_memcmp(header.data() + kBearer.size(), token.data(), token.size()) == 0;
}

Result<std::shared_ptr<store::Ledger>> open_ledger(const std::string& spec) {
  Result<std::unique_ptr<store::Ledger>> ledger = make_error(Errc::invalid_argument, "");
  if (spec.rfind("sqlite:", 0) == 0)
    ledger = store::open_sqlite_ledger(spec.substr(7));
  else if (spec.rfind("postgres:", 0) == 0)
    ledger = store::open_postgres_ledger(spec.substr(9));
  else
    return make_error(Errc::invalid_argument, "ledger must be sqlite:PATH or postgres:CONNINFO");
  if (!ledger) return ledger.take_error();
  return std::shared_ptr<store::Ledger>(std::move(*ledger));
}

}  // namespace

struct Service::Impl {
  Config config;
  std::shared_ptr<NetworkRegistry> networks;
  std::shared_ptr<store::Ledger> ledger;
  asio::thread_pool blocking{2};
  // The reconciler's own I/O thread (the server's threads are the server's).
  asio::io_context control;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> control_work;
  std::thread control_thread;
  std::unique_ptr<http::Client> http_client;
  SchemeRegistry<SchemeFacilitator> registry;
  std::vector<std::shared_ptr<exact_evm::ExactEvmFacilitator>> evm;
  std::vector<std::shared_ptr<chain::evm::ReceiptWatcher>> watchers;  // one per chain, on `control`
  std::unique_ptr<http::Server> server;
  EndpointStats verify_stats, settle_stats, supported_stats;
  std::atomic<std::uint64_t> unauthorized{0}, malformed{0};
  std::atomic<bool> stopping{false};

  ~Impl() {
    if (server) server->stop();
    // The server's settlements are done (or gone); end the watchers' loops while `control` runs.
    for (const auto& watcher : watchers) watcher->stop();
    control_work.reset();
    control.stop();
    if (control_thread.joinable()) control_thread.join();
    blocking.join();
  }

  SupportedResponse supported() const {
    SupportedResponse out;
    std::vector<std::string> signers;
    for (const auto& entry : registry.entries()) {
      out.kinds.push_back(SupportedKind{entry.x402_version, std::string(entry.scheme->scheme()),
                                        entry.network_pattern,
                                        entry.scheme->supported_extra(entry.network_pattern)});
      for (auto& signer : entry.scheme->signers(entry.network_pattern))
        if (std::find(signers.begin(), signers.end(), signer) == signers.end())
          signers.push_back(std::move(signer));
    }
    out.signers.emplace_back("eip155:*", std::move(signers));
    return out;
  }

  // No registration handles the request: say which part is unsupported.
  std::pair<std::string_view, std::string> unsupported(int version, std::string_view scheme,
                                                       std::string_view network) const {
    for (const auto& entry : registry.entries())
      if (entry.x402_version == version && network_matches(entry.network_pattern, network))
        return {reason::unsupported_scheme,
                "scheme " + std::string(scheme) + " is not supported on " + std::string(network)};
    return {reason::invalid_network, "network " + std::string(network) + " is not supported (x402Version " +
                                         std::to_string(version) + ")"};
  }

  asio::awaitable<http::Response> handle(http::Request request, http::RequestContext& /*context*/) {
    const auto started = std::chrono::steady_clock::now();
    const std::string_view path = path_of(request.target());
    const bool is_verify = path == "/verify", is_settle = path == "/settle";
    if (path == "/health") {
      if (request.method() != http::Verb::get)
        co_return http::make_json_error(request, 405, "method not allowed");
      co_return http::make_response(request, 200, R"({"status":"ok"})");
    }
    if (path == "/metrics") {
      if (request.method() != http::Verb::get)
        co_return http::make_json_error(request, 405, "method not allowed");
      co_return http::make_response(request, 200, co_await metrics(), "text/plain; version=0.0.4");
    }
    if (path == "/supported") {
      if (request.method() != http::Verb::get)
        co_return http::make_json_error(request, 405, "method not allowed");
      auto response = http::make_response(request, 200, serialize(supported()));
      supported_stats.observe(200, std::chrono::steady_clock::now() - started);
      co_return response;
    }
    if (!is_verify && !is_settle) co_return http::make_json_error(request, 404, "not found");
    auto& stats = is_verify ? verify_stats : settle_stats;
    auto finish = [&](http::Response response) {
      stats.observe(response.result_int(), std::chrono::steady_clock::now() - started);
      return response;
    };
    if (request.method() != http::Verb::post)
      co_return finish(http::make_json_error(request, 405, "method not allowed"));
    if (config.auth_token) {
      const auto header = request[http_::field::authorization];
      if (!token_matches(std::string_view(header.data(), header.size()), *config.auth_token)) {
        unauthorized.fetch_add(1, std::memory_order_relaxed);
        auto response = http::make_json_error(request, 401, "missing or invalid bearer token");
        response.set(http_::field::www_authenticate, "Bearer");
        co_return finish(std::move(response));
      }
    }

    auto decoded = decode_json<FacilitatorRequest>(request.body(), JsonLimits{config.max_body_bytes, 32});
    if (!decoded) {
      malformed.fetch_add(1, std::memory_order_relaxed);
      co_return finish(http::make_json_error(request, 400, decoded.error().describe()));
    }
    const FacilitatorRequest& body = *decoded;
    const bool v2 = std::holds_alternative<PaymentRequestV2>(body);
    const int version = v2 ? 2 : 1;
    const std::string& scheme = v2 ? std::get<PaymentRequestV2>(body).requirements.scheme
                                   : std::get<PaymentRequestV1>(body).requirements.scheme;
    const std::string& network = v2 ? std::get<PaymentRequestV2>(body).requirements.network
                                    : std::get<PaymentRequestV1>(body).requirements.network;
    SchemeFacilitator* handler = registry.find(version, scheme, network);
    if (handler == nullptr) {
      auto [why, message] = unsupported(version, scheme, network);
      if (is_verify) {
        VerifyResponse invalid;
        invalid.invalid_reason = std::string(why);
        invalid.invalid_message = std::move(message);
        co_return finish(http::make_response(request, 200, serialize(invalid)));
      }
      SettleResponse failed;
      failed.error_reason = std::string(why);
      failed.error_message = std::move(message);
      failed.network = network;
      co_return finish(http::make_response(request, 200, serialize(failed)));
    }

    if (is_verify) {
      auto result = co_await handler->verify(body);
      if (!result) {
        spdlog::warn("verify error network={} error=\"{}\"", network, result.error().describe());
        co_return finish(http::make_json_error(request, 503, result.error().describe()));
      }
      co_return finish(http::make_response(request, 200, serialize(*result)));
    }
    auto result = co_await handler->settle(body);
    if (!result) {
      spdlog::error("settle error network={} error=\"{}\"", network, result.error().describe());
      co_return finish(http::make_json_error(request, 503, result.error().describe()));
    }
    spdlog::info("settle network={} payer={} success={} reason={} tx={}", result->network,
                 result->payer.value_or(""), result->success, result->error_reason.value_or("-"),
                 result->transaction.empty() ? "-" : result->transaction);
    co_return finish(http::make_response(request, 200, serialize(*result)));
  }

  asio::awaitable<std::string> metrics() {
    std::ostringstream out;
    const auto endpoint = [&](std::string_view name, const EndpointStats& stats) {
      for (const auto& [status, count] : stats.by_status)
        out << "x402_http_requests_total{endpoint=\"" << name << "\",status=\"" << status << "\"} "
            << count.load(std::memory_order_relaxed) << '\n';
    };
    out << "# HELP x402_http_requests_total Facilitator API requests by endpoint and HTTP status.\n"
        << "# TYPE x402_http_requests_total counter\n";
    endpoint("verify", verify_stats);
    endpoint("settle", settle_stats);
    endpoint("supported", supported_stats);
    out << "# HELP x402_request_duration_seconds Facilitator API latency.\n"
        << "# TYPE x402_request_duration_seconds histogram\n";
    for (const auto& [name, stats] :
         {std::pair<std::string_view, const EndpointStats*>{"verify", &verify_stats},
          {"settle", &settle_stats}}) {
      for (std::size_t i = 0; i < kBuckets.size(); ++i)
        out << "x402_request_duration_seconds_bucket{endpoint=\"" << name << "\",le=\"" << kBuckets[i]
            << "\"} " << stats->buckets[i].load(std::memory_order_relaxed) << '\n';
      out << "x402_request_duration_seconds_bucket{endpoint=\"" << name << "\",le=\"+Inf\"} "
          << stats->count.load(std::memory_order_relaxed) << '\n';
      out << "x402_request_duration_seconds_sum{endpoint=\"" << name << "\"} "
          << static_cast<double>(stats->sum_micros.load(std::memory_order_relaxed)) / 1e6 << '\n';
      out << "x402_request_duration_seconds_count{endpoint=\"" << name << "\"} "
          << stats->count.load(std::memory_order_relaxed) << '\n';
    }
    out << "# TYPE x402_unauthorized_requests_total counter\nx402_unauthorized_requests_total "
        << unauthorized.load() << '\n';
    out << "# TYPE x402_malformed_requests_total counter\nx402_malformed_requests_total " << malformed.load()
        << '\n';
    out << "# HELP x402_verify_total Verifications by network and outcome.\n# TYPE x402_verify_total "
           "counter\n";
    out << "# HELP x402_settle_total Settlements by network and outcome.\n# TYPE x402_settle_total counter\n";
    for (const auto& facilitator : evm) {
      const auto c = facilitator->counters();
      const auto& n = facilitator->network();
      out << "x402_verify_total{network=\"" << n << "\",result=\"valid\"} " << c.verify_valid << '\n'
          << "x402_verify_total{network=\"" << n << "\",result=\"invalid\"} " << c.verify_invalid << '\n'
          << "x402_verify_total{network=\"" << n << "\",result=\"error\"} " << c.verify_errors << '\n'
          << "x402_settle_total{network=\"" << n << "\",result=\"success\"} " << c.settle_success << '\n'
          << "x402_settle_total{network=\"" << n << "\",result=\"failed\"} " << c.settle_failed << '\n'
          << "x402_settle_total{network=\"" << n << "\",result=\"pending\"} " << c.settle_pending << '\n'
          << "x402_settle_total{network=\"" << n << "\",result=\"error\"} " << c.settle_errors << '\n'
          << "x402_settle_total{network=\"" << n << "\",result=\"joined\"} " << c.settle_replayed << '\n'
          << "x402_transactions_sent_total{network=\"" << n << "\"} " << c.transactions_sent << '\n';
    }
    out << "# HELP x402_rpc_requests_total JSON-RPC calls to the chain by method (each call of a batch "
           "counts).\n"
        << "# TYPE x402_rpc_requests_total counter\n";
    for (const auto& facilitator : evm) {
      const auto calls = facilitator->rpc_calls();
      for (const auto& [method, count] : calls.by_method)
        out << "x402_rpc_requests_total{network=\"" << facilitator->network() << "\",method=\"" << method
            << "\"} " << count << '\n';
    }
    out << "# HELP x402_rpc_round_trips_total HTTP exchanges with the chain's JSON-RPC endpoint.\n"
        << "# TYPE x402_rpc_round_trips_total counter\n";
    for (const auto& facilitator : evm)
      out << "x402_rpc_round_trips_total{network=\"" << facilitator->network() << "\"} "
          << facilitator->rpc_calls().round_trips << '\n';
    out << "# HELP x402_receipts_pending Transactions the receipt watcher waits for.\n"
        << "# TYPE x402_receipts_pending gauge\n";
    for (const auto& facilitator : evm)
      if (const auto stats = facilitator->receipt_stats())
        out << "x402_receipts_pending{network=\"" << facilitator->network() << "\"} " << stats->pending
            << '\n';
    auto counts = co_await async::offload(blocking, [this] { return ledger->counts(); });
    if (counts) {
      out << "# HELP x402_ledger_records Settlement ledger records by state.\n# TYPE x402_ledger_records "
             "gauge\n";
      for (const auto& [state, count] : *counts)
        out << "x402_ledger_records{state=\"" << store::to_string(state) << "\"} " << count << '\n';
    }
    co_return out.str();
  }

  asio::awaitable<void> reconcile_all() {
    for (const auto& facilitator : evm) {
      auto changed = co_await facilitator->reconcile();
      if (!changed)
        spdlog::warn("reconcile network={} error=\"{}\"", facilitator->network(), changed.error().describe());
      else if (*changed > 0)
        spdlog::info("reconcile network={} resolved={}", facilitator->network(), *changed);
    }
  }

  asio::awaitable<void> reconcile_loop() {
    asio::steady_timer timer(control);
    while (!stopping.load()) {
      timer.expires_after(config.reconcile_interval);
      auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec || stopping.load()) break;
      co_await reconcile_all();
    }
  }
};

Result<std::unique_ptr<Service>> Service::create(Config config) {
  auto impl = std::make_unique<Impl>();
  impl->config = std::move(config);
  spdlog::set_level(spdlog::level::from_str(impl->config.log_level));
  impl->networks = std::make_shared<NetworkRegistry>(NetworkRegistry::with_defaults());
  impl->control_work.emplace(impl->control.get_executor());
  impl->control_thread = std::thread([io = &impl->control] { io->run(); });
  http::ClientOptions client_options;
  client_options.request_timeout = std::chrono::seconds(10);
  impl->http_client = std::make_unique<http::Client>(impl->control.get_executor(), client_options);

  auto ledger = open_ledger(impl->config.ledger);
  if (!ledger) return ledger.take_error();
  impl->ledger = std::move(*ledger);

  for (const auto& network : impl->config.networks) {
    if (!impl->networks->find_network(network.network) || network.chain_id || network.v1_name) {
      NetworkInfo info;
      if (const auto* known = impl->networks->find_network(network.network)) info = *known;
      info.caip2 = network.network;
      if (network.chain_id) info.chain_id = *network.chain_id;
      if (network.v1_name) info.v1_name = network.v1_name;
      if (info.display_name.empty()) info.display_name = network.network;
      if (auto added = impl->networks->add_network(info); !added) return added.take_error();
    }
    for (const auto& asset : network.assets)
      if (auto added = impl->networks->add_asset(asset); !added) return added.take_error();

    std::vector<PrivateKey> keys;
    for (const auto& file : network.signer_key_files) {
      auto key = PrivateKey::load_file(file);
      if (!key) return make_error(key.error().code, "signer key " + file + ": " + key.error().message);
      keys.push_back(std::move(*key));
    }
    for (const auto& variable : network.signer_key_envs) {
      auto key = PrivateKey::from_env(variable);
      if (!key) return make_error(key.error().code, "signer key $" + variable + ": " + key.error().message);
      keys.push_back(std::move(*key));
    }

    auto rpc = chain::evm::RpcClient::create(*impl->http_client, network.rpc_url);
    if (!rpc) return rpc.take_error();
    // The RPC must serve the configured chain: settling on the wrong chain is never recoverable.
    const auto expected = impl->networks->evm_chain_id(network.network);
    auto chain_id = async::run_blocking(impl->control.get_executor(), rpc->chain_id());
    if (!chain_id)
      return make_error(Errc::unavailable, network.network + ": RPC " + network.rpc_url +
                                               " does not answer: " + chain_id.error().describe());
    if (!expected || *chain_id != *expected)
      return make_error(Errc::invalid_argument, network.network + ": RPC " + network.rpc_url +
                                                    " serves chain id " + std::to_string(*chain_id));

    exact_evm::FacilitatorOptions options;
    options.network = network.network;
    for (const auto& asset : network.allowed_assets) {
      auto address = Address::parse(asset);
      if (!address)
        return make_error(Errc::invalid_argument,
                          "allowed_assets: " + asset + ": " + address.error().message);
      options.allowed_assets.push_back(*address);
    }
    options.max_gas = network.max_gas;
    options.max_fee_per_gas = *parse_u256(network.max_fee_per_gas);
    options.receipt_timeout = network.receipt_timeout;
    chain::evm::ReceiptWatcherOptions watch;
    watch.block_poll = network.receipt_poll;
    auto watcher = chain::evm::ReceiptWatcher::create(impl->control.get_executor(), *rpc, watch);
    impl->watchers.push_back(watcher);
    auto facilitator = std::make_shared<exact_evm::ExactEvmFacilitator>(
        options, impl->networks, std::move(*rpc), std::move(keys), impl->ledger, impl->blocking,
        std::move(watcher));
    impl->registry.add(2, network.network, facilitator);
    if (auto v1 = impl->networks->to_v1_name(network.network)) impl->registry.add(1, *v1, facilitator);
    impl->evm.push_back(std::move(facilitator));
  }
  return std::unique_ptr<Service>(new Service(std::move(impl)));
}

Service::Service(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Service::~Service() = default;

Status Service::start() {
  auto& impl = *impl_;
  // Finish what a previous run left open before taking new work.
  async::run_blocking(impl.control.get_executor(), impl.reconcile_all());

  http::ServerOptions options;
  options.address = impl.config.listen_address;
  options.port = impl.config.port;
  options.threads = impl.config.threads;
  options.max_body_bytes = impl.config.max_body_bytes;
  impl.server =
      std::make_unique<http::Server>(options, [&impl](http::Request request, http::RequestContext& context) {
        return impl.handle(std::move(request), context);
      });
  if (auto started = impl.server->start(); !started) return started;
  asio::co_spawn(impl.control, impl.reconcile_loop(), asio::detached);
  spdlog::info("facilitator listening address={} port={} networks={} ledger={}", options.address,
               impl.server->port(), impl.config.networks.size(),
               impl.config.ledger.substr(0, impl.config.ledger.find(':')));
  return {};
}

void Service::wait() {
  if (impl_->server) impl_->server->wait();
  impl_->stopping = true;
}

void Service::request_stop() noexcept {
  impl_->stopping = true;
  if (impl_->server) impl_->server->request_stop();
}

void Service::stop() {
  impl_->stopping = true;
  if (impl_->server) impl_->server->stop();
}

std::uint16_t Service::port() const noexcept {
  return impl_->server ? impl_->server->port() : 0;
}

SupportedResponse Service::supported() const {
  return impl_->supported();
}

}  // namespace x402::facilitator
