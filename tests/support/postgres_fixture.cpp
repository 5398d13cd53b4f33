#include "support/postgres_fixture.hpp"

#include <unistd.h>

#include <stdexcept>

namespace x402::test {
namespace {

const std::string kScript = std::string(X402_SOURCE_DIR) + "/scripts/postgres";
// A ready-made cluster the script copies instead of running initdb for every test (seconds of CPU).
const std::string kTemplate = std::string(X402_BINARY_DIR) + "/postgres-template";
constexpr auto kScriptTimeout = std::chrono::seconds(90);  // the script's own waits are 30 s each

std::string describe(const ProcessResult& result) {
  if (result.timed_out) return "timed out";
  std::string text = result.err.empty() ? result.out : result.err;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return "exit " + std::to_string(result.exit_code) + (text.empty() ? "" : ": " + text);
}

}  // namespace

PostgresFixture::PostgresFixture() : dir_(tmp_.path() / "pg") {
  // When tests run as root the server runs as the postgres user, which must be able to pass
  // through the (otherwise owner-only) temp directory.
  std::filesystem::permissions(tmp_.path(), std::filesystem::perms::owner_all |
                                                std::filesystem::perms::group_exec |
                                                std::filesystem::perms::others_exec);
  std::string last_error;
  // Another process may grab the port between free_loopback_port() and the server's bind.
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = free_loopback_port();
    int exit_code = -1;
    run_script({kScript, "start", dir_.string(), std::to_string(port_), "--owner", std::to_string(getpid()),
                "--template", kTemplate},
               &exit_code, &last_error);
    if (exit_code == 0) {
      auto url = run_process({kScript, "url", dir_.string()}, {}, kScriptTimeout);
      if (url.exit_code != 0) throw std::runtime_error("scripts/postgres url failed: " + describe(url));
      conninfo_ = url.out.substr(0, url.out.find('\n'));
      return;
    }
    if (exit_code == 3) break;  // PostgreSQL is not installed: no point trying other ports
  }
  throw std::runtime_error("could not start a private PostgreSQL server with scripts/postgres (" +
                           last_error +
                           "). The test suite needs PostgreSQL 15: run scripts/setup --tests as root.");
}

PostgresFixture::~PostgresFixture() {
  try {
    run_process({kScript, "stop", dir_.string()}, {}, kScriptTimeout);
  } catch (const std::exception&) {
    // Could not even fork: the watcher stops the server once this process exits.
  }
  // tmp_ then removes the directory.
}

std::string PostgresFixture::admin_conninfo() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=postgres user=postgres";
}

void PostgresFixture::stop() {
  int exit_code = -1;
  std::string error;
  run_script({kScript, "stop", dir_.string()}, &exit_code, &error);
  if (exit_code != 0) throw std::runtime_error("scripts/postgres stop failed (" + error + ")");
}

void PostgresFixture::start() {
  int exit_code = -1;
  std::string error;
  run_script({kScript, "start", dir_.string(), std::to_string(port_), "--owner", std::to_string(getpid())},
             &exit_code, &error);
  if (exit_code != 0) throw std::runtime_error("scripts/postgres start failed (" + error + ")");
}

void PostgresFixture::run_script(const std::vector<std::string>& args, int* exit_code, std::string* error) {
  auto result = run_process(args, {}, kScriptTimeout);
  *exit_code = result.exit_code;
  *error = describe(result);
}

}  // namespace x402::test
