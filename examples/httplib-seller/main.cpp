// A seller on cpp-httplib: GET /weather for $0.001 (paid), GET /health (free). httplib handlers are
// synchronous; the seller core runs on a SellerRuntime thread and the adapter blocks on it.
//
//   example-httplib-seller --devnet D --facilitator http://127.0.0.1:4020 --listen 127.0.0.1:4021
//
// Prints "Seller listening on http://HOST:PORT" once ready; SIGINT/SIGTERM stop it.
#include <csignal>
#include <iostream>
#include <string>
#include <string_view>

#include <httplib.h>
#include "devnet/devnet.hpp"

#include "seller/facilitator_client.hpp"
#include "seller/httplib_adapter.hpp"
#include "seller/runtime.hpp"
#include "x402/seller.hpp"

namespace {

namespace asio = boost::asio;
using namespace x402;

struct Args {
  std::string devnet;
  std::string facilitator;
  std::string listen = "127.0.0.1:4021";
  std::string settlement = "after";  // after | before | background
  std::string queue_file;            // background: SQLite queue (default D/seller-queue.sqlite)
  std::string token_file;            // facilitator bearer token, from a file
  std::string token_env;             // ... or an environment variable
  long timeout_ms = 30'000;
  unsigned weather_status = 200;  // test aid: the status the /weather handler answers with
};

int usage(std::string_view error) {
  std::cerr
      << "example-httplib-seller: " << error << "\n"
      << "usage: example-httplib-seller --devnet D --facilitator URL [--listen HOST:PORT]\n"
      << "       [--settlement after|before|background] [--queue-file F]\n"
      << "       [--facilitator-token-file F | --facilitator-token-env NAME] [--facilitator-timeout-ms MS]\n";
  return 2;
}

bool parse_args(int argc, char** argv, Args& args, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) {
      error = "missing value for " + std::string(flag);
      return false;
    }
    const std::string value = argv[++i];
    if (flag == "--devnet")
      args.devnet = value;
    else if (flag == "--facilitator")
      args.facilitator = value;
    else if (flag == "--listen")
      args.listen = value;
    else if (flag == "--settlement")
      args.settlement = value;
    else if (flag == "--queue-file")
      args.queue_file = value;
    else if (flag == "--facilitator-token-file")
      args.token_file = value;
    else if (flag == "--facilitator-token-env")
      args.token_env = value;
    else if (flag == "--facilitator-timeout-ms")
      args.timeout_ms = std::stol(value);
    else if (flag == "--weather-status")
      args.weather_status = static_cast<unsigned>(std::stoul(value));
    else {
      error = "unknown flag " + std::string(flag);
      return false;
    }
  }
  if (args.devnet.empty() || args.facilitator.empty()) {
    error = "--devnet and --facilitator are required";
    return false;
  }
  return true;
}

// "127.0.0.1:4021", "[::1]:0"
bool parse_listen(const std::string& text, std::string& host, std::uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  try {
    const unsigned long value = std::stoul(text.substr(colon + 1));
    if (value > 65535) return false;
    port = static_cast<std::uint16_t>(value);
  } catch (...) {
    return false;
  }
  return !host.empty();
}

// The devnet's token becomes the network's default asset, so "$0.001" resolves to it.
Result<std::shared_ptr<const NetworkRegistry>> devnet_networks(const devnet::DevnetInfo& info) {
  auto registry = NetworkRegistry::with_defaults();
  if (!registry.find_network(info.network)) {
    NetworkInfo network;
    network.caip2 = info.network;
    network.chain_id = info.chain_id;
    network.display_name = "Devnet";
    network.testnet = true;
    if (auto ok = registry.add_network(network); !ok) return ok.take_error();
  }
  AssetInfo asset;
  asset.network = info.network;
  asset.address = info.asset;
  asset.symbol = info.asset_symbol.empty() ? "USDC" : info.asset_symbol;
  asset.eip712_name = info.asset_name;
  asset.eip712_version = info.asset_version;
  asset.decimals = info.asset_decimals;
  if (auto ok = registry.add_asset(asset, /*make_default=*/true); !ok) return ok.take_error();
  return std::shared_ptr<const NetworkRegistry>(std::make_shared<NetworkRegistry>(std::move(registry)));
}

