// HTTPS: the client verifies the peer against an extra CA file, fails without it, and checks the
// host name. The certificates are made here (OpenSSL EVP_PKEY + X509), the server is a minimal
// TLS echo server on 127.0.0.1.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <memory>
#include <mutex>
#include <thread>

#include "http/client.hpp"
#include "http_test_util.hpp"
#include "support/test_support.hpp"

namespace x402::http {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using namespace test;

struct Pem {
  std::string certificate;
  std::string private_key;
};

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

bool add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return false;
  const bool added = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return added;
}

// A self-signed P-256 certificate for `subject_alt_names` ("DNS:localhost,IP:127.0.0.1"), valid for
// a day; it is its own CA, so it can be the client's ca_file.
Pem make_self_signed(const std::string& subject_alt_names) {
  Pem pem;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!key || !cert) return pem;
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 4021);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("x402 test"),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (!add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
      !add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign") ||
      !add_extension(cert.get(), NID_subject_key_identifier, "hash") ||
      !add_extension(cert.get(), NID_subject_alt_name, subject_alt_names)) {
    return pem;
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return pem;

  std::unique_ptr<BIO, decltype(&BIO_free)> cert_bio(BIO_new(BIO_s_mem()), BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_X509(cert_bio.get(), cert.get());
  PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  pem.certificate = bio_text(cert_bio.get());
  pem.private_key = bio_text(key_bio.get());
  return pem;
}

// Answers every request with its target, keep-alive, on 127.0.0.1; records SNI and connections.
class TlsEchoServer {
 public:
  explicit TlsEchoServer(const Pem& pem) : tls_(ssl::context::tls_server), acceptor_(io_) {
    tls_.use_certificate_chain(asio::buffer(pem.certificate));
    tls_.use_private_key(asio::buffer(pem.private_key), ssl::context::pem);
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run_for(60s); });
  }
  ~TlsEchoServer() {
    io_.stop();
    thread_.join();
  }

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] int connections() const { return connections_.load(); }
  [[nodiscard]] std::string last_sni() {
    std::lock_guard lock(mutex_);
    return sni_;
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      ++connections_;
      asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    ssl::stream<tcp::socket> stream(std::move(socket), tls_);
    auto [handshake_ec] =
        co_await stream.async_handshake(ssl::stream_base::server, asio::as_tuple(asio::use_awaitable));
    if (handshake_ec) co_return;  // the client rejected our certificate
    if (const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name)) {
      std::lock_guard lock(mutex_);
      sni_ = sni;
    }
    boost::beast::flat_buffer buffer;
    for (;;) {
      bhttp::request<bhttp::string_body> request;
      auto [read_ec, n] =
          co_await bhttp::async_read(stream, buffer, request, asio::as_tuple(asio::use_awaitable));
      if (read_ec) co_return;
      bhttp::response<bhttp::string_body> response{bhttp::status::ok, request.version()};
      response.body() = std::string(request.target());
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      auto [write_ec, m] = co_await bhttp::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
      if (write_ec || !request.keep_alive()) co_return;
    }
  }

  asio::io_context io_;
  ssl::context tls_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::mutex mutex_;
  std::string sni_;
  std::thread thread_;
};

class Tls : public ::testing::Test {
 protected:
  void SetUp() override {
    pem_ = make_self_signed("DNS:localhost,IP:127.0.0.1");
    ASSERT_FALSE(pem_.certificate.empty());
    ca_file_ = dir_.write_file("ca.pem", pem_.certificate).string();
  }

  Url https(std::string host, std::uint16_t port, std::string target = "/") {
    auto url = parse_url("https://" + host + ":" + std::to_string(port) + target);
    EXPECT_TRUE(url.ok());
    return url.ok() ? *url : Url{};
  }

  x402::test::TempDir dir_;
  Pem pem_;
  std::string ca_file_;
};

TEST_F(Tls, VerifiesThePeerAgainstCaFileAndKeepsTheConnection) {
  TlsEchoServer server(pem_);
  ClientOptions options;
  options.ca_file = ca_file_;
  BlockingClient client(options);
  for (int i = 0; i < 3; ++i) {
    auto got = client.get(https("127.0.0.1", server.port(), "/hello/" + std::to_string(i)));
    ASSERT_TRUE(got.ok()) << got.error().describe();
    EXPECT_EQ(got->body(), "/hello/" + std::to_string(i));
  }
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(server.last_sni(), "");  // no SNI for an IP literal
}

TEST_F(Tls, SendsSniForHostNames) {
  TlsEchoServer server(pem_);
  ClientOptions options;
  options.ca_file = ca_file_;
  BlockingClient client(options);
  auto got = client.get(https("localhost", server.port(), "/named"));
  ASSERT_TRUE(got.ok()) << got.error().describe();
  EXPECT_EQ(got->body(), "/named");
  EXPECT_EQ(server.last_sni(), "localhost");
}

TEST_F(Tls, FailsWithoutTheCaFile) {
  TlsEchoServer server(pem_);
  BlockingClient client;  // system CAs only
  auto got = client.get(https("127.0.0.1", server.port()));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, Errc::unavailable);
  EXPECT_NE(got.error().message.find("tls handshake 127.0.0.1:"), std::string::npos) << got.error().message;
  EXPECT_NE(got.error().message.find("certificate verify failed"), std::string::npos) << got.error().message;
}

TEST_F(Tls, FailsOnHostNameMismatch) {
  const Pem other = make_self_signed("DNS:other.example");
  ASSERT_FALSE(other.certificate.empty());
  const std::string other_ca = dir_.write_file("other.pem", other.certificate).string();
  TlsEchoServer server(other);
  ClientOptions options;
  options.ca_file = other_ca;  // the chain is trusted; only the name is wrong
  BlockingClient client(options);
  for (const char* host : {"127.0.0.1", "localhost"}) {
    auto got = client.get(https(host, server.port()));
    ASSERT_FALSE(got.ok()) << host;
    EXPECT_EQ(got.error().code, Errc::unavailable);
    EXPECT_NE(got.error().message.find("mismatch"), std::string::npos) << got.error().message;
  }
}

TEST_F(Tls, VerificationCanBeTurnedOff) {
  TlsEchoServer server(pem_);
  ClientOptions options;
  options.verify_tls = false;
  BlockingClient client(options);
  auto got = client.get(https("127.0.0.1", server.port(), "/insecure"));
  ASSERT_TRUE(got.ok()) << got.error().describe();
  EXPECT_EQ(got->body(), "/insecure");
}

}  // namespace
}  // namespace x402::http
