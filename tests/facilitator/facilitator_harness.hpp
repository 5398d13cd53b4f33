// Helpers for the facilitator acceptance tests: long-running child processes (our facilitator, the
// reference seller) stopped by RAII, the facilitator's HTTP API, payments signed with our own
// crypto (so any field can be crafted), chain reads (balances, receipts, signer nonces, mining
// control) and the settlement ledger as the facilitator left it.
//
// Everything is loopback, every wait is bounded, every process started here is SIGKILLed by its
// guard's destructor (and by PR_SET_PDEATHSIG should the test process die first).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "chain/evm/blocking.hpp"
#include "chain/evm/sender.hpp"
#include "crypto/abi.hpp"
#include "crypto/eip712.hpp"
#include "crypto/keccak.hpp"
#include "http/client.hpp"
#include "schemes/exact/evm/client.hpp"
#include "store/ledger.hpp"
#include "support/devnet_fixture.hpp"
#include "support/test_support.hpp"
#include "x402/codec.hpp"
#include "x402/keys.hpp"
#include "x402/reasons.hpp"
#include "x402/types.hpp"

extern char** environ;

namespace x402::test::fac {

namespace json = boost::json;
namespace abi = crypto::abi;
using chain::evm::RpcClient;
using namespace std::chrono_literals;

inline std::uint64_t unix_now() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

inline std::string tail(const std::string& text, std::size_t max = 4000) {
  return text.size() <= max ? text : "..." + text.substr(text.size() - max);
}

// ---------------------------------------------------------------------------------------------
// Child processes

// A program running in the background; stdout and stderr go to files (so a chatty child never
// blocks on a full pipe). The destructor SIGKILLs it if it still runs.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::filesystem::path& log_base,
        const std::map<std::string, std::string>& env = {})
      : out_path_(log_base.string() + ".out"), err_path_(log_base.string() + ".err"), name_(argv.at(0)) {
    // Everything the child needs is built before fork (only async-signal-safe calls after it).
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string entry(*e);
      const auto eq = entry.find('=');
      if (eq != std::string::npos && env.count(entry.substr(0, eq)) != 0) continue;
      env_strings.push_back(std::move(entry));
    }
    for (const auto& [key, value] : env) env_strings.push_back(key + "=" + value);
    std::vector<char*> envp;
    for (auto& entry : env_strings) envp.push_back(entry.data());
    envp.push_back(nullptr);
    std::vector<std::string> args = argv;
    std::vector<char*> argp;
    for (auto& arg : args) argp.push_back(arg.data());
    argp.push_back(nullptr);
    const std::string out = out_path_.string(), err = err_path_.string();
    const pid_t parent = ::getpid();

    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(126);
      const int in_fd = ::open("/dev/null", O_RDONLY);
      const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (in_fd < 0 || out_fd < 0 || err_fd < 0) ::_exit(125);
      ::dup2(in_fd, 0);
      ::dup2(out_fd, 1);
      ::dup2(err_fd, 2);
      for (int fd = 3; fd < 1024; ++fd) ::close(fd);
      ::execve(argp[0], argp.data(), envp.data());
      ::_exit(127);
    }
  }
  ~Child() { kill9(); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }

  bool running() {
    if (reaped_) return false;
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      status_ = status;
      return false;
    }
    return r == 0;
  }

  // The first stdout line starting with `prefix`; throws when the child exits or time runs out.
  std::string wait_for_line(std::string_view prefix, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      std::istringstream lines(read_file(out_path_));
      for (std::string line; std::getline(lines, line);)
        if (line.rfind(prefix, 0) == 0) return line;
      if (!running())
        throw std::runtime_error(name_ + " exited before printing \"" + std::string(prefix) +
                                 "\": " + logs());
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error(name_ + " did not print \"" + std::string(prefix) + "\" in time: " + logs());
      std::this_thread::sleep_for(20ms);
    }
  }

  // SIGKILL (no cleanup at all in the child), then reap.
  void kill9() {
    if (reaped_ || pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    status_ = status;
  }

  // SIGTERM; SIGKILL after `grace`. Returns the exit code (-1 when it had to be killed).
  int terminate(std::chrono::milliseconds grace = 10s) {
    if (!reaped_ && pid_ > 0) {
      ::kill(pid_, SIGTERM);
      const auto deadline = std::chrono::steady_clock::now() + grace;
      while (running() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
      if (!reaped_) {
        kill9();
        return -1;
      }
    }
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  }

  [[nodiscard]] std::string logs() const {
    return "\n--- " + name_ + " stdout ---\n" + tail(read_file(out_path_)) + "\n--- stderr ---\n" +
           tail(read_file(err_path_));
  }

 private:
  std::filesystem::path out_path_, err_path_;
  std::string name_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Our facilitator as a process

struct HttpAnswer {
  unsigned status = 0;
  std::string body;
  json::value json;  // null when the body is not JSON
  std::string www_authenticate;
};

class FacilitatorProcess {
 public:
  // `x402 facilitator <args> --listen 127.0.0.1:0`; waits for the ready line.
  FacilitatorProcess(std::vector<std::string> args, const std::filesystem::path& log_base,
                     const std::map<std::string, std::string>& env = {}) {
    std::vector<std::string> argv{X402_CLI, "facilitator"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--listen", "127.0.0.1:0", "--threads", "2"});
    child_ = std::make_unique<Child>(argv, log_base, env);
    const std::string line = child_->wait_for_line("Facilitator listening on http://", 30s);
    url_ = line.substr(std::string_view("Facilitator listening on ").size());
    while (!url_.empty() && (url_.back() == '\r' || url_.back() == ' ')) url_.pop_back();
    http::ClientOptions options;
    options.connect_timeout = 5s;
    options.request_timeout = 90s;
    client_ = std::make_unique<http::BlockingClient>(options);
  }

  [[nodiscard]] const std::string& url() const noexcept { return url_; }
  Child& child() { return *child_; }
  [[nodiscard]] std::string logs() const { return child_->logs(); }

  HttpAnswer post(const std::string& path, std::string body, http::Headers headers = {}) {
    auto url = http::parse_url(url_ + path);
    if (!url) throw std::runtime_error("bad url");
    return answer(client_->post_json(*url, std::move(body), std::move(headers)));
  }
  HttpAnswer get(const std::string& path, http::Headers headers = {}) {
    auto url = http::parse_url(url_ + path);
    if (!url) throw std::runtime_error("bad url");
    return answer(client_->get(*url, std::move(headers)));
  }

  void kill9() { child_->kill9(); }
  int terminate() { return child_->terminate(); }

 private:
  static HttpAnswer answer(Result<http::Response> response) {
    if (!response) throw std::runtime_error("HTTP exchange failed: " + response.error().describe());
    HttpAnswer out;
    out.status = response->result_int();
    out.body = response->body();
    out.www_authenticate = std::string((*response)[boost::beast::http::field::www_authenticate]);
    boost::system::error_code ec;
    out.json = json::parse(out.body, ec);
    if (ec) out.json = nullptr;
    return out;
  }

  std::unique_ptr<Child> child_;
  std::string url_;
  std::unique_ptr<http::BlockingClient> client_;
};

// ---------------------------------------------------------------------------------------------
// TOML configurations

struct ConfigSpec {
  std::string ledger;                             // "sqlite:PATH" or "postgres:CONNINFO"
  std::vector<std::filesystem::path> key_files;   // default: all of the devnet's facilitator keys
  std::vector<std::string> extra_allowed_assets;  // besides the devnet token
  std::optional<std::uint64_t> receipt_timeout_ms;
  std::optional<std::string> auth_token_env;  // auth_token = "${NAME}"
};

inline std::string toml_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

inline std::filesystem::path write_config(Devnet& chain, const std::filesystem::path& path,
                                          const ConfigSpec& spec) {
  const auto& info = chain.info();
  std::ostringstream toml;
  toml << "listen = \"127.0.0.1:0\"\n";
  toml << "ledger = " << toml_string(spec.ledger) << "\n";
  toml << "reconcile_interval_ms = 500\n";
  if (spec.auth_token_env) toml << "auth_token = " << toml_string("${" + *spec.auth_token_env + "}") << "\n";
  toml << "\n[[networks]]\n";
  toml << "network = " << toml_string(info.network) << "\n";
  toml << "rpc_url = " << toml_string(info.rpc_url) << "\n";
  toml << "chain_id = " << info.chain_id << "\n";
  toml << "signer_key_files = [";
  std::vector<std::filesystem::path> keys = spec.key_files;
  if (keys.empty())
    for (const auto& file : info.facilitator_key_files) keys.push_back(chain.key_path(file));
  for (std::size_t i = 0; i < keys.size(); ++i) toml << (i ? ", " : "") << toml_string(keys[i].string());
  toml << "]\n";
  toml << "allowed_assets = [" << toml_string(info.asset);
  for (const auto& asset : spec.extra_allowed_assets) toml << ", " << toml_string(asset);
  toml << "]\n";
  if (spec.receipt_timeout_ms) toml << "receipt_timeout_ms = " << *spec.receipt_timeout_ms << "\n";
  toml << "\n[[networks.assets]]\n";
  toml << "address = " << toml_string(info.asset) << "\n";
  toml << "name = " << toml_string(info.asset_name) << "\n";
  toml << "version = " << toml_string(info.asset_version) << "\n";
  toml << "decimals = " << info.asset_decimals << "\n";
  std::ofstream out(path, std::ios::trunc);
  out << toml.str();
  out.close();
  std::filesystem::permissions(path,
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return path;
}

// ---------------------------------------------------------------------------------------------
// Payments

inline const char* kV1Network = "base-sepolia";  // the devnet's chain (84532) by its v1 name

inline json::object domain_extra(const std::string& name, const std::string& version) {
  json::object extra;
  extra["name"] = name;
  extra["version"] = version;
  return extra;
}

// One payment as a seller asks for it and a buyer signs it; every part can be bent by a test.
struct Deal {
  PaymentRequirements requirements;   // paymentRequirements (v2)
  PaymentRequirements accepted;       // paymentPayload.accepted (v2)
  exact_evm::SigningRequest signing;  // EIP-712 domain + the authorization that gets signed
  std::shared_ptr<const PrivateKey> signer;
  // Replaces the signature after signing (garbage, ERC-6492 wrapper, ...).
  std::optional<Bytes> signature;
  // Edits the authorization after signing (the signature then no longer matches).
  std::function<void(exact_evm::Authorization&)> edit_after_signing;

  [[nodiscard]] exact_evm::Eip3009Payload payload() const {
    auto signed_payload = exact_evm::sign_authorization(*signer, signing);
    if (signature) signed_payload.signature = *signature;
    if (edit_after_signing) edit_after_signing(signed_payload.authorization);
    return signed_payload;
  }
  [[nodiscard]] JsonObject payload_json() const { return exact_evm::to_json(payload()); }

  [[nodiscard]] PaymentRequestV2 request_v2() const {
    PaymentRequestV2 out;
    out.payload.payload = payload_json();
    out.payload.resource = ResourceInfo{"http://127.0.0.1:1/weather", "Weather", "application/json"};
    out.payload.accepted = accepted;
    out.requirements = requirements;
    return out;
  }
  [[nodiscard]] std::string v2_body() const { return serialize(FacilitatorRequest(request_v2())); }

  [[nodiscard]] PaymentRequestV1 request_v1() const {
    PaymentRequestV1 out;
    out.payload.scheme = "exact";
    out.payload.network = kV1Network;
    out.payload.payload = payload_json();
    auto& r = out.requirements;
    r.scheme = requirements.scheme;
    r.network = kV1Network;
    r.max_amount_required = requirements.amount;
    r.resource = "http://127.0.0.1:1/weather";
    r.description = "Weather";
    r.mime_type = "application/json";
    r.pay_to = requirements.pay_to;
    r.max_timeout_seconds = 60;
    r.asset = requirements.asset;
    r.extra = requirements.extra;
    return out;
  }
  [[nodiscard]] std::string v1_body() const { return serialize(FacilitatorRequest(request_v1())); }

  [[nodiscard]] store::PaymentKey ledger_key(const std::string& network) const {
    return {network, signing.asset.hex(), signing.authorization.from.hex(),
            signing.authorization.nonce.hex()};
  }
};

// A payment of `amount` from `buyer` to the devnet payee that every rule accepts.
inline Deal make_deal(Devnet& chain, const PrivateKey& buyer, const U256& amount) {
  const auto& info = chain.info();
  Deal deal;
  deal.requirements.scheme = "exact";
  deal.requirements.network = info.network;
  deal.requirements.amount = amount;
  deal.requirements.asset = info.asset;
  deal.requirements.pay_to = chain.payee().checksummed();
  deal.requirements.max_timeout_seconds = 300;
  deal.requirements.extra = domain_extra(info.asset_name, info.asset_version);
  deal.accepted = deal.requirements;
  deal.signer = std::make_shared<const PrivateKey>(buyer);
  deal.signing.chain_id = info.chain_id;
  deal.signing.asset = chain.asset();
  deal.signing.name = info.asset_name;
  deal.signing.version = info.asset_version;
  auto& a = deal.signing.authorization;
  a.from = buyer.address();
  a.to = chain.payee();
  a.value = amount;
  a.valid_after = 0;
  a.valid_before = U256(unix_now() + 300);
  a.nonce = exact_evm::random_nonce();
  return deal;
}

// Sets both the requirements' and the signed domain's name/version (a consistent but wrong domain).
inline void claim_domain(Deal& deal, const std::string& name, const std::string& version) {
  deal.requirements.extra = domain_extra(name, version);
  deal.accepted.extra = deal.requirements.extra;
  deal.signing.name = name;
  deal.signing.version = version;
}

// abi.encode(factory, factoryCalldata, innerSignature) || 0x6492...6492
inline Bytes erc6492_wrap(const Address& factory, const Bytes& calldata, const Bytes& inner) {
  Bytes out =
      abi::encode({abi::Value::address(factory), abi::Value::bytes(calldata), abi::Value::bytes(inner)});
  for (int i = 0; i < 32; ++i) out.push_back(i % 2 == 0 ? 0x64 : 0x92);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Answers

inline std::string str_at(const json::value& v, std::string_view key) {
  if (!v.is_object()) return "<not an object>";
  const auto* member = v.as_object().if_contains(key);
  if (member == nullptr) return "<absent>";
  if (!member->is_string()) return "<" + json::serialize(*member) + ">";
  return std::string(member->as_string());
}

inline std::optional<bool> bool_at(const json::value& v, std::string_view key) {
  if (!v.is_object()) return std::nullopt;
  const auto* member = v.as_object().if_contains(key);
  if (member == nullptr || !member->is_bool()) return std::nullopt;
  return member->as_bool();
}

// ---------------------------------------------------------------------------------------------
// Chain

inline const Bytes32& transfer_topic() {
  static const Bytes32 topic = crypto::keccak256(std::string_view("Transfer(address,address,uint256)"));
  return topic;
}

inline Bytes32 address_topic(const Address& a) {
  Bytes32 t;
  std::copy(a.bytes.begin(), a.bytes.end(), t.bytes.begin() + 12);
  return t;
}

inline std::optional<chain::evm::Receipt> receipt_of(Devnet& chain, const std::string& tx_hash) {
  auto hash = Bytes32::from_hex(tx_hash);
  if (!hash) return std::nullopt;
  auto receipt = chain.rpc().run([&](RpcClient& rpc) { return rpc.get_transaction_receipt(*hash); });
  if (!receipt || !receipt->has_value()) return std::nullopt;
  return **receipt;
}

// Transfer(from, to, value) logs of the token in a receipt.
inline std::size_t transfer_logs(const chain::evm::Receipt& receipt, const Address& token,
                                 const Address& from, const Address& to, const U256& value) {
  std::size_t n = 0;
  for (const auto& log : receipt.logs)
    if (log.address == token && log.topics.size() == 3 && log.topics[0] == transfer_topic() &&
        log.topics[1] == address_topic(from) && log.topics[2] == address_topic(to) &&
        from_be_bytes(log.data) == value)
      ++n;
  return n;
}

// Sum of the facilitator accounts' transaction counts (`pending` includes the pool).
inline std::uint64_t signer_nonces(Devnet& chain,
                                   const chain::evm::BlockRef& block = chain::evm::BlockRef::latest()) {
  std::uint64_t total = 0;
  for (const auto& key : chain.facilitator_keys()) {
    auto count =
        chain.rpc().run([&](RpcClient& rpc) { return rpc.get_transaction_count(key.address(), block); });
    if (!count) throw std::runtime_error("eth_getTransactionCount: " + count.error().describe());
    total += *count;
  }
  return total;
}

inline std::uint64_t block_number(Devnet& chain) {
  auto n = chain.rpc().run([](RpcClient& rpc) { return rpc.block_number(); });
  if (!n) throw std::runtime_error("eth_blockNumber: " + n.error().describe());
  return *n;
}

// The devnet mines instantly and every `block_time` seconds (anvil --mixed-mining). Observed on
// anvil 1.7: anvil_setAutomine(false) alone leaves the interval miner running;
// evm_setIntervalMining(0) stops all mining. anvil_setAutomine(true) restores instant mining.
inline void stop_mining(Devnet& chain) {
  auto a = chain.rpc().run([](RpcClient& rpc) { return rpc.anvil_set_automine(false); });
  auto b = chain.rpc().run([](RpcClient& rpc) { return rpc.evm_set_interval_mining(0); });
  if (!a || !b) throw std::runtime_error("could not stop mining");
}
inline void resume_mining(Devnet& chain) {
  auto a = chain.rpc().run([](RpcClient& rpc) { return rpc.anvil_set_automine(true); });
  if (!a) throw std::runtime_error("could not resume mining: " + a.error().describe());
}
inline void mine_block(Devnet& chain) {
  auto a = chain.rpc().run([](RpcClient& rpc) { return rpc.evm_mine(); });
  if (!a) throw std::runtime_error("evm_mine: " + a.error().describe());
}

// Mining stays off while this lives (restored also when an assertion fails).
class MiningPaused {
 public:
  explicit MiningPaused(Devnet& chain) : chain_(chain) { stop_mining(chain_); }
  ~MiningPaused() {
    try {
      resume_mining(chain_);
    } catch (...) {
    }
  }
  MiningPaused(const MiningPaused&) = delete;
  MiningPaused& operator=(const MiningPaused&) = delete;

 private:
  Devnet& chain_;
};

// Kills the facilitator (so a request blocked on it returns) and joins the request's thread,
// whatever way the test leaves the scope; set `process` to null once the thread ended by itself.
struct KillThenJoin {
  FacilitatorProcess* process;
  std::thread* thread;
  ~KillThenJoin() {
    if (process != nullptr) process->kill9();
    if (thread->joinable()) thread->join();
  }
};

// True once the node knows the transaction (mined or in its pool).
inline bool node_knows(Devnet& chain, const std::string& tx_hash) {
  auto answer = chain.rpc().run([&](RpcClient& rpc) {
    boost::json::array params;
    params.emplace_back(tx_hash);
    return rpc.request("eth_getTransactionByHash", std::move(params));
  });
  return answer && !answer->is_null();
}

// Deploys an embedded contract (contracts/, by name) with `constructor_args` (ABI-encoded) from
// the devnet owner key; returns its address.
inline Address deploy_contract(Devnet& chain, std::string_view name, const Bytes& constructor_args = {});
// Deploys X402TestSmartWallet(owner) with the devnet owner key; returns its address.
inline Address deploy_smart_wallet(Devnet& chain, const Address& wallet_owner);
// Sends `data` to `to` from the devnet owner key; throws unless it is mined with status 1.
inline void owner_call(Devnet& chain, const Address& to, Bytes data);
// balanceOf(account) of any ERC-20 on the devnet.
inline U256 balance_of(Devnet& chain, const Address& token, const Address& account);

// ---------------------------------------------------------------------------------------------
// Ledger

inline std::unique_ptr<store::Ledger> open_ledger(const std::string& spec) {
  Result<std::unique_ptr<store::Ledger>> ledger = make_error(Errc::invalid_argument, "ledger spec");
  if (spec.rfind("sqlite:", 0) == 0)
    ledger = store::open_sqlite_ledger(spec.substr(7));
  else if (spec.rfind("postgres:", 0) == 0)
    ledger = store::open_postgres_ledger(spec.substr(9));
  if (!ledger) throw std::runtime_error("open ledger: " + ledger.error().describe());
  return std::move(*ledger);
}

inline std::optional<store::SettlementRecord> ledger_record(const std::string& spec,
                                                            const store::PaymentKey& key) {
  auto ledger = open_ledger(spec);
  auto found = ledger->find(key);
  if (!found) throw std::runtime_error("ledger find: " + found.error().describe());
  return *found;
}

// ---------------------------------------------------------------------------------------------
// Metrics

// The value of one /metrics sample, e.g. `x402_rpc_requests_total{network="eip155:84532",
// method="eth_sendRawTransaction"}`; 0 when absent (a counter not yet incremented).
inline double metric(const std::string& text, const std::string& sample) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.size() > sample.size() && line.compare(0, sample.size(), sample) == 0 &&
        line[sample.size()] == ' ')
      return std::stod(line.substr(sample.size() + 1));
  return 0;
}

// JSON-RPC calls of one method the facilitator made on `network` (its /metrics counter).
inline double rpc_calls(const std::string& metrics_text, const std::string& network,
                        const std::string& method) {
  return metric(metrics_text,
                "x402_rpc_requests_total{network=\"" + network + "\",method=\"" + method + "\"}");
}

// Polls until `condition` holds or `timeout` passes.
template <typename F>
bool eventually(F condition, std::chrono::milliseconds timeout, std::chrono::milliseconds poll = 20ms) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(poll);
  }
}

}  // namespace x402::test::fac

