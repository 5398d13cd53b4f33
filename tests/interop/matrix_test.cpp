// The conformance matrix (issue #6): every client x seller x facilitator combination, each role
// either ours (C++) or the reference TypeScript SDK (tests/interop/peers), pays a real request on a
// devnet. Each case checks the HTTP status, the body, the decoded receipt (PAYMENT-RESPONSE for v2,
// X-PAYMENT-RESPONSE for v1) and the transfer on chain (balances over RPC, the transaction's receipt
// and its Transfer log, and that the intended facilitator's signer sent it).
//
// Roles:
//   client       ours       `x402 pay`
//                reference  peers/client.mjs     (@x402/fetch 2.27; answers v1 sellers with X-PAYMENT)
//                legacy     peers/client-v1.mjs  (x402-fetch 1.2.0; v1 only)
//   seller       gateway    `x402 gateway` in front of example-upstream-api
//                beast      example-beast-seller (our seller core on Boost.Beast)
//                reference  peers/seller.mjs     (@x402/express 2.27; v2 only)
//                legacy     peers/seller-v1.mjs  (x402-express 1.2.0; v1 only)
//   facilitator  ours       `x402 facilitator`
//                reference  peers/facilitator.mjs (x402Facilitator 2.27, ExactEvmScheme + ExactEvmSchemeV1)
//
// v2: {ours, reference} x {gateway, beast, reference} x {ours, reference} = 12 cases.
// v1: the combinations the packages allow = 10 cases:
//   legacy x {gateway, beast, legacy} x {ours, reference}   our sellers answer a v1 client's X-PAYMENT
//   ours x legacy x {ours, reference}                       `x402 pay` answers a v1-only 402 with X-PAYMENT
//   reference x legacy x {ours, reference}                  the 2.27 client's v1 path
// Left out, because no such exchange can happen with these programs:
//   - ours or reference client x {gateway, beast} over v1: our sellers always send PAYMENT-REQUIRED
//     (and the v1 JSON body); both clients read the header first and pay v2. `x402 pay` has no
//     option to force v1 (src/cli/pay_command.cpp, src/client/client.cpp), and 2.27 has none either.
//     Those exchanges are the v2 cases above.
//   - legacy client x reference (2.27) seller: @x402/express 2.27 answers 402 with PAYMENT-REQUIRED
//     and no v1 body, so x402-fetch 1.2.0 cannot pay it.
//
// Each case is its own CTest test (interop.Matrix/V2.Pays/client_ours__seller_gateway__facilitator_ours)
// and writes one line to ${X402_BINARY_DIR}/interop-matrix/<case>.txt; scripts/test prints them all
// after ctest. The devnet and the servers are shared by every test of one process (started lazily,
// on first use, and stopped at the end of the run by a global test environment), so a process that
// runs a single case starts only the roles it needs, and a process running the whole binary starts
// each server once. Distinct buyer per case; the facilitators use distinct signer keys (ours
// keeps a local nonce counter, so the reference must not send from the same account).
//
// The second half (GoldenLive) takes what our facilitator and sellers serve over HTTP to the
// reference's own schemas and decoders (peers/check.mjs), and what the reference peers serve to
// our decoders (x402/codec.hpp). tests/interop/codec_conformance_test.cpp does the same offline,
// on values built in-process.
//
// Buyers are fresh keys, minted $0.01 of the devnet token each, one per case or golden payment (not
// the devnet's pre-funded buyers: `devnet up` with many buyers sends one large batch of setup
// transactions, which under load sometimes never all land).
//
// Every process started here listens on 127.0.0.1, dies with this test process (PR_SET_PDEATHSIG),
// and is stopped (SIGTERM, then SIGKILL) at the end; every wait has a deadline. Keys reach the
// programs as files (--key-file, or the key files a devnet directory lists), never on argv.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "crypto/abi.hpp"
#include "crypto/keccak.hpp"
#include "devnet/devnet.hpp"
#include "devnet/process.hpp"
#include "gateway/gateway_test_support.hpp"
#include "interop/reference_checks.hpp"
#include "support/devnet_fixture.hpp"
#include "support/test_support.hpp"
#include "x402/codec.hpp"
#include "x402/networks.hpp"

