// Solidity contract ABI: function selectors, argument encoding, and bounds-checked decoding of
// return data and revert data, for what a facilitator calls (ERC-20 / EIP-3009 tokens, Permit2,
// Multicall3).
//
// Values carry their ABI type, so a call's signature is derived from its arguments and cannot
// disagree with their encoding:
//
//   using namespace x402::crypto::abi;
//   Bytes call = encode_call("transfer", {Value::address(to), Value::uint256(amount)});
//   // == selector("transfer(address,uint256)") || enc((to, amount))
//
// Supported types: address, bool, uint8..uint256, bytes1..bytes32, bytes, string, T[], T[k] and
// tuples, nested freely. (Signed integers are not needed by x402 and are not supported.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "x402/bytes.hpp"
#include "x402/result.hpp"
#include "x402/u256.hpp"

namespace x402::crypto {

using Bytes4 = FixedBytes<4>;

// First four bytes of keccak256(signature), e.g. selector("transfer(address,uint256)") = 0xa9059cbb.
// `signature` must already be canonical (uint256 not uint, no spaces).
[[nodiscard]] Bytes4 selector(std::string_view signature) noexcept;

}  // namespace x402::crypto

namespace x402::crypto::abi {

class Type {
 public:
  enum class Kind : std::uint8_t {
    address,
    boolean,
    uint,
    fixed_bytes,
    bytes,
    string,
    array,
    fixed_array,
    tuple
  };

  [[nodiscard]] static Type address();
  [[nodiscard]] static Type boolean();
  [[nodiscard]] static Type uint256();
  [[nodiscard]] static Type uint8();
  [[nodiscard]] static Result<Type> uint(unsigned bits) noexcept;  // 8..256, a multiple of 8
  [[nodiscard]] static Type bytes32();
  [[nodiscard]] static Result<Type> fixed_bytes(unsigned size) noexcept;  // bytes1..bytes32
  [[nodiscard]] static Type bytes();
  [[nodiscard]] static Type string();
  [[nodiscard]] static Type array(Type element);                                             // T[]
  [[nodiscard]] static Result<Type> fixed_array(Type element, std::size_t length) noexcept;  // T[k], k >= 1
  [[nodiscard]] static Type tuple(std::vector<Type> components);
  // Canonical type text: "uint256", "bytes3[2]", "(address,bool,bytes)[]".
  [[nodiscard]] static Result<Type> parse(std::string_view text) noexcept;

  [[nodiscard]] Kind kind() const noexcept { return kind_; }
  // Bits of a uint, bytes of a bytesN, element count of a T[k]; 0 otherwise.
  [[nodiscard]] std::size_t width() const noexcept { return width_; }
  // Element type of T[] / T[k]; members of a tuple.
  [[nodiscard]] const Type& element() const noexcept { return children_.front(); }
  [[nodiscard]] const std::vector<Type>& components() const noexcept { return children_; }

  [[nodiscard]] bool is_dynamic() const noexcept;
  // Bytes the type occupies in the head of an enclosing tuple: 32 if dynamic, else its full size.
  [[nodiscard]] std::size_t head_size() const noexcept;
  [[nodiscard]] std::string canonical() const;

  bool operator==(const Type&) const = default;

 private:
  Type(Kind kind, std::size_t width, std::vector<Type> children = {})
      : kind_(kind), width_(width), children_(std::move(children)) {}
  Kind kind_ = Kind::tuple;
  std::size_t width_ = 0;
  std::vector<Type> children_;
};

class Value {
 public:
  [[nodiscard]] static Value address(const Address& value);
  [[nodiscard]] static Value boolean(bool value);
  [[nodiscard]] static Value uint256(const U256& value);
  [[nodiscard]] static Value uint8(std::uint8_t value);
  [[nodiscard]] static Result<Value> uint(unsigned bits, const U256& value) noexcept;  // range-checked
  [[nodiscard]] static Value bytes32(const Bytes32& value);
  [[nodiscard]] static Result<Value> fixed_bytes(
      ByteView value) noexcept;  // bytesN, N = value.size() in 1..32
  [[nodiscard]] static Value bytes(Bytes value);
  [[nodiscard]] static Value string(std::string value);
  [[nodiscard]] static Value tuple(std::vector<Value> members);
  // Every item must have type `element` (an empty array still needs it for the signature).
  [[nodiscard]] static Result<Value> array(const Type& element, std::vector<Value> items) noexcept;
  [[nodiscard]] static Result<Value> fixed_array(const Type& element, std::vector<Value> items) noexcept;

  [[nodiscard]] const Type& type() const noexcept { return type_; }

