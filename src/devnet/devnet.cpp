#include "devnet/devnet.hpp"

// GCC 12 misreports Asio's coroutine frame allocator as a mismatched new/delete.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "chain/evm/blocking.hpp"
#include "chain/evm/rpc.hpp"
#include "chain/evm/sender.hpp"
#include "crypto/abi.hpp"
#include "crypto/eip712.hpp"
#include "devnet/contracts.hpp"
#include "devnet/process.hpp"
#include "x402/keys.hpp"

namespace x402::devnet {

namespace fs = std::filesystem;
namespace json = boost::json;
namespace asio = boost::asio;
using chain::evm::BlockingRpc;
using chain::evm::RpcClient;
using chain::evm::RpcResult;

namespace {

constexpr std::string_view kKeysDir = "keys";

// --- small file helpers ----------------------------------------------------------------------

Result<std::string> read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::not_found, "cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Written to a temporary name and renamed, so readers never see half a file.
Status write_text_atomic(const fs::path& path, const std::string& text, mode_t mode) {
  const fs::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0)
    return make_error(Errc::io_error, "cannot create " + tmp.string() + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return make_error(Errc::io_error, "cannot write " + tmp.string() + ": " + std::strerror(error));
    }
    done += static_cast<std::size_t>(n);
  }
  ::fchmod(fd, mode);
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return make_error(Errc::io_error, "cannot rename " + tmp.string() + ": " + std::strerror(errno));
  return {};
}

std::optional<pid_t> read_pid_file(const fs::path& path) {
  auto text = read_text(path);
  if (!text) return std::nullopt;
  try {
    const long pid = std::stol(*text);
    if (pid > 0) return static_cast<pid_t>(pid);
  } catch (...) {
  }
  return std::nullopt;
}

// A pid from a pid file only counts when it still names an anvil: after a reboot or a long
// time the number may belong to something else, which must never be signalled.
bool is_anvil(pid_t pid) {
  if (!process_alive(pid)) return false;
  const auto args = process_cmdline(pid);
  if (args.empty()) return false;
  return fs::path(args.front()).filename().string().find("anvil") != std::string::npos;
}

std::string tail_of_log(const fs::path& log, std::size_t max_bytes = 2000) {
  auto text = read_text(log);
  if (!text || text->empty()) return {};
  std::string t = text->size() > max_bytes ? text->substr(text->size() - max_bytes) : *text;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
  return t;
}

// --- devnet.json ----------------------------------------------------------------------------

void pretty(std::ostream& out, const json::value& value, int indent) {
  const std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
  const std::string inner(static_cast<std::size_t>(indent + 1) * 2, ' ');
  if (value.is_object() && !value.as_object().empty()) {
    out << "{\n";
    bool first = true;
    for (const auto& [key, member] : value.as_object()) {
      if (!first) out << ",\n";
      first = false;
      out << inner << json::serialize(json::value(key)) << ": ";
      pretty(out, member, indent + 1);
    }
    out << '\n' << pad << '}';
  } else if (value.is_array() && !value.as_array().empty()) {
    out << "[\n";
    bool first = true;
    for (const auto& item : value.as_array()) {
      if (!first) out << ",\n";
      first = false;
      out << inner;
      pretty(out, item, indent + 1);
    }
    out << '\n' << pad << ']';
  } else {
    out << json::serialize(value);
  }
}

json::array string_array(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

// Reading helpers: every member is required, with its JSON type.
struct Reader {
  const json::object& obj;
  std::string error;

  const json::value* get(std::string_view key) {
    const auto* v = obj.if_contains(key);
    if (v == nullptr && error.empty()) error = "devnet.json: missing \"" + std::string(key) + "\"";
    return v;
  }
  void str(std::string_view key, std::string& out) {
    if (const auto* v = get(key)) {
      if (v->is_string())
        out = std::string(v->as_string());
      else if (error.empty())
        error = "devnet.json: \"" + std::string(key) + "\" must be a string";
    }
  }
  template <typename T>
  void num(std::string_view key, T& out) {
    if (const auto* v = get(key)) {
      if (v->is_uint64())
        out = static_cast<T>(v->as_uint64());
      else if (v->is_int64() && v->as_int64() >= 0)
        out = static_cast<T>(v->as_int64());
      else if (error.empty())
        error = "devnet.json: \"" + std::string(key) + "\" must be a non-negative integer";
    }
  }
  void strs(std::string_view key, std::vector<std::string>& out) {
    if (const auto* v = get(key)) {
      if (!v->is_array()) {
        if (error.empty()) error = "devnet.json: \"" + std::string(key) + "\" must be an array";
        return;
      }
      for (const auto& item : v->as_array()) {
        if (!item.is_string()) {
          if (error.empty()) error = "devnet.json: \"" + std::string(key) + "\" must hold strings";
          return;
        }
        out.emplace_back(item.as_string());
      }
    }
  }
};

}  // namespace

