// The PostgreSQL ledger (libpq). Every state change is one atomic statement: the claim is an upsert
// whose UPDATE arm only fires on a failed row, a transition is an UPDATE conditioned on the prior
// state. Row locks make these exact across processes and hosts; no explicit transactions needed.
//
// Connections come from a small pool. A connection that broke (server restart, network) is
// replaced and the operation runs once more; a claim carries a random token so that a retry can
// recognise its own earlier attempt if that one committed before the connection dropped, and a
// transition retried after a lost reply accepts finding its own target state.
#include <libpq-fe.h>

#include <array>
#include <bitset>
#include <charconv>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "store/ledger.hpp"
#include "store/ledger_common.hpp"

namespace x402::store {
namespace {

using detail::check_fresh;
using detail::check_int64;
using detail::check_key;

constexpr const char* kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (
  version integer NOT NULL
);
CREATE TABLE IF NOT EXISTS settlements (
  network      text NOT NULL,
  asset        text NOT NULL,
  payer        text NOT NULL,
  nonce        text NOT NULL,
  state        text NOT NULL CHECK (state IN ('verified', 'submitted', 'pending', 'confirmed', 'failed')),
  payload_hash text NOT NULL,
  request_json text NOT NULL,
  amount       text NOT NULL,
  pay_to       text NOT NULL,
  attempt      integer NOT NULL CHECK (attempt >= 1),
  signer       text,
  signer_nonce bigint,
  tx_hash      text,
  raw_tx       text,
  block_number bigint,
  error_reason text,
  created_at   bigint NOT NULL,
  updated_at   bigint NOT NULL,
  claim_token  text NOT NULL,
  PRIMARY KEY (network, asset, payer, nonce)
);
CREATE INDEX IF NOT EXISTS settlements_state_updated ON settlements (state, updated_at);
)sql";

// Serialises schema creation among processes opening the same database at once.
constexpr const char* kSchemaLockSql = "SELECT pg_advisory_xact_lock(4020402001)";

// Timestamps come from the server's clock, so instances on several hosts agree on staleness.
// now() is fixed for the statement (its transaction), so created_at = updated_at on insert.
#define X402_NOW_MS "(extract(epoch FROM now()) * 1000)::bigint"
#define X402_LEDGER_COLUMNS                                                                            \
  "network, asset, payer, nonce, state, payload_hash, request_json, amount, pay_to, attempt, signer, " \
  "signer_nonce, tx_hash, raw_tx, block_number, error_reason, created_at, updated_at, claim_token"
#define X402_KEY_MATCH "network = $1 AND asset = $2 AND payer = $3 AND nonce = $4"

enum Stmt : std::size_t {
  kClaim,
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

constexpr std::array<const char*, kStmtCount> kStmtNames = {
    "x402_ledger_claim",     "x402_ledger_select",     "x402_ledger_state_of",
    "x402_ledger_submitted", "x402_ledger_confirmed",  "x402_ledger_pending",
    "x402_ledger_failed",    "x402_ledger_unresolved", "x402_ledger_counts"};

constexpr std::array<const char*, kStmtCount> kSql = {
    // Inserts, or re-claims a failed row; returns nothing when the row exists in any other state.
    "INSERT INTO settlements (network, asset, payer, nonce, state, payload_hash, request_json, amount, "
    "pay_to, "
    "attempt, created_at, updated_at, claim_token) "
    "VALUES ($1, $2, $3, $4, 'verified', $5, $6, $7, $8, 1, " X402_NOW_MS ", " X402_NOW_MS
    ", $9) "
    "ON CONFLICT (network, asset, payer, nonce) DO UPDATE SET state = 'verified', "
    "attempt = settlements.attempt + 1, payload_hash = EXCLUDED.payload_hash, "
    "request_json = EXCLUDED.request_json, amount = EXCLUDED.amount, pay_to = EXCLUDED.pay_to, signer = "
    "NULL, "
    "signer_nonce = NULL, tx_hash = NULL, raw_tx = NULL, block_number = NULL, error_reason = NULL, "
    "updated_at = EXCLUDED.updated_at, claim_token = EXCLUDED.claim_token "
    "WHERE settlements.state = 'failed' "
    "RETURNING " X402_LEDGER_COLUMNS,
    "SELECT " X402_LEDGER_COLUMNS " FROM settlements WHERE " X402_KEY_MATCH,
    "SELECT state, tx_hash, block_number, error_reason FROM settlements WHERE " X402_KEY_MATCH,
    "UPDATE settlements SET state = 'submitted', signer = $5, signer_nonce = $6::bigint, tx_hash = $7, "
    "raw_tx = $8, updated_at = " X402_NOW_MS " WHERE " X402_KEY_MATCH " AND state = 'verified'",
    "UPDATE settlements SET state = 'confirmed', block_number = $5::bigint, updated_at = " X402_NOW_MS
    " WHERE " X402_KEY_MATCH " AND state IN ('submitted', 'pending')",
    "UPDATE settlements SET state = 'pending', updated_at = " X402_NOW_MS " WHERE " X402_KEY_MATCH
    " AND state = 'submitted'",
    "UPDATE settlements SET state = 'failed', error_reason = $5, updated_at = " X402_NOW_MS
    " WHERE " X402_KEY_MATCH " AND state IN ('verified', 'submitted', 'pending')",
    "SELECT " X402_LEDGER_COLUMNS
    " FROM settlements WHERE state IN ('submitted', 'pending') "
    "OR (state = 'verified' AND updated_at <= " X402_NOW_MS
    " - $1::bigint) "
    "ORDER BY updated_at, network, asset, payer, nonce",
    "SELECT state, count(*) FROM settlements GROUP BY state",
};

constexpr int kClaimTokenColumn = 18;

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string trimmed(const char* text) {
  std::string out = text != nullptr ? text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string prefix(std::string_view op) {
  return "postgres ledger: " + std::string(op) + ": ";
}

// Classifies a failed call: connection-level trouble is Errc::unavailable (the caller may retry).
Error pg_error(PGconn* conn, const PGresult* result, std::string_view op) {
  std::string message = trimmed(result != nullptr ? PQresultErrorMessage(result) : nullptr);
  if (message.empty()) message = trimmed(PQerrorMessage(conn));
  if (PQstatus(conn) == CONNECTION_BAD) {
    return make_error(Errc::unavailable, prefix(op) + "connection lost: " + message);
  }
  const char* code = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string_view sqlstate = code != nullptr ? code : "";
  Errc errc = Errc::internal;
  if (sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03" ||
      sqlstate == "53300" || sqlstate == "40001" || sqlstate == "40P01") {
    errc = Errc::unavailable;  // connection trouble, shutdown, overload: worth another try
  } else if (sqlstate == "57014" || sqlstate == "55P03") {
    errc = Errc::timeout;  // statement_timeout or lock wait
  } else if (sqlstate.starts_with("53") || sqlstate.starts_with("58")) {
    errc = Errc::io_error;  // out of disk or memory, system error on the server
  }
  return make_error(errc,
                    prefix(op) + message + (sqlstate.empty() ? "" : " [" + std::string(sqlstate) + "]"));
}

struct Connection {
  PGconn* pg = nullptr;
  std::bitset<kStmtCount> prepared;
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    if (pg != nullptr) PQfinish(pg);
  }
};

class Pool;

// A connection on loan; goes back to the pool (or is closed if unusable) when destroyed.
class Lease {
 public:
  Lease(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
  Lease(Lease&& other) noexcept = default;
  Lease& operator=(Lease&&) = delete;
  ~Lease();
  Connection& operator*() const { return *conn_; }

 private:
  Pool* pool_;
  std::unique_ptr<Connection> conn_;
};

class Pool {
 public:
  Pool(std::string conninfo, PostgresLedgerOptions options)
      : conninfo_(std::move(conninfo)), options_(options) {
    if (options_.pool_size == 0) options_.pool_size = 1;
  }

