// The settlement ledger: one record per payment authorization, so that a payment is settled
// once or not at all, and the ledger says which.
//
// Key: (network, asset, payer, nonce) — an EIP-3009 authorization can move funds once, so this
// is the identity of a payment. States:
//
//   verified ──> submitted (tx hash, raw tx; written BEFORE broadcast) ──> confirmed
//      │                │                                           └──> failed (reverted)
//      │                └──> pending (receipt wait timed out; reconciled later) ──> confirmed | failed
//      └──> failed (rejected before broadcast: the authorization is still unused)
//
// A `failed` record may be claimed again (a new attempt), atomically. Implementations must make
// every transition atomic across processes sharing the store (SQLite file, PostgreSQL).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "x402/result.hpp"

namespace x402::store {

enum class SettlementState : std::uint8_t { verified, submitted, pending, confirmed, failed };

[[nodiscard]] std::string_view to_string(SettlementState state) noexcept;
[[nodiscard]] std::optional<SettlementState> parse_settlement_state(std::string_view text) noexcept;

// Identity of a payment. Callers normalise: network as CAIP-2, addresses and nonce lowercase
// 0x-hex (so the same authorization always maps to the same key).
struct PaymentKey {
  std::string network;
  std::string asset;
  std::string payer;
  std::string nonce;
  bool operator==(const PaymentKey&) const = default;
};

struct SettlementRecord {
  PaymentKey key;
  SettlementState state = SettlementState::verified;
  std::string payload_hash;  // keccak of the canonical settle request: same payment, same hash
  std::string request_json;  // the settle request as received (audit, reconciliation)
  std::string amount;        // atomic units, decimal
  std::string pay_to;
  std::uint32_t attempt = 1;          // incremented when a failed record is claimed again
  std::optional<std::string> signer;  // facilitator account that sent the transaction
  std::optional<std::uint64_t> signer_nonce;
  std::optional<std::string> tx_hash;  // set with `submitted`, kept afterwards
  std::optional<std::string> raw_tx;   // 0x-hex signed transaction, for rebroadcast
  std::optional<std::uint64_t> block_number;
  std::optional<std::string> error_reason;
  std::int64_t created_at = 0;  // unix milliseconds
  std::int64_t updated_at = 0;
  bool operator==(const SettlementRecord&) const = default;
};

struct ClaimResult {
  SettlementRecord record;  // the record now in the store
  bool claimed = false;     // true: this caller owns the attempt (inserted, or re-claimed a failed one)
};

struct SubmittedTx {
  std::string signer;
  std::uint64_t signer_nonce = 0;
  std::string tx_hash;
  std::string raw_tx;
};

// Synchronous and thread-safe; callers on I/O threads run it on a blocking-work executor.
// Transition methods fail with Errc::conflict when the record is not in an allowed prior state
// (another process moved it), and Errc::not_found when absent.
class Ledger {
 public:
  virtual ~Ledger() = default;

  // Inserts `fresh` (state verified) if no record has this key; if a record exists in state
  // failed, atomically re-claims it (state verified, attempt+1, new payload/hash, tx fields
  // cleared). Otherwise returns the existing record with claimed = false.
  virtual Result<ClaimResult> claim(const SettlementRecord& fresh) = 0;

  // verified -> submitted. Must be durable before the transaction is broadcast.
  virtual Status mark_submitted(const PaymentKey& key, const SubmittedTx& tx) = 0;
  // submitted|pending -> confirmed.
  virtual Status mark_confirmed(const PaymentKey& key, std::uint64_t block_number) = 0;
  // submitted -> pending (receipt wait timed out).
  virtual Status mark_pending(const PaymentKey& key) = 0;
  // verified|submitted|pending -> failed.
  virtual Status mark_failed(const PaymentKey& key, const std::string& reason) = 0;

  virtual Result<std::optional<SettlementRecord>> find(const PaymentKey& key) = 0;
  // Records in submitted or pending (to reconcile), and verified ones older than `stale_after`
  // (a process died between claim and submit: nothing was broadcast).
  virtual Result<std::vector<SettlementRecord>> unresolved(std::chrono::milliseconds stale_after) = 0;
  // Counts per state, for /metrics.
  virtual Result<std::vector<std::pair<SettlementState, std::uint64_t>>> counts() = 0;
};

// SQLite in WAL mode (synchronous=FULL): the embedded default. Several processes may share the
// file on one host. Creates the schema if missing.
Result<std::unique_ptr<Ledger>> open_sqlite_ledger(const std::string& path);

// PostgreSQL (libpq conninfo, e.g. "host=/tmp/pg port=5433 dbname=x402 user=x402"): for several
// facilitator instances sharing state. Creates the schema if missing.
Result<std::unique_ptr<Ledger>> open_postgres_ledger(const std::string& conninfo);

// Tuning for the PostgreSQL ledger's connection pool (the one-argument overload uses these defaults).
struct PostgresLedgerOptions {
  std::size_t pool_size = 8;                           // connections held at most
  std::chrono::milliseconds acquire_timeout{10000};    // wait for a free one, then Errc::timeout
  std::chrono::milliseconds statement_timeout{30000};  // server-side bound on any one statement
};
Result<std::unique_ptr<Ledger>> open_postgres_ledger(const std::string& conninfo,
                                                     const PostgresLedgerOptions& options);

}  // namespace x402::store
