// SIGINT/SIGTERM -> an async-signal-safe stop request, for the long-running commands.
#pragma once

#include <functional>

namespace x402::cli {

// `stop` must be async-signal-safe (e.g. Server::request_stop). Installs handlers for SIGINT and
// SIGTERM and ignores SIGPIPE (a client that disconnects must not kill the process).
void on_termination(void (*stop)(void* context), void* context);

}  // namespace x402::cli
