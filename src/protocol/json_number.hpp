// Doubles as JavaScript prints them (internal to the protocol layer).
#pragma once

#include <string>

namespace x402::protocol {

// Number.prototype.toString: shortest round-trip digits, exponent form outside [1e-7, 1e21);
// "null" for NaN and infinities (as JSON.stringify writes them), "0" for -0.
[[nodiscard]] std::string js_number_to_string(double value);

// The same shortest digits, never in exponent form ("1e-7" -> "0.0000001", 1e21 -> "1" + 21
// zeros); "" for NaN and infinities.
[[nodiscard]] std::string plain_decimal(double value);

}  // namespace x402::protocol
