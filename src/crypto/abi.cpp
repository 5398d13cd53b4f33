#include "crypto/abi.hpp"

#include <algorithm>
#include <utility>

#include "crypto/keccak.hpp"
#include "crypto/word.hpp"

namespace x402::crypto {

Bytes4 selector(std::string_view signature) noexcept {
  const Bytes32 hash = keccak256(signature);
  return Bytes4::from_span(hash.view().first(4));
}

}  // namespace x402::crypto

namespace x402::crypto::abi {
namespace {

Error bad_argument(std::string message) {
  return make_error(Errc::invalid_argument, "ABI: " + std::move(message));
}
Error bad_data(std::string message) {
  return make_error(Errc::invalid_field, "ABI data: " + std::move(message));
}

constexpr std::size_t kWord = 32;
constexpr std::size_t kMaxTypeDepth = 16;

std::size_t padded(std::size_t size) noexcept {
  return (size + kWord - 1) / kWord * kWord;
}

void put_u256(const U256& value, Bytes& out) {
  const std::size_t at = out.size();
  out.resize(at + kWord);
  detail::store_be32(value, out.data() + at);
}

void put_padded(ByteView data, Bytes& out) {
  out.insert(out.end(), data.begin(), data.end());
  out.resize(out.size() + (padded(data.size()) - data.size()), 0);
}

// --- type text ---------------------------------------------------------------------------------

class TypeParser {
 public:
  explicit TypeParser(std::string_view text) : text_(text) {}

  Result<Type> parse_all() {
    auto type = parse_type(0);
    if (!type) return type;
    if (pos_ != text_.size())
      return bad_argument("unexpected '" + std::string(text_.substr(pos_)) + "' in type");
    return type;
  }

  // A comma-separated list without the parentheses: "uint256,bool".
  Result<std::vector<Type>> parse_list() {
    std::vector<Type> types;
    if (text_.empty()) return types;
    while (true) {
      auto type = parse_type(0);
      if (!type) return type.take_error();
      types.push_back(std::move(*type));
      if (pos_ == text_.size()) return types;
      if (text_[pos_] != ',')
        return bad_argument("expected ',' in type list at offset " + std::to_string(pos_));
      ++pos_;
    }
  }

 private:
  Result<Type> parse_type(std::size_t depth) {
    if (depth > kMaxTypeDepth) return bad_argument("type nested too deeply");
    auto type = parse_base(depth);
    if (!type) return type;
    while (pos_ < text_.size() && text_[pos_] == '[') {
      const auto close = text_.find(']', pos_);
      if (close == std::string_view::npos) return bad_argument("unclosed '[' in type");
      const std::string_view digits = text_.substr(pos_ + 1, close - pos_ - 1);
      pos_ = close + 1;
      if (digits.empty()) {
        type = Type::array(std::move(*type));
        continue;
      }
      if (digits.size() > 6 || digits[0] == '0')
        return bad_argument("invalid array length [" + std::string(digits) + "]");
      std::size_t length = 0;
      for (char c : digits) {
        if (c < '0' || c > '9') return bad_argument("invalid array length [" + std::string(digits) + "]");
        length = length * 10 + static_cast<std::size_t>(c - '0');
      }
      type = Type::fixed_array(std::move(*type), length);
      if (!type) return type;
    }
    return type;
  }

