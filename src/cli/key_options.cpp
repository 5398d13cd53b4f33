#include "cli/key_options.hpp"

namespace x402::cli {

void add_key_options(CLI::App& command, KeyOptions& options, bool required) {
  auto* file =
      command.add_option("--key-file", options.key_file, "file holding the 0x-hex private key (mode 0600)");
  auto* env = command.add_option("--key-env", options.key_env,
                                 "name of an environment variable holding the 0x-hex private key");
  file->excludes(env);
  if (required) {
    command.callback([&command, file, env] {
      if (file->count() == 0 && env->count() == 0) throw CLI::RequiredError("--key-file or --key-env");
      (void)command;
    });
  }
}

Result<PrivateKey> load_key(const KeyOptions& options) {
  if (!options.key_file.empty()) return PrivateKey::load_file(options.key_file);
  if (!options.key_env.empty()) return PrivateKey::from_env(options.key_env);
  return make_error(Errc::invalid_key, "no key given: use --key-file FILE or --key-env VAR");
}

}  // namespace x402::cli
