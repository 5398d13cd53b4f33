#include "gateway/config.hpp"

#include <toml++/toml.h>

#include <cstdio>

#include "devnet/devnet.hpp"
#include "facilitator/config.hpp"
#include "seller/seller.hpp"
#include "x402/bytes.hpp"

namespace x402::gateway {
namespace {

Error config_error(const std::string& message) {
  return make_error(Errc::invalid_argument, message);
}

std::string resolve_path(const std::filesystem::path& base, const std::string& path) {
  const std::filesystem::path p(path);
  return p.is_absolute() ? p.string() : (base / p).lexically_normal().string();
}

// Reads a small secret file: the first line, trailing CR/LF and spaces stripped.
Result<std::string> read_secret_file(const std::string& path, const std::string& what) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return make_error(Errc::io_error, what + ": cannot read " + path);
  std::string content(8192, '\0');
  content.resize(std::fread(content.data(), 1, content.size(), file));
  std::fclose(file);
  if (const auto newline = content.find('\n'); newline != std::string::npos) content.resize(newline);
  while (!content.empty() && (content.back() == '\r' || content.back() == ' ')) content.pop_back();
  if (content.empty()) return config_error(what + ": " + path + " is empty");
  return content;
}

// Typed accessors: absent members are nullopt; a wrong type is an error naming the member.
class Table {
 public:
  Table(const toml::table& table, std::string where) : table_(table), where_(std::move(where)) {}

  [[nodiscard]] std::string name(std::string_view key) const { return where_ + std::string(key); }
  [[nodiscard]] const toml::table& raw() const { return table_; }
  [[nodiscard]] const std::string& where() const { return where_; }

  Status only(std::initializer_list<std::string_view> known) const {
    for (const auto& [key, _] : table_) {
      bool ok = false;
      for (auto k : known) ok = ok || key.str() == k;
      if (!ok) return config_error(where_ + "unknown setting \"" + std::string(key.str()) + "\"");
    }
    return {};
  }

  Result<std::optional<std::string>> string(std::string_view key) const {
    const auto* node = table_.get(key);
    if (node == nullptr) return std::optional<std::string>{};
    const auto* value = node->as_string();
    if (value == nullptr) return config_error(name(key) + ": expected a string");
    auto expanded = facilitator::expand_env(value->get());
    if (!expanded) return config_error(name(key) + ": " + expanded.error().message);
    return std::optional<std::string>(std::move(*expanded));
  }

  Result<std::optional<std::uint64_t>> integer(std::string_view key) const {
    const auto* node = table_.get(key);
    if (node == nullptr) return std::optional<std::uint64_t>{};
    const auto* value = node->as_integer();
    if (value == nullptr || value->get() < 0)
      return config_error(name(key) + ": expected a non-negative integer");
    return std::optional<std::uint64_t>(static_cast<std::uint64_t>(value->get()));
  }

  Result<std::optional<bool>> boolean(std::string_view key) const {
    const auto* node = table_.get(key);
    if (node == nullptr) return std::optional<bool>{};
    const auto* value = node->as_boolean();
    if (value == nullptr) return config_error(name(key) + ": expected true or false");
    return std::optional<bool>(value->get());
  }

  Result<std::vector<std::string>> strings(std::string_view key) const {
    std::vector<std::string> out;
    const auto* node = table_.get(key);
    if (node == nullptr) return out;
    const auto* array = node->as_array();
    if (array == nullptr) return config_error(name(key) + ": expected an array of strings");
    for (const auto& element : *array) {
      const auto* text = element.as_string();
      if (text == nullptr) return config_error(name(key) + ": expected an array of strings");
      auto expanded = facilitator::expand_env(text->get());
      if (!expanded) return config_error(name(key) + ": " + expanded.error().message);
      out.push_back(std::move(*expanded));
    }
    return out;
  }

