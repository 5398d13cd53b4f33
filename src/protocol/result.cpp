#include "x402/result.hpp"

namespace x402 {

std::string_view to_string(Errc code) noexcept {
  switch (code) {
    case Errc::invalid_argument:
      return "invalid_argument";
    case Errc::invalid_hex:
      return "invalid_hex";
    case Errc::invalid_base64:
      return "invalid_base64";
    case Errc::too_large:
      return "too_large";
    case Errc::invalid_json:
      return "invalid_json";
    case Errc::invalid_field:
      return "invalid_field";
    case Errc::missing_field:
      return "missing_field";
    case Errc::unsupported_version:
      return "unsupported_version";
    case Errc::invalid_network:
      return "invalid_network";
    case Errc::unknown_asset:
      return "unknown_asset";
    case Errc::invalid_amount:
      return "invalid_amount";
    case Errc::invalid_key:
      return "invalid_key";
    case Errc::invalid_signature:
      return "invalid_signature";
    case Errc::crypto_failure:
      return "crypto_failure";
    case Errc::io_error:
      return "io_error";
    case Errc::timeout:
      return "timeout";
    case Errc::not_found:
      return "not_found";
    case Errc::conflict:
      return "conflict";
    case Errc::unavailable:
      return "unavailable";
    case Errc::internal:
      return "internal";
  }
  return "internal";
}

std::string Error::describe() const {
  std::string out(to_string(code));
  if (!message.empty()) {
    out += ": ";
    out += message;
  }
  return out;
}

}  // namespace x402
