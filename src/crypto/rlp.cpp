#include "crypto/rlp.hpp"

#include <string>

#include "crypto/word.hpp"

namespace x402::crypto::rlp {
namespace {

constexpr std::uint8_t kShortString = 0x80;
constexpr std::uint8_t kLongString = 0xb7;
constexpr std::uint8_t kShortList = 0xc0;
constexpr std::uint8_t kLongList = 0xf7;

void put_header(std::size_t payload_size, std::uint8_t short_base, Bytes& out) {
  if (payload_size < 56) {
    out.push_back(static_cast<std::uint8_t>(short_base + payload_size));
    return;
  }
  std::uint8_t length_bytes[8];
  std::size_t count = 0;
  for (std::size_t n = payload_size; n != 0; n >>= 8)
    length_bytes[count++] = static_cast<std::uint8_t>(n & 0xff);
  out.push_back(static_cast<std::uint8_t>(short_base + 55 + count));
  while (count != 0) out.push_back(length_bytes[--count]);
}

void put_bytes(ByteView data, Bytes& out) {
  if (data.size() == 1 && data[0] < kShortString) {
    out.push_back(data[0]);
    return;
  }
  put_header(data.size(), kShortString, out);
  out.insert(out.end(), data.begin(), data.end());
}

Error malformed(const std::string& message) {
  return make_error(Errc::invalid_argument, "RLP: " + message);
}

struct Header {
  bool is_list = false;
  std::size_t payload_offset = 0;  // from the start of the item
  std::size_t payload_size = 0;
};

Result<Header> read_header(ByteView data) noexcept {
  if (data.empty()) return malformed("unexpected end of input");
  const std::uint8_t prefix = data[0];
  if (prefix < kShortString) return Header{false, 0, 1};
  const bool is_list = prefix >= kShortList;
  const std::uint8_t base = is_list ? kShortList : kShortString;
  const std::uint8_t long_base = is_list ? kLongList : kLongString;
  if (prefix <= long_base) {
    const std::size_t size = prefix - base;
    if (data.size() - 1 < size) return malformed("item longer than the input");
    if (!is_list && size == 1 && data[1] < kShortString)
      return malformed("single byte below 0x80 must be encoded as itself");
    return Header{is_list, 1, size};
  }
  const std::size_t length_of_length = prefix - long_base;
  if (data.size() - 1 < length_of_length) return malformed("length prefix longer than the input");
  if (data[1] == 0) return malformed("length has a leading zero byte");
  std::size_t size = 0;
  for (std::size_t i = 0; i < length_of_length; ++i) {
    if (size > (SIZE_MAX >> 8)) return malformed("length overflows");
    size = (size << 8) | data[1 + i];
  }
  if (size < 56) return malformed("long form used for a payload shorter than 56 bytes");
  if (data.size() - 1 - length_of_length < size) return malformed("item longer than the input");
  return Header{is_list, 1 + length_of_length, size};
}

Result<Item> decode_item(ByteView data, std::size_t& consumed, std::size_t depth,
                         const DecodeLimits& limits) {
  auto header = read_header(data);
  if (!header) return header.take_error();
  consumed = header->payload_offset + header->payload_size;
  const ByteView payload = data.subspan(header->payload_offset, header->payload_size);
  if (!header->is_list) return Item::bytes(payload);
  if (depth >= limits.max_depth)
    return malformed("lists nested deeper than " + std::to_string(limits.max_depth));
  std::vector<Item> items;
  std::size_t offset = 0;
  while (offset < payload.size()) {
    std::size_t used = 0;
    auto item = decode_item(payload.subspan(offset), used, depth + 1, limits);
    if (!item) return item.take_error();
    items.push_back(std::move(*item));
    offset += used;
  }
  return Item::list(std::move(items));
}

}  // namespace

Item Item::bytes(Bytes data) {
  Item item;
  item.data_ = std::move(data);
  return item;
}

Item Item::bytes(ByteView data) {
  return bytes(Bytes(data.begin(), data.end()));
}

Item Item::text(std::string_view text) {
  return bytes(Bytes(text.begin(), text.end()));
}

Item Item::uint(const U256& value) {
  return bytes(detail::minimal_be(value));
}

Item Item::list(std::vector<Item> items) {
  Item item;
  item.is_list_ = true;
  item.items_ = std::move(items);
  return item;
}

Result<U256> Item::to_uint() const noexcept {
  if (is_list_) return malformed("expected an integer, got a list");
  if (data_.size() > 32) return malformed("integer wider than 256 bits");
  if (!data_.empty() && data_[0] == 0) return malformed("integer has a leading zero byte");
  return detail::load_be(data_);
}

Result<std::uint64_t> Item::to_u64() const noexcept {
  if (is_list_) return malformed("expected an integer, got a list");
  if (data_.size() > 8) return malformed("integer wider than 64 bits");
  if (!data_.empty() && data_[0] == 0) return malformed("integer has a leading zero byte");
  std::uint64_t value = 0;
  for (auto byte : data_) value = (value << 8) | byte;
  return value;
}

void encode_to(const Item& item, Bytes& out) {
  if (!item.is_list()) {
    put_bytes(item.data(), out);
    return;
  }
  Bytes payload;
  for (const auto& child : item.items()) encode_to(child, payload);
  put_header(payload.size(), kShortList, out);
  out.insert(out.end(), payload.begin(), payload.end());
}

Bytes encode(const Item& item) {
  Bytes out;
  encode_to(item, out);
  return out;
}

Bytes encode_bytes(ByteView data) {
  Bytes out;
  out.reserve(data.size() + 9);
  put_bytes(data, out);
  return out;
}

Bytes encode_uint(const U256& value) {
  return encode_bytes(detail::minimal_be(value));
}

Bytes encode_list(ByteView concatenated_items) {
  Bytes out;
  out.reserve(concatenated_items.size() + 9);
  put_header(concatenated_items.size(), kShortList, out);
  out.insert(out.end(), concatenated_items.begin(), concatenated_items.end());
  return out;
}

Result<Item> decode(ByteView data, const DecodeLimits& limits) noexcept {
  try {
    std::size_t consumed = 0;
    auto item = decode_item(data, consumed, 0, limits);
    if (!item) return item.take_error();
    if (consumed != data.size())
      return malformed(std::to_string(data.size() - consumed) + " trailing bytes after the item");
    return item;
  } catch (...) {
    return make_error(Errc::internal, "RLP: out of memory while decoding");
  }
}

}  // namespace x402::crypto::rlp