  // A table of string values, in file order.
  Result<std::vector<std::pair<std::string, std::string>>> string_map(std::string_view key) const {
    std::vector<std::pair<std::string, std::string>> out;
    const auto* node = table_.get(key);
    if (node == nullptr) return out;
    const auto* map = node->as_table();
    if (map == nullptr) return config_error(name(key) + ": expected a table of strings");
    for (const auto& [member, value] : *map) {
      const auto* text = value.as_string();
      if (text == nullptr)
        return config_error(name(key) + "." + std::string(member.str()) + ": expected a string");
      auto expanded = facilitator::expand_env(text->get());
      if (!expanded)
        return config_error(name(key) + "." + std::string(member.str()) + ": " + expanded.error().message);
      out.emplace_back(std::string(member.str()), std::move(*expanded));
    }
    return out;
  }

 private:
  const toml::table& table_;
  std::string where_;
};

// TOML values to JSON (for `extra`), strings ${ENV}-expanded.
Result<JsonValue> to_json_value(const toml::node& node, const std::string& where) {
  if (const auto* s = node.as_string()) {
    auto expanded = facilitator::expand_env(s->get());
    if (!expanded) return config_error(where + ": " + expanded.error().message);
    return JsonValue(*expanded);
  }
  if (const auto* i = node.as_integer()) return JsonValue(i->get());
  if (const auto* f = node.as_floating_point()) return JsonValue(f->get());
  if (const auto* b = node.as_boolean()) return JsonValue(b->get());
  if (const auto* a = node.as_array()) {
    boost::json::array out;
    for (const auto& element : *a) {
      auto value = to_json_value(element, where);
      if (!value) return value.take_error();
      out.push_back(std::move(*value));
    }
    return JsonValue(std::move(out));
  }
  if (const auto* t = node.as_table()) {
    JsonObject out;
    for (const auto& [key, value] : *t) {
      auto converted = to_json_value(value, where + "." + std::string(key.str()));
      if (!converted) return converted.take_error();
      out[key.str()] = std::move(*converted);
    }
    return JsonValue(std::move(out));
  }
  return config_error(where + ": unsupported value type");
}

Result<std::size_t> bytes_setting(const Table& table, std::string_view key, std::size_t fallback) {
  auto value = table.integer(key);
  if (!value) return value.take_error();
  if (!*value) return fallback;
  if (**value == 0) return config_error(table.name(key) + ": must be > 0");
  return static_cast<std::size_t>(**value);
}

Result<std::optional<std::chrono::milliseconds>> millis_setting(const Table& table, std::string_view key) {
  auto value = table.integer(key);
  if (!value) return value.take_error();
  if (!*value) return std::optional<std::chrono::milliseconds>{};
  if (**value == 0) return config_error(table.name(key) + ": must be > 0");
  return std::optional<std::chrono::milliseconds>(std::chrono::milliseconds(**value));
}

Result<FacilitatorConfig> parse_facilitator(const Table& table, const std::filesystem::path& base) {
  if (auto ok = table.only({"url", "auth_token", "auth_token_file", "timeout_ms", "tls_verify", "ca_file"});
      !ok)
    return ok.take_error();
  FacilitatorConfig out;
  auto url = table.string("url");
  if (!url) return url.take_error();
  if (!*url) return config_error(table.name("url") + ": required");
  if (auto parsed = http::parse_url(**url); !parsed)
    return config_error(table.name("url") + ": " + parsed.error().message);
  out.url = **url;
  auto token = table.string("auth_token");
  if (!token) return token.take_error();
  out.auth_token = *token;
  auto token_file = table.string("auth_token_file");
  if (!token_file) return token_file.take_error();
  if (*token_file) {
    auto secret = read_secret_file(resolve_path(base, **token_file), table.name("auth_token_file"));
    if (!secret) return secret.take_error();
    out.auth_token = std::move(*secret);
  }
  auto timeout = millis_setting(table, "timeout_ms");
  if (!timeout) return timeout.take_error();
  if (*timeout) out.timeout = **timeout;
  auto verify = table.boolean("tls_verify");
  if (!verify) return verify.take_error();
  if (*verify) out.verify_tls = **verify;
  auto ca = table.string("ca_file");
  if (!ca) return ca.take_error();
  if (*ca && !(*ca)->empty()) out.ca_file = resolve_path(base, **ca);
  return out;
}

Result<UpstreamConfig> parse_upstream(const Table& table, const std::filesystem::path& base) {
  if (auto ok =
          table.only({"name", "url", "headers", "header_files", "connect_timeout_ms", "response_timeout_ms",
                      "read_timeout_ms", "idle_timeout_ms", "max_idle_connections", "tls_verify", "ca_file"});
      !ok)
    return ok.take_error();
  UpstreamConfig out;
  auto name = table.string("name");
  if (!name) return name.take_error();
  out.name = name->value_or("");
  auto url = table.string("url");
  if (!url) return url.take_error();
  if (!*url) return config_error(table.name("url") + ": required");
  auto parsed = http::parse_url(**url);
  if (!parsed) return config_error(table.name("url") + ": " + parsed.error().message);
  if (parsed->target != "/")
    return config_error(table.name("url") +
                        ": give the origin only (scheme://host[:port]); paths are forwarded unchanged");
  out.url = std::move(*parsed);
  auto headers = table.string_map("headers");
  if (!headers) return headers.take_error();
  out.headers = std::move(*headers);
  auto files = table.string_map("header_files");
  if (!files) return files.take_error();
  for (auto& [header, file] : *files) {
    auto secret = read_secret_file(resolve_path(base, file), table.name("header_files") + "." + header);
    if (!secret) return secret.take_error();
    out.headers.emplace_back(header, std::move(*secret));
  }
  for (const auto& [header, value] : out.headers) {
    const bool bad_name = header.empty() || header.find_first_of(" \t\r\n:") != std::string::npos;
    if (bad_name) return config_error(table.name("headers") + ": invalid header name \"" + header + "\"");
    if (value.find_first_of("\r\n") != std::string::npos)
      return config_error(table.name("headers") + "." + header + ": value must not contain line breaks");
  }
  for (auto [key, field] : {std::pair{"connect_timeout_ms", &out.options.connect_timeout},
                            std::pair{"response_timeout_ms", &out.options.header_timeout},
                            std::pair{"read_timeout_ms", &out.options.read_timeout},
                            std::pair{"idle_timeout_ms", &out.options.idle_timeout}}) {
    auto value = millis_setting(table, key);
    if (!value) return value.take_error();
    if (*value) *field = **value;
  }
  auto idle = table.integer("max_idle_connections");
  if (!idle) return idle.take_error();
  if (*idle) out.options.max_idle = static_cast<std::size_t>(**idle);
  auto verify = table.boolean("tls_verify");
  if (!verify) return verify.take_error();
  if (*verify) out.options.verify_tls = **verify;
  auto ca = table.string("ca_file");
  if (!ca) return ca.take_error();
  if (*ca && !(*ca)->empty()) out.options.ca_file = resolve_path(base, **ca);
  return out;
}

struct RouteDefaults {
  std::optional<std::string> network;
  std::optional<std::string> pay_to;
  std::uint64_t max_timeout_seconds = 300;
  seller::SettlementTiming settlement = seller::SettlementTiming::after_handler;
};

Result<RouteDefaults> parse_defaults(const Table& table) {
  if (auto ok = table.only({"network", "pay_to", "max_timeout_seconds", "settlement"}); !ok)
    return ok.take_error();
  RouteDefaults out;
  auto network = table.string("network");
  if (!network) return network.take_error();
  out.network = *network;
  auto pay_to = table.string("pay_to");
  if (!pay_to) return pay_to.take_error();
  out.pay_to = *pay_to;
  auto timeout = table.integer("max_timeout_seconds");
  if (!timeout) return timeout.take_error();
  if (*timeout) out.max_timeout_seconds = **timeout;
  auto settlement = table.string("settlement");
  if (!settlement) return settlement.take_error();
  if (*settlement) {
    auto timing = parse_settlement(**settlement);
    if (!timing) return config_error(table.name("settlement") + ": " + timing.error().message);
    out.settlement = *timing;
  }
  return out;
}

// `price = "$0.001"` or `price = { amount = "1000", asset = "0x...", extra = {...} }`.
Result<seller::Price> parse_price(const Table& table) {
  const auto* node = table.raw().get("price");
  if (const auto* text = node->as_string()) {
    auto expanded = facilitator::expand_env(text->get());
    if (!expanded) return config_error(table.name("price") + ": " + expanded.error().message);
    auto money = parse_money(*expanded);
    if (!money) return config_error(table.name("price") + ": " + money.error().message);
    return seller::Price(std::move(*money));
  }
  if (node->as_integer() != nullptr || node->as_floating_point() != nullptr) {
    const double value = node->as_integer() ? static_cast<double>(node->as_integer()->get())
                                            : node->as_floating_point()->get();
    auto money = money_from_number(value);
    if (!money) return config_error(table.name("price") + ": " + money.error().message);
    return seller::Price(std::move(*money));
  }
  const auto* price_table = node->as_table();
  if (price_table == nullptr)
    return config_error(table.name("price") + ": expected \"$0.01\" or { amount, asset }");
  const Table price(*price_table, table.name("price") + ".");
  if (auto ok = price.only({"amount", "asset", "extra"}); !ok) return ok.take_error();
  auto amount = price.string("amount");
  if (!amount) return amount.take_error();
  auto asset = price.string("asset");
  if (!asset) return asset.take_error();
  if (!*amount || !*asset) return config_error(table.name("price") + ": amount and asset are required");
  auto atomic = parse_u256(**amount);
  if (!atomic) return config_error(price.name("amount") + ": expected a decimal string of atomic units");
  AssetAmount out;
  out.amount = *atomic;
  out.asset = **asset;
  if (const auto* extra = price_table->get("extra")) {
    auto json = to_json_value(*extra, price.name("extra"));
    if (!json) return json.take_error();
    if (!json->is_object()) return config_error(price.name("extra") + ": expected a table");
    out.extra = std::move(json->as_object());
  }
  return seller::Price(std::move(out));
}

Result<RouteConfig> parse_route(const Table& table, const RouteDefaults& defaults,
                                const std::vector<UpstreamConfig>& upstreams) {
  if (auto ok = table.only({"route", "price", "network", "pay_to", "description", "mime_type",
                            "max_timeout_seconds", "settlement", "upstream", "resource", "scheme", "extra"});
      !ok)
    return ok.take_error();
  RouteConfig out;
  auto pattern = table.string("route");
  if (!pattern) return pattern.take_error();
  if (!*pattern) return config_error(table.name("route") + ": required (\"GET /path\")");
  if (auto parsed = seller::RoutePattern::parse(**pattern); !parsed)
    return config_error(table.name("route") + ": " + parsed.error().message);
  out.pattern = **pattern;
  auto upstream = table.string("upstream");
  if (!upstream) return upstream.take_error();
  if (*upstream) {
    bool found = false;
    for (std::size_t i = 0; i < upstreams.size() && !found; ++i) {
      if (upstreams[i].name == **upstream) {
        out.upstream = i;
        found = true;
      }
    }
    if (!found) return config_error(table.name("upstream") + ": no upstream named \"" + **upstream + "\"");
  }
  if (table.raw().get("price") == nullptr) {
    for (auto key : {"network", "pay_to", "max_timeout_seconds", "settlement", "resource", "scheme", "extra"})
      if (table.raw().get(key) != nullptr)
        return config_error(table.name(key) + ": only for routes with a price");
    return out;  // free
  }

  seller::RouteConfig payment;
  seller::PaymentOption option;
  auto price = parse_price(table);
  if (!price) return price.take_error();
  option.price = std::move(*price);
  auto scheme = table.string("scheme");
  if (!scheme) return scheme.take_error();
  if (*scheme) option.scheme = **scheme;
  auto network = table.string("network");
  if (!network) return network.take_error();
  if (*network)
    option.network = **network;
  else if (defaults.network)
    option.network = *defaults.network;
  else
    return config_error(table.name("network") + ": required (or set [defaults] network)");
  auto pay_to = table.string("pay_to");
  if (!pay_to) return pay_to.take_error();
  if (*pay_to)
    option.pay_to = **pay_to;
  else if (defaults.pay_to)
    option.pay_to = *defaults.pay_to;
  else
    return config_error(table.name("pay_to") + ": required (or set [defaults] pay_to)");
  auto timeout = table.integer("max_timeout_seconds");
  if (!timeout) return timeout.take_error();
  option.max_timeout_seconds = timeout->value_or(defaults.max_timeout_seconds);
  if (option.max_timeout_seconds == 0)
    return config_error(table.name("max_timeout_seconds") + ": must be > 0");
  if (const auto* extra = table.raw().get("extra")) {
    auto json = to_json_value(*extra, table.name("extra"));
    if (!json) return json.take_error();
    if (!json->is_object()) return config_error(table.name("extra") + ": expected a table");
    option.extra = std::move(json->as_object());
  }
  payment.accepts.push_back(std::move(option));
  auto description = table.string("description");
  if (!description) return description.take_error();
  payment.description = description->value_or("");
  auto mime = table.string("mime_type");
  if (!mime) return mime.take_error();
  payment.mime_type = mime->value_or("");
  auto resource = table.string("resource");
  if (!resource) return resource.take_error();
  payment.resource = *resource;
  payment.settlement = defaults.settlement;
  auto settlement = table.string("settlement");
  if (!settlement) return settlement.take_error();
  if (*settlement) {
    auto timing = parse_settlement(**settlement);
    if (!timing) return config_error(table.name("settlement") + ": " + timing.error().message);
    payment.settlement = *timing;
  }
  out.payment = std::move(payment);
  return out;
}

Result<AssetInfo> parse_asset(const Table& table, bool& make_default) {
  if (auto ok = table.only({"network", "address", "name", "version", "decimals", "symbol", "default"}); !ok)
    return ok.take_error();
  AssetInfo asset;
  auto network = table.string("network");
  auto address = table.string("address");
  auto name = table.string("name");
  auto version = table.string("version");
  auto symbol = table.string("symbol");
  auto decimals = table.integer("decimals");
  auto is_default = table.boolean("default");
  if (!network) return network.take_error();
  if (!address) return address.take_error();
  if (!name) return name.take_error();
  if (!version) return version.take_error();
  if (!symbol) return symbol.take_error();
  if (!decimals) return decimals.take_error();
  if (!is_default) return is_default.take_error();
  if (!*network || !*address || !*name || !*version)
    return config_error(table.where() + "network, address, name and version are required");
  if (!parse_caip2(**network)) return config_error(table.name("network") + ": not a CAIP-2 id");
  auto parsed = Address::parse(**address);
  if (!parsed) return config_error(table.name("address") + ": " + parsed.error().message);
  asset.network = **network;
  asset.address = parsed->checksummed();
  asset.eip712_name = **name;
  asset.eip712_version = **version;
  asset.symbol = symbol->value_or(**name);
  asset.decimals = static_cast<unsigned>(decimals->value_or(6));
  if (asset.decimals > 36) return config_error(table.name("decimals") + ": at most 36");
  make_default = is_default->value_or(false);
  return asset;
}

Status check_endpoint(const std::string& path, const std::string& what) {
  if (!path.empty() && path.front() != '/')
    return config_error("endpoints." + what + ": must start with '/' (or be \"\")");
  if (path.find_first_of("?# ") != std::string::npos)
    return config_error("endpoints." + what + ": a plain path");
  return {};
}

}  // namespace

