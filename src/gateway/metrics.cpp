#include "gateway/metrics.hpp"

#include <array>
#include <sstream>

namespace x402::gateway {
namespace {

constexpr std::array<double, 14> kBuckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                          0.25,  0.5,    1,     2.5,  5,     10,   30};

std::string_view event_name(PaymentEvent event) {
  switch (event) {
    case PaymentEvent::verified:
      return "verified";
    case PaymentEvent::settled:
      return "settled";
    case PaymentEvent::queued:
      return "queued";
    case PaymentEvent::verify_failed:
      return "verify_failed";
    case PaymentEvent::settle_failed:
      return "settle_failed";
    case PaymentEvent::not_settled:
      return "not_settled";
  }
  return "unknown";
}

// Label values: backslash, double quote and line feed escaped (Prometheus text format).
std::string label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

void Metrics::request(std::string_view route, unsigned status) {
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(route), status}];
}

void Metrics::payment(std::string_view route, PaymentEvent event) {
  std::lock_guard lock(mutex_);
  ++payments_[{std::string(route), event}];
}

void Metrics::upstream_latency(std::string_view route, std::chrono::steady_clock::duration elapsed) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  std::lock_guard lock(mutex_);
  auto& histogram = latency_[std::string(route)];
  ++histogram.count;
  histogram.sum += seconds;
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++histogram.buckets[i];
}

void Metrics::upstream_error(std::string_view route, std::string_view kind) {
  std::lock_guard lock(mutex_);
  ++upstream_errors_[{std::string(route), std::string(kind)}];
}

void Metrics::reload(bool ok, std::uint64_t generation) {
  std::lock_guard lock(mutex_);
  if (ok) {
    ++reloads_ok_;
    generation_ = generation;
  } else {
    ++reloads_failed_;
  }
}

std::string Metrics::render() const {
  std::ostringstream out;
  std::lock_guard lock(mutex_);
  out << "# HELP x402_gateway_requests_total Requests by route and response status.\n"
      << "# TYPE x402_gateway_requests_total counter\n";
  for (const auto& [key, count] : requests_)
    out << "x402_gateway_requests_total{route=\"" << label(key.first) << "\",status=\"" << key.second
        << "\"} " << count << '\n';
  out << "# HELP x402_gateway_payments_total Payments by route and outcome.\n"
      << "# TYPE x402_gateway_payments_total counter\n";
  for (const auto& [key, count] : payments_)
    out << "x402_gateway_payments_total{route=\"" << label(key.first) << "\",outcome=\""
        << event_name(key.second) << "\"} " << count << '\n';
  // The three headline series, summed over routes, for simple dashboards.
  std::uint64_t verified = 0, settled = 0, failed = 0;
  for (const auto& [key, count] : payments_) {
    if (key.second == PaymentEvent::verified) verified += count;
    if (key.second == PaymentEvent::settled) settled += count;
    if (key.second == PaymentEvent::verify_failed || key.second == PaymentEvent::settle_failed)
      failed += count;
  }
  out << "# HELP x402_gateway_payments_verified_total Payments the facilitator verified.\n"
      << "# TYPE x402_gateway_payments_verified_total counter\nx402_gateway_payments_verified_total "
      << verified << '\n'
      << "# HELP x402_gateway_payments_settled_total Payments settled on chain.\n"
      << "# TYPE x402_gateway_payments_settled_total counter\nx402_gateway_payments_settled_total " << settled
      << '\n'
      << "# HELP x402_gateway_payments_failed_total Payments rejected at verification or settlement.\n"
      << "# TYPE x402_gateway_payments_failed_total counter\nx402_gateway_payments_failed_total " << failed
      << '\n';
  out << "# HELP x402_gateway_upstream_latency_seconds Time to the upstream's response header.\n"
      << "# TYPE x402_gateway_upstream_latency_seconds histogram\n";
  for (const auto& [route, histogram] : latency_) {
    const std::string name = label(route);
    for (std::size_t i = 0; i < kBuckets.size(); ++i)
      out << "x402_gateway_upstream_latency_seconds_bucket{route=\"" << name << "\",le=\"" << kBuckets[i]
          << "\"} " << histogram.buckets[i] << '\n';
    out << "x402_gateway_upstream_latency_seconds_bucket{route=\"" << name << "\",le=\"+Inf\"} "
        << histogram.count << '\n'
        << "x402_gateway_upstream_latency_seconds_sum{route=\"" << name << "\"} " << histogram.sum << '\n'
        << "x402_gateway_upstream_latency_seconds_count{route=\"" << name << "\"} " << histogram.count
        << '\n';
  }
  out << "# HELP x402_gateway_upstream_errors_total Upstream failures by route and kind.\n"
      << "# TYPE x402_gateway_upstream_errors_total counter\n";
  for (const auto& [key, count] : upstream_errors_)
    out << "x402_gateway_upstream_errors_total{route=\"" << label(key.first) << "\",kind=\""
        << label(key.second) << "\"} " << count << '\n';
  out << "# HELP x402_gateway_config_reloads_total Configuration reloads by result.\n"
      << "# TYPE x402_gateway_config_reloads_total counter\n"
      << "x402_gateway_config_reloads_total{result=\"ok\"} " << reloads_ok_ << '\n'
      << "x402_gateway_config_reloads_total{result=\"error\"} " << reloads_failed_ << '\n'
      << "# HELP x402_gateway_config_generation The configuration in use (1 = as started).\n"
      << "# TYPE x402_gateway_config_generation gauge\nx402_gateway_config_generation " << generation_
      << '\n';
  return out.str();
}

}  // namespace x402::gateway
