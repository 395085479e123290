// The redactor's properties (common/redact.h), for its fuzzer (fuzz/redactor_fuzzer.cc) and its
// property test in the unit tier (unit/common/redact_property_test.cc), which share this:
// 1. A credential embedded in any of the forms people write it, between arbitrary text, never
//    survives Redact. The credential is [A-Z0-9]{8,24} starting with a letter and the text
//    around it has no capital letter, so it can only appear where it was put.
// 2. Redact is idempotent.
// 3. Valid JSON stays valid JSON.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/json.h"
#include "common/redact.h"

namespace hgo::testing {

inline constexpr int kRedactForms = 9;

// The text with `secret` put in form `form` between prefix and suffix.
inline std::string EmbedCredential(int form, const std::string& prefix, const std::string& secret,
                                   const std::string& suffix) {
  switch (form) {
    case 0:
      return prefix + " https://user:" + secret + "@host/x " + suffix;
    case 1:
      return prefix + " https://" + secret + "@github.com/x.git " + suffix;
    case 2:
      return prefix + " -Ddb.password=" + secret + " " + suffix;
    case 3:
      return prefix + "\napi_key: " + secret + "\n" + suffix;
    case 4:
      return prefix + "{\"token\": \"" + secret + "\"}" + suffix;
    case 5:
      return prefix + " Authorization: Bearer " + secret + " " + suffix;
    case 6:
      return prefix + "[{\"name\": \"secret\", \"value\": \"" + secret + "\"}]" + suffix;
    case 7:
      return prefix + " --access-key=" + secret + " " + suffix;
    default:
      return prefix + " {\\\"password\\\": \\\"" + secret + "\\\"} " + suffix;
  }
}

// "" when every property holds for these bytes, else what failed.
inline std::string CheckRedactProperties(const uint8_t* data, size_t size) {
  const std::string raw(reinterpret_cast<const char*>(data), size);
  const std::string once = Redact(raw);
  if (Redact(once) != once) return "not idempotent on the raw input";
  if (ParseJson(raw).ok() && !ParseJson(once).ok()) return "valid JSON became invalid: " + once;
  if (size < 2) return "";

  const int form = data[0] % kRedactForms;
  const size_t length = 8 + data[1] % 17;
  std::string secret;
  for (size_t i = 0; i < length; ++i) {
    const uint8_t b = 2 + i < size ? data[2 + i] : static_cast<uint8_t>(i * 7);
    secret +=
        i == 0 ? static_cast<char>('A' + b % 26) : "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[b % 36];
  }
  std::string rest = size > 2 + length ? raw.substr(2 + length) : "";
  for (char& c : rest) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  const std::string text =
      EmbedCredential(form, rest.substr(0, rest.size() / 2), secret, rest.substr(rest.size() / 2));
  const std::string out = Redact(text);
  if (out.find(secret) != std::string::npos) {
    return "form " + std::to_string(form) + ": the credential survived in: " + out;
  }
  if (Redact(out) != out) return "not idempotent on the embedded text";
  return "";
}

}  // namespace hgo::testing
