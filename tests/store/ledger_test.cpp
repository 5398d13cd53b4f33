// The settlement ledger, run against both backends: a real SQLite file and a real PostgreSQL
// server (a private cluster per test, see support/postgres_fixture.hpp).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <barrier>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "store/ledger.hpp"
#include "support/postgres_fixture.hpp"
#include "support/test_support.hpp"

extern char** environ;

namespace x402::store {
namespace {

using namespace std::chrono_literals;
using test::PostgresFixture;
using test::TempDir;

enum class Backend { sqlite, postgres };

constexpr const char* kPsql = "/usr/lib/postgresql/15/bin/psql";

std::string backend_name(Backend backend) {
  return backend == Backend::sqlite ? "sqlite" : "postgres";
}

// GoogleTest prints the parameter in test names and CTest listings.
void PrintTo(Backend backend, std::ostream* out) {
  *out << backend_name(backend);
}

Result<std::unique_ptr<Ledger>> open_backend(Backend backend, const std::string& location) {
  return backend == Backend::sqlite ? open_sqlite_ledger(location) : open_postgres_ledger(location);
}

std::string hex_word(std::uint64_t value, std::size_t digits) {
  std::string out(digits, '0');
  for (std::size_t i = 0; i < digits && value != 0; ++i, value >>= 4)
    out[digits - 1 - i] = "0123456789abcdef"[value & 0xf];
  return "0x" + out;
}

PaymentKey make_key(std::uint64_t n, const std::string& network = "eip155:84532") {
  return {network, "0x036cbd53842c5426634e7929541ec2318f3dcf7e", "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
          hex_word(n, 64)};
}

SettlementRecord make_fresh(const PaymentKey& key, const std::string& payload_tag = "a") {
  SettlementRecord fresh;
  fresh.key = key;
  fresh.payload_hash =
      "0xhash-" + payload_tag + "-" + key.nonce.substr(key.nonce.size() > 8 ? key.nonce.size() - 8 : 0);
  fresh.request_json =
      R"({"x402Version":2,"tag":")" + payload_tag + R"(","note":"quote ' and \" and ünïcode"})";
  fresh.amount = "10000";
  fresh.pay_to = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
  return fresh;
}

SubmittedTx make_tx(std::uint64_t n) {
  return {"0x90f79bf6eb2c4f870365e785982e1f101e93b906", 40 + n, hex_word(0xabc000 + n, 64),
          "0x02f8" + hex_word(n, 8).substr(2)};
}

// The reference record a successful claim of `fresh` should produce (timestamps aside).
void expect_fresh_record(const SettlementRecord& record, const SettlementRecord& fresh,
                         std::uint32_t attempt) {
  EXPECT_EQ(record.key, fresh.key);
  EXPECT_EQ(record.state, SettlementState::verified);
  EXPECT_EQ(record.payload_hash, fresh.payload_hash);
  EXPECT_EQ(record.request_json, fresh.request_json);
  EXPECT_EQ(record.amount, fresh.amount);
  EXPECT_EQ(record.pay_to, fresh.pay_to);
  EXPECT_EQ(record.attempt, attempt);
  EXPECT_FALSE(record.signer);
  EXPECT_FALSE(record.signer_nonce);
  EXPECT_FALSE(record.tx_hash);
  EXPECT_FALSE(record.raw_tx);
  EXPECT_FALSE(record.block_number);
  EXPECT_FALSE(record.error_reason);
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---------------------------------------------------------------------------------------------
// Worker processes: the test binary re-executes itself with X402_LEDGER_WORKER set; this hook runs
// before main(), claims keys on its own ledger instance and exits.
//
// Protocol: opens the ledger (unless X402_LEDGER_OPEN_AFTER_GO), prints "ready", waits for a byte
// on stdin, opens if not yet, claims keys 0..X402_LEDGER_KEYS-1, prints each claimed index, then
// "done". Errors go to stderr with exit status 2.

int worker_main(const char* backend_text) {
  const Backend backend = std::string_view(backend_text) == "postgres" ? Backend::postgres : Backend::sqlite;
  const std::string location = std::getenv("X402_LEDGER_LOCATION");
  const int keys = std::atoi(std::getenv("X402_LEDGER_KEYS"));
  const bool open_after_go = std::getenv("X402_LEDGER_OPEN_AFTER_GO") != nullptr;
  std::unique_ptr<Ledger> ledger;
  auto open = [&]() -> bool {
    auto opened = open_backend(backend, location);
    if (!opened) {
      std::fprintf(stderr, "worker %d: open: %s\n", getpid(), opened.error().describe().c_str());
      return false;
    }
    ledger = std::move(opened).value();
    return true;
  };
  if (!open_after_go && !open()) return 2;
  std::printf("ready\n");
  std::fflush(stdout);
  char go = 0;
  if (read(0, &go, 1) != 1) return 2;
  if (open_after_go && !open()) return 2;
  for (int i = 0; i < keys; ++i) {
    auto fresh = make_fresh(make_key(static_cast<std::uint64_t>(i)), "worker" + std::to_string(getpid()));
    auto result = ledger->claim(fresh);
    if (!result) {
      std::fprintf(stderr, "worker %d: claim %d: %s\n", getpid(), i, result.error().describe().c_str());
      return 2;
    }
    if (result->claimed) std::printf("%d\n", i);
  }
  std::printf("done\n");
  std::fflush(stdout);
  return 0;
}

const bool kIsWorker = [] {
  if (const char* backend = std::getenv("X402_LEDGER_WORKER")) std::_Exit(worker_main(backend));
  return false;
}();

struct Worker {
  pid_t pid = -1;
  int stdin_fd = -1;
  int stdout_fd = -1;
  std::string out;
  bool eof = false;
};

std::string self_exe() {
  std::array<char, 4096> buffer{};
  ssize_t n = readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
  return n > 0 ? std::string(buffer.data(), static_cast<std::size_t>(n)) : std::string();
}

Worker spawn_worker(Backend backend, const std::string& location, int keys, bool open_after_go) {
  int in_pipe[2], out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  env_strings.push_back("X402_LEDGER_WORKER=" + backend_name(backend));
  env_strings.push_back("X402_LEDGER_LOCATION=" + location);
  env_strings.push_back("X402_LEDGER_KEYS=" + std::to_string(keys));
  if (open_after_go) env_strings.emplace_back("X402_LEDGER_OPEN_AFTER_GO=1");
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string exe = self_exe();
  char* argv[] = {exe.data(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  Worker worker;
  int rc = posix_spawn(&worker.pid, exe.c_str(), &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(in_pipe[0]);
  close(out_pipe[1]);
  if (rc != 0) throw std::runtime_error("posix_spawn failed");
  worker.stdin_fd = in_pipe[1];
  worker.stdout_fd = out_pipe[0];
  return worker;
}

// Reads from every worker until `done(worker)` holds for all of them or the deadline passes.
bool pump(std::vector<Worker>& workers, const std::function<bool(const Worker&)>& done,
          std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    bool all = true;
    std::vector<pollfd> fds;
    std::vector<Worker*> owners;
    for (auto& worker : workers) {
      if (done(worker)) continue;
      all = false;
      if (!worker.eof) {
        fds.push_back({worker.stdout_fd, POLLIN, 0});
        owners.push_back(&worker);
      }
    }
    if (all) return true;
    if (fds.empty() || std::chrono::steady_clock::now() >= deadline) return false;
    poll(fds.data(), fds.size(), 200);
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      char buffer[4096];
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        owners[i]->out.append(buffer, static_cast<std::size_t>(n));
      } else {
        owners[i]->eof = true;
      }
    }
  }
}

// Runs `count` worker processes racing to claim keys 0..keys-1; returns how often each key was
// claimed (all workers' claims together). Fails the test on a worker error or timeout.
std::map<int, int> race_processes(Backend backend, const std::string& location, int count, int keys,
                                  bool open_after_go) {
  std::vector<Worker> workers;
  for (int i = 0; i < count; ++i) workers.push_back(spawn_worker(backend, location, keys, open_after_go));
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  const bool ready = pump(
      workers, [](const Worker& w) { return w.out.find("ready\n") != std::string::npos || w.eof; }, deadline);
  EXPECT_TRUE(ready) << "workers did not get ready in time";
  for (auto& worker : workers) {
    // Released together: every worker already sits in read().
    EXPECT_EQ(write(worker.stdin_fd, "g", 1), 1);
    close(worker.stdin_fd);
  }
  const bool finished = pump(
      workers, [](const Worker& w) { return w.eof; }, deadline);
  EXPECT_TRUE(finished) << "workers did not finish in time";
  std::map<int, int> claims;
  for (auto& worker : workers) {
    if (!finished) kill(worker.pid, SIGKILL);
    int status = 0;
    waitpid(worker.pid, &status, 0);
    close(worker.stdout_fd);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "worker " << worker.pid << " failed";
    EXPECT_NE(worker.out.find("done\n"), std::string::npos) << worker.out;
    std::istringstream lines(worker.out);
    std::string line;
    while (std::getline(lines, line)) {
      if (line != "ready" && line != "done") ++claims[std::stoi(line)];
    }
  }
  return claims;
}

// Runs SQL on the store behind the ledger's back (schema checks, tampering), returning the first
// column of the first row.
std::string raw_query(Backend backend, const std::string& location, const std::string& sql) {
  if (backend == Backend::postgres) {
    auto result = test::run_process({kPsql, "-XAtq", "-v", "ON_ERROR_STOP=1", "-d", location, "-c", sql});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out.substr(0, result.out.find('\n'));
  }
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(location.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  std::string value;
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  int rc = sqlite3_step(stmt);
  EXPECT_TRUE(rc == SQLITE_ROW || rc == SQLITE_DONE) << sqlite3_errmsg(db);
  if (rc == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
    value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

// ---------------------------------------------------------------------------------------------

class LedgerTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::postgres) {
      postgres_ = std::make_unique<PostgresFixture>();
      location_ = postgres_->conninfo();
    } else {
      location_ = (tmp_.path() / "ledger.db").string();
    }
  }

  // A new ledger instance on this test's store (as another process would open it).
  std::unique_ptr<Ledger> open() {
    auto ledger = open_backend(GetParam(), location_);
    EXPECT_TRUE(ledger) << ledger.error().describe();
    return ledger ? std::move(ledger).value() : nullptr;
  }

  // Claims `key` and moves it to `state` along the allowed path.
  static void drive(Ledger& ledger, const PaymentKey& key, SettlementState state, std::uint64_t n = 1) {
    auto claimed = ledger.claim(make_fresh(key));
    ASSERT_TRUE(claimed) << claimed.error().describe();
    ASSERT_TRUE(claimed->claimed);
    switch (state) {
      case SettlementState::verified:
        return;
      case SettlementState::failed:
        ASSERT_TRUE(ledger.mark_failed(key, "rejected"));
        return;
      default:
        break;
    }
    ASSERT_TRUE(ledger.mark_submitted(key, make_tx(n)));
    if (state == SettlementState::pending) {
      ASSERT_TRUE(ledger.mark_pending(key));
    }
    if (state == SettlementState::confirmed) {
      ASSERT_TRUE(ledger.mark_confirmed(key, 1000 + n));
    }
  }

  static SettlementRecord get(Ledger& ledger, const PaymentKey& key) {
    auto found = ledger.find(key);
    EXPECT_TRUE(found) << found.error().describe();
    EXPECT_TRUE(found && found->has_value());
    return found && found->has_value() ? **found : SettlementRecord{};
  }

  TempDir tmp_;
  std::unique_ptr<PostgresFixture> postgres_;
  std::string location_;
};

TEST_P(LedgerTest, ClaimInsertsAVerifiedRecord) {
  auto ledger = open();
  ASSERT_NE(ledger, nullptr);
  const auto before = now_ms();
  auto fresh = make_fresh(make_key(1));
  fresh.state = SettlementState::confirmed;  // ignored: a claim always starts at verified
  fresh.attempt = 7;
  fresh.tx_hash = "0xignored";
  auto result = ledger->claim(fresh);
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_TRUE(result->claimed);
  expect_fresh_record(result->record, fresh, 1);
  EXPECT_GE(result->record.created_at, before - 1000);  // PostgreSQL stamps with the server clock
  EXPECT_LE(result->record.created_at, now_ms() + 1000);
  EXPECT_EQ(result->record.updated_at, result->record.created_at);
  EXPECT_EQ(get(*ledger, fresh.key), result->record);
}

TEST_P(LedgerTest, SecondClaimReturnsTheExistingRecordUnclaimed) {
  auto ledger = open();
  ASSERT_NE(ledger, nullptr);
  auto first = ledger->claim(make_fresh(make_key(1), "first"));
  ASSERT_TRUE(first && first->claimed);
  auto second = ledger->claim(make_fresh(make_key(1), "second"));
  ASSERT_TRUE(second) << second.error().describe();
  EXPECT_FALSE(second->claimed);
  EXPECT_EQ(second->record, first->record);
  // Another key is independent, and so is the same nonce on another network.
  auto other = ledger->claim(make_fresh(make_key(1, "eip155:8453")));
  ASSERT_TRUE(other);
  EXPECT_TRUE(other->claimed);
}

TEST_P(LedgerTest, FindUnknownKeyReturnsNothing) {
  auto ledger = open();
  ASSERT_NE(ledger, nullptr);
  auto found = ledger->find(make_key(42));
  ASSERT_TRUE(found) << found.error().describe();
  EXPECT_FALSE(found->has_value());
}

TEST_P(LedgerTest, AllowedTransitionsRecordTheirFields) {
  auto ledger = open();
  ASSERT_NE(ledger, nullptr);
  // verified -> submitted -> pending -> confirmed
  const auto key = make_key(1);
  ASSERT_TRUE(ledger->claim(make_fresh(key)));
  const auto claimed = get(*ledger, key);
  const auto tx = make_tx(1);
  ASSERT_TRUE(ledger->mark_submitted(key, tx));
  auto record = get(*ledger, key);
  EXPECT_EQ(record.state, SettlementState::submitted);
  EXPECT_EQ(record.signer, tx.signer);
  EXPECT_EQ(record.signer_nonce, tx.signer_nonce);
  EXPECT_EQ(record.tx_hash, tx.tx_hash);
  EXPECT_EQ(record.raw_tx, tx.raw_tx);
  EXPECT_EQ(record.created_at, claimed.created_at);
  EXPECT_GE(record.updated_at, claimed.updated_at);
  ASSERT_TRUE(ledger->mark_pending(key));
  EXPECT_EQ(get(*ledger, key).state, SettlementState::pending);
  ASSERT_TRUE(ledger->mark_confirmed(key, 123456));
  record = get(*ledger, key);
  EXPECT_EQ(record.state, SettlementState::confirmed);
  EXPECT_EQ(record.block_number, 123456u);
  EXPECT_EQ(record.tx_hash, tx.tx_hash);  // kept after submission
  EXPECT_EQ(record.attempt, 1u);

  // submitted -> confirmed directly; submitted -> failed keeps the tx (it reverted on chain).
  const auto key2 = make_key(2);
  drive(*ledger, key2, SettlementState::submitted, 2);
  ASSERT_TRUE(ledger->mark_confirmed(key2, 7));
  EXPECT_EQ(get(*ledger, key2).state, SettlementState::confirmed);
  const auto key3 = make_key(3);
  drive(*ledger, key3, SettlementState::submitted, 3);
  ASSERT_TRUE(ledger->mark_failed(key3, "invalid_exact_evm_transaction_failed"));
  record = get(*ledger, key3);
  EXPECT_EQ(record.state, SettlementState::failed);
  EXPECT_EQ(record.error_reason, "invalid_exact_evm_transaction_failed");
  EXPECT_EQ(record.tx_hash, make_tx(3).tx_hash);
  // verified -> failed (rejected before broadcast), pending -> failed.
  const auto key4 = make_key(4);
  drive(*ledger, key4, SettlementState::verified);
  ASSERT_TRUE(ledger->mark_failed(key4, "insufficient_funds"));
  EXPECT_EQ(get(*ledger, key4).state, SettlementState::failed);
  const auto key5 = make_key(5);
  drive(*ledger, key5, SettlementState::pending, 5);
  ASSERT_TRUE(ledger->mark_failed(key5, "reverted"));
  EXPECT_EQ(get(*ledger, key5).state, SettlementState::failed);
}

// Every (state, operation) pair: allowed ones reach the target state, the others fail with
// conflict and leave the record untouched.
TEST_P(LedgerTest, TransitionMatrix) {
  auto ledger = open();
  ASSERT_NE(ledger, nullptr);
  enum class Op { submitted, confirmed, pending, failed };
  const std::map<Op, std::set<SettlementState>> allowed = {
      {Op::submitted, {SettlementState::verified}},
      {Op::confirmed, {SettlementState::submitted, SettlementState::pending}},
      {Op::pending, {SettlementState::submitted}},
      {Op::failed, {SettlementState::verified, SettlementState::submitted, SettlementState::pending}},
  };
  const std::map<Op, SettlementState> target = {{Op::submitted, SettlementState::submitted},
                                                {Op::confirmed, SettlementState::confirmed},
                                                {Op::pending, SettlementState::pending},
                                                {Op::failed, SettlementState::failed}};
  std::uint64_t n = 100;
  int conflicts = 0;
  for (auto from : {SettlementState::verified, SettlementState::submitted, SettlementState::pending,
                    SettlementState::confirmed, SettlementState::failed}) {
    for (auto [op, allowed_from] : allowed) {
      SCOPED_TRACE(std::string(to_string(from)) + " -> " + std::string(to_string(target.at(op))));
      const auto key = make_key(++n);
      drive(*ledger, key, from, n);
      const auto before = get(*ledger, key);
      Status status;
      switch (op) {
        case Op::submitted:
          status = ledger->mark_submitted(key, make_tx(n + 1000));
          break;
        case Op::confirmed:
          status = ledger->mark_confirmed(key, 99);
          break;
        case Op::pending:
          status = ledger->mark_pending(key);
          break;
        case Op::failed:
          status = ledger->mark_failed(key, "because");
          break;
      }
      if (allowed_from.count(from) != 0) {
        EXPECT_TRUE(status) << status.error().describe();
        EXPECT_EQ(get(*ledger, key).state, target.at(op));
      } else {
        ++conflicts;
        ASSERT_FALSE(status);
        EXPECT_EQ(status.error().code, Errc::conflict) << status.error().describe();
        EXPECT_NE(status.error().message.find(std::string(to_string(from))), std::string::npos)
            << "message names the current state: " << status.error().message;
        EXPECT_EQ(get(*ledger, key), before);
      }
    }
  }
  EXPECT_EQ(conflicts, 13);  // 20 pairs, 7 allowed
}

TEST_P(LedgerTest, TransitionsOfAnUnknownRecordAreNotFound) {
  auto ledger = open();
  ASSERT_NE(ledger, nullptr);
  const auto key = make_key(9);
  for (const Status& status : {ledger->mark_submitted(key, make_tx(1)), ledger->mark_confirmed(key, 1),
                               ledger->mark_pending(key), ledger->mark_failed(key, "x")}) {
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().code, Errc::not_found) << status.error().describe();
  }
  EXPECT_FALSE(ledger->find(key)->has_value());
}

TEST_P(LedgerTest, FailedRecordIsReclaimedWithANewAttempt) {
  auto ledger = open();
  ASSERT_NE(ledger, nullptr);
  const auto key = make_key(1);
  drive(*ledger, key, SettlementState::submitted, 1);
  ASSERT_TRUE(ledger->mark_failed(key, "reverted"));
  const auto failed = get(*ledger, key);

  const auto retry = make_fresh(key, "retry");
  auto result = ledger->claim(retry);
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_TRUE(result->claimed);
  expect_fresh_record(result->record, retry, 2);  // tx fields and error cleared, new payload
  EXPECT_EQ(result->record.created_at, failed.created_at);
  EXPECT_GE(result->record.updated_at, failed.updated_at);
  EXPECT_EQ(get(*ledger, key), result->record);

  // The new attempt is owned: a further claim does not take it.
  auto again = ledger->claim(make_fresh(key, "third"));
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->claimed);
  EXPECT_EQ(again->record.payload_hash, retry.payload_hash);

