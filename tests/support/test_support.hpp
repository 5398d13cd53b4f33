// Shared test helpers: running child processes with a deadline, loopback ports, temp dirs.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "x402/types.hpp"

namespace x402::test {

struct ProcessResult {
  int exit_code = -1;  // -1 if killed by the deadline or a signal
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs argv[0] (a path, not searched in PATH) with the given stdin, capturing stdout and stderr;
// kills it (SIGKILL) when the deadline passes. `env` entries are added to the inherited environment.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& stdin_text = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(30),
                          const std::map<std::string, std::string>& env = {});

// Runs the x402 command built alongside the tests.
ProcessResult run_cli(const std::vector<std::string>& args, const std::string& stdin_text = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(30),
                      const std::map<std::string, std::string>& env = {});

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  // Writes `content` to path()/name with the given permissions and returns the full path.
  std::filesystem::path write_file(const std::string& name, const std::string& content,
                                   std::filesystem::perms perms = std::filesystem::perms::owner_read |
                                                                  std::filesystem::perms::owner_write);

 private:
  std::filesystem::path path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
unsigned short free_loopback_port();

std::string read_file(const std::filesystem::path& path);

// An "exact" payment requirement; `extra_json` is a JSON object's text, or empty for no extra.
PaymentRequirements exact_requirement(std::string_view network, std::uint64_t amount, std::string_view asset,
                                      std::string_view pay_to, std::uint64_t max_timeout_seconds = 300,
                                      std::string_view extra_json = {});

// Hardhat/anvil test account #0 (public test vector key; holds nothing of value anywhere).
inline constexpr const char* kTestKey0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
inline constexpr const char* kTestAddress0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

}  // namespace x402::test
