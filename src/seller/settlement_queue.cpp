// Durable background settlement: SQLite queue + worker coroutine.
// Note: lambdas handed to async::offload capture only raw pointers and numbers (the pointees live
// in the suspended frame): offload wraps them in a closure temporary inside a co_await
// expression, which GCC 12 may destroy twice (docs/ENGINEERING.md); a trivially destructible
// closure survives that.
#include "seller/settlement_queue.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <mutex>

#include "async/offload.hpp"
#include "crypto/keccak.hpp"
#include "x402/codec.hpp"
#include "x402/reasons.hpp"

namespace x402::seller {
namespace asio = boost::asio;

namespace {

constexpr int kBusyTimeoutMs = 10000;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS seller_settlements (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  payment_key     TEXT NOT NULL UNIQUE,
  request_json    TEXT NOT NULL,
  network         TEXT NOT NULL,
  payer           TEXT NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('pending', 'settled', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL,
  transaction_hash TEXT NOT NULL DEFAULT '',
  last_error      TEXT NOT NULL DEFAULT '',
  created_ms      INTEGER NOT NULL,
  updated_ms      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS seller_settlements_due ON seller_settlements (state, next_attempt_ms);
)sql";

constexpr const char* kColumns =
    "id, payment_key, request_json, network, payer, state, attempts, next_attempt_ms, transaction_hash, "
    "last_error";

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string column_text(sqlite3_stmt* stmt, int column) {
  const auto* text = sqlite3_column_text(stmt, column);
  return text == nullptr ? std::string()
                         : std::string(reinterpret_cast<const char*>(text),
                                       static_cast<std::size_t>(sqlite3_column_bytes(stmt, column)));
}

}  // namespace

// --- store ------------------------------------------------------------------------------------

struct SettlementStore::Impl {
  sqlite3* db = nullptr;
  std::mutex mutex;

  ~Impl() {
    if (db != nullptr) sqlite3_close_v2(db);
  }

  Error db_error(std::string_view what) const {
    return make_error(Errc::io_error, "settlement queue: " + std::string(what) + ": " + sqlite3_errmsg(db));
  }

  // A prepared statement, finalized on scope exit.
  struct Stmt {
    sqlite3_stmt* stmt = nullptr;
    ~Stmt() { sqlite3_finalize(stmt); }
  };

  Result<void> prepare(Stmt& out, const std::string& sql) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &out.stmt, nullptr) != SQLITE_OK) return db_error("prepare");
    return {};
  }

  static void bind(sqlite3_stmt* stmt, int index, std::string_view text) {
    sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }

  Result<std::vector<QueuedSettlement>> select(const std::string& where, std::int64_t a, std::int64_t limit) {
    std::lock_guard lock(mutex);
    Stmt stmt;
    if (auto ok = prepare(stmt, std::string("SELECT ") + kColumns + " FROM seller_settlements " + where); !ok)
      return ok.take_error();
    if (sqlite3_bind_parameter_count(stmt.stmt) >= 1) sqlite3_bind_int64(stmt.stmt, 1, a);
    if (sqlite3_bind_parameter_count(stmt.stmt) >= 2) sqlite3_bind_int64(stmt.stmt, 2, limit);
    std::vector<QueuedSettlement> out;
    for (;;) {
      const int rc = sqlite3_step(stmt.stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return db_error("select");
      QueuedSettlement item;
      item.id = sqlite3_column_int64(stmt.stmt, 0);
      item.payment_key = column_text(stmt.stmt, 1);
      item.request_json = column_text(stmt.stmt, 2);
      item.network = column_text(stmt.stmt, 3);
      item.payer = column_text(stmt.stmt, 4);
      item.state = column_text(stmt.stmt, 5);
      item.attempts = static_cast<unsigned>(sqlite3_column_int64(stmt.stmt, 6));
      item.next_attempt_ms = sqlite3_column_int64(stmt.stmt, 7);
      item.transaction = column_text(stmt.stmt, 8);
      item.last_error = column_text(stmt.stmt, 9);
      out.push_back(std::move(item));
    }
    return out;
  }

  Status update(std::int64_t id, std::string_view state, unsigned attempts, std::int64_t next_ms,
                std::string_view transaction, std::string_view error, std::int64_t now) {
    std::lock_guard lock(mutex);
    Stmt stmt;
    if (auto ok = prepare(stmt,
                          "UPDATE seller_settlements SET state = ?1, attempts = ?2, next_attempt_ms = ?3, "
                          "transaction_hash = ?4, last_error = ?5, updated_ms = ?6 WHERE id = ?7");
        !ok)
      return ok.take_error();
    bind(stmt.stmt, 1, state);
    sqlite3_bind_int64(stmt.stmt, 2, attempts);
    sqlite3_bind_int64(stmt.stmt, 3, next_ms);
    bind(stmt.stmt, 4, transaction);
    bind(stmt.stmt, 5, error);
    sqlite3_bind_int64(stmt.stmt, 6, now);
    sqlite3_bind_int64(stmt.stmt, 7, id);
    if (sqlite3_step(stmt.stmt) != SQLITE_DONE) return db_error("update");
    return {};
  }
};

