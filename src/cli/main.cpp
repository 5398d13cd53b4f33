// The `x402` command: one binary, one subcommand per role or tool (see command.hpp).
#include <algorithm>
#include <iostream>
#include <map>

#include "cli/command.hpp"

namespace x402::cli {

std::vector<RegisteredCommand>& registered_commands() {
  static std::vector<RegisteredCommand> commands;
  return commands;
}

CommandRegistration::CommandRegistration(std::string name, CommandSetup setup) {
  registered_commands().push_back({std::move(name), std::move(setup)});
}

int fail(const std::string& command, const std::string& message, int code) {
  std::cerr << "x402 " << command << ": " << message << '\n';
  return code;
}

}  // namespace x402::cli

int main(int argc, char** argv) {
  using namespace x402::cli;
  CLI::App app{"x402: HTTP 402 payments in C++ (client, seller gateway, facilitator)", "x402"};
  app.set_version_flag("--version", std::string(X402_VERSION));
  app.require_subcommand(0, 1);

  auto commands = registered_commands();
  std::sort(commands.begin(), commands.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  std::map<CLI::App*, std::function<int()>> runners;
  for (const auto& command : commands) {
    auto* before = app.get_subcommands({}).empty() ? nullptr : app.get_subcommands({}).back();
    auto run = command.setup(app);
    auto* added = app.get_subcommands({}).back();
    if (added != before) runners[added] = std::move(run);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  for (auto* sub : app.get_subcommands()) {
    auto it = runners.find(sub);
    if (it != runners.end()) return it->second();
  }
  std::cout << app.help();
  return kExitOk;
}
