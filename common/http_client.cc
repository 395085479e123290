#include "common/http_client.h"

#include <cpprest/http_client.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace hgo {

StatusOr<HttpResponse> HttpFetch(const std::string& method, const std::string& url,
                                 const HttpFetchOptions& options) {
  if (!web::uri::validate(url)) return Status::InvalidArgument("not a URL: " + url);
  try {
    web::http::client::http_client_config config;
    config.set_timeout(options.timeout);
    config.set_validate_certificates(options.verify_tls);
    if (!options.ca_file.empty()) {
      if (::access(options.ca_file.c_str(), R_OK) != 0) {
        return Status::InvalidArgument(options.ca_file + ": cannot read the CA file");
      }
      config.set_ssl_context_callback(
          [ca = options.ca_file](boost::asio::ssl::context& ctx) { ctx.load_verify_file(ca); });
    }
    web::http::client::http_client client(web::uri(url), config);
    web::http::http_request req(method);
    for (const auto& [k, v] : options.headers) req.headers().add(k, v);
    if (!options.body.empty()) {
      // The byte-vector overload: the string one trips UBSan's vptr check inside cpprest.
      req.set_body(std::vector<unsigned char>(options.body.begin(), options.body.end()));
      req.headers().set_content_type(options.content_type);
    }
    web::http::http_response resp = client.request(req).get();
    HttpResponse out;
    out.status = resp.status_code();
    for (const auto& [k, v] : resp.headers()) {
      std::string key = k;
      std::transform(key.begin(), key.end(), key.begin(), ::tolower);
      out.headers[key] = v;
    }
    auto bytes = resp.extract_vector().get();
    out.body.assign(bytes.begin(), bytes.end());
    return out;
  } catch (const web::http::http_exception& e) {
    const std::string what = e.what();
    if (e.error_code() == std::errc::timed_out || what.find("timed out") != std::string::npos) {
      return Status::DeadlineExceeded(method + " " + url + ": timed out");
    }
    return Status::Unavailable(method + " " + url + ": " + what);
  } catch (const std::exception& e) {
    return Status::Unavailable(method + " " + url + ": " + e.what());
  }
}

}  // namespace hgo
