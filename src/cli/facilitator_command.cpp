// `x402 facilitator`: the verify/settle service.
//   x402 facilitator --config facilitator.toml
//   x402 facilitator --devnet D --listen 127.0.0.1:4020
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "cli/signals.hpp"
#include "facilitator/service.hpp"

namespace x402::cli {
namespace {

struct FacilitatorOptions {
  std::string config;
  std::string devnet;
  std::string listen;
  std::string ledger;
  std::string auth_token_file;
  std::string auth_token_env;
  unsigned threads = 0;
  std::string log_level;
};

int run_facilitator(const FacilitatorOptions& options) {
  Result<facilitator::Config> config = make_error(Errc::invalid_argument, "");
  if (!options.config.empty())
    config = facilitator::load_config(options.config);
  else
    config = facilitator::config_from_devnet(options.devnet);
  if (!config) return fail("facilitator", config.error().describe());
  if (!options.listen.empty())
    if (auto ok = facilitator::parse_listen(options.listen, config->listen_address, config->port); !ok)
      return fail("facilitator", "--listen: " + ok.error().message, kExitUsage);
  if (!options.ledger.empty()) config->ledger = options.ledger;
  if (options.threads != 0) config->threads = options.threads;
  if (!options.log_level.empty()) config->log_level = options.log_level;
  if (!options.auth_token_file.empty() || !options.auth_token_env.empty()) {
    auto token =
        facilitator::expand_env(options.auth_token_env.empty() ? "" : "${" + options.auth_token_env + "}");
    if (!options.auth_token_file.empty()) {
      std::FILE* file = std::fopen(options.auth_token_file.c_str(), "rb");
      if (file == nullptr) return fail("facilitator", "cannot read --auth-token-file", kExitUsage);
      std::string content(4096, '\0');
      content.resize(std::fread(content.data(), 1, content.size(), file));
      std::fclose(file);
      while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.pop_back();
      token = content;
    }
    if (!token || token->empty()) return fail("facilitator", "the auth token is empty or unset", kExitUsage);
    config->auth_token = *token;
  }

  const std::string host = config->listen_address.find(':') != std::string::npos
                               ? "[" + config->listen_address + "]"
                               : config->listen_address;
  auto service = facilitator::Service::create(std::move(*config));
  if (!service) return fail("facilitator", service.error().describe());
  if (auto started = (*service)->start(); !started) return fail("facilitator", started.error().describe());
  on_termination([](void* s) { static_cast<facilitator::Service*>(s)->request_stop(); }, service->get());
  std::cout << "Facilitator listening on http://" << host << ':' << (*service)->port() << std::endl;
  (*service)->wait();
  return kExitOk;
}

const CommandRegistration registration{
    "facilitator", [](CLI::App& app) {
      auto* command = app.add_subcommand("facilitator",
                                         "Run the facilitator service: GET /supported, POST /verify, POST "
                                         "/settle, GET /health, GET /metrics.\n"
                                         "Configure it with a TOML file (--config) or from a local devnet "
                                         "(--devnet D, ledger D/ledger.sqlite).");
      auto options = std::make_shared<FacilitatorOptions>();
      auto* config = command->add_option("--config", options->config, "TOML configuration file")
                         ->check(CLI::ExistingFile);
      auto* devnet =
          command->add_option("--devnet", options->devnet, "devnet directory (from `x402 devnet up`)")
              ->check(CLI::ExistingDirectory);
      config->excludes(devnet);
      command->add_option("--listen", options->listen,
                          "HOST:PORT to listen on (default 127.0.0.1:4020; port 0 picks one)");
      command->add_option("--ledger", options->ledger,
                          "sqlite:PATH or postgres:CONNINFO (overrides the config)");
      command->add_option("--auth-token-file", options->auth_token_file,
                          "file holding a bearer token required on /verify and /settle");
      command->add_option("--auth-token-env", options->auth_token_env,
                          "environment variable holding that bearer token");
      command->add_option("--threads", options->threads, "I/O threads (default: one per core)");
      command->add_option("--log-level", options->log_level, "trace, debug, info, warn, error");
      command->callback([config, devnet] {
        if (config->count() == 0 && devnet->count() == 0) throw CLI::RequiredError("--config or --devnet");
      });
      return [options] { return run_facilitator(*options); };
    }};

}  // namespace
}  // namespace x402::cli
