// Result<T>: a value or an Error. The pure layers (codecs, hashing, verification rules) never throw;
// they return one of these. Error codes are stable identifiers; messages are for humans.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace x402 {

// Stable, machine-readable classes of failure. to_string() gives the snake_case name used in
// CLI output and HTTP error bodies; keep names stable once released.
enum class Errc : std::uint8_t {
  invalid_argument,     // a caller passed something unusable
  invalid_hex,          // not 0x-prefixed hex of the expected length
  invalid_base64,       // not standard padded base64
  too_large,            // input over a configured size cap
  invalid_json,         // not parseable JSON
  invalid_field,        // a member has the wrong type or an invalid value
  missing_field,        // a required member is absent
  unsupported_version,  // x402Version is not 1 or 2
  invalid_network,      // not CAIP-2 / unknown v1 name
  unknown_asset,        // no asset configured for a network or symbol
  invalid_amount,       // amount or price not representable
  invalid_key,          // private key unusable or unreadable
  invalid_signature,    // malformed or unrecoverable signature
  crypto_failure,       // the crypto library refused (should not happen with valid input)
  io_error,             // file, socket or process failure
  timeout,              // a bounded wait ran out
  not_found,            // lookup found nothing
  conflict,             // state does not allow the operation
  unavailable,          // a dependency (RPC, facilitator, DB) could not be reached
  internal,             // a bug: an invariant did not hold
};

std::string_view to_string(Errc code) noexcept;

struct Error {
  Errc code = Errc::internal;
  std::string message;

  // "<code>: <message>", for logs and CLI output.
  [[nodiscard]] std::string describe() const;
};

[[nodiscard]] inline Error make_error(Errc code, std::string message) {
  return Error{code, std::move(message)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value)
      : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error)
      : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  // Precondition: ok().
  T& value() & noexcept { return *std::get_if<0>(&state_); }
  const T& value() const& noexcept { return *std::get_if<0>(&state_); }
  T&& value() && noexcept { return std::move(*std::get_if<0>(&state_)); }
  T* operator->() noexcept { return std::get_if<0>(&state_); }
  const T* operator->() const noexcept { return std::get_if<0>(&state_); }
  T& operator*() & noexcept { return value(); }
  const T& operator*() const& noexcept { return value(); }

  // Precondition: !ok().
  [[nodiscard]] const Error& error() const noexcept { return *std::get_if<1>(&state_); }
  Error&& take_error() noexcept { return std::move(*std::get_if<1>(&state_)); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] const Error& error() const noexcept { return error_; }
  Error&& take_error() noexcept { return std::move(error_); }

 private:
  Error error_;
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace x402
