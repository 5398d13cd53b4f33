#include "cli/json_print.hpp"

#include <boost/json/serialize.hpp>

namespace x402::cli {
namespace {

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
    for (const auto& member : object) {
      if (!first) out += ",\n";
      first = false;
      indent(depth + 1);
      out += boost::json::serialize(boost::json::value(member.key()));
      out += ": ";
      print(member.value(), out, depth + 1);
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
    out += boost::json::serialize(value);
  }
}

}  // namespace

std::string pretty_json(const boost::json::value& value) {
  std::string out;
  print(value, out, 0);
  return out;
}

}  // namespace x402::cli
