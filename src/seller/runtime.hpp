// For synchronous, threaded HTTP frameworks (cpp-httplib): a private io_context thread that runs
// the asynchronous seller core, and blocking calls for the framework's handler threads.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>

#include "x402/seller.hpp"

namespace x402::seller {

class SellerRuntime {
 public:
  SellerRuntime();   // starts the thread
  ~SellerRuntime();  // stops and joins it; call after the framework stopped calling in
  SellerRuntime(const SellerRuntime&) = delete;
  SellerRuntime& operator=(const SellerRuntime&) = delete;

  // Executor of the private thread (pass it to Seller::create and the facilitator client).
  [[nodiscard]] boost::asio::any_io_executor executor() const;

  // Block the calling thread (never the runtime's own) until the core answers.
  Status initialize(Seller& seller);
  Decision process(Seller& seller, Request request);
  Completion complete(Seller& seller, std::shared_ptr<PaidRequest> payment, unsigned handler_status);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace x402::seller
