// The pieces of the JSON.stringify-exact writer (json_text.cpp), for codec.cpp to write the header
// types straight to text (internal to the protocol layer). Each appends to `out`.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace x402::protocol {

// A JSON string with JSON.stringify's escapes.
void write_string(std::string& out, std::string_view text);
// Integers as JS prints the number (exact up to 2^53, rounded like a JS number beyond).
void write_int(std::string& out, std::int64_t value);
void write_uint(std::string& out, std::uint64_t value);
// Any value; objects enumerate integer-like keys first, as JS objects do.
void write_value(std::string& out, const boost::json::value& value);
void write_object(std::string& out, const boost::json::object& object);

}  // namespace x402::protocol
