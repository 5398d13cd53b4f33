// 402 answer texts, rendered from the documents or filled into a per-route template
// (x402-reference §1.1, §1.2, §1.6).
#include <boost/json/value.hpp>

#include "seller/seller.hpp"
#include "x402/codec.hpp"

namespace x402::seller {
namespace {

// Stands for the resource URL while a template is made. Plain ASCII without JSON escapes, so it
// appears in the serialized text as itself, between quotes.
constexpr std::string_view kPlaceholder = "x402-resource-url-placeholder-6f1c9a2e";

// The URL as a JSON string literal, exactly as stringify writes it.
void append_quoted(std::string& out, std::string_view text) {
  bool plain = true;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == '"' || byte == '\\') {
      plain = false;
      break;
    }
  }
  if (plain) {  // stringify copies such a string verbatim between quotes
    out += '"';
    out += text;
    out += '"';
  } else {
    out += stringify(boost::json::value(boost::json::string_view(text.data(), text.size())));
  }
}

// `text` cut at every occurrence of `needle`.
std::vector<std::string> split(std::string_view text, std::string_view needle) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t at = text.find(needle, start);
    if (at == std::string_view::npos) break;
    out.emplace_back(text.substr(start, at - start));
    start = at + needle.size();
  }
  out.emplace_back(text.substr(start));
  return out;
}

}  // namespace

PaymentRequiredTexts render(const PaymentRequiredDocuments& documents) {
  return PaymentRequiredTexts{encode_header(documents.required), serialize(documents.body)};
}

std::optional<PaymentRequiredTemplate> PaymentRequiredTemplate::make(const Builder& build) {
  const PaymentRequiredDocuments documents = build(std::string(kPlaceholder));
  std::string quoted;
  append_quoted(quoted, kPlaceholder);

  // The header: the URL exactly once (resource.url).
  const std::vector<std::string> header = split(serialize(documents.required), quoted);
  if (header.size() != 2) return std::nullopt;
  // The body: once per v1 requirement (accepts[i].resource), nowhere else.
  std::vector<std::string> body = split(serialize(documents.body), quoted);
  if (body.size() != documents.body.accepts.size() + 1) return std::nullopt;

  PaymentRequiredTemplate out;
  const std::string& head = header[0];
  const std::size_t whole = head.size() - head.size() % 3;
  out.header_head_b64_ = base64_encode(std::string_view(head).substr(0, whole));
  out.header_carry_ = head.substr(whole);
  out.header_tail_ = header[1];
  if (out.header_tail_.size() < 2) return std::nullopt;  // "}" at least follows, with accepts more
  for (std::size_t skip = 0; skip < 3; ++skip)
    out.header_tail_b64_[skip] = base64_encode(std::string_view(out.header_tail_).substr(skip));
  out.body_pieces_ = std::move(body);

  // Proof on URLs of every length modulo 3, with and without characters JSON escapes.
  for (const std::string probe : {"http://127.0.0.1:4021/weather", "https://h/p?q=1", "https://h/pa?q=12",
                                  "http://h/\"quoted\"\\back\tslash\x01/caf\xc3\xa9", ""}) {
    const PaymentRequiredTexts filled = out.fill(probe);
    const PaymentRequiredTexts fresh = render(build(probe));
    if (filled.header != fresh.header || filled.body != fresh.body) return std::nullopt;
  }
  return out;
}

PaymentRequiredTexts PaymentRequiredTemplate::fill(std::string_view resource_url) const {
  // The URL as JSON text: carry + "url" + the tail bytes completing a triple, in one buffer.
  std::string middle;
  middle.reserve(header_carry_.size() + resource_url.size() + 4);
  middle += header_carry_;
  append_quoted(middle, resource_url);
  const std::string_view quoted = std::string_view(middle).substr(header_carry_.size());

  // Body: the pieces around each occurrence of the URL.
  PaymentRequiredTexts out;
  std::size_t size = quoted.size() * (body_pieces_.size() - 1);
  for (const auto& piece : body_pieces_) size += piece.size();
  out.body.reserve(size);
  for (std::size_t i = 0; i < body_pieces_.size(); ++i) {
    if (i > 0) out.body += quoted;
    out.body += body_pieces_[i];
  }

  // Header: base64(head + "url" + tail) = head_b64 + base64(middle) + base64(rest of the tail), as
  // the first two parts encode a multiple of 3 bytes each.
  const std::size_t borrow = (3 - middle.size() % 3) % 3;  // <= 2 <= header_tail_.size()
  middle.append(header_tail_, 0, borrow);
  const std::string middle_b64 = base64_encode(middle);
  const std::string& tail_b64 = header_tail_b64_[borrow];
  out.header.reserve(header_head_b64_.size() + middle_b64.size() + tail_b64.size());
  out.header += header_head_b64_;
  out.header += middle_b64;
  out.header += tail_b64;
  return out;
}

}  // namespace x402::seller