  // And it runs the normal course; failing again allows attempt 3.
  ASSERT_TRUE(ledger->mark_failed(key, "insufficient_funds"));
  auto third = ledger->claim(make_fresh(key, "third"));
  ASSERT_TRUE(third);
  EXPECT_TRUE(third->claimed);
  EXPECT_EQ(third->record.attempt, 3u);
  ASSERT_TRUE(ledger->mark_submitted(key, make_tx(3)));
  ASSERT_TRUE(ledger->mark_confirmed(key, 5));
  EXPECT_EQ(get(*ledger, key).attempt, 3u);
}

TEST_P(LedgerTest, OnlyFailedRecordsAreReclaimed) {
  auto ledger = open();
  ASSERT_NE(ledger, nullptr);
  std::uint64_t n = 0;
  for (auto state : {SettlementState::verified, SettlementState::submitted, SettlementState::pending,
                     SettlementState::confirmed}) {
    SCOPED_TRACE(std::string(to_string(state)));
    const auto key = make_key(++n);
    drive(*ledger, key, state, n);
    const auto before = get(*ledger, key);
    auto result = ledger->claim(make_fresh(key, "other"));
    ASSERT_TRUE(result) << result.error().describe();
    EXPECT_FALSE(result->claimed);
    EXPECT_EQ(result->record, before);
    EXPECT_EQ(get(*ledger, key), before);
  }
}

TEST_P(LedgerTest, UnresolvedListsInFlightAndStaleVerifiedRecords) {
  auto ledger = open();
  ASSERT_NE(ledger, nullptr);
  std::uint64_t n = 0;
  std::map<SettlementState, PaymentKey> keys;
  for (auto state : {SettlementState::verified, SettlementState::submitted, SettlementState::pending,
                     SettlementState::confirmed, SettlementState::failed}) {
    keys[state] = make_key(++n);
    drive(*ledger, keys[state], state, n);
  }
  auto states_of = [](const std::vector<SettlementRecord>& records) {
    std::multiset<SettlementState> states;
    for (const auto& record : records) states.insert(record.state);
    return states;
  };
  // A verified record is only stale once older than the threshold.
  auto recent = ledger->unresolved(1h);
  ASSERT_TRUE(recent) << recent.error().describe();
  EXPECT_EQ(states_of(*recent), (std::multiset{SettlementState::submitted, SettlementState::pending}));
  for (const auto& record : *recent) EXPECT_EQ(record, get(*ledger, record.key));

  std::this_thread::sleep_for(60ms);
  auto stale = ledger->unresolved(20ms);
  ASSERT_TRUE(stale) << stale.error().describe();
  EXPECT_EQ(states_of(*stale),
            (std::multiset{SettlementState::verified, SettlementState::submitted, SettlementState::pending}));
  // Oldest first.
  for (std::size_t i = 1; i < stale->size(); ++i)
    EXPECT_LE((*stale)[i - 1].updated_at, (*stale)[i].updated_at);

  // Resolving them empties the list.
  ASSERT_TRUE(ledger->mark_failed(keys[SettlementState::verified], "abandoned"));
  ASSERT_TRUE(ledger->mark_confirmed(keys[SettlementState::submitted], 1));
  ASSERT_TRUE(ledger->mark_confirmed(keys[SettlementState::pending], 2));
  auto none = ledger->unresolved(0ms);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_P(LedgerTest, CountsEveryState) {
  auto ledger = open();
  ASSERT_NE(ledger, nullptr);
  using Counts = std::vector<std::pair<SettlementState, std::uint64_t>>;
  auto empty = ledger->counts();
  ASSERT_TRUE(empty) << empty.error().describe();
  EXPECT_EQ(*empty, (Counts{{SettlementState::verified, 0},
                            {SettlementState::submitted, 0},
                            {SettlementState::pending, 0},
                            {SettlementState::confirmed, 0},
                            {SettlementState::failed, 0}}));
  std::uint64_t n = 0;
  for (auto [state, count] : std::vector<std::pair<SettlementState, int>>{{SettlementState::verified, 3},
                                                                          {SettlementState::submitted, 1},
                                                                          {SettlementState::confirmed, 4},
                                                                          {SettlementState::failed, 2}}) {
    for (int i = 0; i < count; ++i, ++n) drive(*ledger, make_key(n), state, n);
  }
  auto counts = ledger->counts();
  ASSERT_TRUE(counts) << counts.error().describe();
  EXPECT_EQ(*counts, (Counts{{SettlementState::verified, 3},
                             {SettlementState::submitted, 1},
                             {SettlementState::pending, 0},
                             {SettlementState::confirmed, 4},
                             {SettlementState::failed, 2}}));
}

TEST_P(LedgerTest, InvalidArgumentsAreRefused) {
  auto ledger = open();
  ASSERT_NE(ledger, nullptr);
  auto no_nonce = make_key(1);
  no_nonce.nonce.clear();
  auto claim = ledger->claim(make_fresh(no_nonce));
  ASSERT_FALSE(claim);
  EXPECT_EQ(claim.error().code, Errc::invalid_argument);
  EXPECT_NE(claim.error().message.find("claim"), std::string::npos) << claim.error().message;
  EXPECT_EQ(ledger->find(no_nonce).error().code, Errc::invalid_argument);
  EXPECT_EQ(ledger->mark_pending(no_nonce).error().code, Errc::invalid_argument);
  auto no_hash = make_fresh(make_key(1));
  no_hash.payload_hash.clear();
  EXPECT_EQ(ledger->claim(no_hash).error().code, Errc::invalid_argument);

  // Integers beyond the databases' signed 64 bits are refused, not wrapped.
  const auto key = make_key(2);
  drive(*ledger, key, SettlementState::verified);
  auto tx = make_tx(1);
  tx.signer_nonce = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(ledger->mark_submitted(key, tx).error().code, Errc::invalid_argument);
  tx.signer_nonce = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  ASSERT_TRUE(ledger->mark_submitted(key, tx));
  EXPECT_EQ(get(*ledger, key).signer_nonce, tx.signer_nonce);
  EXPECT_EQ(ledger->mark_confirmed(key, std::uint64_t{1} << 63).error().code, Errc::invalid_argument);
  EXPECT_EQ(get(*ledger, key).state, SettlementState::submitted);
}

TEST_P(LedgerTest, RecordsSurviveCloseAndReopen) {
  std::vector<SettlementRecord> written;
  {
    auto ledger = open();
    ASSERT_NE(ledger, nullptr);
    drive(*ledger, make_key(1), SettlementState::submitted, 1);
    drive(*ledger, make_key(2), SettlementState::confirmed, 2);
    drive(*ledger, make_key(3), SettlementState::verified);
    for (std::uint64_t n = 1; n <= 3; ++n) written.push_back(get(*ledger, make_key(n)));
  }
  auto reopened = open();
  ASSERT_NE(reopened, nullptr);
  for (const auto& record : written) EXPECT_EQ(get(*reopened, record.key), record);
  EXPECT_EQ(raw_query(GetParam(), location_, "SELECT version FROM schema_version"), "1");
  // Transitions continue where they left off.
  ASSERT_TRUE(reopened->mark_confirmed(make_key(1), 77));
  EXPECT_EQ(get(*reopened, make_key(1)).state, SettlementState::confirmed);
}

TEST_P(LedgerTest, TwentyThreadsClaimingOneKeyClaimItOnce) {
  auto ledger = open();
  ASSERT_NE(ledger, nullptr);
  constexpr int kThreads = 20;
  constexpr int kKeys = 25;
  std::barrier start(kThreads);
  std::array<std::atomic<int>, kKeys> claimed{};
  std::atomic<int> errors{0};
  std::array<std::string, kKeys> winner_hash;
  std::vector<std::vector<std::string>> seen(kThreads, std::vector<std::string>(kKeys));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kKeys; ++k) {
        start.arrive_and_wait();  // all threads hit the same key at once
        const auto fresh = make_fresh(make_key(static_cast<std::uint64_t>(k)), "thread" + std::to_string(t));
        auto result = ledger->claim(fresh);
        if (!result) {
          ++errors;
          continue;
        }
        seen[t][k] = result->record.payload_hash;
        if (result->claimed) {
          ++claimed[k];
          winner_hash[k] = fresh.payload_hash;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(errors.load(), 0);
  for (int k = 0; k < kKeys; ++k) {
    EXPECT_EQ(claimed[k].load(), 1) << "key " << k;
    // Every caller got the winner's record back.
    for (int t = 0; t < kThreads; ++t)
      EXPECT_EQ(seen[t][k], winner_hash[k]) << "key " << k << " thread " << t;
  }
}

TEST_P(LedgerTest, TwoInstancesRacingClaimEachKeyOnce) {
  auto first = open();
  auto second = open();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  constexpr int kThreadsPerInstance = 4;
  constexpr int kKeys = 200;
  std::barrier start(2 * kThreadsPerInstance);
  std::array<std::atomic<int>, kKeys> claimed{};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2 * kThreadsPerInstance; ++t) {
    Ledger* ledger = t % 2 == 0 ? first.get() : second.get();
    threads.emplace_back([&, ledger, t] {
      start.arrive_and_wait();
      for (int k = 0; k < kKeys; ++k) {
        auto result = ledger->claim(make_fresh(make_key(static_cast<std::uint64_t>(k)), std::to_string(t)));
        if (!result) {
          ++errors;
        } else if (result->claimed) {
          ++claimed[k];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(errors.load(), 0);
  for (int k = 0; k < kKeys; ++k) EXPECT_EQ(claimed[k].load(), 1) << "key " << k;
  auto counts = first->counts();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->front(), (std::pair{SettlementState::verified, std::uint64_t{kKeys}}));
}

// Threads on two instances moving one record at once: exactly one transition wins (and its
// values are the ones stored), the others see conflict.
TEST_P(LedgerTest, ConcurrentTransitionsHaveOneWinner) {
  auto first = open();
  auto second = open();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  constexpr int kThreads = 10;
  constexpr int kKeys = 10;
  for (int k = 0; k < kKeys; ++k)
    drive(*first, make_key(static_cast<std::uint64_t>(k)), SettlementState::verified);
  std::barrier start(kThreads);
  std::array<std::atomic<int>, kKeys> submit_wins{}, confirm_wins{};
  std::array<std::atomic<int>, kKeys> submit_winner{}, confirm_winner{};
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Ledger& ledger = t % 2 == 0 ? *first : *second;
      for (int k = 0; k < kKeys; ++k) {
        const auto key = make_key(static_cast<std::uint64_t>(k));
        start.arrive_and_wait();  // race 1: verified -> submitted, each with its own transaction
        if (auto status = ledger.mark_submitted(key, make_tx(static_cast<std::uint64_t>(t))); status) {
          ++submit_wins[k];
          submit_winner[k] = t;
        } else if (status.error().code != Errc::conflict) {
          ++unexpected;
        }
        start.arrive_and_wait();  // race 2: submitted -> confirmed at different blocks
        if (auto status = ledger.mark_confirmed(key, 500 + static_cast<std::uint64_t>(t)); status) {
          ++confirm_wins[k];
          confirm_winner[k] = t;
        } else if (status.error().code != Errc::conflict) {
          ++unexpected;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(unexpected.load(), 0);
  for (int k = 0; k < kKeys; ++k) {
    EXPECT_EQ(submit_wins[k].load(), 1) << "key " << k;
    EXPECT_EQ(confirm_wins[k].load(), 1) << "key " << k;
    const auto record = get(*second, make_key(static_cast<std::uint64_t>(k)));
    EXPECT_EQ(record.state, SettlementState::confirmed);
    EXPECT_EQ(record.tx_hash, make_tx(static_cast<std::uint64_t>(submit_winner[k].load())).tx_hash);
    EXPECT_EQ(record.block_number, 500u + static_cast<std::uint64_t>(confirm_winner[k].load()));
  }
}

TEST_P(LedgerTest, SubmittedRecordIsVisibleToAnotherInstance) {
  auto writer = open();
  auto reader = open();
  ASSERT_NE(writer, nullptr);
  ASSERT_NE(reader, nullptr);
  const auto key = make_key(1);
  ASSERT_TRUE(reader->find(key));  // the reader has looked before: no stale cache may hide the write
  drive(*writer, key, SettlementState::submitted, 1);
  const auto written = get(*writer, key);
  EXPECT_EQ(get(*reader, key), written);
  auto unresolved = reader->unresolved(1h);
  ASSERT_TRUE(unresolved);
  ASSERT_EQ(unresolved->size(), 1u);
  EXPECT_EQ(unresolved->front(), written);
  // The other instance can reconcile it, and the writer sees the result.
  ASSERT_TRUE(reader->mark_confirmed(key, 99));
  EXPECT_EQ(get(*writer, key).state, SettlementState::confirmed);
  // A claim from the first instance now finds the settled record.
  auto claim = writer->claim(make_fresh(key, "again"));
  ASSERT_TRUE(claim);
  EXPECT_FALSE(claim->claimed);
  EXPECT_EQ(claim->record.state, SettlementState::confirmed);
}

TEST_P(LedgerTest, ProcessesRacingClaimEachKeyOnce) {
  {
    auto ledger = open();  // the schema exists before the race
    ASSERT_NE(ledger, nullptr);
  }
  constexpr int kKeys = 150;
  auto claims = race_processes(GetParam(), location_, 4, kKeys, /*open_after_go=*/false);
  EXPECT_EQ(claims.size(), static_cast<std::size_t>(kKeys));
  for (auto [key, times] : claims) EXPECT_EQ(times, 1) << "key " << key;
  auto ledger = open();
  ASSERT_NE(ledger, nullptr);
  auto counts = ledger->counts();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->front().second, static_cast<std::uint64_t>(kKeys));
}

TEST_P(LedgerTest, ProcessesOpeningANewStoreAtOnceShareOneSchema) {
  constexpr int kKeys = 30;
  auto claims = race_processes(GetParam(), location_, 4, kKeys, /*open_after_go=*/true);
  EXPECT_EQ(claims.size(), static_cast<std::size_t>(kKeys));
  for (auto [key, times] : claims) EXPECT_EQ(times, 1) << "key " << key;
  EXPECT_EQ(raw_query(GetParam(), location_, "SELECT count(*) FROM schema_version"), "1");
}

TEST_P(LedgerTest, NewerSchemaVersionIsRefused) {
  { ASSERT_NE(open(), nullptr); }
  raw_query(GetParam(), location_, "UPDATE schema_version SET version = 99");
  auto ledger = open_backend(GetParam(), location_);
  ASSERT_FALSE(ledger);
  EXPECT_EQ(ledger.error().code, Errc::conflict);
  EXPECT_NE(ledger.error().message.find("schema version 99"), std::string::npos) << ledger.error().message;
}

// Not a benchmark (bench/ has those): a floor that catches a pathological slowdown, and the rate
// in the log for the curious.
TEST_P(LedgerTest, SixteenThreadsClaimingDistinctKeysAllSucceedAndAreAllRecorded) {
  // Concurrent settlements of different payments, as a busy facilitator has them: every claim
  // wins (no spurious busy/locked errors under contention) and every one is durably recorded.
  // Its speed is measured in bench/, not here.
  auto ledger = open();
  ASSERT_NE(ledger, nullptr);
  constexpr int kThreads = 16;
  constexpr int kPerThread = 100;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto result = ledger->claim(make_fresh(make_key(static_cast<std::uint64_t>(t * kPerThread + i))));
        if (!result || !result->claimed) ++errors;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(errors.load(), 0);
  for (int k = 0; k < kThreads * kPerThread; ++k) {
    auto found = ledger->find(make_key(static_cast<std::uint64_t>(k)));
    ASSERT_TRUE(found) << found.error().describe();
    ASSERT_TRUE(found->has_value()) << "key " << k << " was claimed but not recorded";
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, LedgerTest, ::testing::Values(Backend::sqlite, Backend::postgres),
                         [](const auto& info) { return backend_name(info.param); });

// ---------------------------------------------------------------------------------------------
// SQLite specifics.

TEST(SqliteLedger, UsesWalJournal) {
  TempDir tmp;
  const auto path = (tmp.path() / "ledger.db").string();
  auto ledger = open_sqlite_ledger(path);
  ASSERT_TRUE(ledger) << ledger.error().describe();
  EXPECT_EQ(raw_query(Backend::sqlite, path, "PRAGMA journal_mode"), "wal");
  EXPECT_TRUE(std::filesystem::exists(path + "-wal"));
}

TEST(SqliteLedger, UnusablePathIsAnIoError) {
  TempDir tmp;
  auto missing_dir = open_sqlite_ledger((tmp.path() / "no-such-dir" / "ledger.db").string());
  ASSERT_FALSE(missing_dir);
  EXPECT_EQ(missing_dir.error().code, Errc::io_error) << missing_dir.error().describe();
  EXPECT_NE(missing_dir.error().message.find("sqlite ledger: open"), std::string::npos);

  const auto garbage = tmp.write_file("garbage.db", std::string(8192, 'x'));
  auto not_a_db = open_sqlite_ledger(garbage.string());
  ASSERT_FALSE(not_a_db);
  EXPECT_EQ(not_a_db.error().code, Errc::io_error) << not_a_db.error().describe();

  EXPECT_EQ(open_sqlite_ledger("").error().code, Errc::invalid_argument);
}

// Another process holding the write lock for a while: the claim waits (busy_timeout) and succeeds.
TEST(SqliteLedger, WaitsForAnotherWritersLock) {
  TempDir tmp;
  const auto path = (tmp.path() / "ledger.db").string();
  auto ledger = open_sqlite_ledger(path);
  ASSERT_TRUE(ledger) << ledger.error().describe();
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::thread release([other] {
    std::this_thread::sleep_for(1500ms);  // shorter than the busy timeout: the claim waits, then succeeds
    sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  });
  const auto start = std::chrono::steady_clock::now();
  auto claim = (*ledger)->claim(make_fresh(make_key(1)));
  release.join();
  sqlite3_close(other);
  ASSERT_TRUE(claim) << claim.error().describe();
  EXPECT_TRUE(claim->claimed);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1s);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL specifics.

SettlementState get_state(Ledger& ledger, const PaymentKey& key) {
  auto found = ledger.find(key);
  return found && found->has_value() ? (*found)->state : SettlementState::failed;
}

TEST(PostgresLedger, OpenWithoutServerIsUnavailable) {
  const auto port = test::free_loopback_port();
  const auto start = std::chrono::steady_clock::now();
  auto ledger =
      open_postgres_ledger("host=127.0.0.1 port=" + std::to_string(port) + " dbname=x402 user=x402");
  ASSERT_FALSE(ledger);
  EXPECT_EQ(ledger.error().code, Errc::unavailable) << ledger.error().describe();
  EXPECT_NE(ledger.error().message.find("cannot connect"), std::string::npos) << ledger.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST(PostgresLedger, UnavailableWhileServerIsDownThenRecovers) {
  PostgresFixture postgres;
  auto opened = open_postgres_ledger(postgres.conninfo());
  ASSERT_TRUE(opened) << opened.error().describe();
  auto& ledger = *opened;
  ASSERT_TRUE(ledger->claim(make_fresh(make_key(1))));

  postgres.stop();
  const auto start = std::chrono::steady_clock::now();
  auto claim = ledger->claim(make_fresh(make_key(2)));
  ASSERT_FALSE(claim);
  EXPECT_EQ(claim.error().code, Errc::unavailable) << claim.error().describe();
  EXPECT_NE(claim.error().message.find("postgres ledger: claim"), std::string::npos) << claim.error().message;
  auto find = ledger->find(make_key(1));
  ASSERT_FALSE(find);
  EXPECT_EQ(find.error().code, Errc::unavailable);
  EXPECT_EQ(ledger->mark_failed(make_key(1), "x").error().code, Errc::unavailable);
  EXPECT_EQ(ledger->counts().error().code, Errc::unavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);

  postgres.start();
  auto found = ledger->find(make_key(1));
  ASSERT_TRUE(found) << found.error().describe();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->state, SettlementState::verified);
  auto claimed = ledger->claim(make_fresh(make_key(2)));
  ASSERT_TRUE(claimed) << claimed.error().describe();
  EXPECT_TRUE(claimed->claimed);
  EXPECT_TRUE(ledger->mark_submitted(make_key(1), make_tx(1)));
}

// The server ends the ledger's sessions (restart, failover, idle kill): the next calls reconnect
// without surfacing an error.
TEST(PostgresLedger, ReconnectsAfterSessionsAreTerminated) {
  PostgresFixture postgres;
  PostgresLedgerOptions options;
  options.pool_size = 3;
  auto opened = open_postgres_ledger(postgres.conninfo(), options);
  ASSERT_TRUE(opened) << opened.error().describe();
  auto& ledger = *opened;
  // Fill the pool with several idle connections.
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back(
          [&, t] { EXPECT_TRUE(ledger->claim(make_fresh(make_key(static_cast<std::uint64_t>(t))))); });
    }
    for (auto& thread : threads) thread.join();
  }
  auto terminated = test::run_process({kPsql, "-XAtq", "-d", postgres.admin_conninfo(), "-c",
                                       "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                                       "application_name = 'x402-ledger'"});
  ASSERT_EQ(terminated.exit_code, 0) << terminated.err;
  EXPECT_NE(terminated.out.substr(0, 1), "0") << "no ledger sessions to terminate";
  std::this_thread::sleep_for(200ms);
  for (std::uint64_t k = 0; k < 3; ++k) {
    EXPECT_TRUE(ledger->mark_submitted(make_key(k), make_tx(k)));
  }
  auto counts = ledger->counts();
  ASSERT_TRUE(counts) << counts.error().describe();
  EXPECT_EQ((*counts)[1], (std::pair{SettlementState::submitted, std::uint64_t{3}}));
}

TEST(PostgresLedger, PoolWaitIsBounded) {
  PostgresFixture postgres;
  PostgresLedgerOptions options;
  options.pool_size = 1;
  options.acquire_timeout = 300ms;
  options.statement_timeout = 5s;
  auto opened = open_postgres_ledger(postgres.conninfo(), options);
  ASSERT_TRUE(opened) << opened.error().describe();
  auto& ledger = *opened;
  ASSERT_TRUE(ledger->claim(make_fresh(make_key(1))));
  // Another session holds the row: the ledger's only connection waits on it, a second caller
  // waits for that connection and gives up after acquire_timeout.
  std::thread holder([&] {
    test::run_process({kPsql, "-XAtq", "-d", postgres.conninfo(), "-c",
                       "BEGIN; SELECT 1 FROM settlements FOR UPDATE; SELECT pg_sleep(2); COMMIT;"});
  });
  std::this_thread::sleep_for(500ms);
  std::thread blocked([&] {
    auto status = ledger->mark_submitted(make_key(1), make_tx(1));  // waits for the row lock
    EXPECT_TRUE(status) << status.error().describe();
  });
  std::this_thread::sleep_for(200ms);
  auto waited = ledger->counts();
  ASSERT_FALSE(waited);
  EXPECT_EQ(waited.error().code, Errc::timeout) << waited.error().describe();
  blocked.join();
  holder.join();
  EXPECT_TRUE(ledger->counts());
}

// A statement stuck on a lock past statement_timeout ends with Errc::timeout, and the connection
// stays usable.
TEST(PostgresLedger, StatementTimeoutIsReported) {
  PostgresFixture postgres;
  PostgresLedgerOptions options;
  options.statement_timeout = 500ms;
  auto opened = open_postgres_ledger(postgres.conninfo(), options);
  ASSERT_TRUE(opened) << opened.error().describe();
  auto& ledger = *opened;
  ASSERT_TRUE(ledger->claim(make_fresh(make_key(1))));
  std::thread holder([&] {
    test::run_process({kPsql, "-XAtq", "-d", postgres.conninfo(), "-c",
                       "BEGIN; SELECT 1 FROM settlements FOR UPDATE; SELECT pg_sleep(3); COMMIT;"});
  });
  std::this_thread::sleep_for(1s);
  auto status = ledger->mark_submitted(make_key(1), make_tx(1));
  holder.join();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, Errc::timeout) << status.error().describe();
  EXPECT_NE(status.error().message.find("mark_submitted"), std::string::npos) << status.error().message;
  ASSERT_TRUE(ledger->mark_submitted(make_key(1), make_tx(1)));
  EXPECT_EQ(get_state(*ledger, make_key(1)), SettlementState::submitted);
}

}  // namespace
}  // namespace x402::store
