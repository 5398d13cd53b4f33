// The SQLite ledger: WAL journal, synchronous=FULL, a busy timeout so several processes can share
// the file. Two connections: one for reads (WAL readers never wait for the writer) and one for
// writes with group commit — SQLite admits one writer at a time and each commit waits for fsync
// (about 5-10 ms on the disks we measured), so concurrent writes are gathered into one transaction,
// each in its own savepoint, and share one fsync. A caller's write returns only once committed.
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "store/ledger.hpp"
#include "store/ledger_common.hpp"

namespace x402::store {
namespace {

using detail::check_fresh;
using detail::check_int64;
using detail::check_key;

constexpr int kBusyTimeoutMs = 10000;

constexpr const char* kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (
  version INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS settlements (
  network      TEXT NOT NULL,
  asset        TEXT NOT NULL,
  payer        TEXT NOT NULL,
  nonce        TEXT NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('verified', 'submitted', 'pending', 'confirmed', 'failed')),
  payload_hash TEXT NOT NULL,
  request_json TEXT NOT NULL,
  amount       TEXT NOT NULL,
  pay_to       TEXT NOT NULL,
  attempt      INTEGER NOT NULL CHECK (attempt >= 1),
  signer       TEXT,
  signer_nonce INTEGER,
  tx_hash      TEXT,
  raw_tx       TEXT,
  block_number INTEGER,
  error_reason TEXT,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  claim_token  TEXT NOT NULL,
  PRIMARY KEY (network, asset, payer, nonce)
) STRICT;
CREATE INDEX IF NOT EXISTS settlements_state_updated ON settlements (state, updated_at);
)sql";

// Column order shared by every SELECT and read_record().
#define X402_LEDGER_COLUMNS                                                                            \
  "network, asset, payer, nonce, state, payload_hash, request_json, amount, pay_to, attempt, signer, " \
  "signer_nonce, tx_hash, raw_tx, block_number, error_reason, created_at, updated_at"
#define X402_KEY_MATCH "network = ?1 AND asset = ?2 AND payer = ?3 AND nonce = ?4"

enum Stmt : std::size_t {
  kBegin,
  kCommit,
  kRollback,
  kSavepoint,
  kRelease,
  kRollbackTo,
  kInsert,
  kReclaim,
  kSelect,
  kStateOf,
  kMarkSubmitted,
  kMarkConfirmed,
  kMarkPending,
  kMarkFailed,
  kUnresolved,
  kCounts,
  kStmtCount
};

// ?1..?4 are always the key, so one binder serves every keyed statement.
constexpr std::array<const char*, kStmtCount> kSql = {
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "SAVEPOINT op",
    "RELEASE op",
    "ROLLBACK TO op",
    "INSERT INTO settlements (network, asset, payer, nonce, state, payload_hash, request_json, amount, "
    "pay_to, attempt, created_at, updated_at, claim_token) "
    "VALUES (?1, ?2, ?3, ?4, 'verified', ?5, ?6, ?7, ?8, 1, ?9, ?9, ?10) ON CONFLICT DO NOTHING",
    "UPDATE settlements SET state = 'verified', attempt = attempt + 1, payload_hash = ?5, request_json = ?6, "
    "amount = ?7, pay_to = ?8, signer = NULL, signer_nonce = NULL, tx_hash = NULL, raw_tx = NULL, "
    "block_number = NULL, error_reason = NULL, updated_at = ?9, claim_token = ?10 "
    "WHERE " X402_KEY_MATCH " AND state = 'failed'",
    "SELECT " X402_LEDGER_COLUMNS " FROM settlements WHERE " X402_KEY_MATCH,
    "SELECT state FROM settlements WHERE " X402_KEY_MATCH,
    "UPDATE settlements SET state = 'submitted', signer = ?5, signer_nonce = ?6, tx_hash = ?7, raw_tx = ?8, "
    "updated_at = ?9 WHERE " X402_KEY_MATCH " AND state = 'verified'",
    "UPDATE settlements SET state = 'confirmed', block_number = ?5, updated_at = ?6 "
    "WHERE " X402_KEY_MATCH " AND state IN ('submitted', 'pending')",
    "UPDATE settlements SET state = 'pending', updated_at = ?5 WHERE " X402_KEY_MATCH
    " AND state = 'submitted'",
    "UPDATE settlements SET state = 'failed', error_reason = ?5, updated_at = ?6 "
    "WHERE " X402_KEY_MATCH " AND state IN ('verified', 'submitted', 'pending')",
    // Two index range scans (state, updated_at), oldest first.
    "SELECT " X402_LEDGER_COLUMNS
    " FROM settlements WHERE state IN ('submitted', 'pending') "
    "OR (state = 'verified' AND updated_at <= ?1) ORDER BY updated_at, network, asset, payer, nonce",
    "SELECT state, COUNT(*) FROM settlements GROUP BY state",
};

Errc errc_of(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Errc::timeout;  // busy_timeout ran out
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_PROTOCOL:
      return Errc::io_error;
    default:
      return Errc::internal;
  }
}

