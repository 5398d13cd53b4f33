// A small reader for decoding one JSON object into a wire type (internal to the protocol layer).
//
// It tracks the JSON path ("accepts[0].amount") and keeps only the first error, so a decoder is a
// straight list of reads followed by finish(): no error plumbing between fields. After an error,
// further reads are no-ops returning empty values.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "x402/result.hpp"
#include "x402/types.hpp"
#include "x402/u256.hpp"

namespace x402::protocol {

[[nodiscard]] std::string member_path(std::string_view base, std::string_view key);
[[nodiscard]] std::string index_path(std::string_view base, std::size_t index);

// "<path>: <what>", or just <what> at the root.
[[nodiscard]] Error field_error(Errc code, std::string_view path, std::string_view what);

class Reader {
 public:
  // Records "expected an object" when `value` is not one.
  Reader(const boost::json::value& value, std::string path);

  [[nodiscard]] bool ok() const noexcept { return !error_.has_value(); }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

  template <typename T>
  Result<T> finish(T value) {
    if (error_) return std::move(*error_);
    return Result<T>(std::move(value));
  }

  // Records an error about member `key` ("" = this object) unless one is already recorded.
  void fail(Errc code, std::string_view key, std::string_view what);
  void adopt(Error error);
  // fail() when `condition` is false; for checks on values already read.
  void require(bool condition, Errc code, std::string_view key, std::string_view what);

  // The member as sent (null included), or nullptr when absent or after an error.
  [[nodiscard]] const boost::json::value* raw(std::string_view key) const noexcept;

  // Required members: absent -> missing_field; null or the wrong type -> invalid_field.
  std::string string(std::string_view key);      // "" allowed
  std::string text(std::string_view key);        // must not be empty
  std::string network_v2(std::string_view key);  // CAIP-2 shape (invalid_network)
  bool boolean(std::string_view key);
  U256 amount(std::string_view key);              // decimal uint256 string (invalid_amount)
  std::uint64_t uint(std::string_view key);       // non-negative integer that fits uint64
  int version(std::string_view key, int wanted);  // wanted 0 = 1 or 2 (unsupported_version)
  JsonObject object(std::string_view key);
  boost::json::value any(std::string_view key);

  // Optional members: absent and null both read as nullopt.
  std::optional<std::string> opt_string(std::string_view key);
  std::optional<std::string> opt_amount_text(std::string_view key);  // validated, kept as sent
  std::optional<JsonObject> opt_object(std::string_view key);
  std::optional<std::vector<std::string>> opt_strings(std::string_view key);

  // Nested typed members, decoded by `decode(const json::value&, const std::string& path)`.
  template <typename Decode>
  auto nested(std::string_view key, Decode decode)
      -> std::decay_t<decltype(*decode(std::declval<const boost::json::value&>(), ""))> {
    using T = std::decay_t<decltype(*decode(std::declval<const boost::json::value&>(), ""))>;
    const auto* member = required(key);
    if (!member) return T{};
    auto result = decode(*member, member_path(path_, key));
    if (!result) {
      adopt(result.take_error());
      return T{};
    }
    return std::move(*result);
  }

  template <typename Decode>
  auto opt_nested(std::string_view key, Decode decode)
      -> std::optional<std::decay_t<decltype(*decode(std::declval<const boost::json::value&>(), ""))>> {
    const auto* member = optional(key);
    if (!member) return std::nullopt;
    auto result = decode(*member, member_path(path_, key));
    if (!result) {
      adopt(result.take_error());
      return std::nullopt;
    }
    return std::move(*result);
  }

  // A required array of typed elements; `non_empty` makes [] an error.
  template <typename Decode>
  auto list(std::string_view key, Decode decode, bool non_empty)
      -> std::vector<std::decay_t<decltype(*decode(std::declval<const boost::json::value&>(), ""))>> {
    using T = std::decay_t<decltype(*decode(std::declval<const boost::json::value&>(), ""))>;
    std::vector<T> out;
    const auto* array = array_member(key);
    if (!array) return out;
    if (non_empty && array->empty()) {
      fail(Errc::invalid_field, key, "must not be empty");
      return out;
    }
    out.reserve(array->size());
    const std::string base = member_path(path_, key);
    for (std::size_t i = 0; i < array->size(); ++i) {
      auto result = decode((*array)[i], index_path(base, i));
      if (!result) {
        adopt(result.take_error());
        return {};
      }
      out.push_back(std::move(*result));
    }
    return out;
  }

  // Members of an optional array or object, or nullptr when absent/null.
  const boost::json::array* opt_array(std::string_view key);

 private:
  const boost::json::value* required(std::string_view key);
  const boost::json::value* optional(std::string_view key);
  const boost::json::array* array_member(std::string_view key);

  const boost::json::object* object_ = nullptr;
  std::string path_;
  std::optional<Error> error_;
};

// Value checks shared by the decoders.
[[nodiscard]] bool is_caip2_shape(std::string_view network) noexcept;  // zod: length >= 3 with ':'
[[nodiscard]] bool is_printable_ascii(std::string_view text) noexcept;

}  // namespace x402::protocol