  Result<Lease> acquire(std::string_view op) {
    const auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
    std::unique_lock lock(mutex_);
    for (;;) {
      while (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        // Reads what the server sent while idle: a restart or a terminated backend shows up here
        // as CONNECTION_BAD, without a round trip.
        if (PQconsumeInput(conn->pg) == 1 && PQstatus(conn->pg) == CONNECTION_OK)
          return Lease(this, std::move(conn));
        --open_;
      }
      if (open_ < options_.pool_size) {
        ++open_;
        lock.unlock();
        auto conn = connect(op);
        if (!conn) {
          lock.lock();
          --open_;
          available_.notify_one();
          return conn.take_error();
        }
        return Lease(this, std::move(conn).value());
      }
      if (available_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
          open_ >= options_.pool_size) {
        return make_error(Errc::timeout, prefix(op) + "all " + std::to_string(options_.pool_size) +
                                             " connections stayed busy for " +
                                             std::to_string(options_.acquire_timeout.count()) + " ms");
      }
    }
  }

  // Closes every idle connection: after one broke, the others (same server, same restart) are
  // likely broken too, and a retry must not pick one of them.
  void drop_idle() {
    std::vector<std::unique_ptr<Connection>> dropped;
    {
      std::lock_guard lock(mutex_);
      dropped.swap(idle_);
      open_ -= dropped.size();
      available_.notify_all();
    }
  }