Error sqlite_error(sqlite3* db, int rc, std::string_view op) {
  std::string message = "sqlite ledger: " + std::string(op) + ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return make_error(errc_of(rc), std::move(message));
}

// Resets a cached statement when leaving scope, so it never holds a read snapshot or stale bindings.
class StmtUse {
 public:
  explicit StmtUse(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StmtUse() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StmtUse(const StmtUse&) = delete;
  StmtUse& operator=(const StmtUse&) = delete;
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
};

void bind_text(sqlite3_stmt* stmt, int index, const std::string& value) {
  sqlite3_bind_text(stmt, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
}

void bind_key(sqlite3_stmt* stmt, const PaymentKey& key) {
  bind_text(stmt, 1, key.network);
  bind_text(stmt, 2, key.asset);
  bind_text(stmt, 3, key.payer);
  bind_text(stmt, 4, key.nonce);
}

std::string column_text(sqlite3_stmt* stmt, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
  return text == nullptr ? std::string()
                         : std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, column)));
}

std::optional<std::string> column_opt_text(sqlite3_stmt* stmt, int column) {
  if (sqlite3_column_type(stmt, column) == SQLITE_NULL) return std::nullopt;
  return column_text(stmt, column);
}

std::optional<std::uint64_t> column_opt_u64(sqlite3_stmt* stmt, int column) {
  if (sqlite3_column_type(stmt, column) == SQLITE_NULL) return std::nullopt;
  return static_cast<std::uint64_t>(sqlite3_column_int64(stmt, column));
}

Result<SettlementRecord> read_record(sqlite3_stmt* stmt, std::string_view op) {
  SettlementRecord record;
  record.key = {column_text(stmt, 0), column_text(stmt, 1), column_text(stmt, 2), column_text(stmt, 3)};
  auto state_text = column_text(stmt, 4);
  auto state = parse_settlement_state(state_text);
  if (!state) {
    return make_error(Errc::internal, "sqlite ledger: " + std::string(op) + ": unknown state '" + state_text +
                                          "' for " + detail::key_text(record.key));
  }
  record.state = *state;
  record.payload_hash = column_text(stmt, 5);
  record.request_json = column_text(stmt, 6);
  record.amount = column_text(stmt, 7);
  record.pay_to = column_text(stmt, 8);
  record.attempt = static_cast<std::uint32_t>(sqlite3_column_int64(stmt, 9));
  record.signer = column_opt_text(stmt, 10);
  record.signer_nonce = column_opt_u64(stmt, 11);
  record.tx_hash = column_opt_text(stmt, 12);
  record.raw_tx = column_opt_text(stmt, 13);
  record.block_number = column_opt_u64(stmt, 14);
  record.error_reason = column_opt_text(stmt, 15);
  record.created_at = sqlite3_column_int64(stmt, 16);
  record.updated_at = sqlite3_column_int64(stmt, 17);
  return record;
}

// One connection with its cached statements.
class Connection {
 public:
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    for (auto* stmt : stmts_) sqlite3_finalize(stmt);
    if (db_ != nullptr) sqlite3_close_v2(db_);
  }

  // Opens, sets the pragmas, and (for the writer) creates the schema; then prepares the statements.
  Status open(const std::string& path, bool create_schema);

  sqlite3* db() const { return db_; }
  sqlite3_stmt* stmt(Stmt id) const { return stmts_[id]; }

  // Runs a statement that returns no rows.
  Status step_done(Stmt id, std::string_view op) {
    StmtUse use(stmts_[id]);
    int rc = sqlite3_step(use.get());
    if (rc != SQLITE_DONE) return sqlite_error(db_, rc, op);
    return {};
  }

  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

  void rollback() {
    // Some errors (I/O, full disk) already rolled the transaction back.
    if (in_transaction()) (void)step_done(kRollback, "rollback");
  }

  Result<std::optional<SettlementRecord>> select(const PaymentKey& key, std::string_view op) {
    StmtUse use(stmts_[kSelect]);
    bind_key(use.get(), key);
    int rc = sqlite3_step(use.get());
    if (rc == SQLITE_DONE) return std::optional<SettlementRecord>();
    if (rc != SQLITE_ROW) return sqlite_error(db_, rc, op);
    auto record = read_record(use.get(), op);
    if (!record) return record.take_error();
    return std::optional<SettlementRecord>(std::move(record).value());
  }

 private:
  sqlite3* db_ = nullptr;
  std::array<sqlite3_stmt*, kStmtCount> stmts_{};
};

