#include "store/ledger_common.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <limits>
#include <random>

namespace x402::store {

std::string_view to_string(SettlementState state) noexcept {
  switch (state) {
    case SettlementState::verified:
      return "verified";
    case SettlementState::submitted:
      return "submitted";
    case SettlementState::pending:
      return "pending";
    case SettlementState::confirmed:
      return "confirmed";
    case SettlementState::failed:
      return "failed";
  }
  return "failed";
}

std::optional<SettlementState> parse_settlement_state(std::string_view text) noexcept {
  for (auto state : detail::kAllStates) {
    if (to_string(state) == text) return state;
  }
  return std::nullopt;
}

namespace detail {

std::int64_t now_unix_ms() noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string new_claim_token() {
  // Seeded once per thread from the OS; a token only has to differ from other claims' tokens.
  thread_local std::mt19937_64 engine = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(), device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  std::array<char, 33> text{};
  std::snprintf(text.data(), text.size(), "%016llx%016llx", static_cast<unsigned long long>(engine()),
                static_cast<unsigned long long>(engine()));
  return std::string(text.data(), 32);
}

Status check_key(std::string_view op, const PaymentKey& key) {
  const std::pair<const char*, const std::string*> parts[] = {
      {"network", &key.network}, {"asset", &key.asset}, {"payer", &key.payer}, {"nonce", &key.nonce}};
  for (const auto& [name, value] : parts) {
    if (value->empty()) {
      return make_error(Errc::invalid_argument, std::string(op) + ": payment key has an empty " + name);
    }
  }
  return {};
}

Status check_fresh(std::string_view op, const SettlementRecord& fresh) {
  if (auto status = check_key(op, fresh.key); !status) return status;
  if (fresh.payload_hash.empty()) {
    return make_error(Errc::invalid_argument, std::string(op) + ": payload_hash is empty");
  }
  return {};
}

Status check_int64(std::string_view op, std::string_view field, std::uint64_t value) {
  if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return make_error(Errc::invalid_argument, std::string(op) + ": " + std::string(field) + " " +
                                                  std::to_string(value) +
                                                  " exceeds the ledger's 63-bit integer range");
  }
  return {};
}

std::string key_text(const PaymentKey& key) {
  return key.network + "/" + key.asset + "/" + key.payer + "/" + key.nonce;
}

}  // namespace detail
}  // namespace x402::store
