// `x402 pay URL`: curl for paid resources. Sends the request; on 402 pays within the policy and
// retries once. The response body goes to stdout (or -o FILE), one receipt line to stderr.
//
// Exit codes: 0 success, 2 usage, 3 refused by policy or budget (nothing signed), 4 payment
// rejected or settlement failed, 5 network or transport error, 6 a non-402 HTTP error status,
// 1 anything else (an unreadable 402, a budget file that cannot be opened, ...).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "chain/evm/blocking.hpp"
#include "cli/command.hpp"
#include "cli/key_options.hpp"
#include "devnet/devnet.hpp"
#include "x402/client.hpp"

namespace x402::cli {
namespace {

constexpr const char* kCommand = "pay";

constexpr int kExitRefused = 3;
constexpr int kExitRejected = 4;
constexpr int kExitTransport = 5;
constexpr int kExitHttpError = 6;

struct PayOptions {
  std::string url;
  std::string method;
  std::vector<std::string> headers;
  std::string data;
  bool has_data = false;
  std::string output;
  bool include_headers = false;
  KeyOptions key;
  std::string max_amount = "$1";
  std::vector<std::string> networks;
  std::vector<std::string> assets;
  bool dry_run = false;
  std::string budget_file;
  std::vector<std::string> budgets;
  std::string devnet;
  bool first_option = false;
  unsigned timeout_seconds = 60;
  unsigned connect_timeout_seconds = 10;
  std::string ca_file;
};

int exit_code_for(ClientErrc code) {
  switch (code) {
    case ClientErrc::refused:
      return kExitRefused;
    case ClientErrc::payment_failed:
      return kExitRejected;
    case ClientErrc::transport:
      return kExitTransport;
    case ClientErrc::http_status:
      return kExitHttpError;
    case ClientErrc::invalid_request:
      return kExitUsage;
    case ClientErrc::invalid_response:
    case ClientErrc::local:
      return kExitFailure;
  }
  return kExitFailure;
}

Result<std::string> read_data(const std::string& data) {
  if (data.empty() || data.front() != '@') return data;
  const std::string path = data.substr(1);
  if (path == "-")
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::io_error, "cannot read --data file " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The devnet's chain replaces the public one of the same id: no explorer (a local chain), and the
// devnet token as its default asset.
Status register_devnet(NetworkRegistry& registry, const devnet::DevnetInfo& info) {
  NetworkInfo network;
  network.caip2 = info.network;
  network.chain_id = info.chain_id;
  network.display_name = "devnet";
  network.testnet = true;
  if (const auto* existing = registry.find_network(info.network)) {
    network.v1_name = existing->v1_name;  // keeps "base-sepolia" answering for a v1 seller
    network.display_name = existing->display_name + " (devnet)";
  }
  if (auto status = registry.add_network(std::move(network)); !status) return status;
  AssetInfo asset;
  asset.network = info.network;
  asset.address = info.asset;
  asset.symbol = !info.asset_symbol.empty() ? info.asset_symbol : info.asset_name;
  asset.eip712_name = info.asset_name;
  asset.eip712_version = info.asset_version;
  asset.decimals = info.asset_decimals;
  return registry.add_asset(std::move(asset), true);
}

void write_response(std::ostream& out, const ClientResponse& response, bool include_headers) {
  if (include_headers) {
    out << "HTTP/1.1 " << response.status << ' ' << response.reason << "\r\n";
    for (const auto& [name, value] : response.headers) out << name << ": " << value << "\r\n";
    out << "\r\n";
  }
  out.write(response.body.data(), static_cast<std::streamsize>(response.body.size()));
  out.flush();
}

Status emit(const PayOptions& options, const ClientResponse& response) {
  if (options.output.empty()) {
    write_response(std::cout, response, options.include_headers);
    return {};
  }
  std::ofstream file(options.output, std::ios::binary | std::ios::trunc);
  if (!file) return make_error(Errc::io_error, "cannot write " + options.output);
  write_response(file, response, options.include_headers);
  if (!file) return make_error(Errc::io_error, "cannot write " + options.output);
  return {};
}

std::string describe_option(const PaymentOption& option) {
  std::string out = option.describe_amount() + " (asset " + option.asset + ") on " +
                    (option.caip2.empty() ? option.network : option.caip2);
  if (option.x402_version == 1 && !option.caip2.empty()) out += " (" + option.network + ")";
  return out;
}

// Where to look at a transaction: the network's explorer, else the devnet's RPC (with the block
// it landed in, when the node answers quickly).
std::string tx_location(const NetworkRegistry& networks, const PaymentOption& option, const std::string& tx,
                        const std::string& rpc_url) {
  const auto* network = networks.find_network(option.caip2.empty() ? option.network : option.caip2);
  if (network != nullptr && !network->explorer_tx_url.empty()) return network->explorer_tx_url + tx;
  if (rpc_url.empty()) return {};
  auto hash = Bytes32::from_hex(tx);
  if (!hash) return "rpc " + rpc_url;
  http::ClientOptions http_options;
  http_options.connect_timeout = std::chrono::seconds(2);
  http_options.request_timeout = std::chrono::seconds(5);
  auto rpc = chain::evm::BlockingRpc::connect(rpc_url, http_options);
  if (!rpc) return "rpc " + rpc_url;
  auto receipt =
      (*rpc)->run([&](chain::evm::RpcClient& client) { return client.get_transaction_receipt(*hash); });
  if (!receipt || !receipt.value()) return "rpc " + rpc_url;
  const auto& found = *receipt.value();
  return std::string(found.status ? "" : "REVERTED, ") + "block " + std::to_string(found.block_number) +
         " via rpc " + rpc_url;
}

void print_receipt(const NetworkRegistry& networks, const PaymentRecord& payment,
                   const std::string& rpc_url) {
  std::string line = "paid " + describe_option(payment.option);
  if (!payment.receipt) {
    line += ", no receipt (the response carried no readable PAYMENT-RESPONSE)";
  } else if (payment.receipt->transaction.empty()) {
    line += ", receipt without a transaction";
  } else {
    line += ", tx " + payment.receipt->transaction;
    const auto where = tx_location(networks, payment.option, payment.receipt->transaction, rpc_url);
    if (!where.empty()) line += ", " + where;
  }
  std::cerr << "x402 " << kCommand << ": " << line << '\n';
}

int run_pay(const PayOptions& options) {
  // --- what may be paid ---
  auto registry = NetworkRegistry::with_defaults();
  std::optional<devnet::DevnetInfo> devnet_info;
  if (!options.devnet.empty()) {
    auto info = devnet::load_info(options.devnet);
    if (!info) return fail(kCommand, "--devnet: " + info.error().describe(), kExitUsage);
    if (auto status = register_devnet(registry, *info); !status)
      return fail(kCommand, "--devnet: " + status.error().describe(), kExitUsage);
    devnet_info = std::move(*info);
  }
  auto networks = std::make_shared<const NetworkRegistry>(std::move(registry));

  ClientConfig config;
  config.networks = networks;
  auto max_amount = parse_money(options.max_amount);
  if (!max_amount) return fail(kCommand, "--max-amount: " + max_amount.error().message, kExitUsage);
  config.policy.max_amount = std::move(*max_amount);
  config.policy.networks = options.networks;
  for (const auto& asset : options.assets) {
    AssetRule rule;
    rule.network = "*";
    rule.address = asset;
    // The decimals come from the registry; an asset it does not know is refused.
    bool known = false;
    for (const auto& info : networks->assets())
      if (networks->asset_by_address(info.network, asset) != nullptr) known = true;
    if (!known) return fail(kCommand, "--asset " + asset + ": not a known asset of any network", kExitUsage);
    config.policy.assets.push_back(std::move(rule));
  }
  for (const auto& text : options.budgets) {
    auto limit = parse_budget_limit(text);
    if (!limit) return fail(kCommand, "--budget: " + limit.error().message, kExitUsage);
    config.policy.budgets.push_back(std::move(*limit));
  }
  config.policy.prefer_cheapest = !options.first_option;
  config.budget_file = options.budget_file.empty() ? default_budget_file() : options.budget_file;
  config.http.request_timeout = std::chrono::seconds(options.timeout_seconds);
  config.http.connect_timeout = std::chrono::seconds(options.connect_timeout_seconds);
  config.http.ca_file = options.ca_file;

  // --- who pays ---
  std::optional<PrivateKey> key;
  if (!options.key.key_file.empty() || !options.key.key_env.empty()) {
    auto loaded = load_key(options.key);
    if (!loaded) return fail(kCommand, loaded.error().describe(), kExitUsage);
    key = std::move(*loaded);
  } else if (devnet_info && !devnet_info->buyer_key_files.empty()) {
    auto loaded = PrivateKey::load_file(
        (std::filesystem::path(options.devnet) / devnet_info->buyer_key_files.front()).string());
    if (!loaded) return fail(kCommand, "--devnet buyer key: " + loaded.error().describe(), kExitUsage);
    key = std::move(*loaded);
  } else if (options.dry_run) {
    key = PrivateKey::generate();  // registers the schemes; a quote signs nothing
  } else {
    return fail(kCommand, "no key: give --key-file FILE, --key-env VAR or --devnet D", kExitUsage);
  }
  register_exact_evm(config.schemes, *key, networks);

  // --- the request ---
  ClientRequest request;
  request.url = options.url;
  if (options.has_data) {
    auto body = read_data(options.data);
    if (!body) return fail(kCommand, body.error().describe(), kExitUsage);
    request.body = std::move(*body);
  }
  request.method = !options.method.empty() ? options.method : (options.has_data ? "POST" : "GET");
  bool has_content_type = false;
  for (const auto& header : options.headers) {
    const auto colon = header.find(':');
    if (colon == std::string::npos || colon == 0)
      return fail(kCommand, "-H '" + header + "': expected 'Name: value'", kExitUsage);
    std::string name = header.substr(0, colon);
    std::string value = header.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    if (name.size() == 12 && std::equal(name.begin(), name.end(), "content-type", [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        }))
      has_content_type = true;
    request.headers.emplace_back(std::move(name), std::move(value));
  }
  // As curl does for -d.
  if (options.has_data && !has_content_type)
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");

  auto client = BlockingClient::create(std::move(config));
  if (!client) return fail(kCommand, client.error().describe(), kExitFailure);
  const std::string rpc_url = devnet_info ? devnet_info->rpc_url : std::string();

  if (options.dry_run) {
    auto quote = (*client)->quote(std::move(request));
    if (!quote) {
      const auto& error = quote.error();
      if (error.response && error.code == ClientErrc::http_status) (void)emit(options, *error.response);
      return fail(kCommand, error.describe(), exit_code_for(error.code));
    }
    if (!quote->selection) {
      if (auto status = emit(options, quote->response); !status)
        return fail(kCommand, status.error().describe());
      std::cerr << "x402 " << kCommand << ": dry run: no payment required (HTTP " << quote->response.status
                << ")\n";
      return kExitOk;
    }
    for (const auto& verdict : quote->selection->verdicts) {
      std::cerr << "x402 " << kCommand << ": option " << verdict.option.index << ": "
                << describe_option(verdict.option) << " to " << verdict.option.pay_to << ": "
                << (verdict.acceptable ? "acceptable" : verdict.reason) << '\n';
    }
    if (!quote->chosen) {
      std::cerr << "x402 " << kCommand << ": dry run: would refuse to pay: " << quote->refusal << '\n';
      return kExitRefused;
    }
    std::cerr << "x402 " << kCommand << ": dry run: would pay " << describe_option(*quote->chosen) << " to "
              << quote->chosen->pay_to << " (x402 v" << quote->chosen->x402_version
              << "); nothing was paid\n";
    return kExitOk;
  }

  auto paid = (*client)->send(std::move(request));
  if (!paid) {
    const auto& error = paid.error();
    // Like curl, an error status still shows its body.
    if (error.response && (error.code == ClientErrc::http_status || error.code == ClientErrc::payment_failed))
      (void)emit(options, *error.response);
    std::string message = error.describe();
    if (error.payment)
      message += " [payment " + describe_option(error.payment->option) + ", " +
                 std::string(to_string(error.payment->status)) + "]";
    return fail(kCommand, message, exit_code_for(error.code));
  }
  if (auto status = emit(options, paid->response); !status) return fail(kCommand, status.error().describe());
  if (paid->payment) print_receipt((*client)->async_client().networks(), *paid->payment, rpc_url);
  return kExitOk;
}

const CommandRegistration registration{
    kCommand, [](CLI::App& app) {
      auto* command = app.add_subcommand(
          kCommand,
          "Fetch a URL like curl, paying an x402 402 within the policy (one paid retry, never more).\n"
          "The body goes to stdout (or -o FILE); one receipt line goes to stderr: amount, asset, network,\n"
          "transaction and where to see it. Spend is logged in the budget file (default\n"
          "~/.x402/budget.sqlite) so --budget limits hold across runs.\n"
          "Exit: 0 ok, 2 usage, 3 refused by policy or budget (nothing signed), 4 payment rejected or\n"
          "settlement failed, 5 network/transport error, 6 HTTP error status (not 402), 1 other failure.");
      auto options = std::make_shared<PayOptions>();
      command->add_option("url", options->url, "http:// or https:// URL")->required();
      command->add_option("-X,--request", options->method, "HTTP method (default GET, POST with -d)");
      command->add_option("-H,--header", options->headers, "request header 'Name: value' (repeatable)");
      auto* data =
          command->add_option("-d,--data", options->data,
                              "request body; @FILE reads a file, @- standard input (bytes kept as is)");
      command->add_option("-o,--output", options->output, "write the body to FILE instead of stdout");
      command->add_flag("-i,--include", options->include_headers,
                        "include the status line and response headers");
      add_key_options(*command, options->key, false);
      command->add_option("--max-amount", options->max_amount, "most to pay for one request, in dollars")
          ->capture_default_str();
      command->add_option(
          "--network", options->networks,
          "network that may be paid on (CAIP-2, v1 name or pattern; repeatable; default any)");
      command->add_option(
          "--asset", options->assets,
          "token address that may be paid with (repeatable; default: every known stablecoin)");
      command->add_option(
          "--budget", options->budgets,
          "spending limit, in total ('$5') or per window ('$1/24h', '$0.10/30m'); repeatable");
      command->add_option("--budget-file", options->budget_file,
                          "spend log (SQLite; default ~/.x402/budget.sqlite)");
      command->add_flag("--dry-run", options->dry_run, "show what would be paid; sign and pay nothing");
      command->add_option(
          "--devnet", options->devnet,
          "devnet directory: its network and token, its RPC in receipts, its first buyer key\n"
          "when no key is given");
      command->add_flag("--first", options->first_option,
                        "pay the first acceptable option instead of the cheapest");
      command
          ->add_option("--timeout", options->timeout_seconds,
                       "seconds for each exchange (a paid one includes settlement)")
          ->capture_default_str();
      command->add_option("--connect-timeout", options->connect_timeout_seconds, "seconds to connect")
          ->capture_default_str();
      command->add_option("--cacert", options->ca_file, "extra trusted CA certificates (PEM)");
      return [options, data] {
        options->has_data = data->count() > 0;
        return run_pay(*options);
      };
    }};

}  // namespace
}  // namespace x402::cli