  Result<Type> parse_base(std::size_t depth) {
    if (pos_ < text_.size() && text_[pos_] == '(') {
      ++pos_;
      std::vector<Type> components;
      if (pos_ < text_.size() && text_[pos_] == ')') {
        ++pos_;
        return Type::tuple({});
      }
      while (true) {
        auto component = parse_type(depth + 1);
        if (!component) return component;
        components.push_back(std::move(*component));
        if (pos_ >= text_.size()) return bad_argument("unclosed '(' in type");
        const char c = text_[pos_++];
        if (c == ')') return Type::tuple(std::move(components));
        if (c != ',') return bad_argument(std::string("unexpected '") + c + "' in tuple type");
      }
    }
    const std::size_t start = pos_;
    while (pos_ < text_.size() &&
           ((text_[pos_] >= 'a' && text_[pos_] <= 'z') || (text_[pos_] >= '0' && text_[pos_] <= '9')))
      ++pos_;
    const std::string_view name = text_.substr(start, pos_ - start);
    if (name == "address") return Type::address();
    if (name == "bool") return Type::boolean();
    if (name == "bytes") return Type::bytes();
    if (name == "string") return Type::string();
    const auto width = [&](std::string_view prefix) -> long {
      const std::string_view digits = name.substr(prefix.size());
      if (digits.empty() || digits.size() > 3 || digits[0] == '0') return -1;
      long value = 0;
      for (char c : digits) {
        if (c < '0' || c > '9') return -1;
        value = value * 10 + (c - '0');
      }
      return value;
    };
    if (name.starts_with("uint")) {
      const long bits = width("uint");
      if (bits > 0) return Type::uint(static_cast<unsigned>(bits));
      return bad_argument("\"" + std::string(name) + "\" is not canonical; write uint256 or uint<N>");
    }
    if (name.starts_with("bytes")) {
      const long size = width("bytes");
      if (size > 0) return Type::fixed_bytes(static_cast<unsigned>(size));
    }
    if (name.starts_with("int")) return bad_argument("signed integer types are not supported");
    if (name.empty()) return bad_argument("expected a type at offset " + std::to_string(start));
    return bad_argument("unknown type \"" + std::string(name) + "\"");
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// --- encoding ----------------------------------------------------------------------------------

void encode_value(const Value& value, Bytes& out);

// enc of a tuple / T[k] / the items of T[]: heads, then the tails of the dynamic members, with
// offsets counted from the start of this sequence.
void encode_sequence(const std::vector<Value>& values, Bytes& out) {
  const std::size_t start = out.size();
  std::size_t head_size = 0;
  for (const auto& value : values) head_size += value.type().head_size();
  out.resize(start + head_size, 0);
  std::size_t head = start;
  Bytes scratch;
  for (const auto& value : values) {
    if (value.type().is_dynamic()) {
      detail::store_be32(U256(out.size() - start), out.data() + head);
      encode_value(value, out);  // appended: the tail
      head += kWord;
    } else {
      scratch.clear();
      encode_value(value, scratch);
      std::copy(scratch.begin(), scratch.end(), out.begin() + static_cast<std::ptrdiff_t>(head));
      head += scratch.size();
    }
  }
}

void encode_value(const Value& value, Bytes& out) {
  switch (value.type().kind()) {
    case Type::Kind::address: {
      const Address address = *value.as_address();
      out.resize(out.size() + 12, 0);
      out.insert(out.end(), address.bytes.begin(), address.bytes.end());
      return;
    }
    case Type::Kind::boolean:
      put_u256(U256(*value.as_bool() ? 1 : 0), out);
      return;
    case Type::Kind::uint:
      put_u256(*value.as_uint(), out);
      return;
    case Type::Kind::fixed_bytes:
      put_padded(*value.as_bytes(), out);
      return;
    case Type::Kind::bytes: {
      const Bytes data = *value.as_bytes();
      put_u256(U256(data.size()), out);
      put_padded(data, out);
      return;
    }
    case Type::Kind::string: {
      const std::string text = *value.as_string();
      put_u256(U256(text.size()), out);
      put_padded(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), out);
      return;
    }
    case Type::Kind::array:
      put_u256(U256(value.items().size()), out);
      encode_sequence(value.items(), out);
      return;
    case Type::Kind::fixed_array:
    case Type::Kind::tuple:
      encode_sequence(value.items(), out);
      return;
  }
}

// --- decoding ----------------------------------------------------------------------------------

class Decoder {
 public:
  explicit Decoder(ByteView data)
      : data_(data), word_budget_(data.size() / kWord + 1), byte_budget_(data.size()) {}

  Result<std::vector<Value>> sequence(const std::vector<Type>& types, std::size_t start) {
    std::vector<Value> values;
    values.reserve(types.size());
    std::size_t head = start;
    for (std::size_t i = 0; i < types.size(); ++i) {
      auto value = at_head(types[i], start, head);
      if (!value) return with_index(i, value.take_error());
      values.push_back(std::move(*value));
      head += types[i].head_size();
    }
    return values;
  }

