// `x402 gateway`: the paid reverse proxy.
//   x402 gateway --config gateway.toml
//   x402 gateway --devnet D --facilitator URL --upstream URL --listen 127.0.0.1:PORT --route "GET
//   /path=$0.001"
// Prints "Gateway listening on http://HOST:PORT" on stdout once serving (logs go to stderr).
// SIGHUP reloads the configuration; SIGINT/SIGTERM stop after in-flight requests.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "cli/signals.hpp"
#include "facilitator/config.hpp"
#include "gateway/config.hpp"
#include "gateway/gateway.hpp"
#include "seller/facilitator_client.hpp"

namespace x402::cli {
namespace {

struct GatewayOptions {
  std::string config;
  std::string devnet;
  std::string facilitator;
  std::string facilitator_token_file;
  std::string facilitator_token_env;
  std::string upstream;
  std::vector<std::string> upstream_headers;
  std::vector<std::string> routes;
  std::string listen;
  std::string settlement = "after";
  std::string public_url;
  unsigned threads = 0;
  std::string log_level;
  bool check = false;
};

gateway::Gateway* g_gateway = nullptr;

extern "C" void on_sighup(int /*signal*/) {
  if (g_gateway != nullptr) g_gateway->request_reload();
}

Result<gateway::Config> load(const GatewayOptions& options) {
  Result<gateway::Config> config = make_error(Errc::invalid_argument, "");
  if (!options.config.empty()) {
    config = gateway::load_config(options.config);
  } else {
    gateway::QuickOptions quick;
    quick.devnet = options.devnet;
    quick.facilitator_url = options.facilitator;
    quick.upstream_url = options.upstream;
    quick.upstream_headers = options.upstream_headers;
    quick.routes = options.routes;
    quick.settlement = options.settlement;
    if (!options.listen.empty()) quick.listen = options.listen;
    if (!options.public_url.empty()) quick.public_url = options.public_url;
    if (!options.facilitator_token_file.empty()) {
      auto token = seller::read_token_file(options.facilitator_token_file);
      if (!token) return make_error(token.error().code, "--facilitator-token-file: " + token.error().message);
      quick.facilitator_token = std::move(*token);
    } else if (!options.facilitator_token_env.empty()) {
      auto token = seller::read_token_env(options.facilitator_token_env);
      if (!token) return make_error(token.error().code, "--facilitator-token-env: " + token.error().message);
      quick.facilitator_token = std::move(*token);
    }
    config = gateway::config_from_quick(quick);
  }
  if (!config) return config;
  // Flags override the file.
  if (!options.config.empty() && !options.listen.empty())
    if (auto ok = facilitator::parse_listen(options.listen, config->listen_address, config->port); !ok)
      return make_error(Errc::invalid_argument, "--listen: " + ok.error().message);
  if (options.threads != 0) config->threads = options.threads;
  if (!options.log_level.empty()) config->log_level = options.log_level;
  return config;
}

int run_gateway(const GatewayOptions& options) {
  // stdout carries only the ready line.
  spdlog::set_default_logger(spdlog::stderr_color_mt("x402-gateway"));
  auto config = load(options);
  if (!config)
    return fail("gateway", config.error().describe(),
                config.error().code == Errc::invalid_argument ? kExitUsage : kExitFailure);
  spdlog::set_level(spdlog::level::from_str(config->log_level));
  const std::string host = config->listen_address.find(':') != std::string::npos
                               ? "[" + config->listen_address + "]"
                               : config->listen_address;
  auto gateway = gateway::Gateway::create(std::move(*config), [options] { return load(options); });
  if (!gateway) return fail("gateway", gateway.error().describe());
  if (options.check) {
    std::cout << "Gateway configuration ok" << std::endl;
    return kExitOk;
  }
  if (auto started = (*gateway)->start(); !started) return fail("gateway", started.error().describe());
  on_termination([](void* g) { static_cast<gateway::Gateway*>(g)->request_stop(); }, gateway->get());
  g_gateway = gateway->get();
  struct sigaction action {};
  action.sa_handler = on_sighup;
  sigemptyset(&action.sa_mask);
  sigaction(SIGHUP, &action, nullptr);
  std::cout << "Gateway listening on http://" << host << ':' << (*gateway)->port() << std::endl;
  (*gateway)->wait();
  std::signal(SIGHUP, SIG_IGN);
  g_gateway = nullptr;
  (*gateway)->stop();
  return kExitOk;
}

const CommandRegistration registration{
    "gateway", [](CLI::App& app) {
      auto* command = app.add_subcommand(
          "gateway",
          "Run the paid reverse proxy: x402 payments in front of any HTTP(S) API, with a browser paywall,\n"
          "GET /health, GET /metrics and GET /.well-known/x402. SIGHUP reloads the configuration.\n"
          "Configure it with a TOML file (--config) or, for a local devnet, with --devnet and flags.");
      auto options = std::make_shared<GatewayOptions>();
      auto* config = command->add_option("--config", options->config, "TOML configuration file")
                         ->check(CLI::ExistingFile);
      auto* devnet =
          command->add_option("--devnet", options->devnet, "devnet directory (payTo and asset default to it)")
              ->check(CLI::ExistingDirectory);
      config->excludes(devnet);
      command->add_option("--facilitator", options->facilitator, "facilitator base URL (with --devnet)")
          ->needs(devnet);
      command
          ->add_option("--facilitator-token-file", options->facilitator_token_file,
                       "file holding the facilitator's bearer token (with --devnet)")
          ->needs(devnet);
      command
          ->add_option("--facilitator-token-env", options->facilitator_token_env,
                       "environment variable holding the facilitator's bearer token (with --devnet)")
          ->needs(devnet);
      command
          ->add_option("--upstream", options->upstream,
                       "upstream origin, e.g. http://127.0.0.1:8080 (with --devnet)")
          ->needs(devnet);
      command
          ->add_option("--upstream-header", options->upstream_headers,
                       "header set on forwarded requests, 'Name: value'; put secrets in ${ENV} (repeatable)")
          ->needs(devnet);
      command
          ->add_option("--route", options->routes,
                       "'GET /path=$0.001' (paid) or 'GET /path' (free); repeatable")
          ->needs(devnet);
      command
          ->add_option("--settlement", options->settlement,
                       "after (default), before or background (with --devnet)")
          ->needs(devnet);
      command
          ->add_option("--public-url", options->public_url,
                       "origin clients use, for resource URLs (with --devnet)")
          ->needs(devnet);
      command->add_option("--listen", options->listen,
                          "HOST:PORT to listen on (default 127.0.0.1:8402; port 0 picks one)");
      command->add_option("--threads", options->threads, "I/O threads (default: one per core)");
      command->add_option("--log-level", options->log_level, "trace, debug, info, warn, error");
      command->add_flag("--check", options->check, "check the configuration (and the facilitator) and exit");
      command->callback([config, devnet] {
        if (config->count() == 0 && devnet->count() == 0) throw CLI::RequiredError("--config or --devnet");
      });
      return [options] { return run_gateway(*options); };
    }};

}  // namespace
}  // namespace x402::cli
