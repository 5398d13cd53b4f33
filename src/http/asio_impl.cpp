// Asio and Beast are built in separate-compilation mode: their implementation is compiled once,
// here, instead of in every file that includes them (saves minutes of build time).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