  void release(std::unique_ptr<Connection> conn) {
    if (conn == nullptr) return;
    // A statement that failed inside a transaction (schema creation) leaves it open: end it here.
    auto tx = PQtransactionStatus(conn->pg);
    if (tx == PQTRANS_INTRANS || tx == PQTRANS_INERROR) {
      const PgResult rolled_back(PQexec(conn->pg, "ROLLBACK"));  // cleared as it goes out of scope
      tx = PQtransactionStatus(conn->pg);
    }
    const bool reusable = PQstatus(conn->pg) == CONNECTION_OK && tx == PQTRANS_IDLE;
    if (!reusable) conn.reset();  // closed outside the lock
    std::lock_guard lock(mutex_);
    if (reusable) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
    available_.notify_one();
  }

 private:
  Result<std::unique_ptr<Connection>> connect(std::string_view op) {
    auto conn = std::make_unique<Connection>();
    const std::string server_options =
        "-c statement_timeout=" + std::to_string(options_.statement_timeout.count());
    // Defaults first: with expand_dbname, settings in the caller's conninfo override them.
    const char* keys[] = {"connect_timeout", "client_encoding", "application_name",
                          "options",         "dbname",          nullptr};
    const char* values[] = {"5", "UTF8", "x402-ledger", server_options.c_str(), conninfo_.c_str(), nullptr};
    conn->pg = PQconnectdbParams(keys, values, 1);
    if (conn->pg == nullptr)
      return make_error(Errc::internal, prefix(op) + "libpq could not allocate a connection");
    if (PQstatus(conn->pg) != CONNECTION_OK) {
      return make_error(Errc::unavailable,
                        prefix(op) + "cannot connect: " + trimmed(PQerrorMessage(conn->pg)));
    }
    // The schema's "already exists, skipping" notices would otherwise go to stderr.
    PQsetNoticeProcessor(
        conn->pg, [](void*, const char*) {}, nullptr);
    return conn;
  }

