// Background processes for the local chain: anvil started in its own session, detached from the
// caller (so `x402 devnet up` can return while the chain keeps running), optionally watched by a
// small supervisor that stops it after a time limit or when an owner process dies.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "x402/result.hpp"

namespace x402::devnet {

struct SpawnOptions {
  std::string program;                // absolute path of the executable
  std::vector<std::string> args;      // argv[1..]
  std::filesystem::path log_file;     // stdout and stderr go here (created 0600, appended)
  std::filesystem::path working_dir;  // chdir before exec ("" = unchanged)
  // Supervision: when either is set, a supervisor process stays with the child and sends it
  // SIGTERM (then SIGKILL after 3 s) once `ttl` has passed or process `watch_pid` has exited.
  std::optional<std::chrono::seconds> ttl;
  std::optional<pid_t> watch_pid;
};

// Starts the program detached: new session, stdin from /dev/null, every other inherited
// descriptor closed (a caller that captures our output through pipes is not kept waiting), and
// reparented to init. Returns the program's pid once exec has succeeded (an exec failure is
// reported as an error with its errno text). Call before starting threads: it forks.
[[nodiscard]] Result<pid_t> spawn_detached(const SpawnOptions& options) noexcept;

// True when `pid` exists and is not a zombie.
[[nodiscard]] bool process_alive(pid_t pid) noexcept;

// The process's argv (from /proc), empty if it is gone or unreadable.
[[nodiscard]] std::vector<std::string> process_cmdline(pid_t pid);

// SIGTERM, then SIGKILL once `grace` has passed; returns once the process is gone or
// Errc::timeout after a further second. ESRCH counts as stopped.
Status stop_process(pid_t pid, std::chrono::milliseconds grace = std::chrono::seconds(5)) noexcept;

// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick for port 0).
[[nodiscard]] Result<unsigned short> pick_free_port() noexcept;

// An advisory exclusive lock on a file (flock), held until destruction; serialises concurrent
// `devnet up`/`down` on one directory.
class FileLock {
 public:
  [[nodiscard]] static Result<FileLock> acquire(const std::filesystem::path& path,
                                                std::chrono::milliseconds timeout = std::chrono::seconds(30));
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace x402::devnet
