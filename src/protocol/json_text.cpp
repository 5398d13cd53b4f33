// JSON text in and out: a JSON.stringify-identical writer and a bounded, non-throwing parser.
//
// Boost.JSON's own serializer differs from JSON.stringify in ways that break byte equality
// with the reference SDK: doubles come out as "1.5E0"/"6E1", -0.0 as "-0E0", integers past
// 2^53 keep digits JS has lost, and integer-like keys keep insertion order. Hence this writer.
// Boost 1.81's parser also reads some doubles one ulp off (9.999999999999999e20 -> 1e21), so
// the parser below re-reads every non-integer number with std::from_chars, correctly rounded
// as JSON.parse does.
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "protocol/json_number.hpp"
#include "protocol/json_write.hpp"
#include "x402/codec.hpp"

namespace x402 {
namespace json = boost::json;

namespace {

constexpr std::array<char, 16> kHex{'0', '1', '2', '3', '4', '5', '6', '7',
                                    '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

// Whether any of the eight bytes packed in `word` needs escaping: below 0x20, '"' or '\\'. The
// classic "has a byte below n" / "has a zero byte" word tricks: exact as a yes/no answer.
constexpr bool any_byte_needs_escape(std::uint64_t word) noexcept {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  const auto has_zero_byte = [](std::uint64_t x) { return ((x - kOnes) & ~x & kHighBits) != 0; };
  const bool below_space = ((word - kOnes * 0x20) & ~word & kHighBits) != 0;
  return below_space || has_zero_byte(word ^ (kOnes * '"')) || has_zero_byte(word ^ (kOnes * '\\'));
}

}  // namespace

namespace protocol {

// JSON.stringify's QuoteJSONString: the two-character escapes, \u00XX (lowercase) for other
// controls, everything else (DEL, '/', non-ASCII, U+2028/2029) verbatim. Plain text (nearly all
// of it: addresses, URLs, decimals) is skipped eight bytes at a time.
void write_string(std::string& out, std::string_view text) {
  out.push_back('"');
  std::size_t run = 0;  // start of the pending verbatim run
  std::size_t i = 0;
  while (i < text.size()) {
    if (i + 8 <= text.size()) {
      std::uint64_t word;
      std::memcpy(&word, text.data() + i, sizeof word);
      if (!any_byte_needs_escape(word)) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(text[i]);
    ++i;
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.substr(run, i - 1 - run));
    run = i;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0x0f]);
    }
  }
  out.append(text.substr(run));
  out.push_back('"');
}

// Integers a JS number holds exactly print as integers; larger ones print as the double JS
// would have parsed them into.
constexpr std::uint64_t kMaxSafe = (std::uint64_t{1} << 53);

void write_int(std::string& out, std::int64_t v) {
  const std::uint64_t magnitude = v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
  if (magnitude > kMaxSafe) {
    out += protocol::js_number_to_string(static_cast<double>(v));
    return;
  }
  std::array<char, 24> buf{};
  auto res = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), res.ptr);
}

void write_uint(std::string& out, std::uint64_t v) {
  if (v > kMaxSafe) {
    out += protocol::js_number_to_string(static_cast<double>(v));
    return;
  }
  std::array<char, 24> buf{};
  auto res = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), res.ptr);
}

}  // namespace protocol

namespace {

// ECMAScript array index: canonical decimal ("0", no leading zeros) below 2^32 - 1.
bool is_array_index(std::string_view key) noexcept {
  if (key.empty() || key.size() > 10) return false;
  if (key.size() > 1 && key[0] == '0') return false;
  std::uint64_t v = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v < 4294967295ULL;
}

std::uint64_t index_value(std::string_view key) noexcept {
  std::uint64_t v = 0;
  for (char c : key) v = v * 10 + static_cast<std::uint64_t>(c - '0');
  return v;
}

void write_member(std::string& out, const json::key_value_pair& member, bool& first) {
  if (!first) out.push_back(',');
  first = false;
  protocol::write_string(out, member.key());
  out.push_back(':');
  protocol::write_value(out, member.value());
}

}  // namespace