namespace x402::test::interop {
namespace {

using namespace std::chrono_literals;
using x402::gateway::test::Child;
using x402::gateway::test::PeerResult;

constexpr const char* kUnfinished = "did not finish (crashed or timed out)";
// What the example Beast seller and both reference sellers answer on GET /weather once paid.
constexpr const char* kWeatherBody = R"({"weather":"sunny","temperature":70})";

// ---------------------------------------------------------------------------------------------
// Roles

enum class Facilitator { ours, reference };
enum class Seller { gateway, beast, reference, legacy };
enum class Client { ours, reference, legacy };

const char* name_of(Facilitator f) {
  return f == Facilitator::ours ? "ours" : "reference";
}
const char* name_of(Seller s) {
  switch (s) {
    case Seller::gateway:
      return "gateway";
    case Seller::beast:
      return "beast";
    case Seller::reference:
      return "reference";
    case Seller::legacy:
      return "legacy";
  }
  return "?";
}
const char* name_of(Client c) {
  switch (c) {
    case Client::ours:
      return "ours";
    case Client::reference:
      return "reference";
    case Client::legacy:
      return "legacy";
  }
  return "?";
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// "Xyz listening on http://127.0.0.1:P" -> "http://127.0.0.1:P".
std::string url_of(const std::string& ready_line) {
  const auto at = ready_line.find("http://");
  return at == std::string::npos ? std::string() : ready_line.substr(at);
}

std::string tail(const std::string& text, std::size_t bytes = 3000) {
  return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
}

std::optional<boost::json::object> parse_object(std::string_view text) {
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return value.as_object();
}

std::string string_at(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

// A funded account whose key is in a file (mode 0600).
struct Buyer {
  Address address;
  std::string key_file;
};

// ---------------------------------------------------------------------------------------------
// The shared network: one devnet, and each server configuration started once, on first use.

class LiveNetwork {
 public:
  static LiveNetwork& get() {
    std::lock_guard lock(mutex_);
    if (!instance_) instance_.reset(new LiveNetwork());
    return *instance_;
  }
  static void shutdown() {
    std::lock_guard lock(mutex_);
    instance_.reset();
  }

  ~LiveNetwork() {
    // Sellers before facilitators before the upstream (reverse start order), the chain last.
    for (auto it = children_.rbegin(); it != children_.rend(); ++it) (*it)->stop();
    children_.clear();
    chain_.reset();
  }

  Devnet& chain() {
    if (!chain_) throw std::runtime_error("the devnet did not start: " + chain_error_);
    return *chain_;
  }
  std::string devnet_dir() { return chain().dir().string(); }
  // A new key, funded with ten times the price (minted, receipt awaited).
  Buyer new_buyer() {
    const auto key = PrivateKey::generate();
    const auto dir = logs_.path() / "buyers";
    std::filesystem::create_directories(dir);
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
    const auto file = dir / ("buyer-" + std::to_string(++buyers_) + ".key");
    if (auto written = write_key_file(file.string(), key); !written)
      throw std::runtime_error("buyer key: " + written.error().describe());
    chain().mint(key.address(), price() * 10);
    return {key.address(), file.string()};
  }
  // The account each facilitator settles from (see facilitator_url()).
  const Address& signer(Facilitator f) {
    return chain().facilitator_keys().at(f == Facilitator::ours ? 0 : 1).address();
  }
  // $0.001 in the devnet token's atomic units.
  U256 price() {
    U256 unit = 1;
    for (unsigned i = 0; i + 3 < chain().info().asset_decimals; ++i) unit *= 10;
    return unit;
  }
  std::string v2_network() { return chain().network(); }
  std::string v1_network() {
    static const auto registry = NetworkRegistry::with_defaults();
    const auto* network = registry.find_network(chain().network());
    if (network == nullptr || !network->v1_name)
      throw std::runtime_error("the devnet network has no v1 name");
    return *network->v1_name;
  }

  const std::string& facilitator_url(Facilitator f) {
    return lazily(std::string("facilitator-") + name_of(f), [&] { return start_facilitator(f); });
  }
  const std::string& seller_url(Seller s, Facilitator f) {
    return lazily(std::string("seller-") + name_of(s) + "-" + name_of(f), [&] { return start_seller(s, f); });
  }
  const std::string& upstream_url() {
    return lazily("upstream", [&] {
      return start("upstream",
                   {std::string(X402_BINARY_DIR) + "/bin/example-upstream-api", "--listen", "127.0.0.1:0"},
                   "Upstream listening on ", 30s);
    });
  }
  // What the upstream itself answers on GET /weather: the gateway must pass it through unchanged.
  const std::string& upstream_weather() {
    return lazily("upstream-weather", [&] {
      const auto response = x402::gateway::test::fetch(port_of(upstream_url()), "/weather");
      if (response.result_int() != 200)
        throw std::runtime_error("the upstream answered " + std::to_string(response.result_int()));
      return std::string(response.body());
    });
  }
  const std::string& expected_body(Seller s) {
    static const std::string weather = kWeatherBody;
    return s == Seller::gateway ? upstream_weather() : weather;
  }

  // The logs of every server started so far (for failure messages).
  std::string logs() {
    std::string out;
    for (const auto& [name, child] : named_children_) out += "\n--- " + name + " ---\n" + tail(child->log());
    return out;
  }

  static std::uint16_t port_of(const std::string& url) { return x402::gateway::test::port_of(url); }

 private:
  // Up to three attempts. `x402 devnet up` picks a free port and then starts anvil on it; should
  // another process listen on that port first (ctest -j runs processes that listen on port 0), our
  // anvil exits and `up` carries on with the other anvil, which answers the same chain id. Such a
  // chain is not ours to measure: detect it (our anvil is gone) and start again. A start that fails
  // outright is retried too.
  LiveNetwork() {
    DevnetOptions options;
    options.facilitators = 2;
    options.startup_timeout = 30s;
    for (int attempt = 1; attempt <= 3 && !chain_; ++attempt) {
      try {
        auto chain = std::make_unique<Devnet>(options);
        if (devnet::process_alive(chain->anvil_pid())) {
          chain_ = std::move(chain);
        } else {
          chain_error_ = "anvil " + std::to_string(chain->anvil_pid()) +
                         " exited: another process took port " + std::to_string(chain->info().port);
          std::cerr << "interop: devnet attempt " << attempt << ": " << chain_error_ << '\n';
        }
      } catch (const std::exception& e) {
        chain_error_ = e.what();
        std::cerr << "interop: devnet attempt " << attempt << ": " << chain_error_ << '\n';
      }
    }
  }

  template <typename Start>
  const std::string& lazily(const std::string& key, Start&& start) {
    std::lock_guard lock(values_mutex_);  // recursive: a seller starts its facilitator first
    if (auto it = values_.find(key); it != values_.end()) return it->second;
    if (auto it = errors_.find(key); it != errors_.end()) throw std::runtime_error(it->second);
    try {
      return values_.emplace(key, start()).first->second;
    } catch (const std::exception& e) {
      errors_[key] = key + " did not start: " + e.what();
      throw std::runtime_error(errors_[key]);
    }
  }

  // Starts a server and returns the URL of its ready line.
  std::string start(const std::string& name, const std::vector<std::string>& argv, const std::string& ready,
                    std::chrono::milliseconds timeout) {
    auto child = std::make_unique<Child>(argv, logs_.path() / (name + ".log"));
    const auto line = child->wait_for_line(ready, timeout);
    const std::string log = child->log();
    named_children_.emplace_back(name, child.get());
    children_.push_back(std::move(child));
    if (line.empty()) throw std::runtime_error("no ready line; log:\n" + tail(log));
    return url_of(line);
  }

  std::string start_facilitator(Facilitator f) {
    auto& chain = this->chain();
    if (f == Facilitator::reference)
      return start("facilitator-reference",
                   {X402_NODE, (interop_dir() / "peers" / "facilitator.mjs").string(), "--port", "0",
                    "--devnet", chain.dir().string(), "--key-index", "1"},
                   "Facilitator listening on ", 60s);
    // Ours signs with every facilitator key of the devnet it is given: give it a copy of
    // devnet.json that lists only key 0 (absolute paths), so the reference alone uses key 1.
    auto info = chain.info();
    const auto absolute = [&](const std::string& file) { return (chain.dir() / file).string(); };
    info.facilitators = {info.facilitators.at(0)};
    info.facilitator_key_files = {absolute(info.facilitator_key_files.at(0))};
    for (auto& file : info.buyer_key_files) file = absolute(file);
    info.owner_key_file = absolute(info.owner_key_file);
    info.payee_key_file = absolute(info.payee_key_file);
    const auto dir = logs_.path() / "facilitator-ours";
    std::filesystem::create_directories(dir);
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
    logs_.write_file("facilitator-ours/devnet.json", devnet::info_to_json(info));
    return start("facilitator-ours",
                 {X402_CLI, "facilitator", "--devnet", dir.string(), "--listen", "127.0.0.1:0"},
                 "Facilitator listening on ", 30s);
  }

  std::string start_seller(Seller s, Facilitator f) {
    const std::string facilitator = facilitator_url(f);
    const std::string name = std::string("seller-") + name_of(s) + "-" + name_of(f);
    const std::string dir = devnet_dir();
    switch (s) {
      case Seller::gateway:
        return start(
            name,
            {X402_CLI, "gateway", "--devnet", dir, "--facilitator", facilitator, "--upstream", upstream_url(),
             "--listen", "127.0.0.1:0", "--threads", "2", "--route", "GET /weather=$0.001"},
            "Gateway listening on ", 30s);
      case Seller::beast:
        return start(name,
                     {std::string(X402_BINARY_DIR) + "/bin/example-beast-seller", "--devnet", dir,
                      "--facilitator", facilitator, "--listen", "127.0.0.1:0", "--queue-file",
                      (logs_.path() / (name + "-queue.sqlite")).string()},
                     "Seller listening on ", 30s);
      case Seller::reference:
        return start(name,
                     {X402_NODE, (interop_dir() / "peers" / "seller.mjs").string(), "--port", "0",
                      "--facilitator", facilitator, "--devnet", dir},
                     "Seller listening on ", 60s);
      case Seller::legacy:
        return start(name,
                     {X402_NODE, (interop_dir() / "peers" / "seller-v1.mjs").string(), "--port", "0",
                      "--facilitator", facilitator, "--devnet", dir},
                     "Seller listening on ", 60s);
    }
    throw std::logic_error("unknown seller");
  }

  static inline std::mutex mutex_;
  static inline std::unique_ptr<LiveNetwork> instance_;

  std::unique_ptr<Devnet> chain_;
  std::string chain_error_;
  TempDir logs_;
  std::recursive_mutex values_mutex_;
  std::map<std::string, std::string> values_;
  std::map<std::string, std::string> errors_;
  std::vector<std::unique_ptr<Child>> children_;
  std::vector<std::pair<std::string, Child*>> named_children_;
  int buyers_ = 0;
};

// The matrix lines of this process, printed when the run ends.
std::vector<std::string>& matrix_lines() {
  static std::vector<std::string> lines;
  return lines;
}

// Stops everything at the end of the run (after the last suite of this process).
class LiveNetworkEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    LiveNetwork::shutdown();
    if (!matrix_lines().empty()) {
      std::cout << "\nInterop matrix (cases run by this process):\n";
      for (const auto& line : matrix_lines()) std::cout << "  " << line << '\n';
    }
  }
};
[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new LiveNetworkEnvironment);

// ---------------------------------------------------------------------------------------------
// One paid request, whoever the client is.

struct Outcome {
  int status = 0;  // 0: no response
  std::string body;
  std::optional<boost::json::object> receipt;  // the settlement response as sent
  std::string receipt_header;                  // which header carried it (ours only)
  std::string receipt_line_tx;                 // `x402 pay`'s stderr receipt line's tx (ours only)
  std::string diagnostics;
};

Outcome pay_with_ours(LiveNetwork& net, const std::string& url, const Buyer& buyer) {
  TempDir home;
  const auto run = run_cli({"pay", url, "-i", "--devnet", net.devnet_dir(), "--key-file", buyer.key_file,
                            "--budget-file", (home.path() / "budget.sqlite").string(), "--timeout", "60"},
                           {}, 120s, {{"HOME", home.path().string()}});
  Outcome out;
  out.diagnostics = "x402 pay exit " + std::to_string(run.exit_code) + (run.timed_out ? " (timed out)" : "") +
                    "\nstderr: " + run.err + "\nstdout: " + tail(run.out, 2000);
  const auto split = run.out.find("\r\n\r\n");
  if (split == std::string::npos) return out;
  const std::string head = run.out.substr(0, split);
  out.body = run.out.substr(split + 4);
  std::istringstream lines(head);
  std::string line;
  std::getline(lines, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  static const std::regex status_line(R"(^HTTP/1\.1 (\d{3}) .*)");
  std::smatch match;
  if (std::regex_match(line, match, status_line)) out.status = std::stoi(match[1].str());
  std::map<std::string, std::string> headers;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    headers[lower(line.substr(0, colon))] = value;
  }
  for (const char* name : {"payment-response", "x-payment-response"}) {
    auto it = headers.find(name);
    if (it == headers.end()) continue;
    if (!out.receipt_header.empty()) out.receipt_header += "+";
    out.receipt_header += name;
    // Our decoder must accept it; the fields are checked on the JSON as sent.
    auto decoded = decode_header<SettleResponse>(it->second);
    if (!decoded) {
      out.diagnostics += "\nour decoder rejects " + std::string(name) + ": " + decoded.error().describe();
      continue;
    }
    auto text = base64_decode(it->second, 1 << 16);
    if (text) out.receipt = parse_object(*text);
  }
  static const std::regex tx(" tx (0x[0-9a-fA-F]{64})");
  if (std::regex_search(run.err, match, tx)) out.receipt_line_tx = match[1].str();
  return out;
}

Outcome pay_with_peer(const std::string& script, const std::string& url, const Buyer& buyer) {
  const PeerResult result =
      x402::gateway::test::run_peer(script, {"--url", url, "--key-file", buyer.key_file}, 90s);
  Outcome out;
  out.status = result.status;
  out.body = result.body;
  if (result.payment_response.is_object()) {
    out.receipt = result.payment_response.as_object();
    // What the reference decoded must decode with ours too.
    auto ours = from_json<SettleResponse>(result.payment_response);
    if (!ours) out.diagnostics += "our decoder rejects the receipt: " + ours.error().describe() + "\n";
  }
  out.diagnostics += script + ": " + result.raw + (result.error.empty() ? "" : "\nerror: " + result.error);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The matrix

struct Case {
  int version;  // 1 or 2
  Client client;
  Seller seller;
  Facilitator facilitator;

  [[nodiscard]] std::string name() const {
    return std::string("client_") + name_of(client) + "__seller_" + name_of(seller) + "__facilitator_" +
           name_of(facilitator);
  }
  [[nodiscard]] std::string file_name() const {
    return "v" + std::to_string(version) + "__" + name() + ".txt";
  }
  [[nodiscard]] std::string line(const std::string& verdict, const std::string& detail) const {
    char prefix[160];
    std::snprintf(prefix, sizeof prefix, "v%d  client=%-9s  seller=%-9s  facilitator=%-9s  %-4s  ", version,
                  name_of(client), name_of(seller), name_of(facilitator), verdict.c_str());
    return prefix + detail;
  }
};

std::vector<Case> v2_cases() {
  std::vector<Case> cases;
  for (auto client : {Client::ours, Client::reference})
    for (auto seller : {Seller::gateway, Seller::beast, Seller::reference})
      for (auto facilitator : {Facilitator::ours, Facilitator::reference})
        cases.push_back({2, client, seller, facilitator});
  return cases;
}

std::vector<Case> v1_cases() {
  std::vector<Case> cases;
  for (auto seller : {Seller::gateway, Seller::beast, Seller::legacy})
    for (auto facilitator : {Facilitator::ours, Facilitator::reference})
      cases.push_back({1, Client::legacy, seller, facilitator});
  for (auto client : {Client::ours, Client::reference})
    for (auto facilitator : {Facilitator::ours, Facilitator::reference})
      cases.push_back({1, client, Seller::legacy, facilitator});
  return cases;
}

std::filesystem::path matrix_dir() {
  return std::filesystem::path(X402_BINARY_DIR) / "interop-matrix";
}

void write_matrix_line(const Case& c, const std::string& line) {
  std::error_code ec;
  std::filesystem::create_directories(matrix_dir(), ec);
  std::ofstream out(matrix_dir() / c.file_name(), std::ios::trunc);
  out << line << '\n';
}

// gtest's first failure of the running test, on one line.
std::string first_failure() {
  const auto* result = ::testing::UnitTest::GetInstance()->current_test_info()->result();
  for (int i = 0; i < result->total_part_count(); ++i) {
    const auto& part = result->GetTestPartResult(i);
    if (!part.failed()) continue;
    std::string text;
    bool space = false;
    for (char ch : std::string(part.summary())) {
      if (std::isspace(static_cast<unsigned char>(ch)) != 0) {
        space = !text.empty();
        continue;
      }
      if (space) text += ' ';
      space = false;
      text += ch;
      if (text.size() > 300) {
        text += "...";
        break;
      }
    }
    return text;
  }
  return "failed";
}

// One case of the matrix. The cases are registered below with ::testing::RegisterTest rather than
// TEST_P/INSTANTIATE_TEST_SUITE_P: same parameterisation, but without a value parameter gtest lists
// no "# GetParam() = ..." suffix, which gtest_discover_tests would otherwise append to every CTest
// name (tests/CMakeLists.txt does not set NO_PRETTY_VALUES).
class Matrix : public ::testing::Test {
 public:
  explicit Matrix(Case c) : case_(std::move(c)) {}
  void TestBody() override { run_case(); }

 protected:
  void SetUp() override {
    // A case that dies before TearDown still shows in the matrix, as failed.
    std::error_code ec;
    std::filesystem::remove(matrix_dir() / case_.file_name(), ec);
    write_matrix_line(case_, case_.line("FAIL", kUnfinished));
  }
  void TearDown() override {
    const auto& c = case_;
    const std::string line =
        HasFailure() ? c.line("FAIL", first_failure()) : c.line("PASS", tx_.empty() ? "(no tx)" : tx_);
    write_matrix_line(c, line);
    matrix_lines().push_back(line);
  }

  void run_case() {
    const Case& c = case_;
    LiveNetwork& net = LiveNetwork::get();
    std::string url;
    try {
      url = net.seller_url(c.seller, c.facilitator) + "/weather";
      (void)net.expected_body(c.seller);
    } catch (const std::exception& e) {
      FAIL() << "setup: " << e.what() << net.logs();
    }
    auto& chain = net.chain();
    Buyer funded;
    try {
      funded = net.new_buyer();
    } catch (const std::exception& e) {
      FAIL() << "setup: " << e.what();
    }
    const Address& buyer = funded.address;
    const Address& payee = chain.payee();
    const U256 price = net.price();
    const U256 buyer_before = chain.token_balance(buyer);
    const U256 payee_before = chain.token_balance(payee);
    ASSERT_GE(buyer_before, price) << "the buyer is not funded";

    Outcome out;
    switch (c.client) {
      case Client::ours:
        out = pay_with_ours(net, url, funded);
        break;
      case Client::reference:
        out = pay_with_peer("client.mjs", url, funded);
        break;
      case Client::legacy:
        out = pay_with_peer("client-v1.mjs", url, funded);
        break;
    }

    // HTTP
    ASSERT_EQ(out.status, 200) << out.diagnostics << net.logs();
    EXPECT_EQ(out.body, net.expected_body(c.seller)) << out.diagnostics;

    // The receipt header, decoded.
    if (c.client == Client::ours) {
      EXPECT_EQ(out.receipt_header, c.version == 2 ? "payment-response" : "x-payment-response")
          << "the receipt must come in the header of the version paid" << out.diagnostics;
    }
    ASSERT_TRUE(out.receipt.has_value()) << "no decodable settlement receipt\n" << out.diagnostics;
    const auto& receipt = *out.receipt;
    const auto* success = receipt.if_contains("success");
    EXPECT_TRUE(success != nullptr && success->is_bool() && success->as_bool()) << receipt;
    tx_ = string_at(receipt, "transaction");
    static const std::regex tx_pattern("^0x[0-9a-fA-F]{64}$");
    ASSERT_TRUE(std::regex_match(tx_, tx_pattern)) << "transaction: " << receipt;
    EXPECT_EQ(string_at(receipt, "network"), c.version == 2 ? net.v2_network() : net.v1_network()) << receipt;
    EXPECT_EQ(lower(string_at(receipt, "payer")), lower(buyer.checksummed())) << receipt;
    if (c.client == Client::ours) {
      EXPECT_EQ(out.receipt_line_tx, tx_) << out.diagnostics;
    }

    // On chain: the transaction succeeded, was sent by this case's facilitator, and moved exactly
    // the price from the buyer to the payee.
    auto hash = Bytes32::from_hex(tx_);
    ASSERT_TRUE(hash.ok());
    std::optional<chain::evm::Receipt> tx_receipt;
    const auto deadline =
        std::chrono::steady_clock::now() + 15s;  // settled before the answer; bounded anyway
    while (!tx_receipt && std::chrono::steady_clock::now() < deadline) {
      auto found =
          chain.rpc().run([&](chain::evm::RpcClient& rpc) { return rpc.get_transaction_receipt(*hash); });
      if (found && found.value()) tx_receipt = *found.value();
      if (!tx_receipt) std::this_thread::sleep_for(200ms);
    }
    ASSERT_TRUE(tx_receipt.has_value()) << "transaction " << tx_ << " is not on chain";
    EXPECT_TRUE(tx_receipt->status) << "transaction " << tx_ << " reverted";
    EXPECT_EQ(tx_receipt->from, net.signer(c.facilitator))
        << "sent by " << tx_receipt->from.checksummed() << ", not by the " << name_of(c.facilitator)
        << " facilitator's signer";
    ASSERT_TRUE(tx_receipt->to.has_value());
    EXPECT_EQ(*tx_receipt->to, chain.asset());
    static const Bytes32 transfer_topic =
        crypto::keccak256(std::string_view("Transfer(address,address,uint256)"));
    int transfers = 0;
    for (const auto& log : tx_receipt->logs) {
      if (log.address != chain.asset() || log.topics.size() != 3 || log.topics[0] != transfer_topic) continue;
      ++transfers;
      EXPECT_EQ(Address(Address::from_span(log.topics[1].view().subspan(12))), buyer) << "Transfer from";
      EXPECT_EQ(Address(Address::from_span(log.topics[2].view().subspan(12))), payee) << "Transfer to";
      auto value = crypto::abi::decode_uint256(log.data);
      ASSERT_TRUE(value.ok());
      EXPECT_EQ(*value, price) << "Transfer value";
    }
    EXPECT_EQ(transfers, 1) << "Transfer logs of the token in " << tx_;
    EXPECT_EQ(chain.token_balance(buyer), buyer_before - price) << "buyer balance";
    EXPECT_EQ(chain.token_balance(payee), payee_before + price) << "payee balance";
  }

  const Case case_;
  std::string tx_;
};

// Matrix/V2.Pays/client_ours__seller_gateway__facilitator_ours, ... (CTest: interop.Matrix/V2.Pays/...).
[[maybe_unused]] const bool kMatrixRegistered = [] {
  for (const auto& cases : {v2_cases(), v1_cases()}) {
    for (const auto& c : cases) {
      const std::string suite = "Matrix/V" + std::to_string(c.version);
      const std::string test = "Pays/" + c.name();
      ::testing::RegisterTest(suite.c_str(), test.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                              [c]() -> Matrix* { return new Matrix(c); });
    }
  }
  return true;
}();

// ---------------------------------------------------------------------------------------------
// Golden checks on live traffic.

const std::string kOk = R"({"ok":true})";

http::Response get(const std::string& base_url, const std::string& target, http::Headers headers = {}) {
  return x402::gateway::test::fetch(LiveNetwork::port_of(base_url), target, std::move(headers));
}

http::Response post_json(const std::string& base_url, const std::string& target, const std::string& body) {
  return x402::gateway::test::fetch(LiveNetwork::port_of(base_url), target,
                                    {{"Content-Type", "application/json"}}, http::Verb::post, body);
}

std::string header_of(const http::Response& response, std::string_view name) {
  return std::string(response[name]);
}

std::string decoded(const std::string& header) {
  auto text = base64_decode(header, 1 << 16);
  return text ? *text : std::string();
}

// `x402 payload` for a PAYMENT-REQUIRED value or a v1 402 body.
std::string our_payload(const std::string& required, const std::string& key_file) {
  auto run = run_cli({"payload", "--required", required, "--key-file", key_file}, {}, 30s);
  if (run.exit_code != 0) throw std::runtime_error("x402 payload: " + run.err);
  return run.out.substr(0, run.out.find('\n'));
}

std::string facilitator_request(int version, const boost::json::value& payload,
                                const boost::json::value& requirements) {
  boost::json::object request;
  request["x402Version"] = version;
  request["paymentPayload"] = payload;
  request["paymentRequirements"] = requirements;
  return boost::json::serialize(request);
}

class GoldenLive : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(interop_dir() / "node_modules" / "@x402" / "core"))
      GTEST_FAIL() << "the reference SDK is not installed: run scripts/setup --tests";
  }
};

