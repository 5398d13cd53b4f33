// The `x402` command: one binary, one subcommand per role or tool.
#include <CLI/CLI.hpp>
#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"x402: HTTP 402 payments (client, seller gateway, facilitator)", "x402"};
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", std::string(X402_VERSION));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (app.get_subcommands().empty()) {
    std::cout << app.help();
  }
  return 0;
}
