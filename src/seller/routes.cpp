// Route patterns and requirement building: the pure parts of the seller (x402-reference §6.1, §6.2).
#include <algorithm>
#include <array>
#include <cctype>

#include "seller/seller.hpp"

namespace x402::seller {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// "" (any verb) or equal ignoring case; `verb` is upper-case.
bool verb_matches(std::string_view verb, std::string_view method) {
  if (verb.empty()) return true;
  if (method.size() != verb.size()) return false;
  for (std::size_t i = 0; i < method.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(method[i])) != verb[i]) return false;
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends one segment percent-decoded to `out`; an encoded '/' stays "%2F" so segments keep
// their boundaries. A malformed escape appends the segment as it came.
void append_decoded_segment(std::string& out, std::string_view segment) {
  const std::size_t start = out.size();
  for (std::size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] != '%') {
      out += segment[i];
      continue;
    }
    if (i + 2 >= segment.size()) {  // fewer than two digits follow
      out.resize(start);
      out += segment;
      return;
    }
    const int hi = hex_value(segment[i + 1]);
    const int lo = hex_value(segment[i + 2]);
    if (hi < 0 || lo < 0) {
      out.resize(start);
      out += segment;
      return;
    }
    const char c = static_cast<char>(hi * 16 + lo);
    if (c == '/')
      out += "%2F";
    else
      out += c;
    i += 2;
  }
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    if (end > start) out.emplace_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

bool is_verb(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
}

// Tokens of a compiled pattern besides literal characters.
constexpr char kAnyRun = '\x01';      // '*': any run of characters, '/' included, possibly empty
constexpr char kOneChar = '\x03';     // first character of a parameter: one character, not '/'
constexpr char kSegmentRun = '\x04';  // rest of a parameter: any run without '/', possibly empty

// Matches `path` against a compiled pattern by simulating its automaton: O(path x pattern), no
// recursion, so a long hostile path costs linear time whatever the pattern.
bool glob(std::string_view pattern, std::string_view path) {
  const std::size_t n = pattern.size();
  // Two state sets of n + 1 flags: on the stack for the usual pattern, else on the heap.
  constexpr std::size_t kInline = 128;
  std::array<char, 2 * kInline> inline_sets;
  std::vector<char> heap_sets;
  char* sets = inline_sets.data();
  if (n + 1 > kInline) {
    heap_sets.resize(2 * (n + 1));
    sets = heap_sets.data();
  }
  char* states = sets;
  char* next = sets + n + 1;
  std::fill(states, states + n + 1, 0);
  const auto close = [&](char* set) {
    for (std::size_t p = 0; p < n; ++p)
      if (set[p] && (pattern[p] == kAnyRun || pattern[p] == kSegmentRun)) set[p + 1] = 1;
  };
  states[0] = 1;
  close(states);
  for (const char c : path) {
    std::fill(next, next + n + 1, 0);
    bool any = false;
    for (std::size_t p = 0; p < n; ++p) {
      if (!states[p]) continue;
      const char token = pattern[p];
      if (token == kAnyRun || (token == kSegmentRun && c != '/'))
        next[p] = 1;
      else if ((token == kOneChar && c != '/') || token == c)
        next[p + 1] = 1;
      else
        continue;
      any = true;
    }
    if (!any) return false;
    close(next);
    std::swap(states, next);
  }
  return states[n] != 0;
}

}  // namespace