// Our facilitator's /supported, /verify and /settle answers, as served, through the reference's
// HTTPFacilitatorClient and schemas (v2) and the legacy x402 1.2.0 schemas (v1); the payloads we
// sign for our gateway's live 402, through the reference's decoders and schemas.
TEST_F(GoldenLive, OurFacilitatorAnswersAsServedPassTheReferenceSchemas) {
  LiveNetwork& net = LiveNetwork::get();
  std::string facilitator, gateway;
  try {
    facilitator = net.facilitator_url(Facilitator::ours);
    gateway = net.seller_url(Seller::gateway, Facilitator::ours);
  } catch (const std::exception& e) {
    FAIL() << e.what() << net.logs();
  }
  const auto supported = get(facilitator, "/supported");
  ASSERT_EQ(supported.result_int(), 200);

  const auto unpaid = get(gateway, "/weather");
  ASSERT_EQ(unpaid.result_int(), 402);
  const std::string required_header = header_of(unpaid, kPaymentRequiredHeader);
  auto required = parse_object(decoded(required_header));
  auto body_v1 = parse_object(unpaid.body());
  ASSERT_TRUE(required && body_v1) << required_header << "\n" << unpaid.body();
  const boost::json::value requirements = required->at("accepts").as_array().at(0);
  const boost::json::value requirements_v1 = body_v1->at("accepts").as_array().at(0);

  // v2: valid; invalid (someone else's payTo); settled; a second settle of the same payment (our
  // ledger makes settle idempotent: the same answer again, where the reference answers a failure);
  // a failed settle (a fresh payment against someone else's payTo).
  const Buyer buyer = net.new_buyer(), buyer_v1 = net.new_buyer();
  const std::string payment = our_payload(required_header, buyer.key_file);
  const auto payload = boost::json::parse(decoded(payment));
  const auto unsettled = boost::json::parse(decoded(our_payload(required_header, buyer.key_file)));
  auto other_pay_to = requirements;
  other_pay_to.as_object()["payTo"] = buyer_v1.address.checksummed();
  const auto verify = post_json(facilitator, "/verify", facilitator_request(2, payload, requirements));
  const auto verify_invalid =
      post_json(facilitator, "/verify", facilitator_request(2, payload, other_pay_to));
  const auto settle = post_json(facilitator, "/settle", facilitator_request(2, payload, requirements));
  const auto settle_again = post_json(facilitator, "/settle", facilitator_request(2, payload, requirements));
  const auto settle_failed =
      post_json(facilitator, "/settle", facilitator_request(2, unsettled, other_pay_to));
  // v1, from the gateway's v1 body.
  const std::string payment_v1 = our_payload(std::string(unpaid.body()), buyer_v1.key_file);
  const auto payload_v1 = boost::json::parse(decoded(payment_v1));
  const auto verify_v1 =
      post_json(facilitator, "/verify", facilitator_request(1, payload_v1, requirements_v1));
  const auto settle_v1 =
      post_json(facilitator, "/settle", facilitator_request(1, payload_v1, requirements_v1));
  for (const auto* response :
       {&verify, &verify_invalid, &settle, &settle_again, &settle_failed, &verify_v1, &settle_v1})
    ASSERT_EQ(response->result_int(), 200) << response->body() << net.logs();

  // The answers are what they should be, before judging their shape.
  auto verify_json = parse_object(verify.body());
  auto invalid_json = parse_object(verify_invalid.body());
  auto settle_json = parse_object(settle.body());
  auto failed_json = parse_object(settle_failed.body());
  ASSERT_TRUE(verify_json && invalid_json && settle_json && failed_json);
  EXPECT_EQ(verify_json->at("isValid"), true) << verify.body();
  EXPECT_EQ(invalid_json->at("isValid"), false) << verify_invalid.body();
  EXPECT_FALSE(string_at(*invalid_json, "invalidReason").empty()) << verify_invalid.body();
  EXPECT_EQ(settle_json->at("success"), true) << settle.body();
  EXPECT_EQ(settle_again.body(), settle.body()) << "a repeated settle answers the recorded settlement";
  EXPECT_EQ(failed_json->at("success"), false) << settle_failed.body();
  EXPECT_FALSE(string_at(*failed_json, "errorReason").empty()) << settle_failed.body();
  EXPECT_EQ(parse_object(verify_v1.body()).value_or(boost::json::object{})["isValid"], true)
      << verify_v1.body();
  EXPECT_EQ(parse_object(settle_v1.body()).value_or(boost::json::object{})["success"], true)
      << settle_v1.body();

  ReferenceChecks c;
  struct Expect {
    std::size_t index;
    std::string expected;
    std::string what;
  };
  std::vector<Expect> expects;
  const auto expect = [&](std::vector<std::string> args, const std::string& input,
                          const std::string& expected, const std::string& what) {
    expects.push_back({c.add(std::move(args), input), expected, what});
  };
  const auto parsed_as_is = [](const std::string& text) { return R"({"ok":true,"parsed":)" + text + "}"; };
  const auto result_as_is = [](const std::string& text) { return R"({"ok":true,"result":)" + text + "}"; };

  const std::string supported_body(supported.body());
  expect({"schema", "SupportedResponse", "--print-parsed"}, supported_body, parsed_as_is(supported_body),
         "/supported");
  expect({"facilitator-response", "supported"}, supported_body, result_as_is(supported_body),
         "/supported (HTTPFacilitatorClient)");
  for (const auto& [response, type, what] :
       std::vector<std::tuple<const http::Response*, std::string, std::string>>{
           {&verify, "verify", "/verify valid"},
           {&verify_invalid, "verify", "/verify invalid"},
           {&settle, "settle", "/settle success"},
           {&settle_failed, "settle", "/settle failure"}}) {
    const std::string body(response->body());
    // The reference re-parses it into the same members in the same order: nothing lost or renamed.
    expect({"schema", type == "verify" ? "VerifyResponse" : "SettleResponse", "--print-parsed"}, body,
           parsed_as_is(body), what);
    expect({"facilitator-response", type}, body, result_as_is(body), what + " (HTTPFacilitatorClient)");
  }
  expect({"schema", "legacy:VerifyResponse"}, std::string(verify_v1.body()), kOk, "v1 /verify (x402 1.2.0)");
  expect({"schema", "legacy:SettleResponse"}, std::string(settle_v1.body()), kOk, "v1 /settle (x402 1.2.0)");
  expect({"schema", "VerifyResponse", "--print-parsed"}, std::string(verify_v1.body()),
         parsed_as_is(std::string(verify_v1.body())), "v1 /verify (2.27)");
  // The payloads we signed for the live 402: the reference decodes them to the same JSON.
  expect({"decode-header", "PAYMENT-SIGNATURE", "--value", payment}, "", decoded(payment),
         "PAYMENT-SIGNATURE");
  expect({"schema", "PaymentPayloadV2"}, decoded(payment), kOk, "PaymentPayloadV2");
  expect({"schema", "legacy:PaymentPayload"}, decoded(payment_v1), kOk, "X-PAYMENT payload (x402 1.2.0)");
  expect({"schema", "PaymentPayloadV1"}, decoded(payment_v1), kOk, "X-PAYMENT payload (2.27)");
  const auto legacy_decoded = c.add({"decode-header", "X-PAYMENT", "--value", payment_v1});
  ASSERT_TRUE(c.run());
  for (const auto& e : expects) {
    SCOPED_TRACE(e.what);
    EXPECT_EQ(c[e.index].exit, 0) << c[e.index].err;
    EXPECT_EQ(c[e.index].line(), e.expected) << c[e.index].err;
  }
  // The legacy decoder re-orders the payload (zod): compare the values.
  EXPECT_EQ(c[legacy_decoded].exit, 0) << c[legacy_decoded].err;
  EXPECT_EQ(c[legacy_decoded].json(), boost::json::parse(decoded(payment_v1)));
}

