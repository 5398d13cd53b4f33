// The x402 gateway: a paid reverse proxy in front of any HTTP(S) API. Payment logic is the seller
// core's (x402/seller.hpp); this adds forwarding, streaming, limits, the browser paywall,
// /health, /metrics, the discovery document and configuration reload.
//
// Request path:
//   /health, /metrics, /.well-known/x402 -> answered here
//   no route matches        -> forwarded free (or 404 with unmatched = "reject")
//   free route              -> forwarded; the response streams through (chunked/SSE unbuffered)
//   paid route              -> seller core: 402 (browser: HTML paywall) / 502 facilitator down /
//                              verified, then forwarded:
//     settlement "after"      the upstream response is held (up to max_response_body_bytes) until
//                             settlement succeeded; upstream status >= 400 or unreachable: nothing
//                             settled, the error passes through (streamed) / 502
//     settlement "before"     settled before forwarding; the response streams with PAYMENT-RESPONSE
//     settlement "background" verified, forwarded and streamed; settled later from a durable queue
//   Streaming rule: a response is streamed unless settlement must still decide whether it may be
//   released, i.e. only a paid "after" route with an upstream status < 400 is buffered.
//
// Reload (SIGHUP -> request_reload()): the new configuration is loaded and fully checked (prices,
// upstream TLS, facilitator /supported for every paid route) on a background thread, then swapped
// in atomically for new requests; requests in flight finish on the configuration they started
// with. A configuration that fails any check is rejected with a log line and the old one stays.
// `listen`, `threads` and a larger max_request_body_bytes need a restart (logged).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gateway/config.hpp"
#include "x402/result.hpp"

namespace x402::gateway {

using ConfigLoader = std::function<Result<Config>()>;

class Gateway {
 public:
  // Builds the gateway and checks everything it can before listening: routes, prices, upstream
  // TLS settings, and that the facilitator answers /supported for every paid route (fail closed:
  // an unreachable facilitator or an unsupported network refuses the start). `loader` produces
  // the configuration again for reload() (e.g. re-reads the file).
  [[nodiscard]] static Result<std::unique_ptr<Gateway>> create(Config config, ConfigLoader loader);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  Status start();                // binds and serves; returns once listening
  void wait();                   // blocks until stop() or request_stop()
  void request_stop() noexcept;  // async-signal-safe
  void stop();

  // Async-signal-safe: the reload thread calls reload() soon (SIGHUP).
  void request_reload() noexcept;
  // Loads the configuration through the loader and swaps it in; on error the current one stays.
  // Blocking; do not call from a request handler.
  Status reload();
  Status reload(Config config);

  [[nodiscard]] std::uint16_t port() const noexcept;
  [[nodiscard]] std::uint64_t generation() const noexcept;  // 1 = as started, +1 per reload
  [[nodiscard]] std::string metrics_text() const;

 private:
  struct Impl;
  explicit Gateway(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace x402::gateway