std::string info_to_json(const DevnetInfo& info) {
  json::object obj;
  obj["rpc_url"] = info.rpc_url;
  obj["port"] = info.port;
  obj["chain_id"] = info.chain_id;
  obj["network"] = info.network;
  obj["asset"] = info.asset;
  obj["asset_name"] = info.asset_name;
  obj["asset_version"] = info.asset_version;
  obj["asset_decimals"] = info.asset_decimals;
  obj["asset_symbol"] = info.asset_symbol;
  obj["domain_separator"] = info.domain_separator;
  obj["multicall3"] = info.multicall3;
  obj["owner"] = info.owner;
  obj["owner_key_file"] = info.owner_key_file;
  obj["payee"] = info.payee;
  obj["payee_key_file"] = info.payee_key_file;
  obj["buyers"] = string_array(info.buyers);
  obj["buyer_key_files"] = string_array(info.buyer_key_files);
  obj["buyer_token_balance"] = info.buyer_token_balance;
  obj["facilitators"] = string_array(info.facilitators);
  obj["facilitator_key_files"] = string_array(info.facilitator_key_files);
  obj["anvil_pid"] = static_cast<std::int64_t>(info.anvil_pid);
  obj["anvil_log"] = info.anvil_log;
  obj["block_time"] = info.block_time;
  obj["started_at"] = info.started_at;
  std::ostringstream out;
  pretty(out, obj, 0);
  out << '\n';
  return out.str();
}

Result<DevnetInfo> info_from_json(std::string_view text) noexcept {
  try {
    boost::system::error_code ec;
    const json::value parsed = json::parse(text, ec);
    if (ec) return make_error(Errc::invalid_json, "devnet.json: " + ec.message());
    if (!parsed.is_object()) return make_error(Errc::invalid_json, "devnet.json: expected an object");
    Reader r{parsed.as_object(), {}};
    DevnetInfo info;
    r.str("rpc_url", info.rpc_url);
    r.num("port", info.port);
    r.num("chain_id", info.chain_id);
    r.str("network", info.network);
    r.str("asset", info.asset);
    r.str("asset_name", info.asset_name);
    r.str("asset_version", info.asset_version);
    r.num("asset_decimals", info.asset_decimals);
    r.str("asset_symbol", info.asset_symbol);
    r.str("domain_separator", info.domain_separator);
    r.str("multicall3", info.multicall3);
    r.str("owner", info.owner);
    r.str("owner_key_file", info.owner_key_file);
    r.str("payee", info.payee);
    r.str("payee_key_file", info.payee_key_file);
    r.strs("buyers", info.buyers);
    r.strs("buyer_key_files", info.buyer_key_files);
    r.str("buyer_token_balance", info.buyer_token_balance);
    r.strs("facilitators", info.facilitators);
    r.strs("facilitator_key_files", info.facilitator_key_files);
    r.num("anvil_pid", info.anvil_pid);
    r.str("anvil_log", info.anvil_log);
    r.num("block_time", info.block_time);
    r.num("started_at", info.started_at);
    if (!r.error.empty()) return make_error(Errc::invalid_field, r.error);
    if (info.buyers.size() != info.buyer_key_files.size() ||
        info.facilitators.size() != info.facilitator_key_files.size())
      return make_error(Errc::invalid_field, "devnet.json: address and key file lists differ in length");
    return info;
  } catch (const std::exception& e) {
    return make_error(Errc::internal, std::string("devnet.json: ") + e.what());
  }
}

Result<DevnetInfo> load_info(const fs::path& dir) noexcept {
  try {
    auto text = read_text(dir / kInfoFile);
    if (!text) return text.take_error();
    return info_from_json(*text);
  } catch (const std::exception& e) {
    return make_error(Errc::internal, e.what());
  }
}

// ---------------------------------------------------------------------------------------------
// Bringing a chain up