std::string normalize_path(std::string_view target) {
  const std::size_t cut = target.find_first_of("?#");
  if (cut != std::string_view::npos) target = target.substr(0, cut);
  // Built in place: "/" + segment per kept segment. A decoded segment holds no '/' (an encoded
  // one stays "%2F"), so the last '/' in `out` starts the last segment.
  std::string out;
  out.reserve(target.size() + 1);
  std::size_t start = 0;
  while (start <= target.size()) {
    const std::size_t slash = target.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? target.size() : slash;
    if (end > start) {
      const std::size_t mark = out.size();
      out += '/';
      append_decoded_segment(out, target.substr(start, end - start));
      const std::string_view segment = std::string_view(out).substr(mark + 1);
      if (segment == ".") {
        out.resize(mark);
      } else if (segment == "..") {
        out.resize(mark);
        const std::size_t previous = out.rfind('/');
        out.resize(previous == std::string::npos ? 0 : previous);
      } else {
        std::transform(out.begin() + static_cast<std::ptrdiff_t>(mark) + 1, out.end(),
                       out.begin() + static_cast<std::ptrdiff_t>(mark) + 1, lower);
      }
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (out.empty()) out = "/";
  return out;
}

Result<RoutePattern> RoutePattern::parse(std::string_view pattern) {
  std::string_view text = pattern;
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  RoutePattern out;
  if (const std::size_t space = text.find(' '); space != std::string_view::npos) {
    const std::string_view verb = text.substr(0, space);
    if (!is_verb(verb))
      return make_error(Errc::invalid_argument, "route \"" + std::string(pattern) + "\": invalid verb");
    for (char c : verb) out.verb_ += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    text.remove_prefix(space);
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  }
  if (text.empty())
    return make_error(Errc::invalid_argument, "route \"" + std::string(pattern) + "\": empty path");
  if (text == "*") {
    out.path_ = "*";
    return out;
  }
  if (text.front() != '/')
    return make_error(Errc::invalid_argument,
                      "route \"" + std::string(pattern) + "\": path must start with '/'");
  if (text.find_first_of("?#") != std::string_view::npos)
    return make_error(Errc::invalid_argument,
                      "route \"" + std::string(pattern) + "\": path must not carry a query");
  auto segments = split_path(text);
  if (!segments.empty() && segments.back() == "*") {
    out.prefix_ = true;
    segments.pop_back();
  }
  for (auto& segment : segments) {
    std::string compiled;
    for (std::size_t i = 0; i < segment.size(); ++i) {
      const char c = segment[i];
      if (c == '*') {
        compiled += kAnyRun;
      } else if (c == ':' && i == 0) {
        if (segment.size() == 1)
          return make_error(Errc::invalid_argument,
                            "route \"" + std::string(pattern) + "\": empty parameter name");
        compiled += kOneChar;
        compiled += kSegmentRun;
        break;  // ":name" is the whole segment
      } else if (c == '[') {
        const std::size_t close = segment.find(']', i);
        if (close == std::string::npos || close == i + 1)
          return make_error(Errc::invalid_argument,
                            "route \"" + std::string(pattern) + "\": bad [parameter]");
        compiled += kOneChar;
        compiled += kSegmentRun;
        i = close;
      } else {
        compiled += lower(c);
      }
    }
    out.compiled_ += '/';
    out.compiled_ += compiled;
  }
  constexpr char kTokens[] = {kAnyRun, kOneChar, kSegmentRun};
  out.literal_ = out.compiled_.find_first_of(std::string_view(kTokens, sizeof kTokens)) == std::string::npos;
  if (out.prefix_) {
    out.compiled_prefix_ = out.compiled_;
    out.compiled_prefix_ += '/';
    out.compiled_prefix_ += kAnyRun;
  }
  out.path_.clear();
  for (const auto& segment : segments) out.path_ += "/" + segment;
  if (out.prefix_) out.path_ += "/*";
  if (out.path_.empty()) out.path_ = "/";
  return out;
}

bool RoutePattern::matches(std::string_view method, std::string_view target) const {
  if (!verb_matches(verb_, method)) return false;  // before normalising the path
  if (path_ == "*") return true;
  return matches_normalized(method, normalize_path(target));
}

bool RoutePattern::matches_normalized(std::string_view method, std::string_view path) const {
  if (!verb_matches(verb_, method)) return false;
  if (path_ == "*") return true;
  if (!prefix_) {
    const std::string_view whole = compiled_.empty() ? std::string_view("/") : std::string_view(compiled_);
    return literal_ ? path == whole : glob(whole, path);
  }
  if (compiled_.empty()) return true;  // "/*": everything
  if (literal_)                        // the prefix itself, or below it
    return path.substr(0, compiled_.size()) == compiled_ &&
           (path.size() == compiled_.size() || path[compiled_.size()] == '/');
  return glob(compiled_, path) || glob(compiled_prefix_, path);
}

// ---------------------------------------------------------------------------------------------

Result<ResolvedOption> resolve_option(const PaymentOption& option, const NetworkRegistry& networks,
                                      const SchemeRegistry<SchemeServer>& schemes) {
  if (option.scheme.empty()) return make_error(Errc::invalid_argument, "scheme is empty");
  std::string network;
  if (auto caip2 = networks.to_caip2(option.network)) {
    network = *caip2;
  } else if (parse_caip2(option.network)) {
    network = option.network;
  } else {
    return make_error(Errc::invalid_network, "unknown network \"" + option.network + "\"");
  }
  if (option.pay_to.empty()) return make_error(Errc::invalid_argument, "payTo is empty");
  if (option.max_timeout_seconds == 0)
    return make_error(Errc::invalid_argument, "maxTimeoutSeconds must be > 0");
  const SchemeServer* server = schemes.find(2, option.scheme, network);
  if (server == nullptr)
    return make_error(Errc::invalid_argument, "no scheme server for " + option.scheme + " on " + network);

  AssetAmount price;
  if (const auto* money = std::get_if<Money>(&option.price)) {
    auto resolved = server->parse_price(*money, network);
    if (!resolved) return make_error(resolved.error().code, "price: " + resolved.error().message);
    price = std::move(*resolved);
  } else {
    price = std::get<AssetAmount>(option.price);
    if (price.asset.empty()) return make_error(Errc::invalid_argument, "price: asset is empty");
  }

  ResolvedOption out;
  out.requirements.scheme = option.scheme;
  out.requirements.network = network;
  out.requirements.amount = price.amount;
  out.requirements.asset = price.asset;
  out.requirements.pay_to = option.pay_to;
  out.requirements.max_timeout_seconds = option.max_timeout_seconds;
  JsonObject extra = price.extra;
  if (option.extra)
    for (const auto& member : *option.extra) extra[member.key()] = member.value();
  out.requirements.extra = std::move(extra);  // the reference always emits extra, possibly {}
  out.v1_network = networks.to_v1_name(network);
  return out;
}

PaymentRequirementsV1 to_v1(const PaymentRequirements& requirements, std::string v1_network,
                            std::string resource_url, std::string description, std::string mime_type) {
  PaymentRequirementsV1 out;
  out.scheme = requirements.scheme;
  out.network = std::move(v1_network);
  out.max_amount_required = requirements.amount;
  out.resource = std::move(resource_url);
  out.description = std::move(description);
  out.mime_type = std::move(mime_type);
  out.pay_to = requirements.pay_to;
  out.max_timeout_seconds = requirements.max_timeout_seconds;
  out.asset = requirements.asset;
  out.extra = requirements.extra;
  return out;
}

bool accepted_matches(const PaymentRequirements& accepted, const PaymentRequirements& server) {
  if (accepted.scheme != server.scheme || accepted.network != server.network ||
      accepted.amount != server.amount || accepted.asset != server.asset ||
      accepted.pay_to != server.pay_to || accepted.max_timeout_seconds != server.max_timeout_seconds)
    return false;
  if (!server.extra || server.extra->empty()) return true;
  if (!accepted.extra) return false;
  for (const auto& member : *server.extra) {
    const auto* theirs = accepted.extra->if_contains(member.key());
    if (theirs == nullptr || *theirs != member.value()) return false;
  }
  return true;
}

}  // namespace x402::seller
