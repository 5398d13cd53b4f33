// --key-file / --key-env: where a command's private key comes from. Never from argv itself.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "x402/keys.hpp"

namespace x402::cli {

struct KeyOptions {
  std::string key_file;
  std::string key_env;
};

void add_key_options(CLI::App& command, KeyOptions& options, bool required = true);
[[nodiscard]] Result<PrivateKey> load_key(const KeyOptions& options);

}  // namespace x402::cli
