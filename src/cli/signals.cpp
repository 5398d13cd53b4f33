#include "cli/signals.hpp"

#include <csignal>

namespace x402::cli {
namespace {

void (*g_stop)(void*) = nullptr;
void* g_context = nullptr;

extern "C" void handle_termination(int /*signal*/) {
  if (g_stop != nullptr) g_stop(g_context);
}

}  // namespace

void on_termination(void (*stop)(void* context), void* context) {
  g_stop = stop;
  g_context = context;
  struct sigaction action {};
  action.sa_handler = handle_termination;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

}  // namespace x402::cli