  std::string conninfo_;
  PostgresLedgerOptions options_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;  // idle plus on loan
};

Lease::~Lease() {
  if (pool_ != nullptr) pool_->release(std::move(conn_));
}

// Parameters in text format; nullopt is SQL NULL.
using Params = std::vector<std::optional<std::string>>;

Params key_params(const PaymentKey& key) {
  return {key.network, key.asset, key.payer, key.nonce};
}

Result<PgResult> execute(Connection& conn, Stmt id, const Params& params, std::string_view op) {
  if (!conn.prepared.test(id)) {
    PgResult prepared(PQprepare(conn.pg, kStmtNames[id], kSql[id], 0, nullptr));
    if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) return pg_error(conn.pg, prepared.get(), op);
    conn.prepared.set(id);
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
  PgResult result(PQexecPrepared(conn.pg, kStmtNames[id], static_cast<int>(values.size()), values.data(),
                                 nullptr, nullptr, 0));
  const auto status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return pg_error(conn.pg, result.get(), op);
  return result;
}

Status execute_simple(Connection& conn, const char* sql, std::string_view op) {
  PgResult result(PQexec(conn.pg, sql));
  const auto status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return pg_error(conn.pg, result.get(), op);
  return {};
}

std::optional<std::string> opt_text(const PGresult* result, int row, int column) {
  if (PQgetisnull(result, row, column)) return std::nullopt;
  return std::string(PQgetvalue(result, row, column),
                     static_cast<std::size_t>(PQgetlength(result, row, column)));
}

std::string text(const PGresult* result, int row, int column) {
  return std::string(PQgetvalue(result, row, column),
                     static_cast<std::size_t>(PQgetlength(result, row, column)));
}

template <typename Int>
Result<Int> parse_int(const PGresult* result, int row, int column, std::string_view op) {
  const char* begin = PQgetvalue(result, row, column);
  const char* end = begin + PQgetlength(result, row, column);
  Int value{};
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end) {
    return make_error(Errc::internal, prefix(op) + "unreadable integer '" + std::string(begin, end) +
                                          "' in column " + PQfname(result, column));
  }
  return value;
}

Result<SettlementRecord> read_record(const PGresult* result, int row, std::string_view op) {
  SettlementRecord record;
  record.key = {text(result, row, 0), text(result, row, 1), text(result, row, 2), text(result, row, 3)};
  const auto state_text = text(result, row, 4);
  const auto state = parse_settlement_state(state_text);
  if (!state) {
    return make_error(Errc::internal,
                      prefix(op) + "unknown state '" + state_text + "' for " + detail::key_text(record.key));
  }
  record.state = *state;
  record.payload_hash = text(result, row, 5);
  record.request_json = text(result, row, 6);
  record.amount = text(result, row, 7);
  record.pay_to = text(result, row, 8);
  auto attempt = parse_int<std::uint32_t>(result, row, 9, op);
  if (!attempt) return attempt.take_error();
  record.attempt = *attempt;
  record.signer = opt_text(result, row, 10);
  for (auto [column, field] : {std::pair{11, &record.signer_nonce}, std::pair{14, &record.block_number}}) {
    if (PQgetisnull(result, row, column)) continue;
    auto value = parse_int<std::uint64_t>(result, row, column, op);
    if (!value) return value.take_error();
    *field = *value;
  }
  record.tx_hash = opt_text(result, row, 12);
  record.raw_tx = opt_text(result, row, 13);
  record.error_reason = opt_text(result, row, 15);
  auto created = parse_int<std::int64_t>(result, row, 16, op);
  if (!created) return created.take_error();
  auto updated = parse_int<std::int64_t>(result, row, 17, op);
  if (!updated) return updated.take_error();
  record.created_at = *created;
  record.updated_at = *updated;
  return record;
}

bool changed_one_row(const PGresult* result) {
  return std::string_view(PQcmdTuples(const_cast<PGresult*>(result))) == "1";
}

// What a transition found when it changed nothing: state, tx_hash, block_number, error_reason.
struct CurrentState {
  std::string state;
  std::optional<std::string> tx_hash;
  std::optional<std::string> block_number;
  std::optional<std::string> error_reason;
};

class PostgresLedger final : public Ledger {
 public:
  PostgresLedger(std::string conninfo, PostgresLedgerOptions options) : pool_(std::move(conninfo), options) {}

  Status create_schema() {
    constexpr std::string_view op = "open: schema";
    auto lease = pool_.acquire(op);
    if (!lease) return lease.take_error();
    Connection& conn = **lease;
    for (const char* sql : {"BEGIN", kSchemaLockSql, kSchemaSql}) {
      if (auto status = execute_simple(conn, sql, op); !status) return status;
    }
    PgResult version(PQexec(conn.pg, "SELECT max(version) FROM schema_version"));
    if (PQresultStatus(version.get()) != PGRES_TUPLES_OK) return pg_error(conn.pg, version.get(), op);
    if (PQgetisnull(version.get(), 0, 0)) {
      const std::string insert =
          "INSERT INTO schema_version (version) VALUES (" + std::to_string(detail::kSchemaVersion) + ")";
      if (auto status = execute_simple(conn, insert.c_str(), op); !status) return status;
    } else if (text(version.get(), 0, 0) != std::to_string(detail::kSchemaVersion)) {
      return make_error(Errc::conflict, prefix(op) + "the ledger has schema version " +
                                            text(version.get(), 0, 0) + "; this build reads version " +
                                            std::to_string(detail::kSchemaVersion));
    }
    return execute_simple(conn, "COMMIT", op);
  }