 private:
  static Error with_index(std::size_t index, Error error) {
    error.message = "[" + std::to_string(index) + "] " + error.message;
    return error;
  }

  Result<const std::uint8_t*> word(std::size_t position) {
    if (position > data_.size() || data_.size() - position < kWord)
      return bad_data("word at offset " + std::to_string(position) + " is past the end (" +
                      std::to_string(data_.size()) + " bytes)");
    if (word_budget_ == 0) return bad_data("decodes to more words than it holds (overlapping offsets)");
    --word_budget_;
    return data_.data() + position;
  }

  // A length or offset word: must fit the data it indexes.
  Result<std::size_t> size_word(std::size_t position, const char* what) {
    auto w = word(position);
    if (!w) return w.take_error();
    for (std::size_t i = 0; i < kWord - 8; ++i)
      if ((*w)[i] != 0)
        return bad_data(std::string(what) + " at offset " + std::to_string(position) + " is too large");
    std::uint64_t value = 0;
    for (std::size_t i = kWord - 8; i < kWord; ++i) value = (value << 8) | (*w)[i];
    if (value > data_.size())
      return bad_data(std::string(what) + " " + std::to_string(value) + " at offset " +
                      std::to_string(position) + " exceeds the data size " + std::to_string(data_.size()));
    return static_cast<std::size_t>(value);
  }

  Result<Value> at_head(const Type& type, std::size_t start, std::size_t head) {
    if (!type.is_dynamic()) return in_place(type, head);
    auto offset = size_word(head, "offset");
    if (!offset) return offset.take_error();
    if (*offset > data_.size() - start)
      return bad_data("offset " + std::to_string(*offset) + " points past the end of the data");
    return tail(type, start + *offset);
  }

  // A static value encoded in place at `position`.
  Result<Value> in_place(const Type& type, std::size_t position) {
    switch (type.kind()) {
      case Type::Kind::address: {
        auto w = word(position);
        if (!w) return w.take_error();
        for (std::size_t i = 0; i < 12; ++i)
          if ((*w)[i] != 0)
            return bad_data("address at offset " + std::to_string(position) + " has dirty high bytes");
        return Value::address(Address(FixedBytes<20>::from_span(ByteView(*w + 12, 20))));
      }
      case Type::Kind::boolean: {
        auto w = word(position);
        if (!w) return w.take_error();
        for (std::size_t i = 0; i < kWord - 1; ++i)
          if ((*w)[i] != 0) return bad_data("bool at offset " + std::to_string(position) + " is not 0 or 1");
        if ((*w)[kWord - 1] > 1)
          return bad_data("bool at offset " + std::to_string(position) + " is not 0 or 1");
        return Value::boolean((*w)[kWord - 1] == 1);
      }
      case Type::Kind::uint: {
        auto w = word(position);
        if (!w) return w.take_error();
        const std::size_t value_bytes = type.width() / 8;
        for (std::size_t i = 0; i < kWord - value_bytes; ++i)
          if ((*w)[i] != 0)
            return bad_data(type.canonical() + " at offset " + std::to_string(position) + " is out of range");
        auto value = Value::uint(static_cast<unsigned>(type.width()), detail::load_be(ByteView(*w, kWord)));
        if (!value) return value.take_error();
        return value;
      }
      case Type::Kind::fixed_bytes: {
        auto w = word(position);
        if (!w) return w.take_error();
        for (std::size_t i = type.width(); i < kWord; ++i)
          if ((*w)[i] != 0)
            return bad_data(type.canonical() + " at offset " + std::to_string(position) +
                            " has dirty padding");
        return Value::fixed_bytes(ByteView(*w, type.width()));
      }
      case Type::Kind::fixed_array: {
        std::vector<Type> types(type.width(), type.element());
        auto items = sequence(types, position);
        if (!items) return items.take_error();
        return Value::fixed_array(type.element(), std::move(*items));
      }
      case Type::Kind::tuple: {
        auto members = sequence(type.components(), position);
        if (!members) return members.take_error();
        return Value::tuple(std::move(*members));
      }
      case Type::Kind::bytes:
      case Type::Kind::string:
      case Type::Kind::array:
        break;
    }
    return make_error(Errc::internal, "ABI: dynamic type decoded in place");
  }

