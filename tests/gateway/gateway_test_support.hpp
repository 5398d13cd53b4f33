// Helpers for the gateway tests: a scripted upstream API (Beast server on loopback), background
// processes with a ready line (facilitator, gateway, Chromium), raw streaming reads, and the
// reference client peers.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "http/client.hpp"
#include "http/server.hpp"
#include "support/test_support.hpp"

namespace x402::gateway::test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// A background process with a ready line on stdout. stdout and stderr go to a log file (a pipe
// nobody drains would block a chatty process). Own process group; SIGKILLed with its group when
// this object goes, and by the kernel if the test process dies (PR_SET_PDEATHSIG).

class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::filesystem::path& log_file,
        const std::map<std::string, std::string>& env = {})
      : log_(log_file) {
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) _exit(127);
      const int out = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (out >= 0) {
        ::dup2(out, 1);
        ::dup2(out, 2);
      }
      const int in = ::open("/dev/null", O_RDONLY);
      if (in >= 0) ::dup2(in, 0);
      for (int fd = 3; fd < 1024; ++fd) ::close(fd);
      for (const auto& [key, value] : env) ::setenv(key.c_str(), value.c_str(), 1);
      std::vector<char*> args;
      for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      _exit(127);
    }
    ::setpgid(pid_, pid_);  // also from here: no race with the child's own call
  }
  ~Child() { stop(); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] std::string log() const { return x402::test::read_file(log_); }
  [[nodiscard]] bool running() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }

  // The first output line starting with `prefix`, or "" on timeout or exit.
  std::string wait_for_line(const std::string& prefix, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      const std::string text = log();
      std::size_t start = 0;
      for (std::size_t newline; (newline = text.find('\n', start)) != std::string::npos;
           start = newline + 1) {
        const std::string line = text.substr(start, newline - start);
        if (line.rfind(prefix, 0) == 0) return line;
      }
      if (Clock::now() >= deadline || !running()) return "";
      std::this_thread::sleep_for(20ms);
    }
  }

  void signal(int sig) const {
    if (pid_ > 0) ::kill(pid_, sig);
  }

  // SIGTERM, then SIGKILL to the whole group after `grace`; the exit code (-1 if killed).
  int stop(std::chrono::milliseconds grace = 5s) {
    if (pid_ <= 0) return exit_code_;
    ::kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + grace;
    int status = 0;
    for (;;) {
      const pid_t done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_ || done < 0) {
        exit_code_ = done == pid_ && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        break;
      }
      if (Clock::now() >= deadline) {
        ::kill(-pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        exit_code_ = -1;
        break;
      }
      std::this_thread::sleep_for(20ms);
    }
    ::kill(-pid_, SIGKILL);  // whatever the process left in its group (Chromium's helpers)
    pid_ = -1;
    return exit_code_;
  }

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// "Xyz listening on http://127.0.0.1:P" -> P (0 if absent).
inline std::uint16_t port_of(const std::string& ready_line) {
  const auto colon = ready_line.rfind(':');
  if (colon == std::string::npos) return 0;
  return static_cast<std::uint16_t>(std::stoi(ready_line.substr(colon + 1)));
}

// ---------------------------------------------------------------------------------------------
// The upstream API the gateway fronts.
//   GET /json      200 JSON (non-ASCII bytes included), X-Upstream: yes
//   GET /article   200 HTML page
//   GET /fail      500 JSON
//   * /echo...     200 JSON {target, headers{lower-cased name: value}, body}
//   GET /sse       200 text/event-stream: "one", then waits for release_sse(), then "two", "three"
//   GET /chunked   200 chunked body in five pieces
//   GET /big?n=N   200 N bytes ('x')
//   anything else  404
// Counts requests per path.

inline const std::string kJsonBody =
    "{\"weather\":\"sunny\",\"temperature\":70,\"city\":\"Z\xC3\xBCrich\",\"note\":\"\xE4\xB8\xAD \\u0000 "
    "\\\"q\\\"\"}";

class TestUpstream {
 public:
  TestUpstream() {
    http::ServerOptions options;
    options.threads = 2;
    options.max_body_bytes = 16 * 1024 * 1024;
    server_ = std::make_unique<http::Server>(
        options, http::StreamHandler([this](http::Request request, http::ResponseWriter& writer,
                                            http::RequestContext& context) {
          return handle(this, std::move(request), writer, context);
        }));
    if (auto started = server_->start(); !started) throw std::runtime_error(started.error().describe());
  }
  ~TestUpstream() {
    release_sse();
    server_->stop(1s);
  }