namespace {

struct Accounts {
  PrivateKey owner;
  PrivateKey payee;
  std::vector<PrivateKey> buyers;
  std::vector<PrivateKey> facilitators;
};

std::vector<PrivateKey> generate_keys(unsigned count) {
  std::vector<PrivateKey> keys;
  keys.reserve(count);
  for (unsigned i = 0; i < count; ++i) keys.push_back(PrivateKey::generate());
  return keys;
}

template <typename T>
Result<T> rpc_result(RpcResult<T> r, std::string_view what) {
  if (r) return std::move(*r);
  auto e = r.error().to_error();
  e.message = std::string(what) + ": " + e.message;
  return e;
}

Error with_context(Error e, std::string_view what) {
  e.message = std::string(what) + ": " + e.message;
  return e;
}

// True when `pid` itself holds a socket listening on 127.0.0.1:`port`. A chain that answers on
// the port is not enough: when the port was taken, our anvil exits and the other node answers.
bool listens_on(pid_t pid, std::uint16_t port) {
  std::set<std::string> inodes;  // "socket:[N]" targets of the process's descriptors
  std::error_code ec;
  for (fs::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code link_ec;
    const auto target = fs::read_symlink(it->path(), link_ec).string();
    if (!link_ec && target.rfind("socket:[", 0) == 0) inodes.insert(target.substr(8, target.size() - 9));
  }
  if (inodes.empty()) return false;
  char port_hex[8];
  std::snprintf(port_hex, sizeof port_hex, "%04X", static_cast<unsigned>(port));
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode;
      const auto colon = local.rfind(':');
      if (state == "0A" && colon != std::string::npos && local.substr(colon + 1) == port_hex &&
          inodes.count(inode) != 0)
        return true;
    }
  }
  return false;
}

// Waits until the chain answers eth_chainId, or the process dies, or the deadline passes.
asio::awaitable<Result<std::uint64_t>> wait_for_chain(RpcClient rpc, pid_t pid,
                                                      std::chrono::steady_clock::time_point deadline) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    auto id = co_await rpc.chain_id();
    if (id) co_return *id;
    if (!process_alive(pid)) co_return make_error(Errc::unavailable, "anvil exited during startup");
    if (std::chrono::steady_clock::now() >= deadline)
      co_return make_error(Errc::timeout,
                           "anvil did not answer eth_chainId in time (" + id.error().message + ")");
    timer.expires_after(std::chrono::milliseconds(50));
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

Bytes code_of(const contracts::ContractArtifact& artifact) {
  auto bytes = from_hex(artifact.runtime_code);
  return bytes ? std::move(*bytes) : Bytes{};
}

