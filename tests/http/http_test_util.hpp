// Helpers for the HTTP tests: raw loopback sockets with deadlines (to send bytes a well-behaved
// client never would), a scripted single-threaded raw server, and running coroutines with a bound.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "http/client.hpp"

namespace x402::http::test {

using namespace std::chrono_literals;
using Millis = std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

inline Url loopback_url(std::uint16_t port, std::string target = "/") {
  Url url;
  url.host = "127.0.0.1";
  url.port = port;
  url.target = std::move(target);
  return url;
}

inline Millis elapsed_since(SteadyClock::time_point start) {
  return std::chrono::duration_cast<Millis>(SteadyClock::now() - start);
}

// Runs the coroutine made by `make` on a private io_context with `threads` threads, for at most
// `timeout`; nullopt if it did not finish.
template <typename T>
std::optional<T> run_coroutine(std::function<boost::asio::awaitable<T>()> make, Millis timeout = 10s) {
  boost::asio::io_context io;
  std::optional<T> out;
  boost::asio::co_spawn(
      io, [&]() -> boost::asio::awaitable<void> { out.emplace(co_await make()); }, boost::asio::detached);
  io.run_for(timeout);
  return out;
}

// Waits up to `timeout` for `condition`.
inline bool eventually(const std::function<bool()>& condition, Millis timeout = 5s) {
  const auto deadline = SteadyClock::now() + timeout;
  while (SteadyClock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

// Reads from `fd` until `done(data)` or the peer closes or the deadline passes.
inline std::string read_fd(int fd, SteadyClock::time_point deadline,
                           const std::function<bool(const std::string&)>& done, bool* closed = nullptr) {
  std::string data;
  if (closed) *closed = false;
  char chunk[16 * 1024];
  while (!done(data)) {
    const auto left = std::chrono::duration_cast<Millis>(deadline - SteadyClock::now()).count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left));
    if (ready <= 0) continue;
    const auto n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) {
      if (closed) *closed = true;
      break;
    }
    data.append(chunk, static_cast<std::size_t>(n));
  }
  return data;
}

// True once `data` holds one complete HTTP message with a Content-Length (or no body).
inline bool complete_message(const std::string& data) {
  const auto end = data.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  std::size_t length = 0;
  std::string lower = data.substr(0, end);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (const auto at = lower.find("content-length:"); at != std::string::npos) {
    length = std::stoul(lower.substr(at + 15));
  }
  return data.size() >= end + 4 + length;
}

inline int status_of(const std::string& response) {
  if (response.size() < 12 || response.compare(0, 5, "HTTP/") != 0) return 0;
  return std::stoi(response.substr(9, 3));
}

inline std::string body_of(const std::string& message) {
  const auto end = message.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : message.substr(end + 4);
}

// A blocking client socket on 127.0.0.1 with every wait bounded.
class RawSocket {
 public:
  explicit RawSocket(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    const int one = 1;
    if (connected_) ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~RawSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  [[nodiscard]] bool connected() const { return connected_; }
  [[nodiscard]] int fd() const { return fd_; }

  bool send(std::string_view data) {
    while (!data.empty()) {
      const auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // One response with a Content-Length body (what our server always sends).
  std::string read_response(Millis timeout = 5s) {
    auto data = read_fd(fd_, SteadyClock::now() + timeout, complete_message);
    return data;
  }

  // Everything until the peer closes; `closed` is false if the deadline came first.
  std::string read_until_close(Millis timeout, bool* closed) {
    return read_fd(
        fd_, SteadyClock::now() + timeout, [](const std::string&) { return false; }, closed);
  }

 private:
  int fd_;
  bool connected_ = false;
};

// A listening socket on 127.0.0.1 (port 0) whose connections a test thread handles by script,
// one at a time. Used to misbehave in ways the real server never does.
class ScriptedServer {
 public:
  // `script(fd, index)` handles the index-th accepted connection; the server closes it afterwards.
  explicit ScriptedServer(std::function<void(int, int)> script) : script_(std::move(script)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~ScriptedServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] int accepted() const { return accepted_.load(); }

  // Reads one request (headers + Content-Length body) from `fd`; empty if none came in time.
  static std::string read_request(int fd, Millis timeout = 5s) {
    return read_fd(fd, SteadyClock::now() + timeout, complete_message);
  }
  static void respond(int fd, std::string_view body, bool keep_alive = true) {
    std::string out = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    if (!keep_alive) out += "Connection: close\r\n";
    out += "\r\n";
    out += body;
    ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
  }

 private:
  void loop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      const int index = accepted_.fetch_add(1);
      script_(fd, index);
      ::close(fd);
    }
  }

  std::function<void(int, int)> script_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

}  // namespace x402::http::test