// Our sellers' 402 (PAYMENT-REQUIRED header and v1 JSON body) and their settlement headers, as
// served, through the reference's decoders and schemas; paid by the reference's own client code.
TEST_F(GoldenLive, OurSellersAsServedPassTheReferenceSchemas) {
  LiveNetwork& net = LiveNetwork::get();
  for (const auto seller : {Seller::gateway, Seller::beast}) {
    SCOPED_TRACE(name_of(seller));
    std::string url;
    try {
      url = net.seller_url(seller, Facilitator::ours);
    } catch (const std::exception& e) {
      FAIL() << e.what() << net.logs();
    }
    const auto unpaid = get(url, "/weather");
    ASSERT_EQ(unpaid.result_int(), 402);
    const std::string required = header_of(unpaid, kPaymentRequiredHeader);
    const std::string body(unpaid.body());
    ASSERT_FALSE(required.empty());
    auto body_json = parse_object(body);
    ASSERT_TRUE(body_json && body_json->contains("accepts")) << body;
    const std::string v1_requirements = boost::json::serialize(body_json->at("accepts").as_array().at(0));

    // The reference's clients sign for what we serve: 2.27 for the header, x402 1.2.0 for the body.
    const Buyer v2_buyer = net.new_buyer(), v1_buyer = net.new_buyer();
    ReferenceChecks produce;
    const auto v2_payment = produce.add(
        {"create-payment", "--payment-required-header", required, "--key-file", v2_buyer.key_file});
    const auto v1_payment = produce.add(
        {"create-payment", "--payment-required-json", body, "--key-file", v1_buyer.key_file, "--legacy"});
    ASSERT_TRUE(produce.run());
    ASSERT_EQ(produce[v2_payment].exit, 0) << produce[v2_payment].err;
    ASSERT_EQ(produce[v1_payment].exit, 0) << produce[v1_payment].err;
    const auto paid = get(url, "/weather", {{"PAYMENT-SIGNATURE", produce[v2_payment].line()}});
    const auto paid_v1 = get(url, "/weather", {{"X-PAYMENT", produce[v1_payment].line()}});
    ASSERT_EQ(paid.result_int(), 200) << paid.body() << net.logs();
    ASSERT_EQ(paid_v1.result_int(), 200) << paid_v1.body() << net.logs();
    const std::string settled = header_of(paid, kPaymentResponseHeader);
    const std::string settled_v1 = header_of(paid_v1, kXPaymentResponseHeader);
    ASSERT_FALSE(settled.empty());
    ASSERT_FALSE(settled_v1.empty());
    EXPECT_TRUE(header_of(paid, kXPaymentResponseHeader).empty()) << "a v2 payment gets the v2 header only";

    ReferenceChecks c;
    const auto check = [&](std::vector<std::string> args, const std::string& input = {}) {
      return c.add(std::move(args), input.empty() ? std::nullopt : std::optional<std::string>(input));
    };
    const auto required_decoded = check({"decode-header", "PAYMENT-REQUIRED", "--value", required});
    const auto required_schema = check({"schema", "PaymentRequiredV2"}, decoded(required));
    const auto body_schema = check({"schema", "PaymentRequiredV1"}, body);
    const auto body_legacy = check({"schema", "legacy:PaymentRequirements"}, v1_requirements);
    const auto settled_decoded = check({"decode-header", "PAYMENT-RESPONSE", "--value", settled});
    const auto settled_schema = check({"schema", "SettleResponse", "--print-parsed"}, decoded(settled));
    const auto settled_v1_decoded = check({"decode-header", "X-PAYMENT-RESPONSE", "--value", settled_v1});
    const auto settled_v1_legacy = check({"schema", "legacy:SettleResponse"}, decoded(settled_v1));
    ASSERT_TRUE(c.run());
    for (std::size_t i = 0; i < c.size(); ++i) EXPECT_EQ(c[i].exit, 0) << i << ": " << c[i].out << c[i].err;
    // The reference decoders give back exactly the JSON we sent, in our order.
    EXPECT_EQ(c[required_decoded].line(), decoded(required));
    EXPECT_EQ(c[required_schema].line(), kOk);
    EXPECT_EQ(c[body_schema].line(), kOk);
    EXPECT_EQ(c[body_legacy].line(), kOk);
    EXPECT_EQ(c[settled_decoded].line(), decoded(settled));
    EXPECT_EQ(c[settled_schema].line(), R"({"ok":true,"parsed":)" + decoded(settled) + "}");
    EXPECT_EQ(c[settled_v1_decoded].json(), boost::json::parse(decoded(settled_v1)));
    EXPECT_EQ(c[settled_v1_legacy].line(), kOk);
    // And they say what happened.
    auto receipt = parse_object(decoded(settled));
    auto receipt_v1 = parse_object(decoded(settled_v1));
    ASSERT_TRUE(receipt && receipt_v1);
    EXPECT_EQ(receipt->at("success"), true);
    EXPECT_EQ(receipt_v1->at("success"), true);
    EXPECT_EQ(lower(string_at(*receipt, "payer")), lower(v2_buyer.address.checksummed()));
    EXPECT_EQ(lower(string_at(*receipt_v1, "payer")), lower(v1_buyer.address.checksummed()));
    EXPECT_EQ(string_at(*receipt_v1, "network"), net.v1_network());
  }
}

