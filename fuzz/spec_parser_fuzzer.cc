// libFuzzer target for the spec parser: any bytes must give a result (a topology or located
// errors), never a crash, a hang or unbounded memory. Built with scripts/fuzz (clang, ASan, UBSan).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crd/canonical.h"
#include "crd/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  hgo::crd::ParseResult result = hgo::crd::ParseTopologies(text, "fuzz.yaml");
  for (const auto& e : result.AllErrors()) {
    if (e.message.empty()) __builtin_trap();  // every error must say something
  }
  for (const auto& t : result.Topologies()) {
    // Valid documents must also survive the canonical form, and hash the same twice.
    if (hgo::crd::SpecHash(t) != hgo::crd::SpecHash(t)) __builtin_trap();
  }
  return 0;
}
