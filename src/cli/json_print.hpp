// Indented JSON for humans (JSON.stringify(value, null, 2) layout); key order preserved.
#pragma once

#include <boost/json/value.hpp>
#include <string>

namespace x402::cli {

[[nodiscard]] std::string pretty_json(const boost::json::value& value);

}  // namespace x402::cli
