// The facilitator service: GET /supported, POST /verify, POST /settle, GET /health,
// GET /metrics (Prometheus text), on the Beast server; one scheme facilitator per configured
// network, the settlement ledger, and a reconciler that finishes what crashes and receipt
// timeouts left open.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "facilitator/config.hpp"
#include "http/client.hpp"
#include "x402/result.hpp"
#include "x402/types.hpp"

namespace x402::facilitator {

class Service {
 public:
  // Loads keys, opens the ledger, checks every RPC answers with the configured chain id.
  [[nodiscard]] static Result<std::unique_ptr<Service>> create(Config config);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Binds and starts serving; returns once listening. Reconciles once before returning.
  Status start();
  // Blocks until stop() or request_stop() (SIGINT/SIGTERM handlers).
  void wait();
  void request_stop() noexcept;
  void stop();

  [[nodiscard]] std::uint16_t port() const noexcept;
  [[nodiscard]] SupportedResponse supported() const;

 private:
  struct Impl;
  explicit Service(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace x402::facilitator