namespace protocol {

void write_object(std::string& out, const json::object& object) {
  out.push_back('{');
  bool first = true;
  const bool has_index_keys = std::any_of(object.begin(), object.end(),
                                          [](const auto& member) { return is_array_index(member.key()); });
  if (!has_index_keys) {
    for (const auto& member : object) write_member(out, member, first);
  } else {
    // JS objects enumerate integer-like keys first, ascending, then the rest in insertion order.
    std::vector<const json::key_value_pair*> indexed;
    for (const auto& member : object)
      if (is_array_index(member.key())) indexed.push_back(&member);
    std::sort(indexed.begin(), indexed.end(),
              [](const auto* a, const auto* b) { return index_value(a->key()) < index_value(b->key()); });
    for (const auto* member : indexed) write_member(out, *member, first);
    for (const auto& member : object)
      if (!is_array_index(member.key())) write_member(out, member, first);
  }
  out.push_back('}');
}

void write_value(std::string& out, const json::value& value) {
  switch (value.kind()) {
    case json::kind::null:
      out += "null";
      break;
    case json::kind::bool_:
      out += value.get_bool() ? "true" : "false";
      break;
    case json::kind::int64:
      write_int(out, value.get_int64());
      break;
    case json::kind::uint64:
      write_uint(out, value.get_uint64());
      break;
    case json::kind::double_:
      out += protocol::js_number_to_string(value.get_double());
      break;
    case json::kind::string:
      write_string(out, value.get_string());
      break;
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& element : value.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        write_value(out, element);
      }
      out.push_back(']');
      break;
    }
    case json::kind::object:
      write_object(out, value.get_object());
      break;
  }
}

}  // namespace protocol

namespace {

// Builds a json::value like Boost's own parser, except that doubles come from std::from_chars
// over the number's text (correctly rounded) instead of Boost's faster approximation.
struct ValueBuilder {
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack stack;
  std::string number;  // the text of the number being read, when it arrives in parts

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) { return true; }
  bool on_object_end(std::size_t n, json::error_code&) {
    stack.push_object(n);
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t n, json::error_code&) {
    stack.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    stack.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    stack.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    stack.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    stack.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view s, json::error_code&) {
    number.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    number.clear();
    stack.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    number.clear();
    stack.push_uint64(u);
    return true;
  }
  bool on_double(double approximate, json::string_view s, json::error_code&) {
    number.append(s.data(), s.size());
    double exact = approximate;
    const auto result = std::from_chars(number.data(), number.data() + number.size(), exact);
    if (result.ec != std::errc()) exact = approximate;  // out of range: keep Boost's reading
    number.clear();
    stack.push_double(exact);
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    stack.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    stack.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }
};

// Whether a well-formed UTF-8 sequence (or ASCII) starts at `offset`, to tell a parser's
// "syntax error" on bad encoding apart from one on misplaced but valid characters (a BOM).
bool valid_utf8_at(std::string_view text, std::size_t offset) {
  if (offset >= text.size()) return true;
  const auto lead = static_cast<unsigned char>(text[offset]);
  std::size_t length = 0;
  std::uint32_t code = 0;
  if (lead < 0x80) return true;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    code = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    code = lead & 0x0f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    code = lead & 0x07;
  } else {
    return false;
  }
  if (offset + length > text.size()) return false;
  for (std::size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[offset + i]);
    if ((next & 0xc0) != 0x80) return false;
    code = (code << 6) | (next & 0x3f);
  }
  const bool overlong = (length == 3 && code < 0x800) || (length == 4 && code < 0x10000);
  const bool surrogate = code >= 0xd800 && code <= 0xdfff;
  return !overlong && !surrogate && code <= 0x10ffff;
}

std::string parse_failure_reason(const json::error_code& ec, std::string_view text, std::size_t offset) {
  if (ec == json::error::extra_data) return "unexpected data after the JSON value";
  if (ec == json::error::incomplete) return "unexpected end of input";
  if (ec == json::error::syntax && !valid_utf8_at(text, offset)) return "invalid UTF-8";
  if (ec == json::error::syntax) return "syntax error";
  return ec.message();
}

}  // namespace