  [[nodiscard]] std::uint16_t port() const { return server_->port(); }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }

  [[nodiscard]] std::uint64_t connections() const { return server_->connections_accepted(); }
  [[nodiscard]] int calls(const std::string& path) const {
    std::lock_guard lock(mutex_);
    auto it = calls_.find(path);
    return it == calls_.end() ? 0 : it->second;
  }
  [[nodiscard]] std::optional<http::Request> last(const std::string& path) const {
    std::lock_guard lock(mutex_);
    auto it = last_.find(path);
    if (it == last_.end()) return std::nullopt;
    return it->second;
  }
  void release_sse() { sse_released_ = true; }
  [[nodiscard]] bool sse_finished() const { return sse_finished_; }
  void reset_sse() {
    sse_released_ = false;
    sse_finished_ = false;
  }

 private:
  static boost::asio::awaitable<void> handle(TestUpstream* self, http::Request request,
                                             http::ResponseWriter& writer,
                                             http::RequestContext& /*context*/) {
    namespace bhttp = boost::beast::http;
    std::string target(request.target());
    const std::string path = target.substr(0, target.find('?'));
    {
      std::lock_guard lock(self->mutex_);
      ++self->calls_[path];
      self->last_[path] = request;
    }
    if (path == "/json") {
      http::Response response = http::make_response(request, 200, kJsonBody);
      response.set("X-Upstream", "yes");
      co_await writer.write(std::move(response));
    } else if (path == "/article") {
      http::Response response = http::make_response(
          request, 200,
          "<!doctype html><title>Article</title><h1>Paid article</h1>"
          "<p id=\"text\">Only for those who paid.</p>"
          "<script>document.getElementById('text').textContent += ' (scripts run)';</script>",
          "text/html; charset=utf-8");
      co_await writer.write(std::move(response));
    } else if (path == "/fail") {
      http::Response response = http::make_response(request, 500, R"({"error":"boom"})");
      co_await writer.write(std::move(response));
    } else if (path.rfind("/echo", 0) == 0) {
      boost::json::object headers;
      for (const auto& field : request) {
        std::string name(field.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        headers[name] = std::string(field.value());
      }
      boost::json::object body;
      body["target"] = target;
      body["headers"] = std::move(headers);
      body["body"] = request.body();
      http::Response response = http::make_response(request, 200, boost::json::serialize(body));
      co_await writer.write(std::move(response));
    } else if (path == "/sse") {
      http::ResponseHeader header;
      header.result(200);
      header.set(bhttp::field::content_type, "text/event-stream");
      header.set(bhttp::field::cache_control, "no-cache");
      if (!(co_await writer.write_header(std::move(header)))) co_return;
      if (!(co_await writer.write_chunk("data: one\n\n"))) co_return;
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
      const auto deadline = Clock::now() + 15s;
      while (!self->sse_released_ && Clock::now() < deadline) {
        timer.expires_after(10ms);
        co_await timer.async_wait(boost::asio::use_awaitable);
      }
      if (!(co_await writer.write_chunk("data: two\n\n"))) co_return;
      if (!(co_await writer.write_chunk("data: three\n\n"))) co_return;
      // Marked before the last chunk goes out: the client sees the stream end only after this.
      self->sse_finished_ = true;
      co_await writer.finish();
    } else if (path == "/chunked") {
      http::ResponseHeader header;
      header.result(200);
      header.set(bhttp::field::content_type, "text/plain");
      if (!(co_await writer.write_header(std::move(header)))) co_return;
      for (int i = 0; i < 5; ++i) {
        const std::string piece = "piece " + std::to_string(i) + "\n";
        if (!(co_await writer.write_chunk(piece))) co_return;
      }
      co_await writer.finish();
    } else if (path == "/big") {
      const auto n = std::stoul(target.substr(target.find("n=") + 2));
      http::Response response = http::make_response(request, 200, std::string(n, 'x'), "text/plain");
      co_await writer.write(std::move(response));
    } else {
      http::Response response = http::make_json_error(request, 404, "no such upstream route");
      co_await writer.write(std::move(response));
    }
  }

  std::unique_ptr<http::Server> server_;
  mutable std::mutex mutex_;
  std::map<std::string, int> calls_;
  std::map<std::string, http::Request> last_;
  std::atomic<bool> sse_released_{false};
  std::atomic<bool> sse_finished_{false};
};

