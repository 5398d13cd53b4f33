// A private io_context thread for synchronous adapters.
#include "seller/runtime.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "async/run.hpp"

namespace x402::seller {
namespace asio = boost::asio;

struct SellerRuntime::Impl {
  asio::io_context context{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard{context.get_executor()};
  std::thread thread{[this] { context.run(); }};
};

SellerRuntime::SellerRuntime() : impl_(std::make_unique<Impl>()) {}

SellerRuntime::~SellerRuntime() {
  impl_->guard.reset();
  impl_->context.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

asio::any_io_executor SellerRuntime::executor() const {
  return impl_->context.get_executor();
}

Status SellerRuntime::initialize(Seller& seller) {
  return async::run_blocking(executor(), seller.initialize());
}

Decision SellerRuntime::process(Seller& seller, Request request) {
  return async::run_blocking(executor(), seller.process(std::move(request)));
}

Completion SellerRuntime::complete(Seller& seller, std::shared_ptr<PaidRequest> payment,
                                   unsigned handler_status) {
  return async::run_blocking(executor(), seller.complete(std::move(payment), handler_status));
}

}  // namespace x402::seller