namespace protocol {
namespace {

// The shortest round-trip digits of a finite non-zero double, and where the decimal point goes:
// value = 0.d1d2...dk * 10^point.
struct ShortestDigits {
  bool negative = false;
  std::string digits;
  int point = 0;
};

ShortestDigits shortest_digits(double value) {
  std::array<char, 40> buf{};
  auto res = std::to_chars(buf.data(), buf.data() + buf.size(), value, std::chars_format::scientific);
  std::string_view sci(buf.data(), static_cast<std::size_t>(res.ptr - buf.data()));
  ShortestDigits out;
  out.negative = sci.front() == '-';
  if (out.negative) sci.remove_prefix(1);
  const auto e_pos = sci.find('e');
  for (char c : sci.substr(0, e_pos))
    if (c != '.') out.digits.push_back(c);
  std::string_view exp_text = sci.substr(e_pos + 1);
  if (!exp_text.empty() && exp_text.front() == '+') exp_text.remove_prefix(1);
  int exponent = 0;
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
  out.point = exponent + 1;
  return out;
}

// digits laid out around the point with no exponent: "1230", "1.23", "0.00123".
std::string fixed_layout(const ShortestDigits& d) {
  const int k = static_cast<int>(d.digits.size());
  const int n = d.point;
  std::string out = d.negative ? "-" : "";
  if (n >= k) {
    out += d.digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (n > 0) {
    out += d.digits.substr(0, static_cast<std::size_t>(n));
    out += '.';
    out += d.digits.substr(static_cast<std::size_t>(n));
  } else {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += d.digits;
  }
  return out;
}

}  // namespace

// Number::toString (ECMA-262 Number::toString): fixed layout for 1e-7 < |x| < 1e21, else
// "d.ddde+N".
std::string js_number_to_string(double value) {
  if (!std::isfinite(value)) return "null";  // what JSON.stringify writes for NaN/Infinity
  if (value == 0) return "0";                // -0 included
  const ShortestDigits d = shortest_digits(value);
  if (d.point > -6 && d.point <= 21) return fixed_layout(d);
  std::string out = d.negative ? "-" : "";
  out += d.digits.front();
  if (d.digits.size() > 1) {
    out += '.';
    out += d.digits.substr(1);
  }
  const int exponent = d.point - 1;
  out += exponent >= 0 ? "e+" : "e-";
  out += std::to_string(std::abs(exponent));
  return out;
}

std::string plain_decimal(double value) {
  if (!std::isfinite(value)) return "";
  if (value == 0) return "0";
  return fixed_layout(shortest_digits(value));
}

}  // namespace protocol

std::string stringify(const json::value& value) {
  std::string out;
  out.reserve(256);
  protocol::write_value(out, value);
  return out;
}

Result<json::value> parse_json(std::string_view text, const JsonLimits& limits) noexcept {
  if (text.size() > limits.max_bytes)
    return make_error(Errc::too_large, "JSON text of " + std::to_string(text.size()) +
                                           " bytes exceeds the limit of " + std::to_string(limits.max_bytes));
  try {
    json::parse_options options;
    options.max_depth = limits.max_depth;
    json::basic_parser<ValueBuilder> parser(options);
    parser.handler().stack.reset();
    json::error_code ec;
    const std::size_t consumed = parser.write_some(false, text.data(), text.size(), ec);
    if (!ec && consumed < text.size()) ec = json::error::extra_data;
    if (ec == json::error::too_deep)
      return make_error(Errc::too_large, "JSON nesting deeper than " + std::to_string(limits.max_depth) +
                                             " levels at offset " + std::to_string(consumed));
    if (ec)
      return make_error(Errc::invalid_json, "invalid JSON at offset " + std::to_string(consumed) + ": " +
                                                parse_failure_reason(ec, text, consumed));
    return parser.handler().stack.release();
  } catch (const std::exception& e) {  // allocation failure: Boost.JSON's only throw here
    return make_error(Errc::internal, std::string("JSON parser failed: ") + e.what());
  }
}

}  // namespace x402
