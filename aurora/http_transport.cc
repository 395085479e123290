#include "aurora/http_transport.h"

#include <cpprest/asyncrt_utils.h>
#include <cpprest/http_client.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <map>
#include <mutex>
#include <string_view>
#include <system_error>
#include <thread>

#include "common/file_util.h"
#include "common/version.h"

namespace hgo::aurora {

namespace http = web::http;
namespace client = web::http::client;

namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string BasicAuthHeader(const BasicCredentials& c) {
  std::string plain = c.user + ":" + c.password;
  std::vector<unsigned char> bytes(plain.begin(), plain.end());
  return "Basic " + utility::conversions::to_base64(bytes);
}

// Connection errors that mean no byte of the request reached a server.
bool NeverSent(const std::error_code& ec) {
  const int v = ec.value();
  return v == ECONNREFUSED || v == EHOSTUNREACH || v == ENETUNREACH || v == EADDRNOTAVAIL ||
         ec == std::errc::connection_refused;
}

}  // namespace

StatusOr<BasicCredentials> CredentialsFromFile(const std::string& path) {
  HGO_ASSIGN_OR_RETURN(std::string text, ReadFileLimited(path, 4096));
  std::string line = Trim(text.substr(0, text.find('\n')));
  size_t colon = line.find(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument(path + ": expected one line 'user:password'");
  }
  return BasicCredentials{line.substr(0, colon), line.substr(colon + 1)};
}

StatusOr<BasicCredentials> CredentialsFromEnv(const std::string& user_var,
                                              const std::string& password_var) {
  const char* user = std::getenv(user_var.c_str());
  const char* password = std::getenv(password_var.c_str());
  if (!user || !*user || !password) {
    return Status::NotFound("credentials: set both " + user_var + " and " + password_var);
  }
  return BasicCredentials{user, password};
}

struct HttpTransport::Outcome {
  enum class Kind {
    kReply,      // 200 with a body
    kRedirect,   // 307/308: not processed, send to location
    kNotSent,    // the request cannot have reached a scheduler
    kMaybeSent,  // it may have been processed: only retryable calls try again
    kFinal,      // an answer that retrying will not change (401, 415, 500...)
  };
  Kind kind = Kind::kFinal;
  Status status;
  std::string body;
  std::string location;
  // Writing the request failed, so the scheduler never had all of it (it cannot have been
  // processed). On a pooled connection that is a connection the scheduler closed while it was
  // idle (a restart, an idle timeout).
  bool unwritten = false;
};

// The clients by (URL, timeout). Bounded: a serverset that keeps changing cannot grow it without
// end (past the bound all are dropped and made again; requests in flight keep theirs alive).
struct HttpTransport::Clients {
  static constexpr size_t kMax = 16;
  std::mutex mu;
  std::map<std::pair<std::string, int64_t>, std::shared_ptr<client::http_client>> by_url;

  // The client for (url, timeout); *pooled says it was made by an earlier call (its connections
  // may have been closed by the server since).
  std::shared_ptr<client::http_client> Get(const std::string& url,
                                           std::chrono::milliseconds timeout,
                                           const HttpTransportOptions& options, bool* pooled) {
    std::lock_guard<std::mutex> lock(mu);
    auto key = std::make_pair(url, static_cast<int64_t>(timeout.count()));
    *pooled = false;
    if (auto it = by_url.find(key); it != by_url.end()) {
      *pooled = true;
      return it->second;
    }
    client::http_client_config config;
    config.set_timeout(std::chrono::duration_cast<std::chrono::microseconds>(timeout));
    config.set_max_redirects(0);  // 307s are followed in Post, where the policy lives
    config.set_validate_certificates(options.verify_tls);
    if (!options.ca_file.empty()) {
      config.set_ssl_context_callback(
          [ca = options.ca_file](boost::asio::ssl::context& ctx) { ctx.load_verify_file(ca); });
    }
    auto made = std::make_shared<client::http_client>(web::uri(url), config);
    if (by_url.size() >= kMax) by_url.clear();
    by_url.emplace(key, made);
    return made;
  }

  // Drops stale (when it is still the client for its key): its pool may hold more closed
  // connections; the next call makes a client with none.
  void Forget(const std::string& url, std::chrono::milliseconds timeout,
              const std::shared_ptr<client::http_client>& stale) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = by_url.find(std::make_pair(url, static_cast<int64_t>(timeout.count())));
    if (it != by_url.end() && it->second == stale) by_url.erase(it);
  }
};

HttpTransport::HttpTransport(HttpTransportOptions options)
    : options_(std::move(options)), clients_(std::make_unique<Clients>()) {}
HttpTransport::~HttpTransport() = default;

HttpTransport::Outcome HttpTransport::PostOnce(const std::string& url, const std::string& method,
                                               const std::string& body,
                                               std::chrono::milliseconds timeout) {
  // A request that could not be written on a pooled connection goes once more on a new one.
  for (int round = 0;; ++round) {
    bool pooled = false;
    std::shared_ptr<client::http_client> http_client;
    try {
      http_client = clients_->Get(url, timeout, options_, &pooled);
    } catch (const std::exception& e) {
      Outcome out;
      out.status =
          Status::InvalidArgument(method + ": bad scheduler URL '" + url + "': " + e.what());
      return out;
    }
    Outcome out = Exchange(*http_client, url, method, body, timeout);
    if (!(out.unwritten && pooled && round == 0)) return out;
    spdlog::debug("aurora: {} at {}: a pooled connection was closed ({}); sending on a new one",
                  method, url, out.status.message());
    clients_->Forget(url, timeout, http_client);
  }
}