  // Typed reads; Errc::invalid_argument when the value is of another type.
  [[nodiscard]] Result<U256> as_uint() const noexcept;
  [[nodiscard]] Result<bool> as_bool() const noexcept;
  [[nodiscard]] Result<Address> as_address() const noexcept;
  [[nodiscard]] Result<Bytes32> as_bytes32() const noexcept;  // bytes32 only
  [[nodiscard]] Result<Bytes> as_bytes() const noexcept;      // bytes or bytesN
  [[nodiscard]] Result<std::string> as_string() const noexcept;
  // Members of a tuple, items of an array; empty for scalars.
  [[nodiscard]] const std::vector<Value>& items() const noexcept { return items_; }

  bool operator==(const Value&) const = default;

 private:
  explicit Value(Type type) : type_(std::move(type)) {}
  Type type_;
  U256 number_;  // uint, bool
  Address address_;
  Bytes bytes_;  // bytes, bytesN, string
  std::vector<Value> items_;
};

// enc((v1, ..., vn)): the argument block of a call, or a function's return data.
[[nodiscard]] Bytes encode(const std::vector<Value>& values);
// selector || enc(args).
[[nodiscard]] Bytes encode_call(const Bytes4& function_selector, const std::vector<Value>& args);
// name(canonical types of args), e.g. "transfer(address,uint256)".
[[nodiscard]] std::string function_signature(std::string_view name, const std::vector<Value>& args);
// selector(function_signature(name, args)) || enc(args).
[[nodiscard]] Bytes encode_call(std::string_view function_name, const std::vector<Value>& args);

// Decodes enc((t1, ..., tn)). Every offset, length and word is bounds-checked; addresses, bools,
// uintN and bytesN must be clean (no bits outside the type); offsets that make the output larger
// than the input (overlapping data, an "ABI bomb") are rejected. Trailing bytes are ignored, as
// Solidity does for return data.
[[nodiscard]] Result<std::vector<Value>> decode(const std::vector<Type>& types, ByteView data) noexcept;
// The same with the types as text: a comma-separated list, optionally wrapped in one pair of
// parentheses ("uint256,bool" or "(uint256,bool)"). A single tuple-typed value therefore needs
// its own parentheses: "((uint256,bytes))".
[[nodiscard]] Result<std::vector<Value>> decode(std::string_view types, ByteView data) noexcept;

// Return data holding exactly one value of the named type.
[[nodiscard]] Result<U256> decode_uint256(ByteView data) noexcept;
[[nodiscard]] Result<bool> decode_bool(ByteView data) noexcept;
[[nodiscard]] Result<Address> decode_address(ByteView data) noexcept;
[[nodiscard]] Result<Bytes32> decode_bytes32(ByteView data) noexcept;
[[nodiscard]] Result<Bytes> decode_bytes(ByteView data) noexcept;
[[nodiscard]] Result<std::string> decode_string(ByteView data) noexcept;

// One entry of Multicall3's (bool success, bytes returnData)[] result.
struct CallResult {
  bool success = false;
  Bytes return_data;
  bool operator==(const CallResult&) const = default;
};
// Return data of aggregate3 / tryAggregate.
[[nodiscard]] Result<std::vector<CallResult>> decode_call_results(ByteView data) noexcept;

// Multicall3 (0xcA11bde05977b3631167028862bE2a173976CA11).
struct Call3 {
  Address target;
  bool allow_failure = false;
  Bytes call_data;
};
struct Call {
  Address target;
  Bytes call_data;
};
// aggregate3((address,bool,bytes)[]), selector 0x82ad56cb.
[[nodiscard]] Bytes encode_aggregate3(const std::vector<Call3>& calls);
// tryAggregate(bool,(address,bytes)[]), selector 0xbce38bd7.
[[nodiscard]] Bytes encode_try_aggregate(bool require_success, const std::vector<Call>& calls);

// Why a call reverted, from its revert data.
struct RevertReason {
  enum class Kind : std::uint8_t {
    empty,   // no data: revert() / require(cond) without message, or out of gas
    error,   // Error(string), selector 0x08c379a0: `message` is the string
    panic,   // Panic(uint256), selector 0x4e487b71: `panic_code`, `message` describes it
    custom,  // any other selector (a custom error): `custom_selector`, `custom_data`
  };
  Kind kind = Kind::empty;
  std::string message;
  U256 panic_code;
  Bytes4 custom_selector;
  Bytes custom_data;  // the arguments after the selector
};
// Fails only for malformed data: 1-3 bytes, or a truncated/unclean Error/Panic payload.
[[nodiscard]] Result<RevertReason> decode_revert_reason(ByteView data) noexcept;

}  // namespace x402::crypto::abi
