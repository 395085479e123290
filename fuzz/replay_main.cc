// A libFuzzer-compatible driver for builds without libFuzzer (g++, the sanitizer tier): runs a
// fuzz target's LLVMFuzzerTestOneInput on every file given (seeds, regressions, a corpus
// directory), then on inputs derived from them by a fixed-seed generator (bytes flipped, cut,
// repeated, inserted) for the given seconds. It finds far less than libFuzzer's coverage-guided
// search (scripts/fuzz); it keeps every target running in CI, briefly, under ASan and UBSan.
//
// Usage: <target> [--seconds N] [--max-len N] [FILE|DIR]...
// Prints the inputs run; a crash is the target's (the sanitizer reports it).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<std::string> ReadInputs(const std::vector<std::string>& paths) {
  std::vector<std::string> inputs;
  auto add = [&](const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    inputs.push_back(s.str());
  };
  for (const auto& path : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(path, ec)) {
        if (e.is_regular_file()) add(e.path());
      }
    } else if (std::filesystem::is_regular_file(path, ec)) {
      add(path);
    }
  }
  return inputs;
}

// One derived input: a base (a seed, or empty) changed by one to four random edits.
std::string Derive(const std::vector<std::string>& seeds, std::mt19937_64& rng, size_t max_len) {
  std::string s = seeds.empty() ? std::string() : seeds[rng() % seeds.size()];
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < edits; ++i) {
    const size_t at = s.empty() ? 0 : rng() % s.size();
    switch (rng() % 5) {
      case 0:  // flip a byte
        if (!s.empty()) s[at] = static_cast<char>(s[at] ^ (1u << (rng() % 8)));
        break;
      case 1:  // cut the tail
        s.resize(at);
        break;
      case 2: {  // insert random bytes
        std::string bytes(1 + rng() % 16, '\0');
        for (auto& c : bytes) c = static_cast<char>(rng());
        s.insert(at, bytes);
        break;
      }
      case 3:  // repeat a slice
        if (!s.empty()) s.insert(at, s.substr(rng() % s.size(), 1 + rng() % 64));
        break;
      default:  // an interesting byte
        if (!s.empty()) s[at] = "\x00\x01\x7f\x80\xff{}[]\":\n"[rng() % 12];
        break;
    }
  }
  if (s.size() > max_len) s.resize(max_len);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2;
  size_t max_len = 4096;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (a == "--max-len" && i + 1 < argc) {
      max_len = static_cast<size_t>(std::atol(argv[++i]));
    } else {
      paths.push_back(a);
    }
  }
  const std::vector<std::string> seeds = ReadInputs(paths);
  for (const auto& s : seeds) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
  std::mt19937_64 rng(20261205);
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  long runs = 0;
  while (std::chrono::steady_clock::now() < end) {
    const std::string s = Derive(seeds, rng, max_len);
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    ++runs;
  }
  std::printf("%zu seeds and %ld derived inputs run, no crash\n", seeds.size(), runs);
  return 0;
}