// SIGINT/SIGTERM: stop() only closes the listener and flags the server (signal-safe enough).
httplib::Server* g_server = nullptr;
extern "C" void on_signal(int) {
  if (g_server != nullptr) g_server->stop();
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (std::string error; !parse_args(argc, argv, args, error)) return usage(error);
  std::string host;
  std::uint16_t port = 0;
  if (!parse_listen(args.listen, host, port)) return usage("--listen: expected HOST:PORT");

  auto info = devnet::load_info(args.devnet);
  if (!info) {
    std::cerr << "example-httplib-seller: " << info.error().describe() << "\n";
    return 1;
  }
  auto networks = devnet_networks(*info);
  if (!networks) {
    std::cerr << "example-httplib-seller: " << networks.error().describe() << "\n";
    return 1;
  }

  // The seller's own thread: start-up checks and background settlement.
  seller::SellerRuntime runtime;

  seller::HttpFacilitatorOptions facilitator_options;
  facilitator_options.url = args.facilitator;
  facilitator_options.timeout = std::chrono::milliseconds(args.timeout_ms);
  if (!args.token_file.empty() || !args.token_env.empty()) {
    auto token = args.token_file.empty() ? seller::read_token_env(args.token_env)
                                         : seller::read_token_file(args.token_file);
    if (!token) {
      std::cerr << "example-httplib-seller: " << token.error().describe() << "\n";
      return 2;
    }
    facilitator_options.bearer_token = std::move(*token);
  }
  auto facilitator = seller::HttpFacilitatorClient::create(runtime.executor(), facilitator_options);
  if (!facilitator) {
    std::cerr << "example-httplib-seller: " << facilitator.error().describe() << "\n";
    return 2;
  }

  seller::PaymentOption option;
  option.network = info->network;
  option.pay_to = info->payee;
  option.price = Money{"0.001", ""};
  seller::RouteConfig weather;
  weather.accepts.push_back(option);
  weather.description = "Weather";
  weather.mime_type = "application/json";
  if (args.settlement == "before")
    weather.settlement = seller::SettlementTiming::before_handler;
  else if (args.settlement == "background")
    weather.settlement = seller::SettlementTiming::background;
  else if (args.settlement != "after")
    return usage("--settlement: after, before or background");

  seller::SellerOptions options;
  options.routes.push_back(seller::Route{"GET /weather", weather});
  options.facilitators.push_back(*facilitator);
  options.networks = *networks;
  options.background.queue_file = args.queue_file.empty()
                                      ? std::filesystem::path(args.devnet) / "seller-queue.sqlite"
                                      : std::filesystem::path(args.queue_file);
  auto seller = seller::Seller::create(runtime.executor(), std::move(options));
  if (!seller) {
    std::cerr << "example-httplib-seller: " << seller.error().describe() << "\n";
    return 1;
  }
  // Fail closed at start: a route no facilitator supports is refused. An unreachable facilitator
  // is retried on the first paid request (which gets 502 meanwhile).
  if (auto ready = runtime.initialize(**seller); !ready) {
    if (ready.error().code != Errc::unavailable) {
      std::cerr << "example-httplib-seller: " << ready.error().message << "\n";
      return 1;
    }
    std::cerr << "example-httplib-seller: warning: " << ready.error().message << "\n";
  }

  const int weather_status = static_cast<int>(args.weather_status);
  httplib::Server server;
  seller::httplib_adapter::install(server, *seller, runtime);
  server.Get("/weather", [weather_status](const httplib::Request&, httplib::Response& response) {
    response.status = weather_status;
    response.set_content(R"({"weather":"sunny","temperature":70})", "application/json");
  });
  server.Get("/health", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(R"({"status":"ok"})", "application/json");
  });
  const int bound = port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    std::cerr << "example-httplib-seller: cannot listen on " << args.listen << "\n";
    return 1;
  }
  g_server = &server;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  std::cout << "Seller listening on http://" << shown << ':' << bound << std::endl;
  server.listen_after_bind();
  (*seller)->stop();
  return 0;
}