// Places the contracts, funds the accounts, initialises the token and mints to the buyers, all
// through transactions signed by our own key code; then reads the result back.
asio::awaitable<Result<Bytes32>> configure_chain(RpcClient rpc, const UpOptions& options, Address token,
                                                 Address multicall, const Accounts& accounts) {
  namespace abi = crypto::abi;
  using chain::evm::RawCall;
  namespace requests = chain::evm::requests;

  const auto* token_artifact = contracts::find("X402TestUSDC");
  const auto* multicall_artifact = contracts::find("X402Multicall3");
  if (token_artifact == nullptr || multicall_artifact == nullptr)
    co_return make_error(Errc::internal, "contract artifacts missing from the build");

  // 1. Code and ETH, one round trip.
  std::vector<RawCall> setup;
  auto set_code = [](const Address& where, const Bytes& code) {
    RawCall c{"anvil_setCode", {}};
    c.params.emplace_back(where.hex());
    c.params.emplace_back(to_hex(code));
    return c;
  };
  auto set_balance = [&](const Address& who) {
    RawCall c{"anvil_setBalance", {}};
    c.params.emplace_back(who.hex());
    c.params.emplace_back(to_quantity(options.account_eth));
    return c;
  };
  setup.push_back(set_code(token, code_of(*token_artifact)));
  setup.push_back(set_code(multicall, code_of(*multicall_artifact)));
  setup.push_back(set_balance(accounts.owner.address()));
  setup.push_back(set_balance(accounts.payee.address()));
  for (const auto& key : accounts.buyers) setup.push_back(set_balance(key.address()));
  for (const auto& key : accounts.facilitators) setup.push_back(set_balance(key.address()));
  auto placed = co_await rpc.batch(std::move(setup));
  if (!placed) co_return with_context(placed.error().to_error(), "placing contracts");
  for (auto& r : *placed)
    if (!r) co_return with_context(r.error().to_error(), "placing contracts");

  // 2. initialize + one mint per buyer, signed by the owner with consecutive nonces and sent in
  //    one batch; the fixed gas limits are far above what these calls use.
  auto fees = co_await chain::evm::suggest_fees(rpc);
  if (!fees) co_return with_context(fees.error().to_error(), "fee suggestion");
  std::vector<crypto::SignedTransaction> txs;
  auto owner_tx = [&](std::uint64_t nonce, Bytes data, std::uint64_t gas) {
    crypto::Eip1559Transaction tx;
    tx.chain_id = options.chain_id;
    tx.nonce = nonce;
    tx.max_fee_per_gas = fees->max_fee_per_gas;
    tx.max_priority_fee_per_gas = fees->max_priority_fee_per_gas;
    tx.gas_limit = gas;
    tx.to = token;
    tx.data = std::move(data);
    return crypto::sign(tx, accounts.owner);
  };
  std::uint64_t nonce = 0;
  txs.push_back(owner_tx(nonce++,
                         abi::encode_call("initialize", {abi::Value::string(options.token_name),
                                                         abi::Value::string(options.token_version),
                                                         abi::Value::address(accounts.owner.address())}),
                         600'000));
  for (const auto& buyer : accounts.buyers)
    txs.push_back(owner_tx(nonce++,
                           abi::encode_call("mint", {abi::Value::address(buyer.address()),
                                                     abi::Value::uint256(options.buyer_tokens)}),
                           200'000));
  // One at a time, each confirmed before the next: a burst of consecutive-nonce transactions
  // sometimes never all lands on a busy machine. One that has no receipt in time is sent again.
  const auto per_try = std::max(std::chrono::milliseconds(2000), options.start_timeout / 4);
  for (const auto& tx : txs) {
    std::optional<Error> failure;
    bool confirmed = false;
    for (int attempt = 0; attempt < 3 && !confirmed; ++attempt) {
      Bytes raw = tx.raw;
      auto sent = co_await rpc.send_raw_transaction(std::move(raw));
      // "already known" / "nonce too low" on a re-send mean the first one is in: wait for it.
      if (!sent && attempt == 0) co_return with_context(sent.error().to_error(), "sending setup transaction");
      auto receipt = co_await rpc.wait_for_receipt(tx.hash, per_try);
      if (!receipt) {
        failure = with_context(receipt.error().to_error(), "setup transaction " + tx.hash.hex());
        continue;
      }
      if (!receipt->status)
        co_return make_error(Errc::conflict, "setup transaction " + tx.hash.hex() + " reverted");
      confirmed = true;
    }
    if (!confirmed) co_return *failure;
  }

  // 3. Read back what a facilitator will check.
  auto call_of = [&](std::string_view fn, const std::vector<abi::Value>& args = {}) {
    chain::evm::CallRequest c;
    c.to = token;
    c.data = abi::encode_call(fn, args);
    return requests::call(c);
  };
  std::vector<RawCall> reads{requests::chain_id(), call_of("DOMAIN_SEPARATOR"), call_of("name"),
                             call_of("version"), call_of("decimals")};
  for (const auto& buyer : accounts.buyers)
    reads.push_back(call_of("balanceOf", {abi::Value::address(buyer.address())}));
  reads.push_back(requests::get_code(multicall));
  auto answers = co_await rpc.batch(std::move(reads));
  if (!answers) co_return with_context(answers.error().to_error(), "reading the token back");
  auto& a = *answers;
  for (auto& r : a)
    if (!r) co_return with_context(r.error().to_error(), "reading the token back");

  auto chain_id = chain::evm::decode::quantity_u64(*a[0]);
  if (!chain_id || *chain_id != options.chain_id)
    co_return make_error(Errc::conflict,
                         "anvil reports another chain id than " + std::to_string(options.chain_id));
  auto raw_separator = chain::evm::decode::bytes(*a[1]);
  auto name = raw_separator ? chain::evm::decode::bytes(*a[2]) : raw_separator;
  auto version = name ? chain::evm::decode::bytes(*a[3]) : name;
  if (!version) co_return with_context(version.error().to_error(), "reading the token back");
  auto separator = abi::decode_bytes32(*raw_separator);
  auto name_text = abi::decode_string(*name);
  auto version_text = abi::decode_string(*version);
  if (!separator || !name_text || !version_text || *name_text != options.token_name ||
      *version_text != options.token_version)
    co_return make_error(Errc::conflict,
                         "the token at " + token.checksummed() + " did not initialise as expected");
  const crypto::Eip712Domain domain{options.token_name, options.token_version, options.chain_id, token};
  if (*separator != crypto::domain_separator(domain))
    co_return make_error(Errc::internal, "on-chain EIP-712 domain separator " + separator->hex() +
                                             " differs from the computed one");
  for (std::size_t i = 0; i < accounts.buyers.size(); ++i) {
    auto data = chain::evm::decode::bytes(*a[5 + i]);
    auto balance =
        data ? abi::decode_uint256(*data) : Result<U256>(make_error(Errc::invalid_field, "no data"));
    if (!balance || *balance != options.buyer_tokens)
      co_return make_error(Errc::conflict, "buyer " + accounts.buyers[i].address().checksummed() +
                                               " was not funded with tokens");
  }
  auto multicall_code = chain::evm::decode::bytes(*a.back());
  if (!multicall_code || multicall_code->empty())
    co_return make_error(Errc::conflict, "Multicall3 code missing at " + multicall.checksummed());
  co_return *separator;
}

Status write_keys(const fs::path& dir, const std::string& stem, const std::vector<PrivateKey>& keys,
                  std::vector<std::string>& relative_paths) {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::string rel = std::string(kKeysDir) + "/" + stem + "-" + std::to_string(i) + ".key";
    if (auto s = write_key_file((dir / rel).string(), keys[i]); !s) return s;
    relative_paths.push_back(rel);
  }
  return {};
}

// Files of an earlier devnet in the directory: the key files we named and the description.
void remove_previous_state(const fs::path& dir) {
  std::error_code ec;
  const fs::path keys = dir / kKeysDir;
  if (fs::is_directory(keys, ec)) {
    for (const auto& entry : fs::directory_iterator(keys, ec)) {
      const auto name = entry.path().filename().string();
      const bool ours =
          name.ends_with(".key") && (name.starts_with("buyer-") || name.starts_with("facilitator-") ||
                                     name == "owner.key" || name == "payee.key");
      if (ours) fs::remove(entry.path(), ec);
    }
  }
  fs::remove(dir / kInfoFile, ec);
  fs::remove(dir / kPidFile, ec);
}

std::uint64_t unix_now() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

http::ClientOptions local_http_options() {
  http::ClientOptions o;
  o.connect_timeout = std::chrono::milliseconds(1'000);
  o.request_timeout = std::chrono::milliseconds(10'000);
  return o;
}

// The running devnet of `dir`, if its anvil is alive and answers.
std::optional<DevnetInfo> running_devnet(const fs::path& dir, pid_t pid) {
  auto info = load_info(dir);
  if (!info || info->anvil_pid != pid) return std::nullopt;
  auto rpc = BlockingRpc::connect(info->rpc_url, local_http_options());
  if (!rpc) return std::nullopt;
  auto id = (*rpc)->run([](RpcClient& c) { return c.chain_id(); });
  if (!id || *id != info->chain_id) return std::nullopt;
  return std::move(*info);
}

Result<UpOutcome> up_locked(const UpOptions& options) {
  const fs::path& dir = options.dir;
  // An existing devnet: reuse it if it answers, refuse if its anvil lives but is not usable.
  if (auto pid = read_pid_file(dir / kPidFile); pid && is_anvil(*pid)) {
    if (auto info = running_devnet(dir, *pid)) return UpOutcome{std::move(*info), true};
    return make_error(Errc::conflict, "anvil (pid " + std::to_string(*pid) + ") runs in " + dir.string() +
                                          " but the devnet does not answer; run `x402 devnet down --dir " +
                                          dir.string() + "` first");
  }
  remove_previous_state(dir);

  auto token = Address::parse(options.token_address);
  if (!token) return with_context(token.take_error(), "--token-address");
  auto multicall = Address::parse(kMulticall3Address);
  if (!multicall) return multicall.take_error();
  if (*token == *multicall)
    return make_error(Errc::invalid_argument, "the token cannot live at the Multicall3 address");

  std::error_code ec;
  fs::create_directories(dir / kKeysDir, ec);
  if (ec)
    return make_error(Errc::io_error, "cannot create " + (dir / kKeysDir).string() + ": " + ec.message());
  fs::permissions(dir / kKeysDir, fs::perms::owner_all, ec);

  const auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
  // With a port of our choosing another process may grab it between the probe and anvil's bind:
  // try a few ports before giving up.
  const int attempts = options.port ? 1 : 4;
  pid_t pid = 0;
  std::uint16_t port = 0;
  std::string rpc_url;
  std::unique_ptr<BlockingRpc> rpc;
  Error last_error = make_error(Errc::unavailable, "anvil did not start");
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (options.port) {
      port = *options.port;
    } else {
      auto free = pick_free_port();
      if (!free) return free.take_error();
      port = *free;
    }
    SpawnOptions spawn;
    spawn.program = options.anvil_path;
    spawn.args = {"--host",     "127.0.0.1",
                  "--port",     std::to_string(port),
                  "--chain-id", std::to_string(options.chain_id)};
    if (options.block_time > 0) {
      spawn.args.insert(spawn.args.end(),
                        {"--block-time", std::to_string(options.block_time), "--mixed-mining"});
    }
    if (options.anvil_quiet) spawn.args.emplace_back("--quiet");
    spawn.log_file = dir / kLogFile;
    spawn.working_dir = dir;
    spawn.ttl = options.ttl;
    spawn.watch_pid = options.watch_pid;
    auto spawned = spawn_detached(spawn);
    if (!spawned) return spawned.take_error();
    pid = *spawned;
    if (auto s = write_text_atomic(dir / kPidFile, std::to_string(pid) + "\n", 0644); !s) {
      (void)stop_process(pid);
      return s.take_error();
    }
    rpc_url = "http://127.0.0.1:" + std::to_string(port);
    auto connected = BlockingRpc::connect(rpc_url, local_http_options());
    if (!connected) {
      (void)stop_process(pid);
      return connected.take_error();
    }
    rpc = std::move(*connected);
    auto answered = rpc->run([pid, deadline](RpcClient& c) { return wait_for_chain(c, pid, deadline); });
    if (answered && !listens_on(pid, port)) {
      // Another node answered on this port (ours could not bind it): never set up someone else's
      // chain. A chosen port is an error; a picked one is retried.
      (void)stop_process(pid);
      fs::remove(dir / kPidFile, ec);
      pid = 0;
      last_error =
          make_error(Errc::conflict, "port " + std::to_string(port) + " is in use by another process");
      if (options.port) break;
      continue;
    }
    if (answered) {
      if (*answered != options.chain_id) {
        (void)stop_process(pid);
        fs::remove(dir / kPidFile, ec);
        return make_error(Errc::conflict, "the node on port " + std::to_string(port) + " reports chain id " +
                                              std::to_string(*answered));
      }
      last_error = Error{};
      break;
    }
    last_error = answered.take_error();
    (void)stop_process(pid);
    fs::remove(dir / kPidFile, ec);
    pid = 0;
    if (last_error.code == Errc::timeout) break;
  }
  if (pid == 0) {
    const auto log = tail_of_log(dir / kLogFile);
    return make_error(last_error.code,
                      last_error.message + (log.empty() ? "" : "; anvil.log ends with:\n" + log));
  }

  auto fail = [&](Error e) -> Result<UpOutcome> {
    (void)stop_process(pid);
    fs::remove(dir / kPidFile, ec);
    return e;
  };

  Accounts accounts{PrivateKey::generate(), PrivateKey::generate(), generate_keys(options.buyers),
                    generate_keys(options.facilitators)};
  DevnetInfo info;
  info.owner_key_file = std::string(kKeysDir) + "/owner.key";
  info.payee_key_file = std::string(kKeysDir) + "/payee.key";
  if (auto s = write_key_file((dir / info.owner_key_file).string(), accounts.owner); !s)
    return fail(s.take_error());
  if (auto s = write_key_file((dir / info.payee_key_file).string(), accounts.payee); !s)
    return fail(s.take_error());
  if (auto s = write_keys(dir, "buyer", accounts.buyers, info.buyer_key_files); !s)
    return fail(s.take_error());
  if (auto s = write_keys(dir, "facilitator", accounts.facilitators, info.facilitator_key_files); !s)
    return fail(s.take_error());

  auto configured =
      rpc->run([&](RpcClient& c) { return configure_chain(c, options, *token, *multicall, accounts); });
  if (!configured) return fail(configured.take_error());

  info.rpc_url = rpc_url;
  info.port = port;
  info.chain_id = options.chain_id;
  info.network = "eip155:" + std::to_string(options.chain_id);
  info.asset = token->checksummed();
  info.asset_name = options.token_name;
  info.asset_version = options.token_version;
  info.asset_decimals = 6;
  info.asset_symbol = options.token_name;
  info.domain_separator = configured->hex();
  info.multicall3 = multicall->checksummed();
  info.owner = accounts.owner.address().checksummed();
  info.payee = accounts.payee.address().checksummed();
  for (const auto& k : accounts.buyers) info.buyers.push_back(k.address().checksummed());
  for (const auto& k : accounts.facilitators) info.facilitators.push_back(k.address().checksummed());
  info.buyer_token_balance = to_decimal(options.buyer_tokens);
  info.anvil_pid = pid;
  info.anvil_log = std::string(kLogFile);
  info.block_time = options.block_time;
  info.started_at = unix_now();
  if (auto s = write_text_atomic(dir / kInfoFile, info_to_json(info), 0644); !s) return fail(s.take_error());
  return UpOutcome{std::move(info), false};
}

// A name without '/' is looked up in PATH, like a shell does; a path must be executable.
Result<std::string> find_executable(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) != 0)
      return make_error(Errc::not_found, "anvil is not executable at " + name);
    return fs::absolute(name).string();
  }
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "";
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    const std::string_view entry = dirs.substr(0, colon);
    dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
    if (entry.empty()) continue;
    const fs::path candidate = fs::path(entry) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return fs::absolute(candidate).string();
  }
  return make_error(Errc::not_found, "anvil executable " + name + " not found in PATH");
}

}  // namespace

