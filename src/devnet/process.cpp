#include "devnet/process.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace x402::devnet {
namespace {

std::string errno_text(int error) {
  return std::strerror(error);
}

// Everything below runs in forked children: only async-signal-safe calls until exec or _exit.

void close_inherited_fds(int keep) noexcept {
  const long max_fd = sysconf(_SC_OPEN_MAX);
  const int limit = max_fd > 0 && max_fd < 65536 ? static_cast<int>(max_fd) : 65536;
  for (int fd = 3; fd < limit; ++fd)
    if (fd != keep) close(fd);
}

bool write_all(int fd, const void* data, std::size_t size) noexcept {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool read_all(int fd, void* data, std::size_t size) noexcept {
  auto* p = static_cast<char*>(data);
  while (size > 0) {
    const ssize_t n = read(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Message from the detached side to the caller: the program's pid, or the errno of a failure
// before exec (stage says where).
struct SpawnReport {
  pid_t pid = -1;
  int error = 0;
  int stage = 0;  // 1: setup, 2: exec
};

[[noreturn]] void report_and_exit(int fd, int stage) noexcept {
  SpawnReport report;
  report.error = errno;
  report.stage = stage;
  write_all(fd, &report, sizeof report);
  _exit(127);
}

// The supervisor's loop: reaps the program, and stops it when the time limit passes or the
// watched process disappears.
[[noreturn]] void supervise(pid_t child, const SpawnOptions& options) noexcept {
  const auto start = std::chrono::steady_clock::now();
  bool terminating = false;
  std::chrono::steady_clock::time_point term_sent;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(child, &status, WNOHANG);
    if (r == child || (r < 0 && errno == ECHILD)) _exit(0);
    const auto now = std::chrono::steady_clock::now();
    bool stop = false;
    if (options.ttl && now - start >= *options.ttl) stop = true;
    if (options.watch_pid && kill(*options.watch_pid, 0) != 0 && errno == ESRCH) stop = true;
    if (stop && !terminating) {
      kill(child, SIGTERM);
      terminating = true;
      term_sent = now;
    } else if (terminating && now - term_sent >= std::chrono::seconds(3)) {
      kill(child, SIGKILL);
    }
    const timespec pause{0, 200'000'000};
    nanosleep(&pause, nullptr);
  }
}

}  // namespace

Result<pid_t> spawn_detached(const SpawnOptions& options) noexcept {
  // Everything the children need is prepared before fork (no allocation after it).
  std::vector<std::string> argv_storage;
  try {
    argv_storage.reserve(options.args.size() + 1);
    argv_storage.push_back(options.program);
    argv_storage.insert(argv_storage.end(), options.args.begin(), options.args.end());
  } catch (...) {
    return make_error(Errc::internal, "out of memory");
  }
  std::vector<char*> argv;
  argv.reserve(argv_storage.size() + 1);
  for (auto& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const std::string log_path = options.log_file.string();
  const std::string work_dir = options.working_dir.string();
  const bool supervised = options.ttl.has_value() || options.watch_pid.has_value();

  int report_pipe[2];
  if (pipe2(report_pipe, O_CLOEXEC) != 0) return make_error(Errc::io_error, "pipe: " + errno_text(errno));

  const pid_t first = fork();
  if (first < 0) {
    const int error = errno;
    close(report_pipe[0]);
    close(report_pipe[1]);
    return make_error(Errc::io_error, "fork: " + errno_text(error));
  }
  if (first == 0) {
    // Intermediate child: leaves the caller's session, forks the supervisor and exits so the
    // caller can reap it at once; the rest is reparented to init.
    close(report_pipe[0]);
    const int wfd = report_pipe[1];
    if (setsid() < 0) report_and_exit(wfd, 1);
    const pid_t second = fork();
    if (second < 0) report_and_exit(wfd, 1);
    if (second > 0) _exit(0);

    // Supervisor (or, unsupervised, the process that becomes the program).
    const int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0) report_and_exit(wfd, 1);
    const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log < 0) report_and_exit(wfd, 1);
    if (dup2(devnull, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0) report_and_exit(wfd, 1);
    close_inherited_fds(wfd);
    if (!work_dir.empty() && chdir(work_dir.c_str()) != 0) report_and_exit(wfd, 1);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);

    pid_t program = 0;
    if (supervised) {
      program = fork();
      if (program < 0) report_and_exit(wfd, 1);
    }
    if (program == 0) {
      // Unsupervised, our own pid is the program's: report it before exec; the pipe is
      // close-on-exec, so the caller sees EOF after a successful exec or an error report.
      SpawnReport report;
      report.pid = getpid();
      if (!supervised && !write_all(wfd, &report, sizeof report)) _exit(127);
      execv(argv[0], argv.data());
      report_and_exit(wfd, 2);
    }
    // Supervisor: report the program's pid; the program's own exec closes its copy of the pipe.
    SpawnReport report;
    report.pid = program;
    write_all(wfd, &report, sizeof report);
    close(wfd);
    supervise(program, options);
  }

  close(report_pipe[1]);
  int status = 0;
  while (waitpid(first, &status, 0) < 0 && errno == EINTR) {
  }
  SpawnReport report;
  const bool got = read_all(report_pipe[0], &report, sizeof report);
  SpawnReport failure;
  // After the pid report, a second report means exec failed.
  const bool failed_later = got && report.pid > 0 && read_all(report_pipe[0], &failure, sizeof failure);
  close(report_pipe[0]);
  if (!got) return make_error(Errc::io_error, "could not start " + options.program);
  if (report.pid <= 0 || failed_later) {
    const auto& f = report.pid <= 0 ? report : failure;
    return make_error(Errc::io_error, (f.stage == 2 ? "cannot execute " + options.program + ": "
                                                    : "cannot prepare the child process: ") +
                                          errno_text(f.error));
  }
  return report.pid;
}

bool process_alive(pid_t pid) noexcept {
  if (pid <= 0) return false;
  if (kill(pid, 0) != 0 && errno == ESRCH) return false;
  // A zombie still answers kill(); /proc tells them apart.
  try {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return true;
    const auto close_paren = line.rfind(')');
    if (close_paren == std::string::npos || close_paren + 2 >= line.size()) return true;
    const char state = line[close_paren + 2];
    return state != 'Z' && state != 'X';
  } catch (...) {
    return true;
  }
}

std::vector<std::string> process_cmdline(pid_t pid) {
  std::vector<std::string> out;
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string arg;
  while (std::getline(in, arg, '\0')) out.push_back(arg);
  return out;
}

Status stop_process(pid_t pid, std::chrono::milliseconds grace) noexcept {
  if (pid <= 0) return make_error(Errc::invalid_argument, "invalid pid");
  if (kill(pid, SIGTERM) != 0) {
    if (errno == ESRCH) return {};
    return make_error(Errc::io_error, "kill " + std::to_string(pid) + ": " + errno_text(errno));
  }
  auto wait_gone = [pid](std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      waitpid(pid, &status, WNOHANG);  // reaps it if it happens to be our child
      if (!process_alive(pid)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return !process_alive(pid);
  };
  if (wait_gone(grace)) return {};
  kill(pid, SIGKILL);
  if (wait_gone(std::chrono::seconds(1))) return {};
  return make_error(Errc::timeout, "process " + std::to_string(pid) + " did not exit after SIGKILL");
}

Result<unsigned short> pick_free_port() noexcept {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_error(Errc::io_error, "socket: " + errno_text(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const int error = errno;
    close(fd);
    return make_error(Errc::io_error, "bind: " + errno_text(error));
  }
  close(fd);
  return static_cast<unsigned short>(ntohs(addr.sin_port));
}

Result<FileLock> FileLock::acquire(const std::filesystem::path& path, std::chrono::milliseconds timeout) {
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(Errc::io_error, "open " + path.string() + ": " + errno_text(errno));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) return FileLock(fd);
    if (errno != EWOULDBLOCK && errno != EINTR) {
      const int error = errno;
      close(fd);
      return make_error(Errc::io_error, "flock " + path.string() + ": " + errno_text(error));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      close(fd);
      return make_error(Errc::timeout, "another devnet command holds " + path.string());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(other.fd_) {
  other.fd_ = -1;
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) close(fd_);  // closing releases the flock
}

}  // namespace x402::devnet
