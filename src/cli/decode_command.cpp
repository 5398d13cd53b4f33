// `x402 decode VALUE`: any x402 header value (base64) or body (JSON) -> validated, indented JSON.
#include <iostream>
#include <iterator>

#include "cli/command.hpp"
#include "cli/json_print.hpp"
#include "cli/message_kind.hpp"
#include "x402/codec.hpp"

namespace x402::cli {
namespace {

int run_decode(const std::string& input, bool show_kind) {
  std::string value = input;
  if (value == "-") value.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  auto decoded = decode_message(value);
  if (!decoded) return fail("decode", decoded.error().describe());
  if (show_kind) std::cerr << to_string(decoded->kind) << '\n';
  std::cout << pretty_json(decoded->json) << '\n';
  return kExitOk;
}

const CommandRegistration registration{
    "decode", [](CLI::App& app) {
      auto* command = app.add_subcommand(
          "decode",
          "Decode an x402 header value (PAYMENT-REQUIRED, PAYMENT-SIGNATURE, PAYMENT-RESPONSE, X-PAYMENT,\n"
          "X-PAYMENT-RESPONSE) or JSON body (v1 402 body, facilitator request/response) and print it as\n"
          "indented JSON. The value is validated against the matching x402 type; stdout holds only JSON.");
      auto value = std::make_shared<std::string>();
      auto show_kind = std::make_shared<bool>(false);
      command->add_option("VALUE", *value, "header value or JSON text; '-' reads standard input")->required();
      command->add_flag("--kind", *show_kind, "also print the detected message type on stderr");
      return [value, show_kind] { return run_decode(*value, *show_kind); };
    }};

}  // namespace
}  // namespace x402::cli