// ---------------------------------------------------------------------------------------------
// Plain requests (complete responses) through http::BlockingClient.

inline http::Url local_url(std::uint16_t port, std::string target) {
  http::Url url;
  url.host = "127.0.0.1";
  url.port = port;
  url.target = std::move(target);
  return url;
}

inline http::Response fetch(std::uint16_t port, const std::string& target, http::Headers headers = {},
                            http::Verb verb = http::Verb::get, std::string body = {}) {
  static http::BlockingClient client([] {
    http::ClientOptions options;
    options.request_timeout = 30s;
    options.max_idle_per_origin = 0;  // a fresh connection per request: tests stay independent
    return options;
  }());
  http::Request request{verb, "/", 11};
  for (auto& [name, value] : headers) request.set(name, value);
  request.body() = std::move(body);
  auto response = client.send(local_url(port, target), std::move(request));
  if (!response) throw std::runtime_error("request failed: " + response.error().describe());
  return std::move(*response);
}

// A raw connection for reading a response as it arrives.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("connect failed");
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  void send(const std::string& data) {
    if (::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(data.size()))
      throw std::runtime_error("send failed");
  }
  // Reads until `text` appears in everything received so far (true), EOF or the deadline (false).
  bool read_until(const std::string& text, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (received_.find(text) == std::string::npos) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      pollfd fd{fd_, POLLIN, 0};
      if (::poll(&fd, 1, static_cast<int>(left)) <= 0) continue;
      char chunk[8192];
      const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) {
        closed_ = true;
        return received_.find(text) != std::string::npos;
      }
      received_.append(chunk, static_cast<std::size_t>(n));
    }
    return true;
  }
  // Reads until the peer closes or the deadline.
  void read_to_close(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!closed_) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return;
      pollfd fd{fd_, POLLIN, 0};
      if (::poll(&fd, 1, static_cast<int>(left)) <= 0) continue;
      char chunk[8192];
      const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0)
        closed_ = true;
      else
        received_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  [[nodiscard]] const std::string& received() const { return received_; }
  [[nodiscard]] bool closed() const { return closed_; }

 private:
  int fd_ = -1;
  std::string received_;
  bool closed_ = false;
};

// ---------------------------------------------------------------------------------------------
// The reference clients (tests/interop/peers): one JSON line on stdout.

struct PeerResult {
  bool success = false;
  int status = 0;  // 0: null
  std::string body;
  boost::json::value payment_response;  // null if none
  std::string error;
  std::string raw;
};

inline std::filesystem::path interop_dir() {
  return std::filesystem::path(X402_SOURCE_DIR) / "tests" / "interop";
}

inline bool interop_installed() {
  return std::filesystem::exists(interop_dir() / "node_modules" / "@x402" / "fetch");
}

inline PeerResult run_peer(const std::string& script, const std::vector<std::string>& args,
                           std::chrono::milliseconds timeout = 90s) {
  std::vector<std::string> argv{X402_NODE, (interop_dir() / "peers" / script).string()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = x402::test::run_process(argv, {}, timeout);
  PeerResult out;
  out.raw = result.out + (result.err.empty() ? "" : "\n[stderr] " + result.err.substr(0, 4000));
  const auto line_end = result.out.find('\n');
  const std::string line = result.out.substr(0, line_end);
  boost::system::error_code ec;
  auto json = boost::json::parse(line, ec);
  if (ec || !json.is_object()) {
    out.error = "unparseable peer output: " + out.raw;
    return out;
  }
  const auto& object = json.as_object();
  out.success = object.at("success").as_bool();
  if (object.at("status").is_int64()) out.status = static_cast<int>(object.at("status").as_int64());
  if (object.at("body").is_string()) out.body = std::string(object.at("body").as_string());
  out.payment_response = object.at("paymentResponse");
  if (object.at("error").is_string()) out.error = std::string(object.at("error").as_string());
  return out;
}

}  // namespace x402::gateway::test