// A write waiting to be applied in the next group transaction.
struct PendingWrite {
  std::function<Status()> apply;  // runs on the writer connection inside the transaction
  Status status;                  // outcome, final once `done`
  bool done = false;
};

constexpr std::size_t kMaxBatch = 256;

class SqliteLedger final : public Ledger {
 public:
  Status open(const std::string& path) {
    if (auto status = writer_.open(path, true); !status) return status;
    return reader_.open(path, false);
  }

  Result<ClaimResult> claim(const SettlementRecord& fresh) override {
    constexpr std::string_view op = "claim";
    if (auto status = check_fresh(op, fresh); !status) return status.take_error();
    const auto token = detail::new_claim_token();
    ClaimResult out;
    // Insert, re-claim a failed row, read back: all inside the group's IMMEDIATE transaction, so
    // no other process or thread can change the row in between.
    PendingWrite write{[&]() -> Status {
      auto bind_claim = [&](sqlite3_stmt* stmt) {
        bind_key(stmt, fresh.key);
        bind_text(stmt, 5, fresh.payload_hash);
        bind_text(stmt, 6, fresh.request_json);
        bind_text(stmt, 7, fresh.amount);
        bind_text(stmt, 8, fresh.pay_to);
        sqlite3_bind_int64(stmt, 9, detail::now_unix_ms());
        bind_text(stmt, 10, token);
      };
      out.claimed = false;
      for (Stmt id : {kInsert, kReclaim}) {
        StmtUse use(writer_.stmt(id));
        bind_claim(use.get());
        int rc = sqlite3_step(use.get());
        if (rc != SQLITE_DONE) return sqlite_error(writer_.db(), rc, op);
        if (sqlite3_changes(writer_.db()) == 1) {
          out.claimed = true;
          break;
        }
      }
      auto record = writer_.select(fresh.key, op);
      if (!record) return record.take_error();
      if (!record->has_value()) {
        return make_error(Errc::internal, "sqlite ledger: claim: record vanished inside the transaction");
      }
      out.record = std::move(**record);
      return {};
    }};
    if (auto status = write_grouped(write); !status) return status.take_error();
    return out;
  }

  Status mark_submitted(const PaymentKey& key, const SubmittedTx& tx) override {
    constexpr std::string_view op = "mark_submitted";
    if (auto status = check_key(op, key); !status) return status;
    if (auto status = check_int64(op, "signer_nonce", tx.signer_nonce); !status) return status;
    return transition(kMarkSubmitted, key, op, "verified", [&](sqlite3_stmt* stmt) {
      bind_text(stmt, 5, tx.signer);
      sqlite3_bind_int64(stmt, 6, static_cast<std::int64_t>(tx.signer_nonce));
      bind_text(stmt, 7, tx.tx_hash);
      bind_text(stmt, 8, tx.raw_tx);
      sqlite3_bind_int64(stmt, 9, detail::now_unix_ms());
    });
  }

  Status mark_confirmed(const PaymentKey& key, std::uint64_t block_number) override {
    constexpr std::string_view op = "mark_confirmed";
    if (auto status = check_key(op, key); !status) return status;
    if (auto status = check_int64(op, "block_number", block_number); !status) return status;
    return transition(kMarkConfirmed, key, op, "submitted or pending", [&](sqlite3_stmt* stmt) {
      sqlite3_bind_int64(stmt, 5, static_cast<std::int64_t>(block_number));
      sqlite3_bind_int64(stmt, 6, detail::now_unix_ms());
    });
  }

  Status mark_pending(const PaymentKey& key) override {
    constexpr std::string_view op = "mark_pending";
    if (auto status = check_key(op, key); !status) return status;
    return transition(kMarkPending, key, op, "submitted",
                      [&](sqlite3_stmt* stmt) { sqlite3_bind_int64(stmt, 5, detail::now_unix_ms()); });
  }

  Status mark_failed(const PaymentKey& key, const std::string& reason) override {
    constexpr std::string_view op = "mark_failed";
    if (auto status = check_key(op, key); !status) return status;
    return transition(kMarkFailed, key, op, "verified, submitted or pending", [&](sqlite3_stmt* stmt) {
      bind_text(stmt, 5, reason);
      sqlite3_bind_int64(stmt, 6, detail::now_unix_ms());
    });
  }

