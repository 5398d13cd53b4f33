// `x402 pay` against the reference SDK on a devnet: the @x402/express 2.27 seller and the legacy
// x402-express 1.2.0 seller, both settling through the reference facilitator. Balances are read on
// chain. Every process started here listens on 127.0.0.1, dies with this test process
// (PR_SET_PDEATHSIG), and is stopped (SIGTERM, then SIGKILL) by the fixture that started it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <regex>
#include <stdexcept>
#include <thread>

#include "support/devnet_fixture.hpp"
#include "support/test_support.hpp"

namespace x402::test {
namespace {

using namespace std::chrono_literals;

// A reference peer (tests/interop/peers/*.mjs) running until stopped. Its only stdout line is the
// ready line "<Label> listening on http://127.0.0.1:P"; stderr goes to a log file.
class Peer {
 public:
  Peer(const std::string& script, std::vector<std::string> args, const std::filesystem::path& log,
       std::chrono::milliseconds timeout = 60s)
      : log_(log) {
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> argv{X402_NODE, std::string(X402_SOURCE_DIR) + "/tests/interop/peers/" + script};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
      const int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      ::dup2(out[1], 1);
      if (err >= 0) ::dup2(err, 2);
      ::close(out[0]);
      ::close(out[1]);
      const int in = ::open("/dev/null", O_RDONLY);
      if (in >= 0) ::dup2(in, 0);
      std::vector<char*> raw;
      for (auto& arg : argv) raw.push_back(arg.data());
      raw.push_back(nullptr);
      ::execv(raw[0], raw.data());
      ::_exit(127);
    }
    ::close(out[1]);
    stdout_ = out[0];
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (line.find('\n') == std::string::npos) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{stdout_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[512];
      const auto n = ::read(stdout_, buffer, sizeof buffer);
      if (n <= 0) break;  // exited
      line.append(buffer, static_cast<std::size_t>(n));
    }
    const auto at = line.find("listening on ");
    if (at == std::string::npos) {
      stop();
      throw std::runtime_error(script + " did not start: " + line + " / " + read_file(log));
    }
    url_ = line.substr(at + 13, line.find('\n', at) - at - 13);
  }
  ~Peer() { stop(); }
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  [[nodiscard]] const std::string& url() const { return url_; }
  [[nodiscard]] std::string log() const { return read_file(log_); }

  // SIGTERM (the peers exit 0 within 3 s), SIGKILL after 5 s.
  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      const auto deadline = std::chrono::steady_clock::now() + 5s;
      int status = 0;
      while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
          ::kill(pid_, SIGKILL);
          ::waitpid(pid_, &status, 0);
          break;
        }
        std::this_thread::sleep_for(20ms);
      }
      pid_ = -1;
    }
    if (stdout_ >= 0) ::close(stdout_);
    stdout_ = -1;
  }

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
  int stdout_ = -1;
  std::string url_;
};

