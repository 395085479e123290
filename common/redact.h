// The one redactor: what looks like a credential in a text, found and masked. Every log line,
// event, condition message and API answer passes through Redact (docs/operations.md,
// "Secrets"), so that a credential that slipped past spec validation (crd/validation.cc uses
// FindCredential on every string of a spec) still never leaves the process.
//
// What counts as a credential (each case masks the value only, never what names it):
// - a URI's userinfo, `scheme://user:password@host` (all of it: a lone user part is often a
//   token, as in `https://TOKEN@github.com`);
// - an HTTP authorization, `Bearer X`, `Basic X`;
// - the value of a name that looks like a credential (LooksLikeCredentialName: password,
//   secret, token, ...) written `name=value`, `name: value`, `"name": "value"` (also with the
//   quotes JSON-escaped inside a string), `-Dname=value`, `--name=value`, and an ECO property
//   `{name: password, value: X}`.
// A value that is a reference (`file:…`, `env:…`) is not a credential and is left as it is.
//
// It errs towards masking: `token: 5` in a message loses its 5. Cost (bench/redact_bench.cc, a
// 5 MB answer listing 10,000 topologies): ~55 ms, with or without a credential in each; a text
// with none is not copied.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace hgo {

// Whether a config key, property or field name names a credential (case-insensitive):
// password, passwd, secret, token, credential, apikey and api.key/_key/-key, private.key/_key/-key,
// access.key/_key/-key.
bool LooksLikeCredentialName(std::string_view name);

// A reference to a credential kept elsewhere (`file:PATH`, `env:NAME`): safe to show.
bool IsCredentialReference(std::string_view value);

struct CredentialMatch {
  enum class Kind { kUserinfo, kAuthorization, kNamedValue };
  Kind kind;
  size_t begin;  // the masked value's bytes in the text
  size_t end;
  std::string name;   // kNamedValue: the name before it
  bool bare = false;  // kNamedValue: written without quotes
};

// The first credential in text, or nullopt.
std::optional<CredentialMatch> FindCredential(std::string_view text, size_t from = 0);

// text with every credential's value replaced by "***".
std::string Redact(std::string_view text);

// Redact in place; true when something was masked.
bool RedactInPlace(std::string& text);

}  // namespace hgo
