#include <gtest/gtest.h>

#include "http/client.hpp"
#include "http/server.hpp"

namespace x402::http {
namespace {

TEST(ParseUrl, HttpWithPortAndDefaultTarget) {
  auto url = parse_url("http://127.0.0.1:8545");
  ASSERT_TRUE(url.ok()) << url.error().describe();
  EXPECT_FALSE(url->tls);
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 8545);
  EXPECT_EQ(url->target, "/");
  EXPECT_EQ(url->origin(), "http://127.0.0.1:8545");
  EXPECT_EQ(url->str(), "http://127.0.0.1:8545/");
  EXPECT_EQ(url->host_header(), "127.0.0.1:8545");
}

TEST(ParseUrl, HttpsDefaultPortPathQueryAndFragmentDropped) {
  auto url = parse_url("HTTPS://X402.org/v2/verify?a=1&b=%20#section");
  ASSERT_TRUE(url.ok()) << url.error().describe();
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "x402.org");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->target, "/v2/verify?a=1&b=%20");
  EXPECT_EQ(url->origin(), "https://x402.org");
  EXPECT_EQ(url->host_header(), "x402.org");
}

TEST(ParseUrl, NonDefaultHttpsPortAndDefaultHttpPort) {
  EXPECT_EQ(parse_url("https://a.example:8443/x")->origin(), "https://a.example:8443");
  EXPECT_EQ(parse_url("http://a.example:80/x")->origin(), "http://a.example");
  EXPECT_EQ(parse_url("http://a.example:443/x")->origin(), "http://a.example:443");
}

TEST(ParseUrl, Ipv6LiteralKeepsBracketsOutOfHost) {
  auto url = parse_url("http://[::1]:8080/rpc");
  ASSERT_TRUE(url.ok()) << url.error().describe();
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->origin(), "http://[::1]:8080");
  EXPECT_EQ(url->host_header(), "[::1]:8080");
}

TEST(ParseUrl, RejectsWhatItCannotServe) {
  for (const char* text : {"ftp://example.com/", "http://user:secret@example.com/", "not a url", "http://",
                           "http:///path", "http://example.com:99999/", "http://example.com:0/",
                           "http://example.com:8x/", "", "mailto:someone@example.com"}) {
    auto url = parse_url(text);
    EXPECT_FALSE(url.ok()) << text;
    if (!url.ok()) {
      EXPECT_EQ(url.error().code, Errc::invalid_argument) << text;
    }
  }
}

TEST(Helpers, MakeResponseCopiesKeepAliveAndSetsLength) {
  Request request{Verb::get, "/", 11};
  request.keep_alive(false);
  const Response response = make_response(request, 201, "{\"ok\":true}");
  EXPECT_EQ(response.result_int(), 201U);
  EXPECT_FALSE(response.keep_alive());
  EXPECT_EQ(response[boost::beast::http::field::content_length], "11");
  EXPECT_EQ(response[boost::beast::http::field::content_type], "application/json");
  EXPECT_EQ(response[boost::beast::http::field::server], "x402");
}

TEST(Helpers, MakeJsonErrorEscapesTheMessage) {
  Request request{Verb::post, "/", 11};
  const Response response = make_json_error(request, 400, "bad \"value\"\n\\");
  EXPECT_EQ(response.result_int(), 400U);
  EXPECT_TRUE(response.keep_alive());
  EXPECT_EQ(response.body(), R"({"error":"bad \"value\"\n\\"})");
}

}  // namespace
}  // namespace x402::http
