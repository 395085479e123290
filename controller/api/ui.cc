#include "controller/api/ui.h"

#include <cstring>

#include "controller/api/ui_assets.h"

namespace hgo::controller {

namespace {

const char* ContentType(const std::string& name) {
  auto ends = [&](const char* ext) {
    const size_t n = std::strlen(ext);
    return name.size() >= n && name.compare(name.size() - n, n, ext) == 0;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

std::optional<HttpReply> Asset(const std::string& name) {
  for (const UiAsset& a : UiAssets()) {
    if (name != a.name) continue;
    HttpReply r;
    r.body.assign(reinterpret_cast<const char*>(a.bytes), a.size);
    r.headers["Content-Type"] = ContentType(name);
    // Small, and replaced with the binary: revalidated rather than cached.
    r.headers["Cache-Control"] = "no-cache";
    r.headers["X-Content-Type-Options"] = "nosniff";
    r.headers["Referrer-Policy"] = "no-referrer";
    r.headers["Content-Security-Policy"] =
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";
    return r;
  }
  return std::nullopt;
}

}  // namespace

std::optional<HttpReply> ServeUi(const std::string& path) {
  if (path == "/" || path == "/index.html" || path.rfind("/topologies/", 0) == 0) {
    return Asset("index.html");
  }
  if (path.rfind("/ui/", 0) == 0) {
    auto a = Asset(path.substr(4));
    if (a) return a;
    return HttpReply::Text(404, "no such file\n");
  }
  return std::nullopt;
}

}  // namespace hgo::controller
