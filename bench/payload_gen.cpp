// x402_bench_payloads: mass-produces distinct signed v2 payments for the load tests in bench/run
// (every /settle and every paid request needs a fresh EIP-3009 authorization). Not a user tool.
//
//   x402_bench_payloads --required FILE --key-file B1 [--key-file B2 ...] --count N
//                       --format body|header --out FILE
//
// --required: a file holding a v2 PaymentRequired, as JSON or as the base64 PAYMENT-REQUIRED value.
// The buyers are used round-robin. One payment per output line:
//   body    {"x402Version":2,"paymentPayload":…,"paymentRequirements":…}  (a /verify or /settle body)
//   header  the PAYMENT-SIGNATURE value for a paid request to the seller that sent the 402
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client/payment.hpp"
#include "schemes/exact/evm/client.hpp"
#include "x402/codec.hpp"
#include "x402/keys.hpp"
#include "x402/networks.hpp"

namespace {

using namespace x402;

int usage(const char* message) {
  std::cerr << "x402_bench_payloads: " << message
            << "\nusage: x402_bench_payloads --required FILE --key-file F [--key-file F ...] --count N"
               " --format body|header --out FILE\n";
  return 2;
}

std::string trim(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

}  // namespace

int main(int argc, char** argv) {
  std::string required_file, format = "body", out_file;
  std::vector<std::string> key_files;
  long count = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) return usage("missing value after a flag");
    const char* value = argv[++i];
    if (arg == "--required")
      required_file = value;
    else if (arg == "--key-file")
      key_files.emplace_back(value);
    else if (arg == "--count")
      count = std::strtol(value, nullptr, 10);
    else if (arg == "--format")
      format = value;
    else if (arg == "--out")
      out_file = value;
    else
      return usage("unknown flag");
  }
  if (required_file.empty() || key_files.empty() || count <= 0 || out_file.empty())
    return usage("--required, --key-file, --count and --out are required");
  if (format != "body" && format != "header") return usage("--format: body or header");

  std::ifstream in(required_file, std::ios::binary);
  if (!in) return usage("cannot read --required");
  std::string text = trim(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
  if (text.empty()) return usage("--required is empty");
  if (text.front() != '{') {
    auto decoded = base64_decode(text, 1 << 20);
    if (!decoded) return usage("--required: neither JSON nor base64");
    text = std::move(*decoded);
  }
  auto required = decode_json<PaymentRequired>(text);
  if (!required || required->accepts.empty()) {
    std::cerr << "x402_bench_payloads: --required: not a v2 PaymentRequired with an offer\n";
    return 1;
  }
  const PaymentRequirements& chosen = required->accepts.front();

  auto networks = std::make_shared<const NetworkRegistry>(NetworkRegistry::with_defaults());
  std::vector<std::unique_ptr<exact_evm::ExactEvmClient>> buyers;
  for (const auto& file : key_files) {
    auto key = PrivateKey::load_file(file);
    if (!key) {
      std::cerr << "x402_bench_payloads: " << file << ": " << key.error().describe() << '\n';
      return 1;
    }
    buyers.push_back(std::make_unique<exact_evm::ExactEvmClient>(*key, networks));
  }

  std::ofstream out(out_file, std::ios::binary | std::ios::trunc);
  if (!out) return usage("cannot write --out");
  for (long i = 0; i < count; ++i) {
    auto payment =
        client::create_payment(*required, chosen, *buyers[static_cast<std::size_t>(i) % buyers.size()]);
    if (!payment) {
      std::cerr << "x402_bench_payloads: signing failed: " << payment.error().describe() << '\n';
      return 1;
    }
    if (format == "header") {
      out << encode_header(*payment) << '\n';
    } else {
      const FacilitatorRequest request = PaymentRequestV2{std::move(*payment), chosen};
      out << serialize(request) << '\n';
    }
  }
  out.close();
  if (!out) {
    std::cerr << "x402_bench_payloads: write failed\n";
    return 1;
  }
  return 0;
}