HttpTransport::Outcome HttpTransport::Exchange(web::http::client::http_client& http_client,
                                               const std::string& url, const std::string& method,
                                               const std::string& body,
                                               std::chrono::milliseconds timeout) {
  Outcome out;
  try {
    http::http_request request(http::methods::POST);
    web::uri_builder path(web::uri(url).path());
    path.append_path("api");
    request.set_request_uri(path.to_uri().path());
    request.set_body(std::vector<unsigned char>(body.begin(), body.end()));
    request.headers().set_content_type(ContentType(options_.protocol));
    request.headers().add("Accept", ContentType(options_.protocol));
    request.headers().add("User-Agent", std::string("heron-gitops/") + kVersion);
    if (options_.credentials) {
      request.headers().add("Authorization", BasicAuthHeader(*options_.credentials));
    }
    http::http_response response = http_client.request(request).get();
    const int code = response.status_code();
    if (code == 200) {
      auto bytes = response.extract_vector().get();
      out.kind = Outcome::Kind::kReply;
      out.body.assign(bytes.begin(), bytes.end());
      return out;
    }
    std::string text = response.extract_string(true).get();
    if (text.size() > 200) text.resize(200);
    const std::string what = method + " at " + url + ": HTTP " + std::to_string(code);
    if (code == 307 || code == 308) {
      out.kind = Outcome::Kind::kRedirect;
      out.location = response.headers().has("Location") ? response.headers()["Location"] : "";
      out.status = Status::Unavailable(what + " without a Location");
      return out;
    }
    if (code == 401 || code == 403) {
      out.status = Status::Unauthenticated(
          what + (options_.credentials ? ": the scheduler refused the credentials"
                                       : ": the scheduler needs credentials (none configured)"));
      return out;
    }
    if (code == 503 || code == 502) {
      out.kind = Outcome::Kind::kMaybeSent;
      out.status = Status::Unavailable(what + " (no leading scheduler?)");
      return out;
    }
    out.status = Status::Internal(what + ": " + Trim(text));
    return out;
  } catch (const http::http_exception& e) {
    // cpprest's asio client (http_client_asio.cpp) reports a failed write of the request line,
    // headers or body as "Failed to write request ...".
    out.unwritten = std::string_view(e.what()).find("Failed to write request") != std::string::npos;
    if (NeverSent(e.error_code()) || out.unwritten) {
      out.kind = Outcome::Kind::kNotSent;
      out.status = Status::Unavailable(method + " at " + url + ": " + e.what());
    } else if (e.error_code() == std::errc::timed_out) {
      out.kind = Outcome::Kind::kMaybeSent;
      out.status = Status::DeadlineExceeded(method + " at " + url + ": no answer within " +
                                            std::to_string(timeout.count()) + " ms");
    } else {
      out.kind = Outcome::Kind::kMaybeSent;
      out.status = Status::Unavailable(method + " at " + url + ": " + e.what());
    }
  } catch (const std::exception& e) {
    out.status = Status::InvalidArgument(method + ": bad scheduler URL '" + url + "': " + e.what());
  }
  return out;
}

StatusOr<std::string> HttpTransport::Post(const std::string& method, const std::string& body,
                                          bool retryable) {
  std::vector<std::string> urls =
      options_.schedulers ? options_.schedulers() : std::vector<std::string>{};
  if (urls.empty()) return Status::Unavailable(method + ": no Aurora scheduler known");
  Backoff backoff(options_.backoff);
  const std::chrono::milliseconds timeout =
      retryable && options_.read_timeout ? *options_.read_timeout : options_.timeout;
  Status last;
  last_attempts_ = 0;
  for (int attempt = 0; attempt < std::max(1, options_.max_attempts); ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(backoff.NextDelay());
      if (options_.schedulers) {
        auto fresh = options_.schedulers();
        if (!fresh.empty()) urls = std::move(fresh);
      }
    }
    std::string url = urls[attempt % urls.size()];
    ++last_attempts_;
    Outcome out = PostOnce(url, method, body, timeout);
    for (int hops = 0; out.kind == Outcome::Kind::kRedirect && !out.location.empty(); ++hops) {
      if (hops >= options_.max_redirects) {
        return Status::Unavailable(method + ": more than " +
                                   std::to_string(options_.max_redirects) + " redirects, last to " +
                                   out.location);
      }
      // Location is <scheme>://<leader>:<port>/api: keep the base, drop our own "/api".
      std::string location = out.location;
      if (size_t api = location.rfind("/api"); api != std::string::npos) location.resize(api);
      spdlog::debug("aurora: {} redirected from {} to {}", method, url, location);
      url = location;
      out = PostOnce(url, method, body, timeout);
    }
    switch (out.kind) {
      case Outcome::Kind::kReply:
        return std::move(out.body);
      case Outcome::Kind::kNotSent:
        last = out.status;
        continue;
      case Outcome::Kind::kMaybeSent:
        if (!retryable) return out.status;
        last = out.status;
        continue;
      case Outcome::Kind::kRedirect:
      case Outcome::Kind::kFinal:
        return out.status;
    }
  }
  return last;
}

}  // namespace hgo::aurora
