// `x402 payload`: sign a payment for a 402 and print the header value to send.
//   curl -H "PAYMENT-SIGNATURE: $(x402 payload --required "$REQUIRED" --key-file buyer.key)" URL
#include <cstdint>
#include <iostream>
#include <iterator>
#include <memory>

#include "cli/command.hpp"
#include "cli/key_options.hpp"
#include "client/payment.hpp"
#include "schemes/exact/evm/client.hpp"
#include "x402/codec.hpp"

namespace x402::cli {
namespace {

struct PayloadOptions {
  std::string required;
  std::int64_t accept = 0;  // signed so that "-1" is refused, not wrapped to SIZE_MAX
  KeyOptions key;
};

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

int run_payload(const PayloadOptions& options) {
  std::string required = options.required;
  if (required == "-")
    required.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  required = trim(required);
  if (required.empty()) return fail("payload", "--required is empty", kExitUsage);

  auto key = load_key(options.key);
  if (!key) return fail("payload", key.error().describe(), kExitUsage);
  auto networks = std::make_shared<const NetworkRegistry>(NetworkRegistry::with_defaults());
  const exact_evm::ExactEvmClient scheme(*key, networks);

  // The value is JSON text (a v1 402 body or, for convenience, a v2 PaymentRequired) or the
  // base64 value of a PAYMENT-REQUIRED header; the x402Version inside decides which it is. The
  // size cap is the body cap, not the header one: a 402 with many options and extension schemas
  // can exceed 8 KiB, and `x402 decode` accepts it too.
  std::string json_text;
  if (required.front() == '{') {
    json_text = required;
  } else {
    auto text = base64_decode(required, JsonLimits{}.max_bytes);
    if (!text) return fail("payload", "--required: " + text.error().describe());
    json_text = std::move(*text);
  }
  auto parsed = parse_json(json_text);
  if (!parsed) return fail("payload", "--required: " + parsed.error().describe());
  const auto* object = parsed->if_object();
  const auto* version = object ? object->if_contains("x402Version") : nullptr;
  const bool is_v1 = version != nullptr && version->is_int64() && version->get_int64() == 1;

  if (is_v1) {
    auto body = from_json<PaymentRequirementsResponse>(*parsed);
    if (!body) return fail("payload", "--required: " + body.error().describe());
    if (static_cast<std::uint64_t>(options.accept) >= body->accepts.size())
      return fail("payload",
                  "--accept " + std::to_string(options.accept) + " is out of range: the 402 offers " +
                      std::to_string(body->accepts.size()) + " option(s)",
                  kExitUsage);
    const auto& chosen = body->accepts[static_cast<std::size_t>(options.accept)];
    if (chosen.scheme != "exact") return fail("payload", "unsupported scheme: " + chosen.scheme);
    auto payment = client::create_payment_v1(chosen, scheme);
    if (!payment) return fail("payload", payment.error().describe());
    std::cout << encode_header(*payment) << '\n';
    return kExitOk;
  }

  auto paid = from_json<PaymentRequired>(*parsed);
  if (!paid) return fail("payload", "--required: " + paid.error().describe());
  if (static_cast<std::uint64_t>(options.accept) >= paid->accepts.size())
    return fail("payload",
                "--accept " + std::to_string(options.accept) + " is out of range: the 402 offers " +
                    std::to_string(paid->accepts.size()) + " option(s)",
                kExitUsage);
  const auto& chosen = paid->accepts[static_cast<std::size_t>(options.accept)];
  if (chosen.scheme != "exact") return fail("payload", "unsupported scheme: " + chosen.scheme);
  auto payment = client::create_payment(*paid, chosen, scheme);
  if (!payment) return fail("payload", payment.error().describe());
  std::cout << encode_header(*payment) << '\n';
  return kExitOk;
}

const CommandRegistration registration{
    "payload", [](CLI::App& app) {
      auto* command = app.add_subcommand(
          "payload",
          "Sign a payment for a 402 and print the header value to send: PAYMENT-SIGNATURE for a v2\n"
          "PAYMENT-REQUIRED header value, X-PAYMENT for a v1 402 JSON body. Only the value goes to stdout.");
      auto options = std::make_shared<PayloadOptions>();
      command
          ->add_option("--required", options->required,
                       "PAYMENT-REQUIRED header value, or the v1 402 JSON body; '-' reads standard input")
          ->required();
      command->add_option("--accept", options->accept, "index of the offered option to pay (default 0)")
          ->check(CLI::Validator(
              [](std::string& text) {
                return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos
                           ? std::string{}
                           : std::string("expected an option index: 0, 1, 2, ...");
              },
              "INDEX"));
      add_key_options(*command, options->key);
      return [options] { return run_payload(*options); };
    }};

}  // namespace
}  // namespace x402::cli