#include "devnet/contracts.hpp"

namespace x402::test::fac {

inline Address deploy_contract(Devnet& chain, std::string_view name, const Bytes& constructor_args) {
  const auto* artifact = contracts::find(name);
  if (artifact == nullptr) throw std::runtime_error(std::string(name) + " is not embedded");
  auto code = from_hex(artifact->creation_code);
  if (!code) throw std::runtime_error("bad creation code");
  chain::evm::TxRequest tx;
  tx.data = std::move(*code);
  tx.data.insert(tx.data.end(), constructor_args.begin(), constructor_args.end());
  tx.gas_limit = 5'000'000;
  auto receipt = chain.rpc().run([&](RpcClient& rpc) {
    return chain::evm::send_and_wait(rpc, chain.owner_key(), chain.chain_id(), tx, std::chrono::seconds(20));
  });
  if (!receipt || !receipt->status || !receipt->contract_address)
    throw std::runtime_error(std::string(name) + " deployment failed");
  return *receipt->contract_address;
}

inline Address deploy_smart_wallet(Devnet& chain, const Address& wallet_owner) {
  return deploy_contract(chain, "X402TestSmartWallet", abi::encode({abi::Value::address(wallet_owner)}));
}

inline void owner_call(Devnet& chain, const Address& to, Bytes data) {
  chain::evm::TxRequest tx;
  tx.to = to;
  tx.data = std::move(data);
  tx.gas_limit = 1'000'000;
  auto receipt = chain.rpc().run([&](RpcClient& rpc) {
    return chain::evm::send_and_wait(rpc, chain.owner_key(), chain.chain_id(), tx, std::chrono::seconds(20));
  });
  if (!receipt || !receipt->status)
    throw std::runtime_error("owner transaction to " + to.checksummed() + " failed");
}

inline U256 balance_of(Devnet& chain, const Address& token, const Address& account) {
  chain::evm::CallRequest call;
  call.to = token;
  call.data = abi::encode_call("balanceOf", {abi::Value::address(account)});
  auto data = chain.rpc().run([&](RpcClient& rpc) { return rpc.call(call); });
  if (!data) throw std::runtime_error("balanceOf: " + data.error().describe());
  auto balance = abi::decode_uint256(*data);
  if (!balance) throw std::runtime_error("balanceOf: " + balance.error().describe());
  return *balance;
}

}  // namespace x402::test::fac