  Result<ClaimResult> claim(const SettlementRecord& fresh) override {
    constexpr std::string_view op = "claim";
    if (auto status = check_fresh(op, fresh); !status) return status.take_error();
    const std::string token = detail::new_claim_token();
    Params params = key_params(fresh.key);
    params.insert(params.end(), {fresh.payload_hash, fresh.request_json, fresh.amount, fresh.pay_to, token});
    return with_retry<ClaimResult>(op, [&](Connection& conn, bool) -> Result<ClaimResult> {
      // A record seen in state failed after our upsert did nothing was failed in between: go round
      // and re-claim it. Bounded: each round means another process moved the record meanwhile.
      for (int round = 0; round < 8; ++round) {
        auto upserted = execute(conn, kClaim, params, op);
        if (!upserted) return upserted.take_error();
        if (PQntuples(upserted->get()) == 1) {
          auto record = read_record(upserted->get(), 0, op);
          if (!record) return record.take_error();
          return ClaimResult{std::move(record).value(), true};
        }
        auto selected = execute(conn, kSelect, key_params(fresh.key), op);
        if (!selected) return selected.take_error();
        if (PQntuples(selected->get()) == 0) continue;
        auto record = read_record(selected->get(), 0, op);
        if (!record) return record.take_error();
        // Our own earlier attempt, committed before its reply was lost.
        if (text(selected->get(), 0, kClaimTokenColumn) == token)
          return ClaimResult{std::move(record).value(), true};
        if (record->state != SettlementState::failed) return ClaimResult{std::move(record).value(), false};
      }
      return make_error(Errc::conflict, prefix(op) + "record " + detail::key_text(fresh.key) +
                                            " kept changing state; try again");
    });
  }

  Status mark_submitted(const PaymentKey& key, const SubmittedTx& tx) override {
    constexpr std::string_view op = "mark_submitted";
    if (auto status = check_key(op, key); !status) return status;
    if (auto status = check_int64(op, "signer_nonce", tx.signer_nonce); !status) return status;
    Params params = key_params(key);
    params.insert(params.end(), {tx.signer, std::to_string(tx.signer_nonce), tx.tx_hash, tx.raw_tx});
    return transition(op, kMarkSubmitted, params, key, "verified", [&](const CurrentState& now) {
      return now.state == "submitted" && now.tx_hash == tx.tx_hash;
    });
  }

  Status mark_confirmed(const PaymentKey& key, std::uint64_t block_number) override {
    constexpr std::string_view op = "mark_confirmed";
    if (auto status = check_key(op, key); !status) return status;
    if (auto status = check_int64(op, "block_number", block_number); !status) return status;
    Params params = key_params(key);
    params.emplace_back(std::to_string(block_number));
    return transition(op, kMarkConfirmed, params, key, "submitted or pending", [&](const CurrentState& now) {
      return now.state == "confirmed" && now.block_number == std::to_string(block_number);
    });
  }

  Status mark_pending(const PaymentKey& key) override {
    constexpr std::string_view op = "mark_pending";
    if (auto status = check_key(op, key); !status) return status;
    return transition(op, kMarkPending, key_params(key), key, "submitted",
                      [](const CurrentState& now) { return now.state == "pending"; });
  }

  Status mark_failed(const PaymentKey& key, const std::string& reason) override {
    constexpr std::string_view op = "mark_failed";
    if (auto status = check_key(op, key); !status) return status;
    Params params = key_params(key);
    params.emplace_back(reason);
    return transition(
        op, kMarkFailed, params, key, "verified, submitted or pending",
        [&](const CurrentState& now) { return now.state == "failed" && now.error_reason == reason; });
  }

  Result<std::optional<SettlementRecord>> find(const PaymentKey& key) override {
    constexpr std::string_view op = "find";
    if (auto status = check_key(op, key); !status) return status.take_error();
    using Found = std::optional<SettlementRecord>;
    return with_retry<Found>(op, [&](Connection& conn, bool) -> Result<Found> {
      auto selected = execute(conn, kSelect, key_params(key), op);
      if (!selected) return selected.take_error();
      if (PQntuples(selected->get()) == 0) return Found();
      auto record = read_record(selected->get(), 0, op);
      if (!record) return record.take_error();
      return Found(std::move(record).value());
    });
  }

