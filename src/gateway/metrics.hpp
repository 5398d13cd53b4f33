// Gateway metrics in the Prometheus text format (GET /metrics). Labels are route patterns from
// the configuration (bounded), never raw request paths; requests no route matches count as
// route="unmatched". Survives config reloads (one instance per gateway).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace x402::gateway {

enum class PaymentEvent : std::uint8_t {
  verified,       // the facilitator accepted the payment (before the upstream was called)
  settled,        // the transfer is on chain
  queued,         // background settlement: accepted for later settlement
  verify_failed,  // a payment was sent but rejected (402)
  settle_failed,  // settlement failed (402, content withheld)
  not_settled,    // verified, but not settled: upstream failed or answered >= 400
};

class Metrics {
 public:
  void request(std::string_view route, unsigned status);
  void payment(std::string_view route, PaymentEvent event);
  // Time from sending the request upstream to its response header.
  void upstream_latency(std::string_view route, std::chrono::steady_clock::duration elapsed);
  // kind: "unavailable", "timeout", "too_large", "aborted"
  void upstream_error(std::string_view route, std::string_view kind);
  void reload(bool ok, std::uint64_t generation);

  [[nodiscard]] std::string render() const;

 private:
  struct Histogram {
    std::uint64_t count = 0;
    double sum = 0;
    std::array<std::uint64_t, 14> buckets{};
  };

  mutable std::mutex mutex_;
  std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;
  std::map<std::pair<std::string, PaymentEvent>, std::uint64_t> payments_;
  std::map<std::string, Histogram> latency_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> upstream_errors_;
  std::uint64_t reloads_ok_ = 0;
  std::uint64_t reloads_failed_ = 0;
  std::uint64_t generation_ = 1;
};

}  // namespace x402::gateway
