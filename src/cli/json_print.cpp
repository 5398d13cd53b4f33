#include "cli/json_print.hpp"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "x402/codec.hpp"

namespace x402::cli {
namespace {

// ECMAScript array index: canonical decimal ("0", no leading zeros) below 2^32 - 1. JS objects
// enumerate such keys first, ascending, then the rest in insertion order.
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

// Members in the order JSON.stringify visits them.
std::vector<const boost::json::key_value_pair*> js_member_order(const boost::json::object& object) {
  std::vector<const boost::json::key_value_pair*> members;
  members.reserve(object.size());
  for (const auto& member : object)
    if (is_array_index(member.key())) members.push_back(&member);
  std::sort(members.begin(), members.end(),
            [](const auto* a, const auto* b) { return index_value(a->key()) < index_value(b->key()); });
  for (const auto& member : object)
    if (!is_array_index(member.key())) members.push_back(&member);
  return members;
}

void print(const boost::json::value& value, std::string& out, int depth) {
  const auto indent = [&](int level) { out.append(static_cast<std::size_t>(level) * 2, ' '); };
  if (value.is_object()) {
    const auto& object = value.get_object();
    if (object.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (const auto* member : js_member_order(object)) {
      if (!first) out += ",\n";
      first = false;
      indent(depth + 1);
      out += stringify(boost::json::value(member->key()));
      out += ": ";
      print(member->value(), out, depth + 1);
    }
    out += '\n';
    indent(depth);
    out += '}';
  } else if (value.is_array()) {
    const auto& array = value.get_array();
    if (array.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    bool first = true;
    for (const auto& element : array) {
      if (!first) out += ",\n";
      first = false;
      indent(depth + 1);
      print(element, out, depth + 1);
    }
    out += '\n';
    indent(depth);
    out += ']';
  } else {
    // Scalars exactly as JavaScript writes them (1.5, not Boost's 1.5E0; JS string escapes).
    out += stringify(value);
  }
}

}  // namespace

std::string pretty_json(const boost::json::value& value) {
  std::string out;
  print(value, out, 0);
  return out;
}

}  // namespace x402::cli
