// RLP (Ethereum's Recursive Length Prefix) encoding and strict decoding.
//
// An item is a byte string or a list of items. Integers are byte strings holding the minimal
// big-endian representation (no leading zeros; zero is the empty string). The decoder accepts
// only canonical encodings: a single byte below 0x80 written as a one-byte string, a long form
// used for a payload under 56 bytes, a length with leading zeros, or trailing bytes are rejected.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "x402/bytes.hpp"
#include "x402/result.hpp"
#include "x402/u256.hpp"

namespace x402::crypto::rlp {

class Item {
 public:
  Item() = default;  // the empty byte string (also the integer 0)

  [[nodiscard]] static Item bytes(Bytes data);
  [[nodiscard]] static Item bytes(ByteView data);
  [[nodiscard]] static Item text(std::string_view text);
  [[nodiscard]] static Item uint(const U256& value);
  [[nodiscard]] static Item list(std::vector<Item> items);

  [[nodiscard]] bool is_list() const noexcept { return is_list_; }
  // The byte string; empty for a list.
  [[nodiscard]] const Bytes& data() const noexcept { return data_; }
  // The list's items; empty for a byte string.
  [[nodiscard]] const std::vector<Item>& items() const noexcept { return items_; }

  // A byte string read as a canonical integer: at most 32 (or 8) bytes, no leading zero byte.
  [[nodiscard]] Result<U256> to_uint() const noexcept;
  [[nodiscard]] Result<std::uint64_t> to_u64() const noexcept;

  bool operator==(const Item&) const = default;

 private:
  bool is_list_ = false;
  Bytes data_;
  std::vector<Item> items_;
};

[[nodiscard]] Bytes encode(const Item& item);
// Appends the encoding of `item` to `out`.
void encode_to(const Item& item, Bytes& out);

// Direct encoders for building a list without an Item tree.
[[nodiscard]] Bytes encode_bytes(ByteView data);
[[nodiscard]] Bytes encode_uint(const U256& value);
// Wraps already-encoded items (their concatenation) in a list header.
[[nodiscard]] Bytes encode_list(ByteView concatenated_items);

struct DecodeLimits {
  std::size_t max_depth = 32;
};

// Exactly one canonical item spanning all of `data`.
[[nodiscard]] Result<Item> decode(ByteView data, const DecodeLimits& limits = {}) noexcept;

}  // namespace x402::crypto::rlp