  // A dynamic value whose data starts at `position`.
  Result<Value> tail(const Type& type, std::size_t position) {
    switch (type.kind()) {
      case Type::Kind::bytes:
      case Type::Kind::string: {
        auto length = size_word(position, "length");
        if (!length) return length.take_error();
        const std::size_t content = position + kWord;
        if (*length > data_.size() - content)
          return bad_data("length " + std::to_string(*length) + " at offset " + std::to_string(position) +
                          " runs past the end of the data");
        if (*length > byte_budget_)
          return bad_data("decodes to more bytes than it holds (overlapping offsets)");
        byte_budget_ -= *length;
        const ByteView bytes = data_.subspan(content, *length);
        if (type.kind() == Type::Kind::bytes) return Value::bytes(Bytes(bytes.begin(), bytes.end()));
        return Value::string(std::string(bytes.begin(), bytes.end()));
      }
      case Type::Kind::array: {
        auto count = size_word(position, "array length");
        if (!count) return count.take_error();
        const std::size_t items_start = position + kWord;
        const std::size_t element_head = type.element().head_size();
        if (items_start > data_.size() ||
            (element_head != 0 && *count > (data_.size() - items_start) / element_head))
          return bad_data("array of " + std::to_string(*count) + " at offset " + std::to_string(position) +
                          " runs past the end of the data");
        std::vector<Type> types(*count, type.element());
        auto items = sequence(types, items_start);
        if (!items) return items.take_error();
        return Value::array(type.element(), std::move(*items));
      }
      case Type::Kind::fixed_array:
      case Type::Kind::tuple:
        return in_place(type, position);  // a dynamic tuple's heads start here
      case Type::Kind::address:
      case Type::Kind::boolean:
      case Type::Kind::uint:
      case Type::Kind::fixed_bytes:
        break;
    }
    return make_error(Errc::internal, "ABI: static type decoded as a tail");
  }

