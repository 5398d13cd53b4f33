// Helpers of the seller tests: running coroutines to completion, a fake facilitator, background
// processes (our facilitator, the example sellers) with ready-line detection, the node peers.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/test_support.hpp"
#include "x402/codec.hpp"
#include "x402/seller.hpp"

namespace x402::test {

// Runs an awaitable on a fresh io_context to completion.
template <typename T>
T run_sync(boost::asio::awaitable<T> operation) {
  boost::asio::io_context context;
  auto future = boost::asio::co_spawn(
      context,
      [op = std::move(operation)]() mutable -> boost::asio::awaitable<std::optional<T>> {
        co_return co_await std::move(op);
      },
      boost::asio::use_future);
  context.run();
  return std::move(*future.get());
}

// In-memory facilitator: scripted answers, recorded calls.
class FakeFacilitator final : public seller::FacilitatorClient {
 public:
  SupportedResponse supported_answer;
  std::optional<Error> supported_error;
  std::deque<Result<VerifyResponse>> verify_answers;  // front first; empty: valid
  std::deque<Result<SettleResponse>> settle_answers;  // front first; empty: success
  std::vector<FacilitatorRequest> verify_calls;
  std::vector<FacilitatorRequest> settle_calls;
  int supported_calls = 0;

  FakeFacilitator() {
    supported_answer.kinds.push_back(SupportedKind{2, "exact", "eip155:84532", std::nullopt});
    supported_answer.kinds.push_back(SupportedKind{1, "exact", "base-sepolia", std::nullopt});
  }

  boost::asio::awaitable<Result<SupportedResponse>> supported() override {
    ++supported_calls;
    if (supported_error) co_return *supported_error;
    co_return supported_answer;
  }
  boost::asio::awaitable<Result<VerifyResponse>> verify(const FacilitatorRequest& request) override {
    std::lock_guard lock(mutex_);
    verify_calls.push_back(request);
    if (verify_answers.empty()) {
      VerifyResponse valid;
      valid.is_valid = true;
      valid.payer = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
      co_return valid;
    }
    auto answer = verify_answers.front();
    verify_answers.pop_front();
    co_return answer;
  }
  boost::asio::awaitable<Result<SettleResponse>> settle(const FacilitatorRequest& request) override {
    std::lock_guard lock(mutex_);
    settle_calls.push_back(request);
    if (settle_answers.empty()) {
      SettleResponse ok;
      ok.success = true;
      ok.payer = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
      ok.transaction = "0x" + std::string(64, 'a');
      ok.network = "eip155:84532";
      co_return ok;
    }
    auto answer = settle_answers.front();
    settle_answers.pop_front();
    co_return answer;
  }
  [[nodiscard]] std::string name() const override { return "fake"; }

  std::size_t settle_count() {
    std::lock_guard lock(mutex_);
    return settle_calls.size();
  }

 private:
  std::mutex mutex_;
};

// A long-running child process: stdout and stderr go to files in a temp dir (a chatty child can
// never block on a full pipe), it dies with the test process (PR_SET_PDEATHSIG), and it is
// stopped (SIGTERM, then SIGKILL) by stop() or the destructor.
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv,
                        const std::map<std::string, std::string>& env = {}) {
    out_ = dir_.path() / "stdout";
    err_ = dir_.path() / "stderr";
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);
      const int out = open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int err = open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int in = open("/dev/null", O_RDONLY);
      dup2(in, 0);
      dup2(out, 1);
      dup2(err, 2);
      for (const auto& [key, value] : env) setenv(key.c_str(), value.c_str(), 1);
      std::vector<char*> args;
      for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~ChildProcess() { stop(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The first stdout line starting with `prefix`; nullopt if the process exits or time runs out.
  std::optional<std::string> wait_for_line(std::string_view prefix,
                                           std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string text = read_file(out_);
      std::size_t start = 0;
      while (start < text.size()) {
        const std::size_t end = text.find('\n', start);
        if (end == std::string::npos) break;
        const std::string line = text.substr(start, end - start);
        if (line.rfind(prefix, 0) == 0) return line;
        start = end + 1;
      }
      if (exited()) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return std::nullopt;
  }

  // "http://127.0.0.1:P" from a "<Role> listening on http://..." line.
  std::optional<std::string> wait_for_url(std::string_view prefix) {
    auto line = wait_for_line(prefix);
    if (!line) return std::nullopt;
    const auto at = line->find("http://");
    if (at == std::string::npos) return std::nullopt;
    return line->substr(at);
  }

  bool exited() {
    if (pid_ <= 0) return true;
    int status = 0;
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      pid_ = -1;
      return true;
    }
    return false;
  }

  // Waits up to `timeout` for the process to exit by itself; its exit code, or nullopt.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exited()) {
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return exit_code_;
  }

  void stop() {
    if (exited()) return;
    kill(pid_, SIGTERM);
    if (wait_exit(std::chrono::seconds(5))) return;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  std::string out() const { return read_file(out_); }
  std::string err() const { return read_file(err_); }
  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  TempDir dir_;
  std::filesystem::path out_;
  std::filesystem::path err_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

inline std::string source_path(const std::string& relative) {
  return std::string(X402_SOURCE_DIR) + "/" + relative;
}

inline std::string binary_path(const std::string& relative) {
  return std::string(X402_BINARY_DIR) + "/" + relative;
}

// The one JSON line a node peer prints.
struct PeerResult {
  bool success = false;
  std::optional<int> status;
  std::string body;
  boost::json::value payment_response;  // null when absent
  std::string error;
  std::string raw;  // stdout + stderr, for failure messages
};

inline PeerResult parse_peer_output(const ProcessResult& run) {
  PeerResult out;
  out.raw = "exit " + std::to_string(run.exit_code) + "\nstdout: " + run.out + "\nstderr: " + run.err;
  boost::system::error_code ec;
  auto json = boost::json::parse(run.out, ec);
  if (ec || !json.is_object()) return out;
  const auto& object = json.as_object();
  if (const auto* v = object.if_contains("success"); v && v->is_bool()) out.success = v->as_bool();
  if (const auto* v = object.if_contains("status"); v && v->is_int64())
    out.status = static_cast<int>(v->as_int64());
  if (const auto* v = object.if_contains("body"); v && v->is_string()) out.body = std::string(v->as_string());
  if (const auto* v = object.if_contains("paymentResponse")) out.payment_response = *v;
  if (const auto* v = object.if_contains("error"); v && v->is_string())
    out.error = std::string(v->as_string());
  return out;
}

// node tests/interop/peers/<peer> --url URL --devnet D [extra...]
inline PeerResult run_peer(const std::string& peer, const std::string& url,
                           const std::filesystem::path& devnet, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv{X402_NODE,      source_path("tests/interop/peers/" + peer),
                                "--url",        url,
                                "--devnet",     devnet.string(),
                                "--timeout-ms", "60000"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return parse_peer_output(run_process(argv, {}, std::chrono::seconds(90)));
}

}  // namespace x402::test
