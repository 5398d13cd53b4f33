// Reason strings: part of the wire contract (VerifyResponse.invalidReason,
// SettleResponse.errorReason). Kept in one place, spelled as the reference SDK 2.27.0 spells them
// (x402-reference §2.3, §2.4, §8). Reasons received from other peers stay opaque strings.
#pragma once

#include <string_view>

namespace x402::reason {

// Generic (spec core list).
inline constexpr std::string_view invalid_payload = "invalid_payload";
inline constexpr std::string_view invalid_payment_requirements = "invalid_payment_requirements";
inline constexpr std::string_view invalid_network = "invalid_network";
inline constexpr std::string_view unsupported_scheme = "unsupported_scheme";
inline constexpr std::string_view invalid_x402_version = "invalid_x402_version";
inline constexpr std::string_view unexpected_verify_error = "unexpected_verify_error";
inline constexpr std::string_view unexpected_settle_error = "unexpected_settle_error";

// exact on EVM, EIP-3009 (2.27.0).
inline constexpr std::string_view invalid_exact_evm_scheme = "invalid_exact_evm_scheme";
inline constexpr std::string_view invalid_exact_evm_network_mismatch = "invalid_exact_evm_network_mismatch";
inline constexpr std::string_view invalid_exact_evm_missing_eip712_domain =
    "invalid_exact_evm_missing_eip712_domain";
inline constexpr std::string_view invalid_exact_evm_recipient_mismatch =
    "invalid_exact_evm_recipient_mismatch";
inline constexpr std::string_view invalid_exact_evm_signature = "invalid_exact_evm_signature";
inline constexpr std::string_view invalid_exact_evm_payload_authorization_valid_before =
    "invalid_exact_evm_payload_authorization_valid_before";
inline constexpr std::string_view invalid_exact_evm_payload_authorization_valid_after =
    "invalid_exact_evm_payload_authorization_valid_after";
// v2 value mismatch; v1 (and 2.10) use invalid_exact_evm_authorization_value.
inline constexpr std::string_view invalid_exact_evm_payload_authorization_value_mismatch =
    "invalid_exact_evm_payload_authorization_value_mismatch";
inline constexpr std::string_view invalid_exact_evm_authorization_value =
    "invalid_exact_evm_authorization_value";
inline constexpr std::string_view asset_not_deployed_contract = "asset_not_deployed_contract";
inline constexpr std::string_view eip6492_factory_not_allowed = "eip6492_factory_not_allowed";
inline constexpr std::string_view invalid_exact_evm_eip3009_not_supported =
    "invalid_exact_evm_eip3009_not_supported";
inline constexpr std::string_view invalid_exact_evm_nonce_already_used =
    "invalid_exact_evm_nonce_already_used";
inline constexpr std::string_view invalid_exact_evm_token_name_mismatch =
    "invalid_exact_evm_token_name_mismatch";
inline constexpr std::string_view invalid_exact_evm_token_version_mismatch =
    "invalid_exact_evm_token_version_mismatch";
inline constexpr std::string_view invalid_exact_evm_insufficient_balance =
    "invalid_exact_evm_insufficient_balance";
inline constexpr std::string_view invalid_exact_evm_transaction_simulation_failed =
    "invalid_exact_evm_transaction_simulation_failed";
inline constexpr std::string_view invalid_exact_evm_transaction_failed =
    "invalid_exact_evm_transaction_failed";
inline constexpr std::string_view invalid_exact_evm_transfer_event_mismatch =
    "invalid_exact_evm_transfer_event_mismatch";
inline constexpr std::string_view settlement_pending = "settlement_pending";

// Transport-level strings of the reference HTTP server (PaymentRequired.error).
inline constexpr std::string_view payment_required = "Payment required";
inline constexpr std::string_view no_matching_requirements = "No matching payment requirements";
inline constexpr std::string_view settlement_failed = "Settlement failed";

// Legacy v1 server (x402-express 1.2.0) 402 body errors.
inline constexpr std::string_view x_payment_required = "X-PAYMENT header is required";
inline constexpr std::string_view v1_no_matching_requirements =
    "Unable to find matching payment requirements";

}  // namespace x402::reason