  ByteView data_;
  std::size_t word_budget_;
  std::size_t byte_budget_;
};

template <typename T, typename Read>
Result<T> decode_single(const Type& type, ByteView data, Read read) noexcept {
  auto values = decode(std::vector<Type>{type}, data);
  if (!values) return values.take_error();
  return read(values->front());
}

const char* panic_description(const U256& code) noexcept {
  if (code == 0x00) return "generic compiler panic";
  if (code == 0x01) return "assertion failed";
  if (code == 0x11) return "arithmetic overflow or underflow";
  if (code == 0x12) return "division or modulo by zero";
  if (code == 0x21) return "invalid enum value";
  if (code == 0x22) return "invalid storage byte array encoding";
  if (code == 0x31) return "pop on an empty array";
  if (code == 0x32) return "array index out of bounds";
  if (code == 0x41) return "out of memory";
  if (code == 0x51) return "call to an uninitialised function pointer";
  return "unknown panic code";
}

}  // namespace

// --- Type --------------------------------------------------------------------------------------

Type Type::address() {
  return Type(Kind::address, 0);
}
Type Type::boolean() {
  return Type(Kind::boolean, 0);
}
Type Type::uint256() {
  return Type(Kind::uint, 256);
}
Type Type::uint8() {
  return Type(Kind::uint, 8);
}
Result<Type> Type::uint(unsigned bits) noexcept {
  if (bits == 0 || bits > 256 || bits % 8 != 0)
    return bad_argument("uint" + std::to_string(bits) + " is not a type");
  return Type(Kind::uint, bits);
}
Type Type::bytes32() {
  return Type(Kind::fixed_bytes, 32);
}
Result<Type> Type::fixed_bytes(unsigned size) noexcept {
  if (size == 0 || size > 32) return bad_argument("bytes" + std::to_string(size) + " is not a type");
  return Type(Kind::fixed_bytes, size);
}
Type Type::bytes() {
  return Type(Kind::bytes, 0);
}
Type Type::string() {
  return Type(Kind::string, 0);
}
Type Type::array(Type element) {
  return Type(Kind::array, 0, {std::move(element)});
}
Result<Type> Type::fixed_array(Type element, std::size_t length) noexcept {
  if (length == 0) return bad_argument("zero-length fixed arrays are not supported");
  return Type(Kind::fixed_array, length, {std::move(element)});
}
Type Type::tuple(std::vector<Type> components) {
  return Type(Kind::tuple, 0, std::move(components));
}

Result<Type> Type::parse(std::string_view text) noexcept {
  try {
    return TypeParser(text).parse_all();
  } catch (...) {
    return make_error(Errc::internal, "ABI: out of memory parsing a type");
  }
}

bool Type::is_dynamic() const noexcept {
  switch (kind_) {
    case Kind::bytes:
    case Kind::string:
    case Kind::array:
      return true;
    case Kind::fixed_array:
      return children_.front().is_dynamic();
    case Kind::tuple:
      return std::any_of(children_.begin(), children_.end(), [](const Type& t) { return t.is_dynamic(); });
    default:
      return false;
  }
}

std::size_t Type::head_size() const noexcept {
  if (is_dynamic()) return kWord;
  if (kind_ == Kind::fixed_array) return width_ * children_.front().head_size();
  if (kind_ == Kind::tuple) {
    std::size_t size = 0;
    for (const auto& child : children_) size += child.head_size();
    return size;
  }
  return kWord;
}

std::string Type::canonical() const {
  switch (kind_) {
    case Kind::address:
      return "address";
    case Kind::boolean:
      return "bool";
    case Kind::uint:
      return "uint" + std::to_string(width_);
    case Kind::fixed_bytes:
      return "bytes" + std::to_string(width_);
    case Kind::bytes:
      return "bytes";
    case Kind::string:
      return "string";
    case Kind::array:
      return children_.front().canonical() + "[]";
    case Kind::fixed_array:
      return children_.front().canonical() + "[" + std::to_string(width_) + "]";
    case Kind::tuple: {
      std::string out = "(";
      for (std::size_t i = 0; i < children_.size(); ++i) {
        if (i != 0) out += ',';
        out += children_[i].canonical();
      }
      return out + ")";
    }
  }
  return {};
}

// --- Value -------------------------------------------------------------------------------------

Value Value::address(const Address& value) {
  Value out(Type::address());
  out.address_ = value;
  return out;
}

Value Value::boolean(bool value) {
  Value out(Type::boolean());
  out.number_ = value ? 1 : 0;
  return out;
}

Value Value::uint256(const U256& value) {
  Value out(Type::uint256());
  out.number_ = value;
  return out;
}

Value Value::uint8(std::uint8_t value) {
  Value out(Type::uint8());
  out.number_ = value;
  return out;
}

Result<Value> Value::uint(unsigned bits, const U256& value) noexcept {
  auto type = Type::uint(bits);
  if (!type) return type.take_error();
  if (bits < 256 && (value >> bits) != 0)
    return bad_argument(to_decimal(value) + " does not fit in uint" + std::to_string(bits));
  Value out(std::move(*type));
  out.number_ = value;
  return out;
}

Value Value::bytes32(const Bytes32& value) {
  Value out(Type::bytes32());
  out.bytes_.assign(value.bytes.begin(), value.bytes.end());
  return out;
}

Result<Value> Value::fixed_bytes(ByteView value) noexcept {
  auto type = Type::fixed_bytes(static_cast<unsigned>(value.size()));
  if (!type) return type.take_error();
  Value out(std::move(*type));
  out.bytes_.assign(value.begin(), value.end());
  return out;
}

Value Value::bytes(Bytes value) {
  Value out(Type::bytes());
  out.bytes_ = std::move(value);
  return out;
}

Value Value::string(std::string value) {
  Value out(Type::string());
  out.bytes_.assign(value.begin(), value.end());
  return out;
}

Value Value::tuple(std::vector<Value> members) {
  std::vector<Type> types;
  types.reserve(members.size());
  for (const auto& member : members) types.push_back(member.type());
  Value out(Type::tuple(std::move(types)));
  out.items_ = std::move(members);
  return out;
}

Result<Value> Value::array(const Type& element, std::vector<Value> items) noexcept {
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i].type() != element)
      return bad_argument("array item " + std::to_string(i) + " is " + items[i].type().canonical() +
                          ", expected " + element.canonical());
  Value out(Type::array(element));
  out.items_ = std::move(items);
  return out;
}