  Result<std::vector<SettlementRecord>> unresolved(std::chrono::milliseconds stale_after) override {
    constexpr std::string_view op = "unresolved";
    using Records = std::vector<SettlementRecord>;
    return with_retry<Records>(op, [&](Connection& conn, bool) -> Result<Records> {
      auto selected = execute(conn, kUnresolved, {std::to_string(stale_after.count())}, op);
      if (!selected) return selected.take_error();
      Records records;
      const int rows = PQntuples(selected->get());
      records.reserve(static_cast<std::size_t>(rows));
      for (int row = 0; row < rows; ++row) {
        auto record = read_record(selected->get(), row, op);
        if (!record) return record.take_error();
        records.push_back(std::move(record).value());
      }
      return records;
    });
  }

  Result<std::vector<std::pair<SettlementState, std::uint64_t>>> counts() override {
    constexpr std::string_view op = "counts";
    using Counts = std::vector<std::pair<SettlementState, std::uint64_t>>;
    return with_retry<Counts>(op, [&](Connection& conn, bool) -> Result<Counts> {
      auto selected = execute(conn, kCounts, {}, op);
      if (!selected) return selected.take_error();
      Counts counts;
      for (auto state : detail::kAllStates) counts.emplace_back(state, 0);
      for (int row = 0; row < PQntuples(selected->get()); ++row) {
        auto state = parse_settlement_state(text(selected->get(), row, 0));
        if (!state) return make_error(Errc::internal, prefix(op) + "unknown state in the table");
        auto count = parse_int<std::uint64_t>(selected->get(), row, 1, op);
        if (!count) return count.take_error();
        counts[static_cast<std::size_t>(*state)].second = *count;
      }
      return counts;
    });
  }

 private:
  // Runs `body` on a pooled connection; if that connection turns out broken (Errc::unavailable
  // after it was handed out), runs it once more on a newly made one. body(conn, retrying).
  template <typename T, typename Body>
  Result<T> with_retry(std::string_view op, Body&& body) {
    for (int attempt = 0;; ++attempt) {
      auto lease = pool_.acquire(op);
      if (!lease) return lease.take_error();
      Result<T> result = body(**lease, attempt > 0);
      if (result.ok() || attempt > 0 || result.error().code != Errc::unavailable) return result;
      pool_.drop_idle();
    }
  }

  Status transition(std::string_view op, Stmt id, const Params& params, const PaymentKey& key,
                    std::string_view expected, const std::function<bool(const CurrentState&)>& landed) {
    auto result =
        with_retry<std::monostate>(op, [&](Connection& conn, bool retrying) -> Result<std::monostate> {
          auto updated = execute(conn, id, params, op);
          if (!updated) return updated.take_error();
          if (changed_one_row(updated->get())) return std::monostate{};
          auto selected = execute(conn, kStateOf, key_params(key), op);
          if (!selected) return selected.take_error();
          if (PQntuples(selected->get()) == 0) {
            return make_error(Errc::not_found, prefix(op) + "no record for " + detail::key_text(key));
          }
          const PGresult* row = selected->get();
          CurrentState now{text(row, 0, 0), opt_text(row, 0, 1), opt_text(row, 0, 2), opt_text(row, 0, 3)};
          // The first try's UPDATE committed but its reply was lost: the record is where we put it.
          if (retrying && landed(now)) return std::monostate{};
          return make_error(Errc::conflict, prefix(op) + "record " + detail::key_text(key) + " is " +
                                                now.state + ", expected " + std::string(expected));
        });
    if (!result) return result.take_error();
    return {};
  }

  Pool pool_;
};

}  // namespace

Result<std::unique_ptr<Ledger>> open_postgres_ledger(const std::string& conninfo,
                                                     const PostgresLedgerOptions& options) {
  auto ledger = std::make_unique<PostgresLedger>(conninfo, options);
  if (auto status = ledger->create_schema(); !status) return status.take_error();
  return std::unique_ptr<Ledger>(std::move(ledger));
}

Result<std::unique_ptr<Ledger>> open_postgres_ledger(const std::string& conninfo) {
  return open_postgres_ledger(conninfo, PostgresLedgerOptions{});
}

}  // namespace x402::store
