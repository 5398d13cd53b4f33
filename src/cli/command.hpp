// Subcommands register themselves: each src/cli/<name>_command.cpp defines one static
// CommandRegistration, so adding a command never edits main.cpp.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace x402::cli {

// Exit codes shared by all commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the operation failed (message on stderr)
inline constexpr int kExitUsage = 2;    // bad arguments

// `setup` adds the subcommand to `app` and returns the function to run when it was chosen;
// that function returns the process exit code.
using CommandSetup = std::function<std::function<int()>(CLI::App& app)>;

struct CommandRegistration {
  CommandRegistration(std::string name, CommandSetup setup);
};

struct RegisteredCommand {
  std::string name;
  CommandSetup setup;
};
std::vector<RegisteredCommand>& registered_commands();

// Prints "x402 <command>: <message>" to stderr and returns `code`.
int fail(const std::string& command, const std::string& message, int code = kExitFailure);

}  // namespace x402::cli
