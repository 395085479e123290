// libFuzzer target for the redactor (common/redact.h): a credential embedded in any form between
// arbitrary text never survives, Redact is idempotent, valid JSON stays valid
// (testing/redact_property.h). Built with scripts/fuzz (clang, ASan, UBSan).
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include "testing/redact_property.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string why = hgo::testing::CheckRedactProperties(data, size);
  if (!why.empty()) {
    std::fprintf(stderr, "redactor property failed: %s\n", why.c_str());
    __builtin_trap();
  }
  return 0;
}