Result<Value> Value::fixed_array(const Type& element, std::vector<Value> items) noexcept {
  auto type = Type::fixed_array(element, items.size());
  if (!type) return type.take_error();
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i].type() != element)
      return bad_argument("array item " + std::to_string(i) + " is " + items[i].type().canonical() +
                          ", expected " + element.canonical());
  Value out(std::move(*type));
  out.items_ = std::move(items);
  return out;
}

namespace {
Error wrong_kind(const Type& actual, const char* wanted) {
  return bad_argument("value is " + actual.canonical() + ", not " + wanted);
}
}  // namespace

Result<U256> Value::as_uint() const noexcept {
  if (type_.kind() != Type::Kind::uint) return wrong_kind(type_, "a uint");
  return number_;
}

Result<bool> Value::as_bool() const noexcept {
  if (type_.kind() != Type::Kind::boolean) return wrong_kind(type_, "bool");
  return number_ != 0;
}

Result<Address> Value::as_address() const noexcept {
  if (type_.kind() != Type::Kind::address) return wrong_kind(type_, "address");
  return address_;
}

Result<Bytes32> Value::as_bytes32() const noexcept {
  if (type_.kind() != Type::Kind::fixed_bytes || type_.width() != 32) return wrong_kind(type_, "bytes32");
  return Bytes32(FixedBytes<32>::from_span(bytes_));
}

Result<Bytes> Value::as_bytes() const noexcept {
  if (type_.kind() != Type::Kind::bytes && type_.kind() != Type::Kind::fixed_bytes)
    return wrong_kind(type_, "bytes");
  return bytes_;
}

Result<std::string> Value::as_string() const noexcept {
  if (type_.kind() != Type::Kind::string) return wrong_kind(type_, "string");
  return std::string(bytes_.begin(), bytes_.end());
}

// --- encode / decode ---------------------------------------------------------------------------

Bytes encode(const std::vector<Value>& values) {
  Bytes out;
  encode_sequence(values, out);
  return out;
}

Bytes encode_call(const Bytes4& function_selector, const std::vector<Value>& args) {
  Bytes out(function_selector.bytes.begin(), function_selector.bytes.end());
  encode_sequence(args, out);
  // Offsets count from the start of the arguments, not the selector: encode_sequence measured from
  // its own start, which is right after the selector.
  return out;
}

std::string function_signature(std::string_view name, const std::vector<Value>& args) {
  std::string signature(name);
  signature += '(';
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i != 0) signature += ',';
    signature += args[i].type().canonical();
  }
  return signature + ")";
}

Bytes encode_call(std::string_view function_name, const std::vector<Value>& args) {
  return encode_call(selector(function_signature(function_name, args)), args);
}

Result<std::vector<Value>> decode(const std::vector<Type>& types, ByteView data) noexcept {
  try {
    return Decoder(data).sequence(types, 0);
  } catch (...) {
    return make_error(Errc::internal, "ABI: out of memory while decoding");
  }
}

Result<std::vector<Value>> decode(std::string_view types, ByteView data) noexcept {
  try {
    std::string_view list = types;
    if (list.size() >= 2 && list.front() == '(' && list.back() == ')') {
      // "(uint256,bool)" is the list of return types, unless the parentheses do not pair up
      // ("(a)[]" would not reach here: it does not end with ')').
      auto tuple = Type::parse(list);
      if (tuple && tuple->kind() == Type::Kind::tuple) return decode(tuple->components(), data);
    }
    auto parsed = TypeParser(list).parse_list();
    if (!parsed) return parsed.take_error();
    return decode(*parsed, data);
  } catch (...) {
    return make_error(Errc::internal, "ABI: out of memory while decoding");
  }
}

Result<U256> decode_uint256(ByteView data) noexcept {
  return decode_single<U256>(Type::uint256(), data, [](const Value& v) { return v.as_uint(); });
}