  Result<std::optional<SettlementRecord>> find(const PaymentKey& key) override {
    constexpr std::string_view op = "find";
    if (auto status = check_key(op, key); !status) return status.take_error();
    std::lock_guard lock(reader_mutex_);
    return reader_.select(key, op);
  }

  Result<std::vector<SettlementRecord>> unresolved(std::chrono::milliseconds stale_after) override {
    constexpr std::string_view op = "unresolved";
    std::lock_guard lock(reader_mutex_);
    StmtUse use(reader_.stmt(kUnresolved));
    sqlite3_bind_int64(use.get(), 1, detail::now_unix_ms() - stale_after.count());
    std::vector<SettlementRecord> records;
    for (;;) {
      int rc = sqlite3_step(use.get());
      if (rc == SQLITE_DONE) return records;
      if (rc != SQLITE_ROW) return sqlite_error(reader_.db(), rc, op);
      auto record = read_record(use.get(), op);
      if (!record) return record.take_error();
      records.push_back(std::move(record).value());
    }
  }

  Result<std::vector<std::pair<SettlementState, std::uint64_t>>> counts() override {
    constexpr std::string_view op = "counts";
    std::vector<std::pair<SettlementState, std::uint64_t>> counts;
    for (auto state : detail::kAllStates) counts.emplace_back(state, 0);
    std::lock_guard lock(reader_mutex_);
    StmtUse use(reader_.stmt(kCounts));
    for (;;) {
      int rc = sqlite3_step(use.get());
      if (rc == SQLITE_DONE) return counts;
      if (rc != SQLITE_ROW) return sqlite_error(reader_.db(), rc, op);
      auto state = parse_settlement_state(column_text(use.get(), 0));
      if (!state) return make_error(Errc::internal, "sqlite ledger: counts: unknown state in the table");
      counts[static_cast<std::size_t>(*state)].second =
          static_cast<std::uint64_t>(sqlite3_column_int64(use.get(), 1));
    }
  }

 private:
  // A conditional UPDATE; no row changed means absent (not_found) or in another state (conflict),
  // told apart by a read in the same transaction.
  template <typename Bind>
  Status transition(Stmt id, const PaymentKey& key, std::string_view op, std::string_view expected,
                    Bind&& bind) {
    PendingWrite write{[&]() -> Status {
      {
        StmtUse use(writer_.stmt(id));
        bind_key(use.get(), key);
        bind(use.get());
        int rc = sqlite3_step(use.get());
        if (rc != SQLITE_DONE) return sqlite_error(writer_.db(), rc, op);
        if (sqlite3_changes(writer_.db()) == 1) return {};
      }
      StmtUse use(writer_.stmt(kStateOf));
      bind_key(use.get(), key);
      int rc = sqlite3_step(use.get());
      if (rc == SQLITE_DONE) {
        return make_error(Errc::not_found,
                          "sqlite ledger: " + std::string(op) + ": no record for " + detail::key_text(key));
      }
      if (rc != SQLITE_ROW) return sqlite_error(writer_.db(), rc, op);
      return make_error(Errc::conflict, "sqlite ledger: " + std::string(op) + ": record " +
                                            detail::key_text(key) + " is " + column_text(use.get(), 0) +
                                            ", expected " + std::string(expected));
    }};
    return write_grouped(write);
  }

  // Leader/follower group commit: the first waiting caller with no batch in progress takes every
  // queued write, applies them in one transaction and commits; the others wait for the outcome.
  Status write_grouped(PendingWrite& write) {
    std::unique_lock lock(queue_mutex_);
    queue_.push_back(&write);
    for (;;) {
      if (write.done) return std::move(write.status);
      if (!leader_active_) {
        leader_active_ = true;
        std::vector<PendingWrite*> batch;
        const std::size_t take = std::min(queue_.size(), kMaxBatch);
        batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
        lock.unlock();
        run_batch(batch);
        lock.lock();
        for (auto* done : batch) done->done = true;
        leader_active_ = false;
        batch_done_.notify_all();
        continue;
      }
      batch_done_.wait(lock);
    }
  }

