#include "crypto/eip712.hpp"

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "crypto/keccak.hpp"
#include "crypto/word.hpp"

namespace x402::crypto {
namespace {

constexpr std::string_view kDomainType =
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";
constexpr std::string_view kTransferWithAuthorizationType =
    "TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,"
    "bytes32 nonce)";

void put_address(const Address& address, std::uint8_t* word) noexcept {
  std::fill(word, word + 12, std::uint8_t{0});
  std::copy(address.bytes.begin(), address.bytes.end(), word + 12);
}

void put_word(const Bytes32& value, std::uint8_t* word) noexcept {
  std::copy(value.bytes.begin(), value.bytes.end(), word);
}

}  // namespace

const Bytes32& eip712_domain_typehash() noexcept {
  static const Bytes32 hash = keccak256(kDomainType);
  return hash;
}

const Bytes32& transfer_with_authorization_typehash() noexcept {
  static const Bytes32 hash = keccak256(kTransferWithAuthorizationType);
  return hash;
}

namespace {

Bytes32 compute_domain_separator(const Eip712Domain& domain) noexcept {
  std::array<std::uint8_t, 5 * 32> data{};
  put_word(eip712_domain_typehash(), &data[0]);
  put_word(keccak256(std::string_view(domain.name)), &data[32]);
  put_word(keccak256(std::string_view(domain.version)), &data[64]);
  detail::store_be32(U256(domain.chain_id), &data[96]);
  put_address(domain.verifying_contract, &data[128]);
  return keccak256(ByteView(data));
}

bool same_domain(const Eip712Domain& a, const Eip712Domain& b) noexcept {
  return a.chain_id == b.chain_id && a.verifying_contract == b.verifying_contract && a.name == b.name &&
         a.version == b.version;
}

// The last few separators this thread computed. Clients, sellers and facilitators hash the same
// few token domains for every payment, and a separator costs four Keccak-f permutations (more
// than the struct hash and the digest together); a lookup here is a few compares, with no lock.
class RecentDomainSeparators {
 public:
  [[nodiscard]] const Bytes32* find(const Eip712Domain& domain) const noexcept {
    for (std::size_t i = 0; i < used_; ++i)
      if (same_domain(entries_[i].domain, domain)) return &entries_[i].separator;
    return nullptr;
  }

  void remember(const Eip712Domain& domain, const Bytes32& separator) noexcept {
    try {
      Entry entry{domain, separator};      // the only step that can throw (the copies)
      entries_[next_] = std::move(entry);  // cannot, so no slot is ever half written
    } catch (...) {
      return;  // out of memory: simply not remembered
    }
    next_ = (next_ + 1) % entries_.size();
    if (used_ < entries_.size()) ++used_;
  }

