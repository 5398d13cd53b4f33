// A small free JSON API to put behind `x402 gateway` (the demo's upstream). It knows nothing about
// payments: the gateway sells access to it.
//
//   example-upstream-api --listen 127.0.0.1:8080
//   GET /weather   {"city":"Lisbon","weather":"sunny","temperature":21}
//   GET /quote     {"quote":"..."}
//   GET /health    {"status":"ok"}
#include <charconv>
#include <csignal>
#include <iostream>
#include <string>

#include "http/server.hpp"

namespace {

x402::http::Server* g_server = nullptr;

extern "C" void on_signal(int) {
  if (g_server != nullptr) g_server->request_stop();
}

boost::asio::awaitable<x402::http::Response> handle(x402::http::Request request,
                                                    x402::http::RequestContext&) {
  const std::string path(request.target().substr(0, request.target().find('?')));
  if (request.method() != x402::http::Verb::get)
    co_return x402::http::make_json_error(request, 405, "method not allowed");
  if (path == "/weather")
    co_return x402::http::make_response(request, 200,
                                        R"({"city":"Lisbon","weather":"sunny","temperature":21})");
  if (path == "/quote")
    co_return x402::http::make_response(request, 200,
                                        R"({"quote":"The best way to predict the future is to invent it."})");
  if (path == "/health") co_return x402::http::make_response(request, 200, R"({"status":"ok"})");
  co_return x402::http::make_json_error(request, 404, "not found");
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:8080";
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--listen") listen = argv[i + 1];
  const auto colon = listen.rfind(':');
  unsigned port = 0;
  if (colon == std::string::npos ||
      std::from_chars(listen.data() + colon + 1, listen.data() + listen.size(), port).ec != std::errc() ||
      port > 65535) {
    std::cerr << "usage: example-upstream-api --listen HOST:PORT\n";
    return 2;
  }
  x402::http::ServerOptions options;
  options.address = listen.substr(0, colon);
  options.port = static_cast<std::uint16_t>(port);
  options.threads = 1;
  x402::http::Server server(options, handle);
  if (auto started = server.start(); !started) {
    std::cerr << "example-upstream-api: " << started.error().describe() << '\n';
    return 1;
  }
  g_server = &server;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::cout << "Upstream listening on http://" << options.address << ':' << server.port() << std::endl;
  server.wait();
  return 0;
}
