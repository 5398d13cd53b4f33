// EIP-1559 (type 0x02) transactions: signing hash, signing, and decoding a signed envelope.
// The access list is always empty: a facilitator's settlement calls do not need one.
#pragma once

#include <cstdint>
#include <optional>

#include "x402/bytes.hpp"
#include "x402/keys.hpp"
#include "x402/result.hpp"
#include "x402/u256.hpp"

namespace x402::crypto {

struct Eip1559Transaction {
  std::uint64_t chain_id = 0;
  std::uint64_t nonce = 0;
  U256 max_priority_fee_per_gas;
  U256 max_fee_per_gas;
  std::uint64_t gas_limit = 0;
  std::optional<Address> to;  // nullopt: contract creation
  U256 value;
  Bytes data;

  // 0x02 || rlp([chain_id, nonce, max_priority_fee_per_gas, max_fee_per_gas, gas_limit, to, value,
  //              data, access_list]): the bytes whose keccak256 is signed.
  [[nodiscard]] Bytes signing_payload() const;
  [[nodiscard]] Bytes32 signing_hash() const;

  bool operator==(const Eip1559Transaction&) const = default;
};

struct SignedTransaction {
  Bytes raw;     // 0x02 || rlp([..., y_parity, r, s]): what eth_sendRawTransaction takes
  Bytes32 hash;  // keccak256(raw): the transaction hash
};

// RFC 6979 deterministic, low-s; y_parity = v - 27.
[[nodiscard]] SignedTransaction sign(const Eip1559Transaction& transaction, const PrivateKey& key);

struct DecodedTransaction {
  Eip1559Transaction transaction;
  Signature signature;  // v as 27 + y_parity
  Address sender;       // recovered from the signature
  Bytes32 hash;
};

// Decodes and verifies a signed 0x02 envelope (for tests and diagnostics): strict RLP, canonical
// integers, y_parity 0/1, a recoverable low-s signature, an empty access list.
[[nodiscard]] Result<DecodedTransaction> decode_signed_transaction(ByteView raw) noexcept;

}  // namespace x402::crypto