 private:
  struct Entry {
    Eip712Domain domain;
    Bytes32 separator;
  };
  std::array<Entry, 8> entries_{};
  std::size_t used_ = 0;
  std::size_t next_ = 0;  // replaced next, round robin
};

}  // namespace

Bytes32 domain_separator(const Eip712Domain& domain) noexcept {
  thread_local RecentDomainSeparators recent;
  if (const Bytes32* known = recent.find(domain)) return *known;
  const Bytes32 separator = compute_domain_separator(domain);
  recent.remember(domain, separator);
  return separator;
}

Bytes32 struct_hash(const TransferWithAuthorization& message) noexcept {
  std::array<std::uint8_t, 7 * 32> data{};
  put_word(transfer_with_authorization_typehash(), &data[0]);
  put_address(message.from, &data[32]);
  put_address(message.to, &data[64]);
  detail::store_be32(message.value, &data[96]);
  detail::store_be32(message.valid_after, &data[128]);
  detail::store_be32(message.valid_before, &data[160]);
  put_word(message.nonce, &data[192]);
  return keccak256(ByteView(data));
}

Bytes32 typed_data_digest(const Bytes32& domain_separator, const Bytes32& struct_hash) noexcept {
  std::array<std::uint8_t, 2 + 64> data{};
  data[0] = 0x19;
  data[1] = 0x01;
  put_word(domain_separator, &data[2]);
  put_word(struct_hash, &data[34]);
  return keccak256(ByteView(data));
}

Bytes32 transfer_with_authorization_digest(const Eip712Domain& domain,
                                           const TransferWithAuthorization& message) noexcept {
  return typed_data_digest(domain_separator(domain), struct_hash(message));
}

// ---------------------------------------------------------------------------------------------
// Generic typed data

namespace {

namespace json = boost::json;

constexpr std::size_t kMaxDepth = 64;

struct Member {
  std::string name;
  std::string type;
};

using TypeTable = std::map<std::string, std::vector<Member>, std::less<>>;

Error with_context(std::string_view context, Error error) {
  error.message =
      std::string(context) + (error.message.empty() || error.message[0] == '[' ? "" : ": ") + error.message;
  return error;
}

Error invalid(std::string message) {
  return make_error(Errc::invalid_field, std::move(message));
}

// "Person[][3]" -> base "Person"
std::string_view base_type(std::string_view type) noexcept {
  const auto bracket = type.find('[');
  return bracket == std::string_view::npos ? type : type.substr(0, bracket);
}

bool is_identifier(std::string_view text) noexcept {
  if (text.empty()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

// Width of "uint<N>"/"int<N>"/"bytes<N>" after `prefix`, or 0 when `type` is not of that form.
unsigned suffix_width(std::string_view type, std::string_view prefix) noexcept {
  if (type.size() <= prefix.size() || type.substr(0, prefix.size()) != prefix) return 0;
  const std::string_view digits = type.substr(prefix.size());
  if (digits.size() > 3 || digits[0] == '0') return 0;
  unsigned value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return 0;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value;
}

bool is_atomic(std::string_view type) noexcept {
  if (type == "address" || type == "bool" || type == "string" || type == "bytes") return true;
  const unsigned uint_bits = suffix_width(type, "uint");
  if (uint_bits != 0) return uint_bits % 8 == 0 && uint_bits <= 256;
  const unsigned int_bits = suffix_width(type, "int");
  if (int_bits != 0) return int_bits % 8 == 0 && int_bits <= 256;
  const unsigned bytes_size = suffix_width(type, "bytes");
  return bytes_size >= 1 && bytes_size <= 32;
}

// Checks "T[]...[k]" suffixes: each bracket pair empty or a positive decimal.
bool valid_array_suffix(std::string_view suffix) noexcept {
  while (!suffix.empty()) {
    if (suffix[0] != '[') return false;
    const auto close = suffix.find(']');
    if (close == std::string_view::npos) return false;
    const std::string_view inside = suffix.substr(1, close - 1);
    if (!inside.empty()) {
      if (inside.size() > 9 || inside[0] == '0') return false;
      for (char c : inside)
        if (c < '0' || c > '9') return false;
    }
    suffix.remove_prefix(close + 1);
  }
  return true;
}

Result<TypeTable> build_table(const json::object& types) {
  TypeTable table;
  for (const auto& [name, definition] : types) {
    const std::string type_name(name);
    if (!is_identifier(type_name)) return invalid("types: invalid struct name \"" + type_name + "\"");
    const auto* members = definition.if_array();
    if (members == nullptr) return invalid("types." + type_name + ": expected an array of {name, type}");
    std::vector<Member> parsed;
    std::set<std::string, std::less<>> seen;
    for (std::size_t i = 0; i < members->size(); ++i) {
      const std::string where = "types." + type_name + "[" + std::to_string(i) + "]";
      const auto* member = (*members)[i].if_object();
      const json::value* member_name = member ? member->if_contains("name") : nullptr;
      const json::value* member_type = member ? member->if_contains("type") : nullptr;
      if (member_name == nullptr || member_type == nullptr || !member_name->is_string() ||
          !member_type->is_string())
        return invalid(where + ": expected {\"name\": string, \"type\": string}");
      Member m{std::string(member_name->get_string()), std::string(member_type->get_string())};
      if (!is_identifier(m.name)) return invalid(where + ": invalid member name \"" + m.name + "\"");
      if (!seen.insert(m.name).second) return invalid(where + ": duplicate member \"" + m.name + "\"");
      parsed.push_back(std::move(m));
    }
    table.emplace(type_name, std::move(parsed));
  }
  // Every member type must resolve: an atomic type or a declared struct, with valid array suffixes.
  for (const auto& [type_name, members] : table) {
    for (const auto& member : members) {
      const std::string_view base = base_type(member.type);
      if (!valid_array_suffix(std::string_view(member.type).substr(base.size())))
        return invalid("types." + type_name + "." + member.name + ": invalid array type \"" + member.type +
                       "\"");
      if (!is_atomic(base) && table.find(base) == table.end())
        return invalid("types." + type_name + "." + member.name + ": unknown type \"" + std::string(base) +
                       "\"");
    }
  }
  return table;
}

void collect_dependencies(const TypeTable& table, std::string_view type,
                          std::set<std::string, std::less<>>& found) {
  const auto it = table.find(type);
  if (it == table.end() || found.contains(type)) return;
  found.emplace(type);
  for (const auto& member : it->second) collect_dependencies(table, base_type(member.type), found);
}

std::string encode_type_string(const TypeTable& table, std::string_view primary) {
  std::set<std::string, std::less<>> dependencies;  // std::set iterates sorted, as the spec wants
  collect_dependencies(table, primary, dependencies);
  dependencies.erase(dependencies.find(primary));
  const auto append = [&](std::string& out, std::string_view name) {
    out += name;
    out += '(';
    const auto& members = table.find(name)->second;
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (i != 0) out += ',';
      out += members[i].type;
      out += ' ';
      out += members[i].name;
    }
    out += ')';
  };
  std::string out;
  append(out, primary);
  for (const auto& dependency : dependencies) append(out, dependency);
  return out;
}

// An integer member: JSON integer, decimal string, or 0x-hex string; '-' allowed for intN.
Result<Bytes32> encode_integer(std::string_view type, const json::value& value) {
  const bool is_signed = type[0] == 'i';
  const unsigned bits = suffix_width(type, is_signed ? "int" : "uint");
  bool negative = false;
  U256 magnitude;
  if (value.is_uint64()) {
    magnitude = value.get_uint64();
  } else if (value.is_int64()) {
    const std::int64_t v = value.get_int64();
    negative = v < 0;
    magnitude =
        negative ? U256(static_cast<std::uint64_t>(-(v + 1))) + 1 : U256(static_cast<std::uint64_t>(v));
  } else if (const auto* text = value.if_string()) {
    std::string_view digits(*text);
    if (!digits.empty() && digits[0] == '-') {
      negative = true;
      digits.remove_prefix(1);
    }
    auto parsed = digits.size() > 1 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')
                      ? parse_u256_hex(digits)
                      : parse_u256(digits);
    if (!parsed) return invalid("not a valid " + std::string(type) + ": " + parsed.error().message);
    magnitude = *parsed;
  } else {
    return invalid("expected an integer, a decimal string or a 0x-hex string for " + std::string(type));
  }
  if (negative && magnitude == 0) negative = false;
  if (negative && !is_signed) return invalid("negative value for " + std::string(type));
  // Unsigned: magnitude < 2^bits. Signed: magnitude <= 2^(bits-1) - 1, or 2^(bits-1) when negative.
  const U256 limit = bits == 256 ? U256(0) : (U256(1) << bits);  // 0 stands for 2^256
  if (!is_signed) {
    if (bits != 256 && magnitude >= limit) return invalid("value does not fit in " + std::string(type));
    return detail::be32(magnitude);
  }
  const U256 half = U256(1) << (bits - 1);
  if (negative ? magnitude > half : magnitude >= half)
    return invalid("value does not fit in " + std::string(type));
  return detail::be32(negative ? U256(0) - magnitude : magnitude);  // two's complement in 256 bits
}

Result<Bytes> hex_bytes(const json::value& value) {
  const auto* text = value.if_string();
  if (text == nullptr || text->size() < 2 || (*text)[0] != '0' || ((*text)[1] != 'x' && (*text)[1] != 'X'))
    return invalid("expected a 0x-prefixed hex string");
  auto bytes = from_hex(std::string_view(*text));
  if (!bytes) return invalid(bytes.error().message);
  return bytes;
}

class Encoder {
 public:
  explicit Encoder(const TypeTable& table) : table_(table) {}

  Result<Bytes32> hash_struct(std::string_view type, const json::value& value, std::size_t depth) {
    if (depth > kMaxDepth) return invalid("nesting deeper than " + std::to_string(kMaxDepth));
    const auto it = table_.find(type);
    if (it == table_.end()) return invalid("unknown struct type \"" + std::string(type) + "\"");
    const auto* object = value.if_object();
    if (object == nullptr) return invalid("expected an object for struct " + std::string(type));
    Bytes data;
    data.reserve(32 * (it->second.size() + 1));
    const Bytes32& type_hash = typehash(type);
    data.insert(data.end(), type_hash.bytes.begin(), type_hash.bytes.end());
    for (const auto& member : it->second) {
      const json::value* field = object->if_contains(member.name);
      if (field == nullptr) return invalid(member.name + ": missing member of " + std::string(type));
      auto word = encode_value(member.type, *field, depth + 1);
      if (!word) return with_context(member.name, word.take_error());
      data.insert(data.end(), word->bytes.begin(), word->bytes.end());
    }
    return keccak256(ByteView(data));
  }

  const Bytes32& typehash(std::string_view type) {
    auto it = typehashes_.find(type);
    if (it == typehashes_.end())
      it = typehashes_
               .emplace(std::string(type), keccak256(std::string_view(encode_type_string(table_, type))))
               .first;
    return it->second;
  }

 private:
  Result<Bytes32> encode_value(std::string_view type, const json::value& value, std::size_t depth) {
    if (depth > kMaxDepth) return invalid("nesting deeper than " + std::to_string(kMaxDepth));
    if (!type.empty() && type.back() == ']') return encode_array(type, value, depth);
    if (table_.find(type) != table_.end()) return hash_struct(type, value, depth);
    if (type == "string") {
      const auto* text = value.if_string();
      if (text == nullptr) return invalid("expected a string");
      return keccak256(std::string_view(*text));
    }
    if (type == "bytes") {
      auto bytes = hex_bytes(value);
      if (!bytes) return bytes.take_error();
      return keccak256(ByteView(*bytes));
    }
    if (type == "bool") {
      if (!value.is_bool()) return invalid("expected true or false");
      Bytes32 word;
      word.bytes[31] = value.get_bool() ? 1 : 0;
      return word;
    }
    if (type == "address") {
      const auto* text = value.if_string();
      if (text == nullptr) return invalid("expected an address string");
      auto address = Address::parse(std::string_view(*text));
      if (!address) return invalid(address.error().message);
      Bytes32 word;
      std::copy(address->bytes.begin(), address->bytes.end(), word.bytes.begin() + 12);
      return word;
    }
    if (const unsigned size = suffix_width(type, "bytes"); size != 0) {
      auto bytes = hex_bytes(value);
      if (!bytes) return bytes.take_error();
      if (bytes->size() != size)
        return invalid("expected " + std::to_string(size) + " bytes for " + std::string(type) + ", got " +
                       std::to_string(bytes->size()));
      Bytes32 word;  // bytesN is left-aligned, zero-padded on the right
      std::copy(bytes->begin(), bytes->end(), word.bytes.begin());
      return word;
    }
    if (type.starts_with("uint") || type.starts_with("int")) return encode_integer(type, value);
    return invalid("unsupported type \"" + std::string(type) + "\"");
  }

  // T[] / T[k]: keccak256 of the concatenated encodings of the elements.
  Result<Bytes32> encode_array(std::string_view type, const json::value& value, std::size_t depth) {
    const auto open = type.rfind('[');
    const std::string_view element = type.substr(0, open);
    const std::string_view length = type.substr(open + 1, type.size() - open - 2);
    const auto* array = value.if_array();
    if (array == nullptr) return invalid("expected an array for " + std::string(type));
    if (!length.empty() && std::to_string(array->size()) != length)
      return invalid("expected " + std::string(length) + " elements for " + std::string(type) + ", got " +
                     std::to_string(array->size()));
    Bytes data;
    data.reserve(32 * array->size());
    for (std::size_t i = 0; i < array->size(); ++i) {
      auto word = encode_value(element, (*array)[i], depth + 1);
      if (!word) return with_context("[" + std::to_string(i) + "]", word.take_error());
      data.insert(data.end(), word->bytes.begin(), word->bytes.end());
    }
    return keccak256(ByteView(data));
  }

  const TypeTable& table_;
  std::map<std::string, Bytes32, std::less<>> typehashes_;
};

// The domain's members when `types` does not declare EIP712Domain: those present, canonical order.
Result<std::vector<Member>> derive_domain_members(const json::object& domain) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kCanonical{{
      {"name", "string"},
      {"version", "string"},
      {"chainId", "uint256"},
      {"verifyingContract", "address"},
      {"salt", "bytes32"},
  }};
  for (const auto& entry : domain) {
    const bool known = std::any_of(kCanonical.begin(), kCanonical.end(),
                                   [&](const auto& field) { return field.first == entry.key(); });
    if (!known)
      return invalid("domain." + std::string(entry.key()) +
                     ": not a standard EIP712Domain field; declare types.EIP712Domain to use it");
  }
  std::vector<Member> members;
  for (const auto& [name, type] : kCanonical)
    if (domain.contains(name)) members.push_back(Member{std::string(name), std::string(type)});
  return members;
}

Result<TypedDataHash> hash_typed_data_impl(const json::value& typed_data) {
  const auto* root = typed_data.if_object();
  if (root == nullptr) return invalid("typed data: expected an object {types, primaryType, domain, message}");
  const json::value* types = root->if_contains("types");
  const json::value* primary = root->if_contains("primaryType");
  const json::value* domain = root->if_contains("domain");
  if (types == nullptr || !types->is_object())
    return make_error(Errc::missing_field, "typed data: types must be an object");
  if (primary == nullptr || !primary->is_string())
    return make_error(Errc::missing_field, "typed data: primaryType must be a string");
  if (domain == nullptr || !domain->is_object())
    return make_error(Errc::missing_field, "typed data: domain must be an object");

  auto table = build_table(types->get_object());
  if (!table) return table.take_error();
  if (table->find("EIP712Domain") == table->end()) {
    auto members = derive_domain_members(domain->get_object());
    if (!members) return members.take_error();
    table->emplace("EIP712Domain", std::move(*members));
  }

  Encoder encoder(*table);
  auto separator = encoder.hash_struct("EIP712Domain", *domain, 0);
  if (!separator) return with_context("domain", separator.take_error());

  const std::string_view primary_type(primary->get_string());
  if (primary_type == "EIP712Domain") {
    // Signing the domain alone (viem, eth-sig-util): digest = keccak256(0x1901 || domainSeparator).
    std::array<std::uint8_t, 34> data{};
    data[0] = 0x19;
    data[1] = 0x01;
    std::copy(separator->bytes.begin(), separator->bytes.end(), data.begin() + 2);
    return TypedDataHash{*separator, *separator, keccak256(ByteView(data))};
  }
  if (table->find(primary_type) == table->end())
    return invalid("typed data: primaryType \"" + std::string(primary_type) + "\" is not declared in types");
  const json::value* message = root->if_contains("message");
  if (message == nullptr) return make_error(Errc::missing_field, "typed data: message is missing");
  auto message_hash = encoder.hash_struct(primary_type, *message, 0);
  if (!message_hash) return with_context("message", message_hash.take_error());
  return TypedDataHash{*separator, *message_hash, typed_data_digest(*separator, *message_hash)};
}

}  // namespace

Result<TypedDataHash> hash_typed_data(const boost::json::value& typed_data) noexcept {
  try {
    return hash_typed_data_impl(typed_data);
  } catch (const std::exception& e) {
    return make_error(Errc::internal, std::string("typed data hashing failed: ") + e.what());
  } catch (...) {
    return make_error(Errc::internal, "typed data hashing failed");
  }
}

Result<TypedDataHash> hash_typed_data_json(std::string_view json_text) noexcept {
  try {
    boost::system::error_code error;
    json::parse_options options;
    options.max_depth = kMaxDepth;
    json::value parsed = json::parse(json_text, error, {}, options);
    if (error) return make_error(Errc::invalid_json, "typed data: " + error.message());
    return hash_typed_data_impl(parsed);
  } catch (const std::exception& e) {
    return make_error(Errc::internal, std::string("typed data hashing failed: ") + e.what());
  } catch (...) {
    return make_error(Errc::internal, "typed data hashing failed");
  }
}

Result<std::string> encode_type(const boost::json::object& types, std::string_view primary_type) noexcept {
  try {
    auto table = build_table(types);
    if (!table) return table.take_error();
    if (table->find(primary_type) == table->end())
      return invalid("type \"" + std::string(primary_type) + "\" is not declared in types");
    return encode_type_string(*table, primary_type);
  } catch (...) {
    return make_error(Errc::internal, "encodeType failed");
  }
}

Result<Bytes32> hash_struct(const boost::json::object& types, std::string_view type,
                            const boost::json::value& value) noexcept {
  try {
    auto table = build_table(types);
    if (!table) return table.take_error();
    Encoder encoder(*table);
    return encoder.hash_struct(type, value, 0);
  } catch (...) {
    return make_error(Errc::internal, "hashStruct failed");
  }
}

}  // namespace x402::crypto