Result<bool> decode_bool(ByteView data) noexcept {
  return decode_single<bool>(Type::boolean(), data, [](const Value& v) { return v.as_bool(); });
}

Result<Address> decode_address(ByteView data) noexcept {
  return decode_single<Address>(Type::address(), data, [](const Value& v) { return v.as_address(); });
}

Result<Bytes32> decode_bytes32(ByteView data) noexcept {
  return decode_single<Bytes32>(Type::bytes32(), data, [](const Value& v) { return v.as_bytes32(); });
}

Result<Bytes> decode_bytes(ByteView data) noexcept {
  return decode_single<Bytes>(Type::bytes(), data, [](const Value& v) { return v.as_bytes(); });
}

Result<std::string> decode_string(ByteView data) noexcept {
  return decode_single<std::string>(Type::string(), data, [](const Value& v) { return v.as_string(); });
}

Result<std::vector<CallResult>> decode_call_results(ByteView data) noexcept {
  try {
    const Type type = Type::array(Type::tuple({Type::boolean(), Type::bytes()}));
    auto values = decode(std::vector<Type>{type}, data);
    if (!values) return values.take_error();
    std::vector<CallResult> results;
    results.reserve(values->front().items().size());
    for (const auto& item : values->front().items())
      results.push_back(CallResult{*item.items()[0].as_bool(), *item.items()[1].as_bytes()});
    return results;
  } catch (...) {
    return make_error(Errc::internal, "ABI: out of memory while decoding");
  }
}

Bytes encode_aggregate3(const std::vector<Call3>& calls) {
  const Type element = Type::tuple({Type::address(), Type::boolean(), Type::bytes()});
  std::vector<Value> items;
  items.reserve(calls.size());
  for (const auto& call : calls)
    items.push_back(Value::tuple(
        {Value::address(call.target), Value::boolean(call.allow_failure), Value::bytes(call.call_data)}));
  return encode_call("aggregate3", {*Value::array(element, std::move(items))});
}

Bytes encode_try_aggregate(bool require_success, const std::vector<Call>& calls) {
  const Type element = Type::tuple({Type::address(), Type::bytes()});
  std::vector<Value> items;
  items.reserve(calls.size());
  for (const auto& call : calls)
    items.push_back(Value::tuple({Value::address(call.target), Value::bytes(call.call_data)}));
  return encode_call("tryAggregate",
                     {Value::boolean(require_success), *Value::array(element, std::move(items))});
}

Result<RevertReason> decode_revert_reason(ByteView data) noexcept {
  try {
    RevertReason reason;
    if (data.empty()) {
      reason.kind = RevertReason::Kind::empty;
      reason.message = "execution reverted without data";
      return reason;
    }
    if (data.size() < 4)
      return bad_data("revert data of " + std::to_string(data.size()) + " bytes is shorter than a selector");
    const Bytes4 error_selector = Bytes4::from_span(data.first(4));
    const ByteView arguments = data.subspan(4);
    static const Bytes4 kError{{0x08, 0xc3, 0x79, 0xa0}};
    static const Bytes4 kPanic{{0x4e, 0x48, 0x7b, 0x71}};
    if (error_selector == kError) {
      auto message = decode_string(arguments);
      if (!message) return bad_data("malformed Error(string): " + message.error().message);
      reason.kind = RevertReason::Kind::error;
      reason.message = std::move(*message);
      return reason;
    }
    if (error_selector == kPanic) {
      auto code = decode_uint256(arguments);
      if (!code) return bad_data("malformed Panic(uint256): " + code.error().message);
      reason.kind = RevertReason::Kind::panic;
      reason.panic_code = *code;
      reason.message = std::string("panic ") + to_quantity(*code) + ": " + panic_description(*code);
      return reason;
    }
    reason.kind = RevertReason::Kind::custom;
    reason.custom_selector = error_selector;
    reason.custom_data.assign(arguments.begin(), arguments.end());
    reason.message = "custom error " + error_selector.hex();
    return reason;
  } catch (...) {
    return make_error(Errc::internal, "ABI: out of memory decoding revert data");
  }
}

}  // namespace x402::crypto::abi