Result<UpOutcome> up(const UpOptions& requested) noexcept {
  try {
    if (requested.dir.empty()) return make_error(Errc::invalid_argument, "no devnet directory given");
    if (requested.anvil_path.empty()) return make_error(Errc::invalid_argument, "no anvil executable given");
    // Absolute paths: anvil runs with the devnet directory as its working directory.
    UpOptions options = requested;
    options.dir = fs::absolute(requested.dir);
    auto anvil = find_executable(requested.anvil_path);
    if (!anvil) return anvil.take_error();
    options.anvil_path = *anvil;
    if (options.chain_id == 0) return make_error(Errc::invalid_argument, "the chain id must be positive");
    if (options.buyers > 100 || options.facilitators > 100)
      return make_error(Errc::invalid_argument, "at most 100 buyers and 100 facilitators");
    std::error_code ec;
    fs::create_directories(options.dir, ec);
    if (ec) return make_error(Errc::io_error, "cannot create " + options.dir.string() + ": " + ec.message());
    auto lock = FileLock::acquire(options.dir / kLockFile, options.start_timeout);
    if (!lock) return lock.take_error();
    return up_locked(options);
  } catch (const std::exception& e) {
    return make_error(Errc::internal, std::string("devnet up: ") + e.what());
  }
}

Status down(const fs::path& dir, bool* was_running, std::chrono::milliseconds grace) noexcept {
  try {
    if (was_running != nullptr) *was_running = false;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return make_error(Errc::not_found, "no devnet directory " + dir.string());
    auto lock = FileLock::acquire(dir / kLockFile);
    if (!lock) return lock.take_error();
    const auto pid = read_pid_file(dir / kPidFile);
    if (pid && is_anvil(*pid)) {
      if (was_running != nullptr) *was_running = true;
      if (auto s = stop_process(*pid, grace); !s) return s;
    }
    fs::remove(dir / kPidFile, ec);
    return {};
  } catch (const std::exception& e) {
    return make_error(Errc::internal, std::string("devnet down: ") + e.what());
  }
}

Result<DevnetStatus> status(const fs::path& dir) noexcept {
  try {
    DevnetStatus out;
    if (auto info = load_info(dir)) out.info = std::move(*info);
    const auto pid = read_pid_file(dir / kPidFile);
    if (!pid || !is_anvil(*pid)) return out;
    out.running = true;
    out.pid = *pid;
    if (out.info) {
      if (auto rpc = BlockingRpc::connect(out.info->rpc_url, local_http_options())) {
        auto number = (*rpc)->run([](RpcClient& c) { return c.block_number(); });
        if (number) {
          out.answering = true;
          out.block_number = *number;
        }
      }
    }
    return out;
  } catch (const std::exception& e) {
    return make_error(Errc::internal, std::string("devnet status: ") + e.what());
  }
}

}  // namespace x402::devnet