// What the reference serves, live, read by our decoders: the facilitator's /supported, /verify and
// /settle answers (v2 and v1), the 2.27 seller's PAYMENT-REQUIRED and PAYMENT-RESPONSE, the legacy
// seller's 402 body and X-PAYMENT-RESPONSE. Payments are signed by `x402 payload`.
TEST_F(GoldenLive, WhatTheReferenceServesDecodesWithOurCodec) {
  LiveNetwork& net = LiveNetwork::get();
  std::string facilitator, seller, legacy;
  try {
    facilitator = net.facilitator_url(Facilitator::reference);
    seller = net.seller_url(Seller::reference, Facilitator::reference);
    legacy = net.seller_url(Seller::legacy, Facilitator::reference);
  } catch (const std::exception& e) {
    FAIL() << e.what() << net.logs();
  }
  const std::string network = net.v2_network();
  const std::string v1_network = net.v1_network();

  // /supported
  const auto supported = get(facilitator, "/supported");
  ASSERT_EQ(supported.result_int(), 200);
  auto kinds = decode_json<SupportedResponse>(supported.body());
  ASSERT_TRUE(kinds.ok()) << kinds.error().describe() << "\n" << supported.body();
  EXPECT_EQ(to_json(*kinds), boost::json::parse(supported.body()));
  bool has_v2 = false, has_v1 = false;
  for (const auto& kind : kinds->kinds) {
    has_v2 |= kind.x402_version == 2 && kind.scheme == "exact" && kind.network == network;
    has_v1 |= kind.x402_version == 1 && kind.scheme == "exact" && kind.network == v1_network;
  }
  EXPECT_TRUE(has_v2 && has_v1) << supported.body();

  // The 2.27 seller's 402 and the legacy seller's 402 body.
  const auto unpaid = get(seller, "/weather");
  ASSERT_EQ(unpaid.result_int(), 402);
  const std::string required_header = header_of(unpaid, kPaymentRequiredHeader);
  auto required = decode_header<PaymentRequired>(required_header);
  ASSERT_TRUE(required.ok()) << required.error().describe() << "\n" << decoded(required_header);
  EXPECT_EQ(encode_header(*required), required_header) << "re-encodes byte-identically";
  ASSERT_EQ(required->accepts.size(), 1u);
  EXPECT_EQ(required->accepts[0].amount, net.price());
  EXPECT_EQ(required->accepts[0].network, network);
  EXPECT_EQ(lower(required->accepts[0].pay_to), lower(net.chain().info().payee));
  const auto unpaid_v1 = get(legacy, "/weather");
  ASSERT_EQ(unpaid_v1.result_int(), 402);
  auto body_v1 = decode_json<PaymentRequirementsResponse>(unpaid_v1.body());
  ASSERT_TRUE(body_v1.ok()) << body_v1.error().describe() << "\n" << unpaid_v1.body();
  EXPECT_EQ(to_json(*body_v1), boost::json::parse(unpaid_v1.body()));
  ASSERT_EQ(body_v1->accepts.size(), 1u);
  EXPECT_EQ(body_v1->accepts[0].network, v1_network);
  EXPECT_EQ(body_v1->accepts[0].max_amount_required, net.price());

  // The facilitator's answers: valid, settled, settled again (failure), for v2 and v1.
  const auto payment = our_payload(required_header, net.new_buyer().key_file);
  const auto payment_v1 = our_payload(std::string(unpaid_v1.body()), net.new_buyer().key_file);
  const auto payload = boost::json::parse(decoded(payment));
  const auto payload_v1 = boost::json::parse(decoded(payment_v1));
  const auto requirements = to_json(required->accepts[0]);
  const auto requirements_v1 = to_json(body_v1->accepts[0]);
  for (const auto& [version, p, r] : std::vector<std::tuple<int, boost::json::value, boost::json::value>>{
           {2, payload, requirements}, {1, payload_v1, requirements_v1}}) {
    SCOPED_TRACE("v" + std::to_string(version));
    const auto request = facilitator_request(version, p, r);
    const auto verify = post_json(facilitator, "/verify", request);
    const auto settle = post_json(facilitator, "/settle", request);
    const auto settle_again = post_json(facilitator, "/settle", request);
    ASSERT_EQ(verify.result_int(), 200) << verify.body();
    ASSERT_EQ(settle.result_int(), 200) << settle.body();
    ASSERT_EQ(settle_again.result_int(), 200) << settle_again.body();
    auto verified = decode_json<VerifyResponse>(verify.body());
    auto settled = decode_json<SettleResponse>(settle.body());
    auto refused = decode_json<SettleResponse>(settle_again.body());
    ASSERT_TRUE(verified.ok()) << verified.error().describe() << "\n" << verify.body();
    ASSERT_TRUE(settled.ok()) << settled.error().describe() << "\n" << settle.body();
    ASSERT_TRUE(refused.ok()) << refused.error().describe() << "\n" << settle_again.body();
    EXPECT_TRUE(verified->is_valid) << verify.body();
    EXPECT_TRUE(settled->success) << settle.body();
    EXPECT_EQ(settled->network, version == 2 ? network : v1_network);
    EXPECT_EQ(settled->transaction.size(), 66u) << settle.body();
    EXPECT_FALSE(refused->success) << settle_again.body();
    EXPECT_FALSE(refused->error_reason.value_or("").empty()) << settle_again.body();
    // Nothing the reference sent is lost: ours gives back the same JSON value.
    EXPECT_EQ(to_json(*verified), boost::json::parse(verify.body()));
    EXPECT_EQ(to_json(*settled), boost::json::parse(settle.body()));
    EXPECT_EQ(to_json(*refused), boost::json::parse(settle_again.body()));
  }

  // The sellers' settlement headers, paid with our payloads.
  const Buyer buyer = net.new_buyer(), buyer_v1 = net.new_buyer();
  const auto paid =
      get(seller, "/weather", {{"PAYMENT-SIGNATURE", our_payload(required_header, buyer.key_file)}});
  const auto paid_v1 =
      get(legacy, "/weather", {{"X-PAYMENT", our_payload(std::string(unpaid_v1.body()), buyer_v1.key_file)}});
  ASSERT_EQ(paid.result_int(), 200) << paid.body() << net.logs();
  ASSERT_EQ(paid_v1.result_int(), 200) << paid_v1.body() << net.logs();
  for (const auto& [header, expected_network, payer] :
       std::vector<std::tuple<std::string, std::string, Address>>{
           {header_of(paid, kPaymentResponseHeader), network, buyer.address},
           {header_of(paid_v1, kXPaymentResponseHeader), v1_network, buyer_v1.address}}) {
    SCOPED_TRACE(expected_network);
    auto settle = decode_header<SettleResponse>(header);
    ASSERT_TRUE(settle.ok()) << settle.error().describe() << "\n" << decoded(header);
    EXPECT_EQ(to_json(*settle), boost::json::parse(decoded(header)));
    EXPECT_TRUE(settle->success);
    EXPECT_EQ(settle->network, expected_network);
    EXPECT_EQ(lower(settle->payer.value_or("")), lower(payer.checksummed()));
  }
}

}  // namespace
}  // namespace x402::test::interop
