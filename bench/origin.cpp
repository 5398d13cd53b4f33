// x402_bench_origin: the upstream origin behind `x402 gateway` in bench/run. Answers every GET
// at once with a small JSON body (the same bodies the example sellers send), so the gateway rows
// measure the gateway plus one loopback hop, not a slow backend.
//
//   x402_bench_origin [--listen-port P] [--threads N]
// Prints "Origin listening on http://127.0.0.1:P"; SIGINT/SIGTERM stop it.
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "http/server.hpp"

namespace {

using namespace x402;

http::Server* g_server = nullptr;
extern "C" void on_signal(int) {
  if (g_server != nullptr) g_server->request_stop();
}

boost::asio::awaitable<http::Response> serve(http::Request request) {
  const std::string_view target(request.target().data(), request.target().size());
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == "/weather")
    co_return http::make_response(request, 200, R"({"weather":"sunny","temperature":70})");
  co_return http::make_response(request, 200, R"({"free":true})");
}

}  // namespace

int main(int argc, char** argv) {
  http::ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--listen-port")
      options.port = static_cast<std::uint16_t>(std::atoi(argv[i + 1]));
    else if (flag == "--threads")
      options.threads = static_cast<unsigned>(std::atoi(argv[i + 1]));
    else {
      std::cerr << "usage: x402_bench_origin [--listen-port P] [--threads N]\n";
      return 2;
    }
  }
  http::Server server(options,
                      [](http::Request request, http::RequestContext&) { return serve(std::move(request)); });
  if (auto started = server.start(); !started) {
    std::cerr << "x402_bench_origin: " << started.error().describe() << '\n';
    return 1;
  }
  g_server = &server;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  std::cout << "Origin listening on http://127.0.0.1:" << server.port() << std::endl;
  server.wait();
  return 0;
}
