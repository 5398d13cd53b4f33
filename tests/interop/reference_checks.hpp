// Runs tests/interop/peers/check.mjs — the reference TypeScript SDK's own schemas, codecs,
// facilitator verify, client and price parser — over a batch of requests in ONE node process
// (`check.mjs batch`): loading the SDKs costs seconds, each request a few milliseconds.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "support/test_support.hpp"

namespace x402::test::interop {

struct CheckResult {
  int exit = -1;
  std::string out;  // what the single command would have printed on stdout
  std::string err;

  // stdout without its final newline (the one-line commands).
  [[nodiscard]] std::string line() const {
    return !out.empty() && out.back() == '\n' ? out.substr(0, out.size() - 1) : out;
  }
  // stdout parsed as JSON (null if it is not).
  [[nodiscard]] boost::json::value json() const {
    boost::system::error_code ec;
    auto value = boost::json::parse(line(), ec);
    return ec ? boost::json::value{} : value;
  }
};

inline std::filesystem::path interop_dir() {
  return std::filesystem::path(X402_SOURCE_DIR) / "tests" / "interop";
}

class ReferenceChecks {
 public:
  // Queues `check.mjs <args...>`, with `stdin_text` as what it would read from stdin. Returns the
  // index of its result.
  std::size_t add(std::vector<std::string> args, std::optional<std::string> stdin_text = std::nullopt) {
    boost::json::object request;
    boost::json::array list;
    for (auto& arg : args) list.emplace_back(arg);
    request["args"] = std::move(list);
    if (stdin_text) request["stdin"] = *stdin_text;
    requests_ += boost::json::serialize(request);
    requests_ += '\n';
    return count_++;
  }

  // Runs everything queued; false (with a test failure recorded) if the batch did not complete.
  bool run(std::chrono::seconds timeout = std::chrono::seconds(180)) {
    results_.clear();
    if (!std::filesystem::exists(interop_dir() / "node_modules" / "@x402" / "core")) {
      ADD_FAILURE() << "the reference SDK is not installed: run scripts/setup --tests";
      return false;
    }
    const auto started = std::chrono::steady_clock::now();
    auto run = run_process({X402_NODE, (interop_dir() / "peers" / "check.mjs").string(), "batch"}, requests_,
                           timeout);
    elapsed_ =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (run.timed_out || run.exit_code != 0) {
      ADD_FAILURE() << "check.mjs batch failed (exit " << run.exit_code
                    << (run.timed_out ? ", timed out" : "") << "): " << run.err;
      return false;
    }
    std::size_t pos = 0;
    while (pos < run.out.size()) {
      const auto end = run.out.find('\n', pos);
      const auto line = run.out.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
      pos = end == std::string::npos ? run.out.size() : end + 1;
      if (line.empty()) continue;
      boost::system::error_code ec;
      auto value = boost::json::parse(line, ec);
      if (ec || !value.is_object()) {
        ADD_FAILURE() << "check.mjs batch printed a line that is not a result: " << line;
        return false;
      }
      const auto& object = value.as_object();
      CheckResult result;
      result.exit = static_cast<int>(object.at("exit").to_number<std::int64_t>());
      result.out = std::string(object.at("stdout").as_string());
      result.err = std::string(object.at("stderr").as_string());
      results_.push_back(std::move(result));
    }
    if (results_.size() != count_) {
      ADD_FAILURE() << "check.mjs batch answered " << results_.size() << " of " << count_
                    << " requests; stderr: " << run.err;
      return false;
    }
    return true;
  }

  [[nodiscard]] const CheckResult& operator[](std::size_t index) const { return results_.at(index); }
  [[nodiscard]] std::size_t size() const { return count_; }
  [[nodiscard]] std::chrono::milliseconds elapsed() const { return elapsed_; }

 private:
  std::string requests_;
  std::size_t count_ = 0;
  std::vector<CheckResult> results_;
  std::chrono::milliseconds elapsed_{0};
};

}  // namespace x402::test::interop
