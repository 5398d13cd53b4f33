#include "facilitator/config.hpp"

#include <toml++/toml.h>
#include <charconv>
#include <cstdlib>

#include "devnet/devnet.hpp"

namespace x402::facilitator {
namespace {

Error config_error(const std::string& message) {
  return make_error(Errc::invalid_argument, message);
}

std::string resolve_path(const std::filesystem::path& base, const std::string& path) {
  std::filesystem::path p(path);
  return p.is_absolute() ? p.string() : (base / p).lexically_normal().string();
}

// Reads an optional string member, expanding ${ENV}.
Result<std::optional<std::string>> string_at(const toml::table& table, std::string_view key,
                                             const std::string& where) {
  const auto* node = table.get(key);
  if (node == nullptr) return std::optional<std::string>{};
  const auto* value = node->as_string();
  if (value == nullptr) return config_error(where + key.data() + ": expected a string");
  auto expanded = expand_env(value->get());
  if (!expanded)
    return make_error(Errc::invalid_argument, where + std::string(key) + ": " + expanded.error().message);
  return std::optional<std::string>(std::move(*expanded));
}

Result<std::optional<std::int64_t>> integer_at(const toml::table& table, std::string_view key,
                                               const std::string& where) {
  const auto* node = table.get(key);
  if (node == nullptr) return std::optional<std::int64_t>{};
  const auto* value = node->as_integer();
  if (value == nullptr || value->get() < 0)
    return config_error(where + std::string(key) + ": expected a non-negative integer");
  return std::optional<std::int64_t>(value->get());
}

Result<std::vector<std::string>> strings_at(const toml::table& table, std::string_view key,
                                            const std::string& where) {
  std::vector<std::string> out;
  const auto* node = table.get(key);
  if (node == nullptr) return out;
  const auto* array = node->as_array();
  if (array == nullptr) return config_error(where + std::string(key) + ": expected an array of strings");
  for (const auto& element : *array) {
    const auto* text = element.as_string();
    if (text == nullptr) return config_error(where + std::string(key) + ": expected an array of strings");
    auto expanded = expand_env(text->get());
    if (!expanded)
      return make_error(Errc::invalid_argument, where + std::string(key) + ": " + expanded.error().message);
    out.push_back(std::move(*expanded));
  }
  return out;
}

// Every member of `table` must be one of `known`: a typo must not silently drop a setting.
Status only_known(const toml::table& table, std::initializer_list<std::string_view> known,
                  const std::string& where) {
  for (const auto& [key, _] : table) {
    bool ok = false;
    for (auto k : known) ok = ok || key.str() == k;
    if (!ok) return config_error(where + "unknown setting \"" + std::string(key.str()) + "\"");
  }
  return {};
}

Result<NetworkConfig> parse_network(const toml::table& table, const std::filesystem::path& base,
                                    std::size_t index) {
  const std::string where = "networks[" + std::to_string(index) + "].";
  if (auto known = only_known(
          table,
          {"network", "rpc_url", "signer_key_files", "signer_key_envs", "allowed_assets", "max_gas",
           "max_fee_per_gas", "receipt_timeout_ms", "receipt_poll_ms", "chain_id", "v1_name", "assets"},
          where);
      !known)
    return known.take_error();
  NetworkConfig out;
  auto network = string_at(table, "network", where);
  if (!network) return network.take_error();
  if (!*network) return config_error(where + "network: required");
  if (!parse_caip2(**network)) return config_error(where + "network: not a CAIP-2 id: " + **network);
  out.network = **network;
  auto rpc = string_at(table, "rpc_url", where);
  if (!rpc) return rpc.take_error();
  if (!*rpc) return config_error(where + "rpc_url: required");
  out.rpc_url = **rpc;
  auto files = strings_at(table, "signer_key_files", where);
  if (!files) return files.take_error();
  for (auto& file : *files) out.signer_key_files.push_back(resolve_path(base, file));
  auto envs = strings_at(table, "signer_key_envs", where);
  if (!envs) return envs.take_error();
  out.signer_key_envs = std::move(*envs);
  if (out.signer_key_files.empty() && out.signer_key_envs.empty())
    return config_error(where + "signer_key_files or signer_key_envs: at least one signer is required");
  auto assets = strings_at(table, "allowed_assets", where);
  if (!assets) return assets.take_error();
  out.allowed_assets = std::move(*assets);
  auto max_gas = integer_at(table, "max_gas", where);
  if (!max_gas) return max_gas.take_error();
  if (*max_gas) out.max_gas = static_cast<std::uint64_t>(**max_gas);
  auto max_fee = string_at(table, "max_fee_per_gas", where);
  if (!max_fee) return max_fee.take_error();
  if (*max_fee) {
    if (!parse_u256(**max_fee))
      return config_error(where + "max_fee_per_gas: expected a decimal string (wei)");
    out.max_fee_per_gas = **max_fee;
  }
  auto receipt = integer_at(table, "receipt_timeout_ms", where);
  if (!receipt) return receipt.take_error();
  if (*receipt) out.receipt_timeout = std::chrono::milliseconds(**receipt);
  auto poll = integer_at(table, "receipt_poll_ms", where);
  if (!poll) return poll.take_error();
  if (*poll) {
    if (**poll < 1 || **poll > 60'000) return config_error(where + "receipt_poll_ms: expected 1..60000");
    out.receipt_poll = std::chrono::milliseconds(**poll);
  }
  auto chain_id = integer_at(table, "chain_id", where);
  if (!chain_id) return chain_id.take_error();
  if (*chain_id) out.chain_id = static_cast<std::uint64_t>(**chain_id);
  auto v1_name = string_at(table, "v1_name", where);
  if (!v1_name) return v1_name.take_error();
  out.v1_name = *v1_name;

  if (const auto* node = table.get("assets")) {
    const auto* array = node->as_array();
    if (array == nullptr) return config_error(where + "assets: expected an array of tables");
    std::size_t i = 0;
    for (const auto& element : *array) {
      const auto* asset_table = element.as_table();
      const std::string asset_where = where + "assets[" + std::to_string(i++) + "].";
      if (asset_table == nullptr) return config_error(asset_where + ": expected a table");
      if (auto known =
              only_known(*asset_table, {"address", "name", "version", "decimals", "symbol"}, asset_where);
          !known)
        return known.take_error();
      AssetInfo asset;
      asset.network = out.network;
      auto address = string_at(*asset_table, "address", asset_where);
      auto name = string_at(*asset_table, "name", asset_where);
      auto version = string_at(*asset_table, "version", asset_where);
      auto symbol = string_at(*asset_table, "symbol", asset_where);
      auto decimals = integer_at(*asset_table, "decimals", asset_where);
      if (!address) return address.take_error();
      if (!name) return name.take_error();
      if (!version) return version.take_error();
      if (!symbol) return symbol.take_error();
      if (!decimals) return decimals.take_error();
      if (!*address || !*name || !*version)
        return config_error(asset_where + "address, name and version are required");
      auto parsed = Address::parse(**address);
      if (!parsed) return config_error(asset_where + "address: " + parsed.error().message);
      asset.address = parsed->checksummed();
      asset.eip712_name = **name;
      asset.eip712_version = **version;
      asset.symbol = symbol->value_or(**name);
      asset.decimals = static_cast<unsigned>(decimals->value_or(6));
      out.assets.push_back(std::move(asset));
    }
  }
  return out;
}

}  // namespace

Status parse_listen(std::string_view text, std::string& address, std::uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return make_error(Errc::invalid_argument, "expected HOST:PORT, got \"" + std::string(text) + "\"");
  std::string host(text.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const auto digits = text.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value > 65535)
    return make_error(Errc::invalid_argument, "invalid port in \"" + std::string(text) + "\"");
  address = std::move(host);
  port = static_cast<std::uint16_t>(value);
  return {};
}

Result<std::string> expand_env(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      const auto close = text.find('}', i + 2);
      if (close == std::string_view::npos)
        return make_error(Errc::invalid_argument, "unterminated ${ in a value");
      const std::string name(text.substr(i + 2, close - i - 2));
      const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
      if (value == nullptr)
        return make_error(Errc::invalid_argument, "environment variable " + name + " is not set");
      out += value;
      i = close;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

Result<Config> parse_config(std::string_view toml_text, const std::filesystem::path& base_dir) {
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    return make_error(Errc::invalid_argument, "config: " + std::string(e.description()) + " at line " +
                                                  std::to_string(e.source().begin.line));
  }
  if (auto known = only_known(root,
                              {"listen", "threads", "ledger", "auth_token", "auth_token_file",
                               "max_body_bytes", "reconcile_interval_ms", "log_level", "networks"},
                              "");
      !known)
    return known.take_error();

  Config config;
  auto listen = string_at(root, "listen", "");
  if (!listen) return listen.take_error();
  if (*listen)
    if (auto ok = parse_listen(**listen, config.listen_address, config.port); !ok) return ok.take_error();
  auto threads = integer_at(root, "threads", "");
  if (!threads) return threads.take_error();
  if (*threads) config.threads = static_cast<unsigned>(**threads);
  auto ledger = string_at(root, "ledger", "");
  if (!ledger) return ledger.take_error();
  if (*ledger) {
    config.ledger = **ledger;
    if (config.ledger.rfind("sqlite:", 0) == 0)
      config.ledger = "sqlite:" + resolve_path(base_dir, config.ledger.substr(7));
  }
  auto token = string_at(root, "auth_token", "");
  if (!token) return token.take_error();
  config.auth_token = *token;
  auto token_file = string_at(root, "auth_token_file", "");
  if (!token_file) return token_file.take_error();
  if (*token_file) {
    std::FILE* file = std::fopen(resolve_path(base_dir, **token_file).c_str(), "rb");
    if (file == nullptr) return make_error(Errc::io_error, "auth_token_file: cannot read " + **token_file);
    std::string content(4096, '\0');
    content.resize(std::fread(content.data(), 1, content.size(), file));
    std::fclose(file);
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r' || content.back() == ' '))
      content.pop_back();
    if (content.empty()) return make_error(Errc::invalid_argument, "auth_token_file: empty");
    config.auth_token = std::move(content);
  }
  auto body = integer_at(root, "max_body_bytes", "");
  if (!body) return body.take_error();
  if (*body) config.max_body_bytes = static_cast<std::size_t>(**body);
  auto interval = integer_at(root, "reconcile_interval_ms", "");
  if (!interval) return interval.take_error();
  if (*interval) config.reconcile_interval = std::chrono::milliseconds(**interval);
  auto level = string_at(root, "log_level", "");
  if (!level) return level.take_error();
  if (*level) config.log_level = **level;

  const auto* networks = root.get("networks");
  if (networks == nullptr || networks->as_array() == nullptr || networks->as_array()->empty())
    return config_error("networks: at least one [[networks]] table is required");
  std::size_t index = 0;
  for (const auto& element : *networks->as_array()) {
    const auto* table = element.as_table();
    if (table == nullptr) return config_error("networks[" + std::to_string(index) + "]: expected a table");
    auto network = parse_network(*table, base_dir, index++);
    if (!network) return network.take_error();
    config.networks.push_back(std::move(*network));
  }
  return config;
}

Result<Config> load_config(const std::filesystem::path& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return make_error(Errc::io_error, "cannot read config file " + path.string());
  std::string text;
  char buffer[8192];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;) text.append(buffer, n);
  std::fclose(file);
  return parse_config(text, std::filesystem::absolute(path).parent_path());
}

Result<Config> config_from_devnet(const std::filesystem::path& dir) {
  auto info = devnet::load_info(dir);
  if (!info) return info.take_error();
  Config config;
  config.ledger = "sqlite:" + (std::filesystem::absolute(dir) / "ledger.sqlite").string();
  NetworkConfig network;
  network.network = info->network;
  network.rpc_url = info->rpc_url;
  network.chain_id = info->chain_id;
  for (const auto& file : info->facilitator_key_files)
    network.signer_key_files.push_back(resolve_path(std::filesystem::absolute(dir), file));
  network.allowed_assets.push_back(info->asset);
  AssetInfo asset;
  asset.network = info->network;
  asset.address = info->asset;
  asset.symbol = info->asset_symbol.empty() ? "USDC" : info->asset_symbol;
  asset.eip712_name = info->asset_name;
  asset.eip712_version = info->asset_version;
  asset.decimals = info->asset_decimals;
  network.assets.push_back(std::move(asset));
  config.networks.push_back(std::move(network));
  return config;
}

}  // namespace x402::facilitator
