#include "common/http_server.h"

#include "common/server_tls.h"

#include <arpa/inet.h>
#include <cpprest/http_listener.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

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

// Handlers run on the server's own threads, never on cpprest's: cpprest's pool (40 threads,
// shared with every cpprest client in the process, the Aurora client's among them) must never
// wait. A handler that blocked there (reading a body with .get(), or calling Aurora) let 40
// concurrent requests, a few UI tabs' watches, starve the pool, and with it every Aurora call:
// the controller stopped. Here a request is read by a continuation, queued, and handled by one
// of kHandlers threads; a reply is sent without waiting.
class HttpServer::Impl {
 public:
  static constexpr int kHandlers = 8;
  static constexpr size_t kMaxQueued = 1000;  // beyond: 503 at once

  Impl(const std::string& url, HttpHandler handler, std::shared_ptr<ServerTls> tls)
      : listener_(web::uri(url), Config(std::move(tls))), handler_(std::move(handler)) {
    listener_.support([this](http::http_request request) { Accept(std::move(request)); });
    for (int i = 0; i < kHandlers; ++i) threads_.emplace_back([this] { Work(); });
  }
  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(q_->mu);
      q_->stopping = true;
    }
    q_->cv.notify_all();
    for (auto& t : threads_) t.join();  // the queue is drained first
  }
  void Open() { listener_.open().wait(); }
  void Close() { listener_.close().wait(); }

 private:
  static http::experimental::listener::http_listener_config Config(std::shared_ptr<ServerTls> tls) {
    http::experimental::listener::http_listener_config config;
    if (tls) {
      // The callback holds the ServerTls, so it lives as long as the listener's context.
      config.set_ssl_context_callback([tls](boost::asio::ssl::context& ctx) {
        ctx.set_options(boost::asio::ssl::context::default_workarounds |
                        boost::asio::ssl::context::no_sslv2 | boost::asio::ssl::context::no_sslv3 |
                        boost::asio::ssl::context::single_dh_use);
        tls->Attach(ctx.native_handle());
      });
    }
    return config;
  }

  void Accept(http::http_request request) {
    // The continuation may outlive this Impl (a body still arriving at shutdown): it holds the
    // queue, not the server.
    request.extract_vector().then([q = q_, request](pplx::task<std::vector<unsigned char>> body) {
      HttpRequest req;
      req.method = request.method();
      req.path = request.relative_uri().path();
      req.query = request.relative_uri().query();
      for (const auto& [name, value] : request.headers()) {
        std::string key = name;
        std::transform(key.begin(), key.end(), key.begin(), ::tolower);
        req.headers[key] = value;
      }
      try {
        auto bytes = body.get();  // ready: this is its continuation
        req.body.assign(bytes.begin(), bytes.end());
      } catch (const std::exception& e) {
        spdlog::debug("http: {} {}: body not read: {}", req.method, req.path, e.what());
        return;
      }
      bool full = false;
      {
        std::lock_guard<std::mutex> lock(q->mu);
        full = q->jobs.size() >= kMaxQueued || q->stopping;
        if (!full) q->jobs.emplace_back(request, std::move(req));
      }
      if (full) {
        Send(request, HttpReply::Text(503, "busy\n"), req.method + " " + req.path);
      } else {
        q->cv.notify_one();
      }
    });
  }

  void Work() {
    while (true) {
      std::pair<http::http_request, HttpRequest> job;
      {
        std::unique_lock<std::mutex> lock(q_->mu);
        q_->cv.wait(lock, [this] { return q_->stopping || !q_->jobs.empty(); });
        if (q_->jobs.empty()) return;
        job = std::move(q_->jobs.front());
        q_->jobs.pop_front();
      }
      Serve(job.first, job.second);
    }
  }

  void Serve(http::http_request& request, const HttpRequest& req) {
    HttpReply reply;
    try {
      reply = handler_(req);
    } catch (const std::exception& e) {
      spdlog::error("http: {} {} failed: {}", req.method, req.path, e.what());
      reply = HttpReply::Text(500, "internal error\n");
    }
    const std::string what = req.method + " " + req.path;
    if (reply.defer) {
      reply.defer([request, what](HttpReply later) mutable { Send(request, later, what); });
      return;
    }
    Send(request, reply, what);
  }

  // Never waits for the client: a slow one must not hold a thread.
  static void Send(http::http_request request, const HttpReply& reply, const std::string& what) {
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
      request.reply(response).then([what](pplx::task<void> done) {
        try {
          done.get();
        } catch (const std::exception& e) {
          spdlog::debug("http: reply to {} not delivered: {}", what, e.what());
        }
      });
    } catch (const std::exception& e) {
      spdlog::debug("http: reply to {} not sent: {}", what, e.what());
    }
  }

  http::experimental::listener::http_listener listener_;
  HttpHandler handler_;
  struct Queue {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::pair<http::http_request, HttpRequest>> jobs;
    bool stopping = false;
  };
  std::shared_ptr<Queue> q_ = std::make_shared<Queue>();
  std::vector<std::thread> threads_;
};

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& host, int port,
                                                        HttpHandler handler,
                                                        const HttpServerTls& tls) {
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->host_ = host;
  server->port_ = port == 0 ? PickFreePort() : port;
  if (tls.enabled()) {
    HGO_ASSIGN_OR_RETURN(server->tls_, ServerTls::Load(tls.cert_file, tls.key_file));
  }
  try {
    server->impl_ = std::make_unique<Impl>(server->url(), std::move(handler), server->tls_);
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

std::string HttpServer::url() const {
  return (tls_ ? "https://" : "http://") + host_ + ":" + std::to_string(port_);
}

Status HttpServer::ReloadTls() { return tls_ ? tls_->Reload() : Status::Ok(); }

}  // namespace hgo