namespace x402::test::fac {

// One devnet per test suite. CTest runs every test in its own process, so there each test gets
// a fresh chain; run directly, the binary shares one chain across a suite's tests (which use
// fresh payers and nonces, so they do not depend on each other).
class ChainSuite : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    start_error_.clear();
    try {
      chain_ = std::make_unique<Devnet>();
    } catch (const std::exception& e) {
      start_error_ = e.what();
    }
  }
  static void TearDownTestSuite() { chain_.reset(); }

 protected:
  void SetUp() override {
    if (!chain_) FAIL() << "the devnet did not start: " << start_error_;
  }
  static Devnet& chain() { return *chain_; }

  // A fresh buyer holding `amount` tokens (and no ETH: the facilitator pays the gas).
  static PrivateKey funded_buyer(const U256& amount) {
    auto key = PrivateKey::generate();
    chain_->mint(key.address(), amount);
    return key;
  }

  static std::string sqlite(const std::string& file) { return "sqlite:" + (chain_->dir() / file).string(); }

  // A facilitator from a TOML file written into the devnet directory.
  static std::unique_ptr<FacilitatorProcess> start_with_config(
      const std::string& name, const ConfigSpec& spec, const std::map<std::string, std::string>& env = {}) {
    const auto path = write_config(*chain_, chain_->dir() / (name + ".toml"), spec);
    return std::make_unique<FacilitatorProcess>(std::vector<std::string>{"--config", path.string()},
                                                chain_->dir() / name, env);
  }
  // `x402 facilitator --devnet D` (ledger D/ledger.sqlite, both facilitator keys).
  static std::unique_ptr<FacilitatorProcess> start_with_devnet(const std::string& name) {
    return std::make_unique<FacilitatorProcess>(std::vector<std::string>{"--devnet", chain_->dir().string()},
                                                chain_->dir() / name);
  }

  static inline std::unique_ptr<Devnet> chain_;
  static inline std::string start_error_;
};

}  // namespace x402::test::fac
