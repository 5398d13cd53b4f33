// The spend log behind the budgets: one SQLite file (WAL, busy timeout) that several `x402 pay`
// processes may share. A payment is checked against every limit and reserved in one IMMEDIATE
// transaction, so two concurrent payers cannot both squeeze under the same limit.
//
// Amounts are kept as dollars with 18 decimals (see selection.hpp), so payments in different
// stablecoins add up. What counts against a limit (see x402/client.hpp):
//   pending, settled, unknown   always;
//   rejected                    until its authorization's validBefore has passed.
// Blocking: call from a worker thread (the Client offloads), never from an I/O thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "x402/client.hpp"

struct sqlite3;

namespace x402::client {

struct ResolvedLimit {
  U256 wad;
  std::optional<std::chrono::seconds> window;
  std::string text;  // "$1 per 24h", for messages
};
[[nodiscard]] Result<std::vector<ResolvedLimit>> resolve_limits(const std::vector<BudgetLimit>& limits);

struct SpendRequest {
  std::string network;
  std::string asset;
  U256 amount;  // atomic
  unsigned decimals = 0;
  U256 amount_wad;
  std::string pay_to;
  std::string resource;
  std::uint64_t valid_before = 0;  // provisional until complete()
};

struct SpendEntry {
  std::int64_t id = 0;
  std::int64_t created_at = 0;
  std::string status;  // pending | settled | rejected | unknown
  U256 amount_wad;
  std::uint64_t valid_before = 0;
  std::string network;
  std::string asset;
  std::string amount;  // atomic, decimal
  std::string payer;
  std::string transaction;
  std::string reason;
};

class BudgetStore {
 public:
  // "" opens a private in-memory store. The file and its directory are created if missing
  // (mode 0600 / 0700).
  [[nodiscard]] static Result<std::unique_ptr<BudgetStore>> open(const std::string& path);
  ~BudgetStore();
  BudgetStore(const BudgetStore&) = delete;
  BudgetStore& operator=(const BudgetStore&) = delete;

  // "" if every limit leaves room for `amount_wad` at `now`, else why not.
  [[nodiscard]] Result<std::string> check(const std::vector<ResolvedLimit>& limits, const U256& amount_wad,
                                          std::int64_t now);

  struct Reservation {
    std::optional<std::int64_t> id;  // set: reserved (pending)
    std::string refusal;             // set: a limit would be exceeded
  };
  // Checks and, if allowed, records the payment as pending, atomically.
  [[nodiscard]] Result<Reservation> reserve(const std::vector<ResolvedLimit>& limits,
                                            const SpendRequest& request, std::int64_t now);
  // The outcome of a reserved payment.
  Status complete(std::int64_t id, PaymentStatus status, const std::string& payer, std::uint64_t valid_before,
                  const std::string& transaction, const std::string& reason);
  // Nothing was signed after all: forget the reservation.
  Status release(std::int64_t id);

  // Dollars (wad) counting against a limit with this window at `now`.
  [[nodiscard]] Result<U256> spent(std::optional<std::chrono::seconds> window, std::int64_t now);
  [[nodiscard]] Result<std::vector<SpendEntry>> entries();

 private:
  BudgetStore() = default;
  Result<std::string> check_locked(const std::vector<ResolvedLimit>& limits, const U256& amount_wad,
                                   std::int64_t now);
  Result<U256> spent_locked(std::optional<std::chrono::seconds> window, std::int64_t now);

  std::mutex mutex_;
  sqlite3* db_ = nullptr;
};

}  // namespace x402::client
