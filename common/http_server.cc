#include "common/http_server.h"

#include <arpa/inet.h>
#include <cpprest/http_listener.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace hgo {

namespace http = web::http;

std::string HttpRequest::Header(const std::string& name) const {
  std::string key = name;
  std::transform(key.begin(), key.end(), key.begin(), ::tolower);
  auto it = headers.find(key);
  return it == headers.end() ? "" : it->second;
}

namespace {

std::string PercentDecoded(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::string HttpRequest::Param(const std::string& name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (PercentDecoded(pair.substr(0, eq)) != name) continue;
    return eq == std::string_view::npos ? "" : PercentDecoded(pair.substr(eq + 1));
  }
  return "";
}

HttpReply HttpReply::Text(int status, std::string body) {
  HttpReply r;
  r.status = status;
  r.body = std::move(body);
  r.headers["Content-Type"] = "text/plain; charset=utf-8";
  return r;
}

int PickFreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

class HttpServer::Impl {
 public:
  Impl(const std::string& url, HttpHandler handler)
      : listener_(web::uri(url)), handler_(std::move(handler)) {
    listener_.support([this](http::http_request request) { Serve(std::move(request)); });
  }
  void Open() { listener_.open().wait(); }
  void Close() { listener_.close().wait(); }

 private:
  void Serve(http::http_request request) {
    HttpRequest req;
    req.method = request.method();
    req.path = request.relative_uri().path();
    req.query = request.relative_uri().query();
    for (const auto& [name, value] : request.headers()) {
      std::string key = name;
      std::transform(key.begin(), key.end(), key.begin(), ::tolower);
      req.headers[key] = value;
    }
    HttpReply reply;
    try {
      auto bytes = request.extract_vector().get();
      req.body.assign(bytes.begin(), bytes.end());
      reply = handler_(req);
    } catch (const std::exception& e) {
      spdlog::error("http: {} {} failed: {}", req.method, req.path, e.what());
      reply = HttpReply::Text(500, "internal error\n");
    }
    if (reply.defer) {
      const std::string what = req.method + " " + req.path;
      reply.defer(
          [request, what](HttpReply later) mutable { Send(request, later, what, /*wait=*/false); });
      return;
    }
    Send(request, reply, req.method + " " + req.path, /*wait=*/true);
  }

  // A deferred reply is not waited for: its sender answers many clients, and a slow one must
  // not hold up the rest.
  static void Send(http::http_request& request, const HttpReply& reply, const std::string& what,
                   bool wait) {
    http::http_response response(static_cast<http::status_code>(reply.status));
    response.set_body(std::vector<unsigned char>(reply.body.begin(), reply.body.end()));
    for (const auto& [name, value] : reply.headers) {
      if (name == "Content-Type") {
        response.headers().set_content_type(value);
      } else {
        response.headers().add(name, value);
      }
    }
    try {
      auto sent = request.reply(response).then([what](pplx::task<void> done) {
        try {
          done.get();
        } catch (const std::exception& e) {
          spdlog::debug("http: reply to {} not delivered: {}", what, e.what());
        }
      });
      if (wait) sent.wait();
    } catch (const std::exception& e) {
      spdlog::debug("http: reply to {} not sent: {}", what, e.what());
    }
  }

  http::experimental::listener::http_listener listener_;
  HttpHandler handler_;
};

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& host, int port,
                                                        HttpHandler handler) {
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->host_ = host;
  server->port_ = port == 0 ? PickFreePort() : port;
  try {
    server->impl_ = std::make_unique<Impl>(server->url(), std::move(handler));
    server->impl_->Open();
  } catch (const std::exception& e) {
    return Status::Unavailable("cannot listen on " + server->url() + ": " + e.what());
  }
  return server;
}

HttpServer::~HttpServer() {
  if (!impl_) return;
  try {
    impl_->Close();
  } catch (const std::exception& e) {
    spdlog::debug("http: close: {}", e.what());
  }
}

std::string HttpServer::url() const { return "http://" + host_ + ":" + std::to_string(port_); }

}  // namespace hgo
