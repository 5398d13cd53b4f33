// Pieces both ledger backends share: argument checks, the clock, claim tokens, the schema version.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/ledger.hpp"

namespace x402::store::detail {

// Version of the tables this build reads and writes (schema_version.version).
inline constexpr int kSchemaVersion = 1;

// All five states, in enum order (counts() reports every one, zeros included).
inline constexpr SettlementState kAllStates[] = {SettlementState::verified, SettlementState::submitted,
                                                 SettlementState::pending, SettlementState::confirmed,
                                                 SettlementState::failed};

[[nodiscard]] std::int64_t now_unix_ms() noexcept;

// A random 128-bit token (hex) written with each successful claim: it lets a claim retried after a
// lost connection recognise its own earlier, committed attempt.
[[nodiscard]] std::string new_claim_token();

// Errc::invalid_argument (naming `op`) when a key part is empty.
Status check_key(std::string_view op, const PaymentKey& key);
// Key check plus the fields a claim writes.
Status check_fresh(std::string_view op, const SettlementRecord& fresh);
// The databases store integers as signed 64-bit; larger values are refused rather than wrapped.
Status check_int64(std::string_view op, std::string_view field, std::uint64_t value);

[[nodiscard]] std::string key_text(const PaymentKey& key);

}  // namespace x402::store::detail
