#include "protocol/json_read.hpp"

#include <cmath>

namespace x402::protocol {
namespace json = boost::json;

namespace {

// Integral doubles up to 2^53 are what a JS sender can mean by an integer ("60.0", "6e1").
constexpr double kMaxExactDouble = 9007199254740992.0;

// Why a string is not a plain decimal integer, for an error message a sender can act on.
std::string_view amount_shape_problem(std::string_view text, std::size_t bad) {
  const char c = text[bad];
  if (bad == 0 && (c == '-' || c == '+')) return "must not have a sign";
  if (text.find_first_of("eE") != std::string_view::npos) return "exponent notation is not allowed";
  if (c == '.') return "must be a whole number of atomic units";
  return "expected only decimal digits";
}

}  // namespace

std::string member_path(std::string_view base, std::string_view key) {
  if (base.empty()) return std::string(key);
  std::string out;
  out.reserve(base.size() + 1 + key.size());
  out.append(base).append(".").append(key);
  return out;
}

std::string index_path(std::string_view base, std::size_t index) {
  return std::string(base) + "[" + std::to_string(index) + "]";
}

Error field_error(Errc code, std::string_view path, std::string_view what) {
  if (path.empty()) return make_error(code, std::string(what));
  std::string message;
  message.reserve(path.size() + 2 + what.size());
  message.append(path).append(": ").append(what);
  return make_error(code, std::move(message));
}

bool is_caip2_shape(std::string_view network) noexcept {
  return network.size() >= 3 && network.find(':') != std::string_view::npos;
}

bool is_printable_ascii(std::string_view text) noexcept {
  for (char c : text)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

Reader::Reader(const json::value& value, std::string path) : path_(std::move(path)) {
  object_ = value.if_object();
  if (!object_)
    error_ = field_error(Errc::invalid_field, path_,
                         path_.empty() ? "expected a JSON object" : "expected an object");
}

void Reader::fail(Errc code, std::string_view key, std::string_view what) {
  if (error_) return;
  if (key.empty())
    error_ = field_error(code, path_, what);
  else
    error_ = field_error(code, member_path(path_, key), what);
}

void Reader::adopt(Error error) {
  if (!error_) error_ = std::move(error);
}

void Reader::require(bool condition, Errc code, std::string_view key, std::string_view what) {
  if (!condition) fail(code, key, what);
}

const json::value* Reader::raw(std::string_view key) const noexcept {
  if (error_ || !object_) return nullptr;
  return object_->if_contains(key);
}

const json::value* Reader::required(std::string_view key) {
  if (error_) return nullptr;
  const auto* member = object_->if_contains(key);
  if (!member) fail(Errc::missing_field, key, "required");
  return member;
}

const json::value* Reader::optional(std::string_view key) {
  if (error_) return nullptr;
  const auto* member = object_->if_contains(key);
  if (!member || member->is_null()) return nullptr;
  return member;
}

std::string Reader::string(std::string_view key) {
  const auto* member = required(key);
  if (!member) return {};
  const auto* text = member->if_string();
  if (!text) {
    fail(Errc::invalid_field, key, "expected a string");
    return {};
  }
  return std::string(*text);
}

std::string Reader::text(std::string_view key) {
  std::string out = string(key);
  if (ok() && out.empty()) fail(Errc::invalid_field, key, "must not be empty");
  return out;
}

std::string Reader::network_v2(std::string_view key) {
  std::string out = string(key);
  if (ok() && !is_caip2_shape(out))
    fail(Errc::invalid_network, key, "expected a CAIP-2 network id (namespace:reference)");
  return out;
}

bool Reader::boolean(std::string_view key) {
  const auto* member = required(key);
  if (!member) return false;
  const auto* flag = member->if_bool();
  if (!flag) {
    fail(Errc::invalid_field, key, "expected a boolean");
    return false;
  }
  return *flag;
}

U256 Reader::amount(std::string_view key) {
  const auto* member = required(key);
  if (!member) return 0;
  const auto* text = member->if_string();
  if (!text) {
    fail(Errc::invalid_field, key, "expected a decimal string");
    return 0;
  }
  if (text->empty()) {
    fail(Errc::invalid_amount, key, "expected a decimal string, got an empty string");
    return 0;
  }
  if (const auto bad = text->find_first_not_of("0123456789"); bad != json::string::npos) {
    fail(Errc::invalid_amount, key, amount_shape_problem(*text, bad));
    return 0;
  }
  auto parsed = parse_u256(*text);
  if (!parsed) {
    fail(Errc::invalid_amount, key, "exceeds 2^256-1");
    return 0;
  }
  return *parsed;
}

std::optional<std::string> Reader::opt_amount_text(std::string_view key) {
  if (!optional(key)) return std::nullopt;
  amount(key);
  if (!ok()) return std::nullopt;
  return std::string(object_->at(key).get_string());
}

std::uint64_t Reader::uint(std::string_view key) {
  const auto* member = required(key);
  if (!member) return 0;
  switch (member->kind()) {
    case json::kind::uint64:
      return member->get_uint64();
    case json::kind::int64:
      if (member->get_int64() < 0) {
        fail(Errc::invalid_field, key, "must not be negative");
        return 0;
      }
      return static_cast<std::uint64_t>(member->get_int64());
    case json::kind::double_: {
      const double v = member->get_double();
      if (v < 0) {
        fail(Errc::invalid_field, key, "must not be negative");
      } else if (std::floor(v) != v) {
        fail(Errc::invalid_field, key, "expected an integer, got a fraction");
      } else if (v > kMaxExactDouble) {
        fail(Errc::invalid_field, key, "integer out of range");
      } else {
        return static_cast<std::uint64_t>(v);
      }
      return 0;
    }
    default:
      fail(Errc::invalid_field, key, "expected an integer");
      return 0;
  }
}

int Reader::version(std::string_view key, int wanted) {
  const auto* member = required(key);
  if (!member) return 0;
  std::optional<std::int64_t> number;
  if (member->is_int64()) number = member->get_int64();
  if (member->is_uint64()) number = -1;  // beyond int64: certainly unsupported
  if (member->is_double()) {
    const double v = member->get_double();
    number = (std::floor(v) == v && std::fabs(v) < 1e9) ? static_cast<std::int64_t>(v) : -1;
  }
  if (!number) {
    fail(Errc::invalid_field, key, "expected an integer");
    return 0;
  }
  const bool accepted = wanted == 0 ? (*number == 1 || *number == 2) : *number == wanted;
  if (!accepted) {
    const std::string expected = wanted == 0 ? "1 or 2" : std::to_string(wanted);
    const std::string got = *number == -1 ? "an out-of-range number" : std::to_string(*number);
    fail(Errc::unsupported_version, key, "expected " + expected + ", got " + got);
    return 0;
  }
  return static_cast<int>(*number);
}

JsonObject Reader::object(std::string_view key) {
  const auto* member = required(key);
  if (!member) return {};
  const auto* obj = member->if_object();
  if (!obj) {
    fail(Errc::invalid_field, key, "expected an object");
    return {};
  }
  return *obj;
}

json::value Reader::any(std::string_view key) {
  const auto* member = required(key);
  return member ? *member : json::value();
}

std::optional<std::string> Reader::opt_string(std::string_view key) {
  const auto* member = optional(key);
  if (!member) return std::nullopt;
  const auto* text = member->if_string();
  if (!text) {
    fail(Errc::invalid_field, key, "expected a string");
    return std::nullopt;
  }
  return std::string(*text);
}

std::optional<JsonObject> Reader::opt_object(std::string_view key) {
  const auto* member = optional(key);
  if (!member) return std::nullopt;
  const auto* obj = member->if_object();
  if (!obj) {
    fail(Errc::invalid_field, key, "expected an object");
    return std::nullopt;
  }
  return *obj;
}

const json::array* Reader::opt_array(std::string_view key) {
  const auto* member = optional(key);
  if (!member) return nullptr;
  const auto* array = member->if_array();
  if (!array) fail(Errc::invalid_field, key, "expected an array");
  return array;
}

std::optional<std::vector<std::string>> Reader::opt_strings(std::string_view key) {
  const auto* array = opt_array(key);
  if (!array) return std::nullopt;
  std::vector<std::string> out;
  out.reserve(array->size());
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto* text = (*array)[i].if_string();
    if (!text) {
      adopt(field_error(Errc::invalid_field, index_path(member_path(path_, key), i), "expected a string"));
      return std::nullopt;
    }
    out.emplace_back(*text);
  }
  return out;
}

const json::array* Reader::array_member(std::string_view key) {
  const auto* member = required(key);
  if (!member) return nullptr;
  const auto* array = member->if_array();
  if (!array) fail(Errc::invalid_field, key, "expected an array");
  return array;
}

}  // namespace x402::protocol
