// EIP-712 typed structured data hashing.
//
// Two paths: a specialised one for what x402 signs on every payment (EIP-3009
// TransferWithAuthorization under a {name, version, chainId, verifyingContract} domain), with the
// type hashes precomputed; and a generic one for any typed data given as JSON (the
// eth_signTypedData_v4 shape {types, primaryType, domain, message}), used for Permit2 and for
// cross-checking the specialised path.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "x402/bytes.hpp"
#include "x402/result.hpp"
#include "x402/u256.hpp"

namespace x402::crypto {

// EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)
struct Eip712Domain {
  std::string name;
  std::string version;
  std::uint64_t chain_id = 0;
  Address verifying_contract;
};

[[nodiscard]] Bytes32 domain_separator(const Eip712Domain& domain) noexcept;

// TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,
//                           uint256 validBefore,bytes32 nonce)
struct TransferWithAuthorization {
  Address from;
  Address to;
  U256 value;
  U256 valid_after;
  U256 valid_before;
  Bytes32 nonce;
};

[[nodiscard]] Bytes32 struct_hash(const TransferWithAuthorization& message) noexcept;

// keccak256(0x19 0x01 || domain_separator || struct_hash)
[[nodiscard]] Bytes32 typed_data_digest(const Bytes32& domain_separator, const Bytes32& struct_hash) noexcept;

[[nodiscard]] Bytes32 transfer_with_authorization_digest(const Eip712Domain& domain,
                                                         const TransferWithAuthorization& message) noexcept;

// keccak256 of the two type strings above, computed once.
[[nodiscard]] const Bytes32& eip712_domain_typehash() noexcept;
[[nodiscard]] const Bytes32& transfer_with_authorization_typehash() noexcept;

// ---------------------------------------------------------------------------------------------
// Generic typed data.
//
// `types` maps a struct name to its members [{name, type}, ...]. Member types: address, bool,
// uint8..uint256, int8..int256, bytes1..bytes32, bytes, string, a struct name, or any of these
// followed by [] or [k] (nested arrays allowed). Values as JSON: address and bytesN/bytes as
// 0x-hex strings (addresses in mixed case must carry a valid EIP-55 checksum), bool as a JSON
// bool, integers as JSON integers, decimal strings or 0x-hex strings (range-checked against the
// declared width), string as a JSON string, structs as objects, arrays as arrays.
//
// The domain is typed by `types.EIP712Domain` when present; otherwise by the fields present in
// `domain`, in the canonical order name, version, chainId, verifyingContract, salt (as viem and
// ethers do). Unknown members of a message are ignored, missing ones are an error.

struct TypedDataHash {
  Bytes32 domain_separator;
  Bytes32 struct_hash;  // hashStruct(primaryType, message)
  Bytes32 digest;       // what is signed
};

// The full JSON object {types, primaryType, domain, message}.
[[nodiscard]] Result<TypedDataHash> hash_typed_data(const boost::json::value& typed_data) noexcept;
// Same, from JSON text.
[[nodiscard]] Result<TypedDataHash> hash_typed_data_json(std::string_view json_text) noexcept;

// encodeType(primaryType): "Mail(Person from,Person to,string contents)Person(string name,address wallet)".
[[nodiscard]] Result<std::string> encode_type(const boost::json::object& types,
                                              std::string_view primary_type) noexcept;
// hashStruct(type, value) = keccak256(typeHash || encodeData(value)).
[[nodiscard]] Result<Bytes32> hash_struct(const boost::json::object& types, std::string_view type,
                                          const boost::json::value& value) noexcept;

}  // namespace x402::crypto