// One devnet, one reference facilitator and both reference sellers for the suite.
class PayCli : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    try {
      DevnetOptions options;
      options.buyers = 4;
      chain_ = std::make_unique<Devnet>(options);
      logs_ = std::make_unique<TempDir>();
      const std::string dir = chain_->dir().string();
      facilitator_ =
          std::make_unique<Peer>("facilitator.mjs", std::vector<std::string>{"--port", "0", "--devnet", dir},
                                 logs_->path() / "facilitator.log");
      seller_ = std::make_unique<Peer>(
          "seller.mjs",
          std::vector<std::string>{"--port", "0", "--facilitator", facilitator_->url(), "--devnet", dir},
          logs_->path() / "seller.log");
      seller_v1_ = std::make_unique<Peer>(
          "seller-v1.mjs",
          std::vector<std::string>{"--port", "0", "--facilitator", facilitator_->url(), "--devnet", dir},
          logs_->path() / "seller-v1.log");
    } catch (const std::exception& e) {
      start_error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    seller_v1_.reset();
    seller_.reset();
    facilitator_.reset();
    logs_.reset();
    chain_.reset();
  }

 protected:
  void SetUp() override {
    if (!seller_v1_) FAIL() << "setup failed: " << start_error_;
  }

  static Devnet& chain() { return *chain_; }
  static std::string devnet_dir() { return chain_->dir().string(); }
  static std::string buyer_key_file(std::size_t i) {
    return chain_->key_path(chain_->info().buyer_key_files[i]).string();
  }
  static const Address& buyer(std::size_t i) { return chain_->buyer_keys()[i].address(); }
  static std::string peer_logs() {
    return "\n--- facilitator ---\n" + facilitator_->log() + "\n--- seller ---\n" + seller_->log() +
           "\n--- seller-v1 ---\n" + seller_v1_->log();
  }

  // `x402 pay` with a private budget file (the user's ~/.x402 stays untouched).
  ProcessResult pay(std::vector<std::string> args) {
    std::vector<std::string> full{"pay"};
    full.insert(full.end(), args.begin(), args.end());
    if (std::find(args.begin(), args.end(), "--budget-file") == args.end()) {
      full.push_back("--budget-file");
      full.push_back((scratch_.path() / "budget.sqlite").string());
    }
    return run_cli(full, {}, 120s, {{"HOME", scratch_.path().string()}});
  }

  static std::string tx_of(const std::string& err) {
    std::smatch match;
    static const std::regex tx(" tx (0x[0-9a-fA-F]{64})");
    return std::regex_search(err, match, tx) ? match[1].str() : std::string();
  }

  static inline std::unique_ptr<Devnet> chain_;
  static inline std::unique_ptr<TempDir> logs_;
  static inline std::unique_ptr<Peer> facilitator_;
  static inline std::unique_ptr<Peer> seller_;
  static inline std::unique_ptr<Peer> seller_v1_;
  static inline std::string start_error_;
  TempDir scratch_;
};

constexpr const char* kBody = "{\"weather\":\"sunny\",\"temperature\":70}";
const U256 kPrice = 1000;  // the peers' default '$0.001'

TEST_F(PayCli, PaysTheReferenceV2Seller) {
  const auto payee_before = chain().token_balance(chain().payee());
  const auto buyer_before = chain().token_balance(buyer(0));

  auto result = pay({seller_->url() + "/weather", "--devnet", devnet_dir()});  // devnet's first buyer
  ASSERT_EQ(result.exit_code, 0) << result.err << peer_logs();
  EXPECT_EQ(result.out, kBody);
  EXPECT_NE(result.err.find("paid 0.001 USDC (asset " + chain().info().asset + ") on eip155:84532"),
            std::string::npos)
      << result.err;
  const auto tx = tx_of(result.err);
  ASSERT_FALSE(tx.empty()) << result.err;
  EXPECT_NE(result.err.find("via rpc " + chain().rpc_url()), std::string::npos) << result.err;

  auto receipt = chain().rpc().run(
      [&](chain::evm::RpcClient& rpc) { return rpc.get_transaction_receipt(*Bytes32::from_hex(tx)); });
  ASSERT_TRUE(receipt && receipt.value()) << "the receipt's transaction is not on chain";
  EXPECT_TRUE(receipt.value()->status);
  EXPECT_EQ(chain().token_balance(buyer(0)), buyer_before - kPrice);
  EXPECT_EQ(chain().token_balance(chain().payee()), payee_before + kPrice);
}