bool Config::has_paid_routes() const noexcept {
  for (const auto& route : routes)
    if (route.payment) return true;
  return false;
}

Result<seller::SettlementTiming> parse_settlement(std::string_view text) {
  if (text == "after" || text == "after_handler" || text == "after-handler")
    return seller::SettlementTiming::after_handler;
  if (text == "before" || text == "before_handler" || text == "before-handler")
    return seller::SettlementTiming::before_handler;
  if (text == "background" || text == "verify-only" || text == "verify_only")
    return seller::SettlementTiming::background;
  return config_error("settlement must be \"after\", \"before\" or \"background\", not \"" +
                      std::string(text) + "\"");
}

std::string_view to_string(seller::SettlementTiming timing) noexcept {
  switch (timing) {
    case seller::SettlementTiming::after_handler:
      return "after";
    case seller::SettlementTiming::before_handler:
      return "before";
    case seller::SettlementTiming::background:
      return "background";
  }
  return "after";
}

Result<Config> parse_config(std::string_view toml_text, const std::filesystem::path& base_dir) {
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    return config_error("config: " + std::string(e.description()) + " at line " +
                        std::to_string(e.source().begin.line));
  }
  const Table top(root, "");
  if (auto ok = top.only({"listen", "threads", "public_url", "unmatched", "max_request_body_bytes",
                          "max_response_body_bytes", "settlement_queue", "log_level", "facilitator",
                          "upstreams", "defaults", "routes", "assets", "cors", "paywall", "endpoints"});
      !ok)
    return ok.take_error();

  Config config;
  auto listen = top.string("listen");
  if (!listen) return listen.take_error();
  if (*listen)
    if (auto ok = facilitator::parse_listen(**listen, config.listen_address, config.port); !ok)
      return config_error("listen: " + ok.error().message);
  auto threads = top.integer("threads");
  if (!threads) return threads.take_error();
  if (*threads) config.threads = static_cast<unsigned>(**threads);
  auto public_url = top.string("public_url");
  if (!public_url) return public_url.take_error();
  if (*public_url) {
    auto parsed = http::parse_url(**public_url);
    if (!parsed) return config_error("public_url: " + parsed.error().message);
    if (parsed->target != "/") return config_error("public_url: give the origin only (scheme://host[:port])");
    config.public_url = parsed->origin();
  }
  auto unmatched = top.string("unmatched");
  if (!unmatched) return unmatched.take_error();
  if (*unmatched) {
    if (**unmatched == "forward")
      config.forward_unmatched = true;
    else if (**unmatched == "reject")
      config.forward_unmatched = false;
    else
      return config_error("unmatched: \"forward\" or \"reject\"");
  }
  auto request_limit = bytes_setting(top, "max_request_body_bytes", config.max_request_body_bytes);
  if (!request_limit) return request_limit.take_error();
  config.max_request_body_bytes = *request_limit;
  auto response_limit = bytes_setting(top, "max_response_body_bytes", config.max_response_body_bytes);
  if (!response_limit) return response_limit.take_error();
  config.max_response_body_bytes = *response_limit;
  auto queue = top.string("settlement_queue");
  if (!queue) return queue.take_error();
  if (*queue) config.settlement_queue = resolve_path(base_dir, **queue);
  auto level = top.string("log_level");
  if (!level) return level.take_error();
  if (*level) config.log_level = **level;

  if (const auto* node = root.get("facilitator")) {
    const auto* table = node->as_table();
    if (table == nullptr) return config_error("facilitator: expected a table");
    auto parsed = parse_facilitator(Table(*table, "facilitator."), base_dir);
    if (!parsed) return parsed.take_error();
    config.facilitator = std::move(*parsed);
  }

  const auto* upstreams = root.get("upstreams");
  if (upstreams == nullptr || upstreams->as_array() == nullptr || upstreams->as_array()->empty())
    return config_error("upstreams: at least one [[upstreams]] table is required");
  std::size_t index = 0;
  for (const auto& element : *upstreams->as_array()) {
    const std::string where = "upstreams[" + std::to_string(index++) + "].";
    const auto* table = element.as_table();
    if (table == nullptr) return config_error(where + ": expected a table");
    auto upstream = parse_upstream(Table(*table, where), base_dir);
    if (!upstream) return upstream.take_error();
    for (const auto& other : config.upstreams)
      if (!upstream->name.empty() && other.name == upstream->name)
        return config_error(where + "name: \"" + upstream->name + "\" is used twice");
    config.upstreams.push_back(std::move(*upstream));
  }

  RouteDefaults defaults;
  if (const auto* node = root.get("defaults")) {
    const auto* table = node->as_table();
    if (table == nullptr) return config_error("defaults: expected a table");
    auto parsed = parse_defaults(Table(*table, "defaults."));
    if (!parsed) return parsed.take_error();
    defaults = std::move(*parsed);
  }

  if (const auto* node = root.get("routes")) {
    const auto* array = node->as_array();
    if (array == nullptr) return config_error("routes: expected [[routes]] tables");
    index = 0;
    for (const auto& element : *array) {
      const std::string where = "routes[" + std::to_string(index++) + "].";
      const auto* table = element.as_table();
      if (table == nullptr) return config_error(where + ": expected a table");
      auto route = parse_route(Table(*table, where), defaults, config.upstreams);
      if (!route) return route.take_error();
      config.routes.push_back(std::move(*route));
    }
  }

  if (const auto* node = root.get("assets")) {
    const auto* array = node->as_array();
    if (array == nullptr) return config_error("assets: expected [[assets]] tables");
    index = 0;
    for (const auto& element : *array) {
      const std::string where = "assets[" + std::to_string(index++) + "].";
      const auto* table = element.as_table();
      if (table == nullptr) return config_error(where + ": expected a table");
      bool make_default = false;
      auto asset = parse_asset(Table(*table, where), make_default);
      if (!asset) return asset.take_error();
      if (make_default) config.default_assets.push_back(config.assets.size());
      config.assets.push_back(std::move(*asset));
    }
  }

  if (const auto* node = root.get("cors")) {
    const auto* table = node->as_table();
    if (table == nullptr) return config_error("cors: expected a table");
    const Table cors(*table, "cors.");
    if (auto ok = cors.only({"enabled", "allowed_origins", "max_age_seconds"}); !ok) return ok.take_error();
    auto enabled = cors.boolean("enabled");
    if (!enabled) return enabled.take_error();
    if (*enabled) config.cors.enabled = **enabled;
    if (table->get("allowed_origins") != nullptr) {
      auto origins = cors.strings("allowed_origins");
      if (!origins) return origins.take_error();
      config.cors.allowed_origins = std::move(*origins);
    }
    auto age = cors.integer("max_age_seconds");
    if (!age) return age.take_error();
    if (*age) config.cors.max_age_seconds = static_cast<std::uint32_t>(**age);
  }

  if (const auto* node = root.get("paywall")) {
    const auto* table = node->as_table();
    if (table == nullptr) return config_error("paywall: expected a table");
    const Table paywall(*table, "paywall.");
    if (auto ok = paywall.only({"enabled", "app_name"}); !ok) return ok.take_error();
    auto enabled = paywall.boolean("enabled");
    if (!enabled) return enabled.take_error();
    if (*enabled) config.paywall.enabled = **enabled;
    auto name = paywall.string("app_name");
    if (!name) return name.take_error();
    if (*name) config.paywall.app_name = **name;
  }

  if (const auto* node = root.get("endpoints")) {
    const auto* table = node->as_table();
    if (table == nullptr) return config_error("endpoints: expected a table");
    const Table endpoints(*table, "endpoints.");
    if (auto ok = endpoints.only({"health", "metrics", "discovery"}); !ok) return ok.take_error();
    for (auto [key, field] :
         {std::pair{"health", &config.endpoints.health}, std::pair{"metrics", &config.endpoints.metrics},
          std::pair{"discovery", &config.endpoints.discovery}}) {
      auto value = endpoints.string(key);
      if (!value) return value.take_error();
      if (*value) *field = **value;
      if (auto ok = check_endpoint(*field, key); !ok) return ok.take_error();
    }
  }

  if (config.has_paid_routes() && !config.facilitator)
    return config_error("facilitator: a [facilitator] table is required when a route has a price");
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

