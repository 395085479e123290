// Self-signed certificates for tests of TLS: an EC P-256 key and a certificate valid for a day
// for 127.0.0.1 and localhost, written as PEM files. The certificate is its own CA, so the same
// file is what a client trusts (--ca-file). Test equipment only.
#pragma once

#include <string>

#include "common/status.h"

namespace hgo::testing {

struct TlsCert {
  std::string cert_file;  // <dir>/<name>.crt
  std::string key_file;   // <dir>/<name>.key
};

// common_name tells two certificates apart in a test (e.g. before and after a reload).
StatusOr<TlsCert> MakeSelfSignedCert(const std::string& dir, const std::string& name,
                                     const std::string& common_name = "hgo-test");

}  // namespace hgo::testing