TEST_F(PayCli, PaysTheLegacyV1Seller) {
  const auto payee_before = chain().token_balance(chain().payee());
  const auto buyer_before = chain().token_balance(buyer(1));

  auto result =
      pay({seller_v1_->url() + "/weather", "--devnet", devnet_dir(), "--key-file", buyer_key_file(1)});
  ASSERT_EQ(result.exit_code, 0) << result.err << peer_logs();
  EXPECT_EQ(result.out, kBody);
  EXPECT_NE(result.err.find("paid 0.001 USDC"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("(base-sepolia)"), std::string::npos) << result.err;
  const auto tx = tx_of(result.err);
  ASSERT_FALSE(tx.empty()) << result.err;
  auto receipt = chain().rpc().run(
      [&](chain::evm::RpcClient& rpc) { return rpc.get_transaction_receipt(*Bytes32::from_hex(tx)); });
  ASSERT_TRUE(receipt && receipt.value());
  EXPECT_EQ(chain().token_balance(buyer(1)), buyer_before - kPrice);
  EXPECT_EQ(chain().token_balance(chain().payee()), payee_before + kPrice);
}

TEST_F(PayCli, DryRunPaysNothing) {
  const auto payee_before = chain().token_balance(chain().payee());
  const auto buyer_before = chain().token_balance(buyer(0));
  for (const auto* seller : {seller_.get(), seller_v1_.get()}) {
    auto result = pay({seller->url() + "/weather", "--devnet", devnet_dir(), "--dry-run"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.err.find("would pay 0.001 USDC"), std::string::npos) << result.err;
    EXPECT_EQ(result.out, "");
  }
  std::this_thread::sleep_for(1500ms);  // a payment, had one been made, would have landed by now
  EXPECT_EQ(chain().token_balance(buyer(0)), buyer_before);
  EXPECT_EQ(chain().token_balance(chain().payee()), payee_before);

  auto refused =
      pay({seller_->url() + "/weather", "--devnet", devnet_dir(), "--dry-run", "--max-amount", "$0.0001"});
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_NE(refused.err.find("would refuse"), std::string::npos) << refused.err;
}

TEST_F(PayCli, ASpentBudgetRefusesAndSpendsNothing) {
  const std::string budget_file = (scratch_.path() / "budget-total.sqlite").string();
  const auto buyer_before = chain().token_balance(buyer(2));
  const std::vector<std::string> args{seller_->url() + "/weather",
                                      "--devnet",
                                      devnet_dir(),
                                      "--key-file",
                                      buyer_key_file(2),
                                      "--budget",
                                      "$0.001",
                                      "--budget-file",
                                      budget_file};
  auto first = pay(args);
  ASSERT_EQ(first.exit_code, 0) << first.err << peer_logs();
  EXPECT_EQ(chain().token_balance(buyer(2)), buyer_before - kPrice);

  auto second = pay(args);  // a new process: the spend comes from the file
  EXPECT_EQ(second.exit_code, 3) << second.err;
  EXPECT_NE(second.err.find("budget $0.001 in total would be exceeded"), std::string::npos) << second.err;
  EXPECT_EQ(second.out, "");

  // The v1 seller is refused from the same file too, and a per-window budget the same way.
  auto v1 = pay({seller_v1_->url() + "/weather", "--devnet", devnet_dir(), "--key-file", buyer_key_file(2),
                 "--budget", "$0.0015/1h", "--budget-file", budget_file});
  EXPECT_EQ(v1.exit_code, 3) << v1.err;
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(chain().token_balance(buyer(2)), buyer_before - kPrice);
}

TEST_F(PayCli, MaxAmountBelowThePriceRefuses) {
  const auto buyer_before = chain().token_balance(buyer(0));
  auto result = pay({seller_->url() + "/weather", "--devnet", devnet_dir(), "--max-amount", "$0.0009"});
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_NE(result.err.find("over the maximum per request ($0.0009)"), std::string::npos) << result.err;
  auto network = pay({seller_->url() + "/weather", "--devnet", devnet_dir(), "--network", "eip155:8453"});
  EXPECT_EQ(network.exit_code, 3) << network.err;
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(chain().token_balance(buyer(0)), buyer_before);
}

TEST_F(PayCli, NonPaymentErrorStatusExitsSix) {
  auto result = pay({seller_->url() + "/nothing-here", "--devnet", devnet_dir()});
  EXPECT_EQ(result.exit_code, 6) << result.err;
  EXPECT_NE(result.err.find("HTTP 404"), std::string::npos) << result.err;
  auto free = pay({seller_->url() + "/free", "--devnet", devnet_dir(), "-i"});
  EXPECT_EQ(free.exit_code, 0) << free.err;
  EXPECT_EQ(free.out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << free.out;
  EXPECT_NE(free.out.find("\r\n\r\n{\"free\":true}"), std::string::npos) << free.out;
}

TEST_F(PayCli, ConnectionRefusedExitsFive) {
  const auto port = free_loopback_port();
  auto result = pay({"http://127.0.0.1:" + std::to_string(port) + "/weather", "--devnet", devnet_dir()});
  EXPECT_EQ(result.exit_code, 5) << result.err;
  EXPECT_NE(result.err.find("transport"), std::string::npos) << result.err;
}

TEST_F(PayCli, AnUnfundedWalletIsRejectedThenPaysOnceFunded) {
  const auto key_file = (scratch_.path() / "poor.key").string();
  auto created = run_cli({"wallet", "new", "--out", key_file});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string address = created.out.substr(0, created.out.find('\n'));
  const auto payee_before = chain().token_balance(chain().payee());

  auto rejected = pay({seller_->url() + "/weather", "--devnet", devnet_dir(), "--key-file", key_file});
  EXPECT_EQ(rejected.exit_code, 4) << rejected.err << peer_logs();
  EXPECT_NE(rejected.err.find("payment rejected"), std::string::npos) << rejected.err;
  EXPECT_NE(rejected.err.find("insufficient"), std::string::npos)
      << rejected.err;  // the facilitator's reason
  auto rejected_v1 = pay({seller_v1_->url() + "/weather", "--devnet", devnet_dir(), "--key-file", key_file});
  EXPECT_EQ(rejected_v1.exit_code, 4) << rejected_v1.err;
  EXPECT_EQ(chain().token_balance(chain().payee()), payee_before);

  auto funded = run_cli({"wallet", "fund", "--devnet", devnet_dir(), "--to", address, "--amount", "$0.01"});
  ASSERT_EQ(funded.exit_code, 0) << funded.err;
  auto paid = pay({seller_->url() + "/weather", "--devnet", devnet_dir(), "--key-file", key_file});
  ASSERT_EQ(paid.exit_code, 0) << paid.err << peer_logs();
  EXPECT_EQ(chain().token_balance(*Address::parse(address)), U256(10'000) - kPrice);
  EXPECT_EQ(chain().token_balance(chain().payee()), payee_before + kPrice);
}

TEST_F(PayCli, UsageErrorsExitTwo) {
  EXPECT_EQ(pay({seller_->url() + "/weather"}).exit_code, 2);  // no key, no devnet
  EXPECT_EQ(pay({seller_->url() + "/weather", "--devnet", devnet_dir(), "--max-amount", "lots"}).exit_code,
            2);
  EXPECT_EQ(pay({seller_->url() + "/weather", "--devnet", devnet_dir(), "--budget", "$1/forever"}).exit_code,
            2);
  EXPECT_EQ(pay({"not a url", "--devnet", devnet_dir()}).exit_code, 2);
}

TEST_F(PayCli, OutputFileAndPostData) {
  const auto out = scratch_.path() / "body.json";
  const auto payee_before = chain().token_balance(chain().payee());
  auto result = pay({seller_->url() + "/weather", "--devnet", devnet_dir(), "--key-file", buyer_key_file(3),
                     "-o", out.string(), "-H", "Accept: application/json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(read_file(out), kBody);
  EXPECT_EQ(chain().token_balance(chain().payee()), payee_before + kPrice);
  // The seller only sells GET: a POST is not a protected route and gets express's 404.
  auto post = pay({seller_->url() + "/weather", "--devnet", devnet_dir(), "-d", "{}"});
  EXPECT_EQ(post.exit_code, 6) << post.err;
}

}  // namespace
}  // namespace x402::test