Result<Config> config_from_quick(const QuickOptions& options) {
  auto info = devnet::load_info(options.devnet);
  if (!info) return info.take_error();
  Config config;
  if (auto ok = facilitator::parse_listen(options.listen, config.listen_address, config.port); !ok)
    return config_error("--listen: " + ok.error().message);
  config.public_url = options.public_url;
  if (options.upstream_url.empty()) return config_error("--upstream: required");
  auto upstream_url = http::parse_url(options.upstream_url);
  if (!upstream_url) return config_error("--upstream: " + upstream_url.error().message);
  if (upstream_url->target != "/")
    return config_error("--upstream: give the origin only (scheme://host[:port])");
  UpstreamConfig upstream;
  upstream.name = "default";
  upstream.url = std::move(*upstream_url);
  for (const auto& header : options.upstream_headers) {
    const auto colon = header.find(':');
    if (colon == std::string::npos || colon == 0)
      return config_error("--upstream-header: expected \"Name: value\"");
    std::string name = header.substr(0, colon);
    std::string value = header.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    auto expanded = facilitator::expand_env(value);
    if (!expanded) return config_error("--upstream-header " + name + ": " + expanded.error().message);
    upstream.headers.emplace_back(std::move(name), std::move(*expanded));
  }
  config.upstreams.push_back(std::move(upstream));

  // The devnet's token becomes the default asset of its network, so "$0.001" means that token.
  AssetInfo asset;
  asset.network = info->network;
  asset.address = info->asset;
  asset.symbol = info->asset_symbol.empty() ? "USDC" : info->asset_symbol;
  asset.eip712_name = info->asset_name;
  asset.eip712_version = info->asset_version;
  asset.decimals = info->asset_decimals;
  config.default_assets.push_back(0);
  config.assets.push_back(std::move(asset));

  auto timing = parse_settlement(options.settlement);
  if (!timing) return config_error("--settlement: " + timing.error().message);
  for (const auto& spec : options.routes) {
    RouteConfig route;
    const auto equals = spec.rfind('=');
    route.pattern = spec.substr(0, equals);
    if (auto parsed = seller::RoutePattern::parse(route.pattern); !parsed)
      return config_error("--route \"" + spec + "\": " + parsed.error().message);
    if (equals != std::string::npos) {
      auto money = parse_money(spec.substr(equals + 1));
      if (!money) return config_error("--route \"" + spec + "\": " + money.error().message);
      seller::RouteConfig payment;
      seller::PaymentOption option;
      option.network = info->network;
      option.pay_to = info->payee;
      option.price = std::move(*money);
      payment.accepts.push_back(std::move(option));
      payment.settlement = *timing;
      route.payment = std::move(payment);
    }
    config.routes.push_back(std::move(route));
  }
  if (config.has_paid_routes()) {
    if (options.facilitator_url.empty())
      return config_error("--facilitator: required when a route has a price");
    if (auto parsed = http::parse_url(options.facilitator_url); !parsed)
      return config_error("--facilitator: " + parsed.error().message);
    FacilitatorConfig facilitator;
    facilitator.url = options.facilitator_url;
    facilitator.auth_token = options.facilitator_token;
    config.facilitator = std::move(facilitator);
  }
  config.settlement_queue = std::filesystem::absolute(options.devnet) / "gateway-queue.sqlite";
  return config;
}

}  // namespace x402::gateway
