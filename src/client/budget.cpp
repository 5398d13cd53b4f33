#include "client/budget.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <charconv>
#include <filesystem>
#include <system_error>

#include "client/selection.hpp"

namespace x402::client {
namespace {

constexpr int kBusyTimeoutMs = 15000;

constexpr const char* kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS spend (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at   INTEGER NOT NULL,
  status       TEXT NOT NULL,
  amount_wad   TEXT NOT NULL,
  valid_before INTEGER NOT NULL,
  network      TEXT NOT NULL,
  asset        TEXT NOT NULL,
  amount       TEXT NOT NULL,
  decimals     INTEGER NOT NULL,
  pay_to       TEXT NOT NULL,
  resource     TEXT NOT NULL,
  payer        TEXT NOT NULL DEFAULT '',
  tx           TEXT NOT NULL DEFAULT '',
  reason       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS spend_created_at ON spend(created_at);
)sql";

Error db_error(sqlite3* db, const std::string& what) {
  const int code = db ? sqlite3_errcode(db) : SQLITE_ERROR;
  const Errc errc = (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? Errc::timeout : Errc::io_error;
  return make_error(errc, "budget file: " + what + ": " + (db ? sqlite3_errmsg(db) : "cannot open"));
}

Status exec(sqlite3* db, const char* sql, const std::string& what) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "failed";
    sqlite3_free(message);
    return make_error(Errc::io_error, "budget file: " + what + ": " + text);
  }
  return {};
}

// A prepared statement, finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) { sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  [[nodiscard]] bool ok() const { return stmt_ != nullptr; }
  sqlite3_stmt* get() { return stmt_; }
  void bind(int index, std::int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  void bind(int index, const std::string& value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  }
  int step() { return sqlite3_step(stmt_); }
  std::string text(int column) {
    const auto* data = sqlite3_column_text(stmt_, column);
    return data ? std::string(reinterpret_cast<const char*>(data)) : std::string();
  }
  std::int64_t integer(int column) { return sqlite3_column_int64(stmt_, column); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction() {
    if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Status begin_immediate() {
    // IMMEDIATE takes the write lock now (waiting up to the busy timeout), so the check and the
    // insert that follows see the same spend.
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
      return db_error(db_, "begin");
    open_ = true;
    return {};
  }
  Status commit() {
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return db_error(db_, "commit");
    open_ = false;
    return {};
  }

 private:
  sqlite3* db_;
  bool open_ = false;
};

std::string window_text(std::chrono::seconds window) {
  const auto s = window.count();
  if (s % 86400 == 0 && s > 86400) return std::to_string(s / 86400) + "d";
  if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

std::string dollars(const U256& wad) {
  return "$" + format_units(wad, kWadDecimals);
}

}  // namespace

Result<std::vector<ResolvedLimit>> resolve_limits(const std::vector<BudgetLimit>& limits) {
  std::vector<ResolvedLimit> out;
  for (const auto& limit : limits) {
    auto wad = money_to_wad(limit.amount);
    if (!wad) return wad.take_error();
    out.push_back(ResolvedLimit{*wad, limit.window, describe(limit)});
  }
  return out;
}

BudgetStore::~BudgetStore() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Result<std::unique_ptr<BudgetStore>> BudgetStore::open(const std::string& path) {
  std::unique_ptr<BudgetStore> store(new BudgetStore());
  std::string target = path.empty() ? ":memory:" : path;
  if (!path.empty()) {
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
      std::error_code ec;
      if (!std::filesystem::exists(parent, ec)) {
        std::filesystem::create_directories(parent, ec);
        if (ec)
          return make_error(Errc::io_error,
                            "budget file: cannot create " + parent.string() + ": " + ec.message());
        ::chmod(parent.c_str(), S_IRWXU);
      }
    }
  }
  const int rc = sqlite3_open_v2(target.c_str(), &store->db_,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) return db_error(store->db_, "open " + target);
  sqlite3_busy_timeout(store->db_, kBusyTimeoutMs);
  if (!path.empty()) {
    // The spend log says what was bought where: private to the user, like the key files.
    ::chmod(path.c_str(), S_IRUSR | S_IWUSR);
    if (auto status = exec(store->db_, "PRAGMA journal_mode = WAL", "journal mode"); !status)
      return status.take_error();
    if (auto status = exec(store->db_, "PRAGMA synchronous = FULL", "synchronous"); !status)
      return status.take_error();
  }
  if (auto status = exec(store->db_, kSchemaSql, "schema"); !status) return status.take_error();
  return store;
}

Result<U256> BudgetStore::spent_locked(std::optional<std::chrono::seconds> window, std::int64_t now) {
  Statement select(db_, "SELECT status, amount_wad, valid_before FROM spend WHERE created_at > ?1");
  if (!select.ok()) return db_error(db_, "select");
  select.bind(1, window ? now - static_cast<std::int64_t>(window->count()) : INT64_MIN);
  U256 total = 0;
  int rc;
  while ((rc = select.step()) == SQLITE_ROW) {
    const std::string status = select.text(0);
    const auto valid_before = select.integer(2);
    // A rejected authorization can no longer be executed once it has expired.
    if (status == "rejected" && valid_before <= now) continue;
    auto wad = parse_u256(select.text(1));
    if (!wad) return make_error(Errc::invalid_field, "budget file: corrupt amount");
    if (!checked_add(total, *wad, total))
      return make_error(Errc::invalid_amount, "budget file: spend overflows");
  }
  if (rc != SQLITE_DONE) return db_error(db_, "select");
  return total;
}

Result<std::string> BudgetStore::check_locked(const std::vector<ResolvedLimit>& limits,
                                              const U256& amount_wad, std::int64_t now) {
  for (const auto& limit : limits) {
    auto spent = spent_locked(limit.window, now);
    if (!spent) return spent.take_error();
    U256 after;
    if (!checked_add(*spent, amount_wad, after) || after > limit.wad) {
      const U256 left = *spent >= limit.wad ? U256(0) : limit.wad - *spent;
      return "budget " + limit.text + " would be exceeded: " + dollars(*spent) + " spent, " + dollars(left) +
             " left, this payment is " + dollars(amount_wad);
    }
  }
  return std::string();
}

Result<std::string> BudgetStore::check(const std::vector<ResolvedLimit>& limits, const U256& amount_wad,
                                       std::int64_t now) {
  std::lock_guard lock(mutex_);
  return check_locked(limits, amount_wad, now);
}

Result<BudgetStore::Reservation> BudgetStore::reserve(const std::vector<ResolvedLimit>& limits,
                                                      const SpendRequest& request, std::int64_t now) {
  std::lock_guard lock(mutex_);
  Transaction transaction(db_);
  if (auto status = transaction.begin_immediate(); !status) return status.take_error();
  auto refusal = check_locked(limits, request.amount_wad, now);
  if (!refusal) return refusal.take_error();
  if (!refusal->empty()) return Reservation{std::nullopt, std::move(*refusal)};

  Statement insert(db_,
                   "INSERT INTO spend (created_at, status, amount_wad, valid_before, network, asset, amount, "
                   "decimals, pay_to, resource) VALUES (?1, 'pending', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!insert.ok()) return db_error(db_, "insert");
  insert.bind(1, now);
  insert.bind(2, to_decimal(request.amount_wad));
  insert.bind(3, static_cast<std::int64_t>(request.valid_before));
  insert.bind(4, request.network);
  insert.bind(5, request.asset);
  insert.bind(6, to_decimal(request.amount));
  insert.bind(7, static_cast<std::int64_t>(request.decimals));
  insert.bind(8, request.pay_to);
  insert.bind(9, request.resource);
  if (insert.step() != SQLITE_DONE) return db_error(db_, "insert");
  const auto id = sqlite3_last_insert_rowid(db_);
  if (auto status = transaction.commit(); !status) return status.take_error();
  return Reservation{id, std::string()};
}

Status BudgetStore::complete(std::int64_t id, PaymentStatus status, const std::string& payer,
                             std::uint64_t valid_before, const std::string& transaction,
                             const std::string& reason) {
  std::lock_guard lock(mutex_);
  Statement update(
      db_, "UPDATE spend SET status = ?1, payer = ?2, valid_before = ?3, tx = ?4, reason = ?5 WHERE id = ?6");
  if (!update.ok()) return db_error(db_, "update");
  update.bind(1, std::string(to_string(status)));
  update.bind(2, payer);
  update.bind(3, static_cast<std::int64_t>(valid_before));
  update.bind(4, transaction);
  update.bind(5, reason);
  update.bind(6, id);
  if (update.step() != SQLITE_DONE) return db_error(db_, "update");
  return {};
}

Status BudgetStore::release(std::int64_t id) {
  std::lock_guard lock(mutex_);
  Statement remove(db_, "DELETE FROM spend WHERE id = ?1 AND status = 'pending'");
  if (!remove.ok()) return db_error(db_, "delete");
  remove.bind(1, id);
  if (remove.step() != SQLITE_DONE) return db_error(db_, "delete");
  return {};
}

Result<U256> BudgetStore::spent(std::optional<std::chrono::seconds> window, std::int64_t now) {
  std::lock_guard lock(mutex_);
  return spent_locked(window, now);
}

Result<std::vector<SpendEntry>> BudgetStore::entries() {
  std::lock_guard lock(mutex_);
  Statement select(
      db_,
      "SELECT id, created_at, status, amount_wad, valid_before, network, asset, amount, payer, tx, "
      "reason FROM spend ORDER BY id");
  if (!select.ok()) return db_error(db_, "select");
  std::vector<SpendEntry> out;
  int rc;
  while ((rc = select.step()) == SQLITE_ROW) {
    SpendEntry entry;
    entry.id = select.integer(0);
    entry.created_at = select.integer(1);
    entry.status = select.text(2);
    entry.amount_wad = parse_u256(select.text(3)).ok() ? *parse_u256(select.text(3)) : U256(0);
    entry.valid_before = static_cast<std::uint64_t>(select.integer(4));
    entry.network = select.text(5);
    entry.asset = select.text(6);
    entry.amount = select.text(7);
    entry.payer = select.text(8);
    entry.transaction = select.text(9);
    entry.reason = select.text(10);
    out.push_back(std::move(entry));
  }
  if (rc != SQLITE_DONE) return db_error(db_, "select");
  return out;
}

}  // namespace x402::client

namespace x402 {

Result<BudgetLimit> parse_budget_limit(std::string_view text) noexcept {
  BudgetLimit limit;
  std::string_view amount = text;
  const auto slash = text.find('/');
  if (slash != std::string_view::npos) {
    amount = text.substr(0, slash);
    std::string_view window = text.substr(slash + 1);
    while (!window.empty() && window.front() == ' ') window.remove_prefix(1);
    if (window.empty())
      return make_error(Errc::invalid_argument,
                        "budget '" + std::string(text) + "': missing window after '/'");
    std::int64_t unit = 0;
    switch (window.back()) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        return make_error(
            Errc::invalid_argument,
            "budget '" + std::string(text) + "': the window needs a unit (s, m, h or d), e.g. $1/24h");
    }
    window.remove_suffix(1);
    std::int64_t count = 1;  // "$1/h" = per hour
    if (!window.empty()) {
      auto [end, ec] = std::from_chars(window.data(), window.data() + window.size(), count);
      if (ec != std::errc() || end != window.data() + window.size() || count <= 0 ||
          count > 100L * 365 * 24 * 3600)
        return make_error(Errc::invalid_argument, "budget '" + std::string(text) + "': invalid window");
    }
    limit.window = std::chrono::seconds(count * unit);
  }
  auto money = client::parse_dollars(amount);
  if (!money) return make_error(Errc::invalid_argument, "budget: " + money.error().message);
  limit.amount = std::move(*money);
  return limit;
}

std::string describe(const BudgetLimit& limit) {
  std::string out = "$" + limit.amount.decimal;
  if (limit.window) return out + " per " + client::window_text(*limit.window);
  return out + " in total";
}

std::string_view to_string(PaymentStatus status) noexcept {
  switch (status) {
    case PaymentStatus::settled:
      return "settled";
    case PaymentStatus::rejected:
      return "rejected";
    case PaymentStatus::unknown:
      return "unknown";
  }
  return "unknown";
}

}  // namespace x402
