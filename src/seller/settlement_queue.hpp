// The durable queue of SettlementTiming::background: a small SQLite file (WAL, synchronous=FULL)
// holding every payment whose resource was served before settlement, and a worker that settles
// them with retries and backoff, recording the outcome. A restart resumes what is still pending.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "x402/result.hpp"
#include "x402/seller.hpp"
#include "x402/types.hpp"

namespace x402::seller {

struct QueuedSettlement {
  std::int64_t id = 0;
  std::string payment_key;   // keccak of the payment payload: one queue entry per payment
  std::string request_json;  // the facilitator /settle body
  std::string network;
  std::string payer;
  std::string state;  // "pending", "settled", "failed"
  unsigned attempts = 0;
  std::int64_t next_attempt_ms = 0;  // unix ms
  std::string transaction;           // when settled
  std::string last_error;            // reason or error of the last attempt
};

// Blocking (SQLite) and thread-safe; call it off the I/O threads.
class SettlementStore {
 public:
  [[nodiscard]] static Result<std::shared_ptr<SettlementStore>> open(const std::filesystem::path& file);
  ~SettlementStore();
  SettlementStore(const SettlementStore&) = delete;
  SettlementStore& operator=(const SettlementStore&) = delete;

  [[nodiscard]] Result<bool> contains(std::string_view payment_key);
  // Errc::conflict when the payment is already queued (a replay).
  [[nodiscard]] Result<std::int64_t> enqueue(std::string_view payment_key, std::string_view request_json,
                                             std::string_view network, std::string_view payer,
                                             std::int64_t now_ms);
  [[nodiscard]] Result<std::vector<QueuedSettlement>> due(std::int64_t now_ms, unsigned limit);
  // Earliest next_attempt_ms of a pending entry.
  [[nodiscard]] Result<std::optional<std::int64_t>> next_due();
  Status mark_settled(std::int64_t id, unsigned attempts, std::string_view transaction, std::int64_t now_ms);
  Status mark_failed(std::int64_t id, unsigned attempts, std::string_view error, std::int64_t now_ms);
  Status reschedule(std::int64_t id, unsigned attempts, std::int64_t next_ms, std::string_view error,
                    std::int64_t now_ms);
  [[nodiscard]] Result<std::vector<QueuedSettlement>> all();

  struct Impl;

 private:
  explicit SettlementStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Settles queued payments on a strand of `executor`; SQLite work runs on a private thread.
class SettlementWorker : public std::enable_shared_from_this<SettlementWorker> {
 public:
  using Settle = std::function<boost::asio::awaitable<Result<SettleResponse>>(FacilitatorRequest)>;

  SettlementWorker(const boost::asio::any_io_executor& executor, std::shared_ptr<SettlementStore> store,
                   BackgroundSettlementOptions options);
  ~SettlementWorker();

  // Starts the loop once (later calls only wake it). `settle` must stay callable until stop().
  void start(Settle settle);
  void stop();
  void wake();

  boost::asio::awaitable<Result<bool>> contains(std::string key);
  boost::asio::awaitable<Result<std::int64_t>> enqueue(std::string key, std::string request_json,
                                                       std::string network, std::string payer);

  struct State;

 private:
  std::shared_ptr<State> state_;
};

// Key of a payment for replay detection: keccak-256 (hex) of its scheme payload's JSON.
[[nodiscard]] std::string payment_key(const JsonObject& payload);

}  // namespace x402::seller