Result<std::shared_ptr<SettlementStore>> SettlementStore::open(const std::filesystem::path& file) {
  auto impl = std::make_unique<Impl>();
  if (file.empty()) return make_error(Errc::invalid_argument, "settlement queue: no file configured");
  if (sqlite3_open_v2(file.c_str(), &impl->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string message = impl->db ? sqlite3_errmsg(impl->db) : "out of memory";
    return make_error(Errc::io_error, "settlement queue: cannot open " + file.string() + ": " + message);
  }
  sqlite3_busy_timeout(impl->db, kBusyTimeoutMs);
  char* message = nullptr;
  const std::string setup = std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;") + kSchema;
  if (sqlite3_exec(impl->db, setup.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    return make_error(Errc::io_error, "settlement queue: cannot initialise " + file.string() + ": " + text);
  }
  return std::shared_ptr<SettlementStore>(new SettlementStore(std::move(impl)));
}

SettlementStore::SettlementStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SettlementStore::~SettlementStore() = default;

Result<bool> SettlementStore::contains(std::string_view payment_key) {
  std::lock_guard lock(impl_->mutex);
  Impl::Stmt stmt;
  if (auto ok = impl_->prepare(stmt, "SELECT 1 FROM seller_settlements WHERE payment_key = ?1"); !ok)
    return ok.take_error();
  Impl::bind(stmt.stmt, 1, payment_key);
  const int rc = sqlite3_step(stmt.stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return impl_->db_error("lookup");
}

Result<std::int64_t> SettlementStore::enqueue(std::string_view payment_key, std::string_view request_json,
                                              std::string_view network, std::string_view payer,
                                              std::int64_t now) {
  std::lock_guard lock(impl_->mutex);
  Impl::Stmt stmt;
  if (auto ok =
          impl_->prepare(stmt,
                         "INSERT INTO seller_settlements (payment_key, request_json, network, payer, state, "
                         "attempts, next_attempt_ms, created_ms, updated_ms) "
                         "VALUES (?1, ?2, ?3, ?4, 'pending', 0, ?5, ?5, ?5)");
      !ok)
    return ok.take_error();
  Impl::bind(stmt.stmt, 1, payment_key);
  Impl::bind(stmt.stmt, 2, request_json);
  Impl::bind(stmt.stmt, 3, network);
  Impl::bind(stmt.stmt, 4, payer);
  sqlite3_bind_int64(stmt.stmt, 5, now);
  const int rc = sqlite3_step(stmt.stmt);
  if (rc == SQLITE_CONSTRAINT) return make_error(Errc::conflict, "payment already queued for settlement");
  if (rc != SQLITE_DONE) return impl_->db_error("insert");
  return static_cast<std::int64_t>(sqlite3_last_insert_rowid(impl_->db));
}

Result<std::vector<QueuedSettlement>> SettlementStore::due(std::int64_t now, unsigned limit) {
  return impl_->select(
      "WHERE state = 'pending' AND next_attempt_ms <= ?1 ORDER BY next_attempt_ms, id LIMIT ?2", now, limit);
}

Result<std::optional<std::int64_t>> SettlementStore::next_due() {
  std::lock_guard lock(impl_->mutex);
  Impl::Stmt stmt;
  if (auto ok =
          impl_->prepare(stmt, "SELECT MIN(next_attempt_ms) FROM seller_settlements WHERE state = 'pending'");
      !ok)
    return ok.take_error();
  if (sqlite3_step(stmt.stmt) != SQLITE_ROW) return impl_->db_error("select");
  if (sqlite3_column_type(stmt.stmt, 0) == SQLITE_NULL) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(sqlite3_column_int64(stmt.stmt, 0));
}

Status SettlementStore::mark_settled(std::int64_t id, unsigned attempts, std::string_view transaction,
                                     std::int64_t now) {
  return impl_->update(id, "settled", attempts, now, transaction, "", now);
}

Status SettlementStore::mark_failed(std::int64_t id, unsigned attempts, std::string_view error,
                                    std::int64_t now) {
  return impl_->update(id, "failed", attempts, now, "", error, now);
}

Status SettlementStore::reschedule(std::int64_t id, unsigned attempts, std::int64_t next_ms,
                                   std::string_view error, std::int64_t now) {
  return impl_->update(id, "pending", attempts, next_ms, "", error, now);
}

Result<std::vector<QueuedSettlement>> SettlementStore::all() {
  return impl_->select("ORDER BY id", 0, 0);
}

std::string payment_key(const JsonObject& payload) {
  return crypto::keccak256(std::string_view(stringify(payload))).hex();
}

// --- worker -----------------------------------------------------------------------------------

struct SettlementWorker::State {
  State(const asio::any_io_executor& executor, std::shared_ptr<SettlementStore> s,
        BackgroundSettlementOptions o)
      : strand(asio::make_strand(executor)), timer(strand), store(std::move(s)), options(std::move(o)) {}

  asio::strand<asio::any_io_executor> strand;
  asio::steady_timer timer;  // only touched on the strand
  asio::thread_pool pool{1};
  std::shared_ptr<SettlementStore> store;
  BackgroundSettlementOptions options;
  Settle settle;  // set once by start(), read on the strand
  std::atomic<bool> started{false};
  std::atomic<bool> stopped{false};
  bool wake_requested = false;  // strand only

  std::chrono::milliseconds backoff(unsigned attempts) const {
    auto delay = options.initial_backoff;
    for (unsigned i = 1; i < attempts && delay < options.max_backoff; ++i) delay *= 2;
    return std::min(delay, options.max_backoff);
  }

  // One attempt for one entry; records the outcome.
  static asio::awaitable<void> attempt(std::shared_ptr<State> self, QueuedSettlement item) {
    const unsigned attempts = item.attempts + 1;
    auto request = decode_json<FacilitatorRequest>(item.request_json);
    SettlementStore* store = self->store.get();  // `self` keeps it alive
    const std::int64_t id = item.id;
    Status recorded;
    if (!request) {
      const std::string error = "stored request unreadable: " + request.error().message;
      const std::string* why = &error;
      auto job = [store, id, attempts, why] { return store->mark_failed(id, attempts, *why, now_ms()); };
      recorded = co_await async::offload(self->pool, std::move(job));
    } else {
      auto result = co_await self->settle(std::move(*request));
      if (result && result->success) {
        spdlog::info("seller: background settlement {} settled: {}", item.id, result->transaction);
        const std::string* tx = &result->transaction;
        auto job = [store, id, attempts, tx] { return store->mark_settled(id, attempts, *tx, now_ms()); };
        recorded = co_await async::offload(self->pool, std::move(job));
      } else {
        // settlement_pending and errors are worth retrying; any other refusal is final.
        const bool retry = !result || result->error_reason.value_or("") == reason::settlement_pending;
        const std::string error =
            !result ? result.error().describe() : result->error_reason.value_or("settlement failed");
        if (retry && attempts < self->options.max_attempts) {
          const auto next = now_ms() + self->backoff(attempts).count();
          spdlog::warn("seller: background settlement {} attempt {} failed ({}); retrying", item.id, attempts,
                       error);
          const std::string* why = &error;
          auto job = [store, id, attempts, next, why] {
            return store->reschedule(id, attempts, next, *why, now_ms());
          };
          recorded = co_await async::offload(self->pool, std::move(job));
        } else {
          spdlog::error("seller: background settlement {} failed for good after {} attempts: {}", item.id,
                        attempts, error);
          const std::string* why = &error;
          auto job = [store, id, attempts, why] { return store->mark_failed(id, attempts, *why, now_ms()); };
          recorded = co_await async::offload(self->pool, std::move(job));
        }
      }
    }
    if (!recorded) spdlog::error("seller: settlement queue: {}", recorded.error().describe());
  }

  static asio::awaitable<void> run(std::shared_ptr<State> self) {
    constexpr unsigned kBatch = 16;
    while (!self->stopped) {
      self->wake_requested = false;
      SettlementStore* store = self->store.get();
      auto due_job = [store] { return store->due(now_ms(), kBatch); };
      auto due = co_await async::offload(self->pool, std::move(due_job));
      if (!due)
        spdlog::error("seller: settlement queue: {}", due.error().describe());
      else
        for (auto& item : *due) {
          if (self->stopped) co_return;
          co_await attempt(self, std::move(item));
        }
      if (self->stopped) co_return;
      if (due && due->size() == kBatch) continue;

      auto next_job = [store] { return store->next_due(); };
      auto next = co_await async::offload(self->pool, std::move(next_job));
      auto wait = std::chrono::milliseconds(60'000);
      if (!next)
        wait = std::chrono::milliseconds(5'000);
      else if (*next)
        wait = std::clamp(std::chrono::milliseconds(**next - now_ms()), std::chrono::milliseconds(0), wait);
      if (self->wake_requested || self->stopped) continue;
      self->timer.expires_after(wait);
      boost::system::error_code ec;
      co_await self->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }
};

SettlementWorker::SettlementWorker(const asio::any_io_executor& executor,
                                   std::shared_ptr<SettlementStore> store,
                                   BackgroundSettlementOptions options)
    : state_(std::make_shared<State>(executor, std::move(store), std::move(options))) {}

SettlementWorker::~SettlementWorker() {
  stop();
}

void SettlementWorker::start(Settle settle) {
  if (state_->started.exchange(true)) {
    wake();
    return;
  }
  auto state = state_;
  asio::post(state->strand, [state, settle = std::move(settle)]() mutable {
    state->settle = std::move(settle);
    asio::co_spawn(state->strand, State::run(state), asio::detached);
  });
}

void SettlementWorker::stop() {
  state_->stopped = true;
  auto state = state_;
  asio::post(state->strand, [state] { state->timer.cancel(); });
}

void SettlementWorker::wake() {
  auto state = state_;
  asio::post(state->strand, [state] {
    state->wake_requested = true;
    state->timer.cancel();
  });
}

asio::awaitable<Result<bool>> SettlementWorker::contains(std::string key) {
  auto state = state_;
  SettlementStore* store = state->store.get();
  const std::string* k = &key;
  auto job = [store, k] { return store->contains(*k); };
  co_return co_await async::offload(state->pool, std::move(job));
}

asio::awaitable<Result<std::int64_t>> SettlementWorker::enqueue(std::string key, std::string request_json,
                                                                std::string network, std::string payer) {
  auto state = state_;
  SettlementStore* store = state->store.get();
  const std::string* k = &key;
  const std::string* json = &request_json;
  const std::string* net = &network;
  const std::string* who = &payer;
  auto job = [store, k, json, net, who] { return store->enqueue(*k, *json, *net, *who, now_ms()); };
  auto id = co_await async::offload(state->pool, std::move(job));
  if (id) wake();
  co_return id;
}

}  // namespace x402::seller