  // Sets every write's status: its own error, or the batch's if the transaction did not commit.
  void run_batch(const std::vector<PendingWrite*>& batch) {
    auto fail_all = [&](const Error& error) {
      writer_.rollback();
      for (auto* write : batch) write->status = error;
    };
    // IMMEDIATE takes the file's write lock up front (waiting up to busy_timeout for other
    // processes), so reads inside see a state nobody else can change before COMMIT.
    if (auto status = writer_.step_done(kBegin, "begin"); !status) return fail_all(status.error());
    for (auto* write : batch) {
      if (auto status = writer_.step_done(kSavepoint, "savepoint"); !status) return fail_all(status.error());
      write->status = write->apply();
      if (!writer_.in_transaction()) {  // an I/O error aborted the whole transaction
        return fail_all(write->status ? make_error(Errc::io_error, "sqlite ledger: transaction aborted")
                                      : write->status.error());
      }
      // A failed write leaves no trace; the others in the batch are unaffected.
      if (!write->status) {
        if (auto status = writer_.step_done(kRollbackTo, "rollback to savepoint"); !status) {
          return fail_all(status.error());
        }
      }
      if (auto status = writer_.step_done(kRelease, "release savepoint"); !status)
        return fail_all(status.error());
    }
    if (auto status = writer_.step_done(kCommit, "commit"); !status) return fail_all(status.error());
  }

  Connection writer_;
  Connection reader_;
  std::mutex reader_mutex_;
  std::mutex queue_mutex_;
  std::condition_variable batch_done_;
  std::vector<PendingWrite*> queue_;
  bool leader_active_ = false;
};

Status exec(sqlite3* db, const char* sql, std::string_view op) {
  char* message = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return {};
  std::string text = message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return make_error(errc_of(rc), "sqlite ledger: open: " + std::string(op) + ": " + text);
}

Result<std::string> query_text(sqlite3* db, const char* sql, std::string_view op) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, op);
  rc = sqlite3_step(stmt);
  std::string value = rc == SQLITE_ROW ? column_text(stmt, 0) : std::string();
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite_error(db, rc, op);
  return value;
}

// Creates the tables if missing and checks the recorded version, under the write lock so that
// processes opening a new file at the same moment do it once.
Status ensure_schema(sqlite3* db) {
  if (auto status = exec(db, "BEGIN IMMEDIATE", "schema"); !status) return status;
  auto fail = [db](Error error) -> Status {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return error;
  };
  if (auto status = exec(db, kSchemaSql, "schema"); !status) return fail(status.take_error());
  auto version = query_text(db, "SELECT MAX(version) FROM schema_version", "open: schema version");
  if (!version) return fail(version.take_error());
  if (version->empty()) {
    const std::string insert =
        "INSERT INTO schema_version (version) VALUES (" + std::to_string(detail::kSchemaVersion) + ")";
    if (auto status = exec(db, insert.c_str(), "schema version"); !status) return fail(status.take_error());
  } else if (*version != std::to_string(detail::kSchemaVersion)) {
    return fail(make_error(Errc::conflict, "sqlite ledger: open: the ledger has schema version " + *version +
                                               "; this build reads version " +
                                               std::to_string(detail::kSchemaVersion)));
  }
  return exec(db, "COMMIT", "schema");
}

Status Connection::open(const std::string& path, bool create_schema) {
  // NOMUTEX: the ledger's own locks serialise use of each connection.
  int rc = sqlite3_open_v2(path.c_str(), &db_,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, "open " + path);
  sqlite3_extended_result_codes(db_, 1);
  // Before anything that locks: switching to WAL or creating the schema may wait for another process.
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  // Switching a new file to WAL while another process does the same can answer SQLITE_BUSY at
  // once, without the busy handler; retry it within the same time budget.
  auto mode = query_text(db_, "PRAGMA journal_mode = WAL", "open " + path + ": journal_mode");
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  while (!mode && mode.error().code == Errc::timeout && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    mode = query_text(db_, "PRAGMA journal_mode = WAL", "open " + path + ": journal_mode");
  }
  if (!mode) return mode.take_error();
  if (*mode != "wal") {
    return make_error(Errc::io_error,
                      "sqlite ledger: open " + path + ": cannot use WAL journal (got " + *mode + ")");
  }
  // FULL: a committed transition is fsynced before the call returns (survives power loss).
  if (auto status = exec(db_, "PRAGMA synchronous = FULL", "synchronous"); !status) return status;
  if (create_schema) {
    if (auto status = ensure_schema(db_); !status) return status;
  }
  for (std::size_t i = 0; i < kStmtCount; ++i) {
    rc = sqlite3_prepare_v3(db_, kSql[i], -1, SQLITE_PREPARE_PERSISTENT, &stmts_[i], nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db_, rc, "open: prepare");
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<Ledger>> open_sqlite_ledger(const std::string& path) {
  if (path.empty()) return make_error(Errc::invalid_argument, "sqlite ledger: open: empty path");
  auto ledger = std::make_unique<SqliteLedger>();
  if (auto status = ledger->open(path); !status) return status.take_error();
  return std::unique_ptr<Ledger>(std::move(ledger));
}

}  // namespace x402::store
