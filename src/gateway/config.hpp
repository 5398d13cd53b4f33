// Gateway configuration: a TOML file (`x402 gateway --config F`) or quick flags (`--devnet D
// --facilitator URL --upstream URL --route "GET /path=$0.001"`). String values may reference the
// environment as ${NAME}; secrets (upstream keys, the facilitator token) come from the environment
// or from files, never from argv, and are never logged.
//
//   listen = "127.0.0.1:8402"
//   threads = 0                               # 0: one per core
//   public_url = "https://api.example.com"    # base of resource URLs; default http://<Host header>
//   unmatched = "forward"                     # requests no route matches: "forward" (free) or "reject" (404)
//   max_request_body_bytes = 1048576          # larger requests get 413
//   max_response_body_bytes = 16777216        # larger upstream bodies: 502 (held) / cut (streamed)
//   settlement_queue = "gateway-queue.sqlite" # durable queue for settlement = "background"
//   log_level = "info"
//
//   [facilitator]
//   url = "https://facilitator.example.com"
//   auth_token = "${X402_FACILITATOR_TOKEN}"  # or auth_token_file = "/run/secrets/facilitator"
//   timeout_ms = 30000
//
//   [[upstreams]]                             # the first one is the default
//   name = "api"
//   url = "https://api.example.com"           # origin only: paths are forwarded unchanged
//   headers = { Authorization = "Bearer ${UPSTREAM_KEY}" }
//   header_files = { "X-Api-Key" = "/run/secrets/api-key" }
//   connect_timeout_ms = 5000
//   response_timeout_ms = 60000               # until the response header
//   read_timeout_ms = 300000                  # between two pieces of body (SSE keep-alive)
//   tls_verify = true
//   ca_file = ""
//
//   [defaults]                                # for every route that does not say otherwise
//   network = "eip155:8453"
//   pay_to = "0x..."
//   max_timeout_seconds = 300
//   settlement = "after"                      # "after" | "before" | "background"
//
//   [[routes]]
//   route = "GET /v1/weather"                 # "<VERB> <path>" or "<path>"; first match wins
//   price = "$0.001"                          # or { amount = "1000", asset = "0x...", extra = { name =
//   "USDC", version = "2" } } description = "Weather"                   # no price: a free route mime_type =
//   "application/json" upstream = "api"
//
//   [[assets]]                                # tokens the built-in table lacks
//   network = "eip155:31337"  address = "0x..."  name = "USDC"  version = "2"  decimals = 6  symbol = "USDC"
//   default = true
//
//   [cors]        enabled = true  allowed_origins = ["*"]  max_age_seconds = 600
//   [paywall]     enabled = true  app_name = "My API"
//   [endpoints]   health = "/health"  metrics = "/metrics"  discovery = "/.well-known/x402"   # "" disables
//   one
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/upstream.hpp"
#include "http/client.hpp"
#include "x402/networks.hpp"
#include "x402/result.hpp"
#include "x402/seller.hpp"

namespace x402::gateway {

struct FacilitatorConfig {
  std::string url;
  std::optional<std::string> auth_token;  // secret
  std::chrono::milliseconds timeout{30'000};
  bool verify_tls = true;
  std::string ca_file;
};

struct UpstreamConfig {
  std::string name;
  http::Url url;  // origin; target "/"
  // Set on every forwarded request, replacing the client's field of the same name. Values are
  // secrets (API keys): never logged.
  std::vector<std::pair<std::string, std::string>> headers;
  UpstreamOptions options;
};

struct RouteConfig {
  std::string pattern;       // "GET /weather"
  std::size_t upstream = 0;  // index into Config::upstreams
  // Absent: a free route (forwarded, streamed). Present: sold through the seller core.
  std::optional<seller::RouteConfig> payment;
};

struct PaywallConfig {
  bool enabled = true;
  std::string app_name;
};

struct EndpointsConfig {
  std::string health = "/health";
  std::string metrics = "/metrics";
  std::string discovery = "/.well-known/x402";
};

struct Config {
  std::string listen_address = "127.0.0.1";
  std::uint16_t port = 8402;
  unsigned threads = 0;
  std::optional<std::string> public_url;  // "https://api.example.com", no trailing '/'
  bool forward_unmatched = true;
  std::size_t max_request_body_bytes = 1024 * 1024;
  std::size_t max_response_body_bytes = 16 * 1024 * 1024;
  std::string log_level = "info";
  std::optional<FacilitatorConfig> facilitator;  // required when a route has a price
  std::vector<UpstreamConfig> upstreams;         // at least one
  std::vector<RouteConfig> routes;
  std::vector<AssetInfo> assets;            // added to the built-in network registry
  std::vector<std::size_t> default_assets;  // indices into `assets` that become defaults
  seller::CorsOptions cors;
  std::filesystem::path settlement_queue;  // SQLite queue for settlement = "background"
  PaywallConfig paywall;
  EndpointsConfig endpoints;

  [[nodiscard]] bool has_paid_routes() const noexcept;
};

[[nodiscard]] Result<Config> parse_config(std::string_view toml_text, const std::filesystem::path& base_dir);
[[nodiscard]] Result<Config> load_config(const std::filesystem::path& path);

// `x402 gateway --devnet D --facilitator URL --upstream URL --route "GET /path=$0.001"`: payTo and
// asset default to the devnet's payee and token.
struct QuickOptions {
  std::filesystem::path devnet;  // required
  std::string facilitator_url;
  std::optional<std::string> facilitator_token;
  std::string upstream_url;
  std::vector<std::string> upstream_headers;  // "Name: value" (values may be ${ENV})
  std::string listen = "127.0.0.1:8402";
  std::vector<std::string> routes;  // "GET /path=$0.001" (price as in TOML), "GET /free" (free)
  std::string settlement = "after";
  std::optional<std::string> public_url;
};
[[nodiscard]] Result<Config> config_from_quick(const QuickOptions& options);

// "after" / "before" / "background" (also "verify-only" for background).
[[nodiscard]] Result<seller::SettlementTiming> parse_settlement(std::string_view text);
[[nodiscard]] std::string_view to_string(seller::SettlementTiming timing) noexcept;

}  // namespace x402::gateway
