// A small valid spec with known line numbers, and helpers to mutate it, shared by crd tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crd/parser.h"

namespace hgo::crd::testing {

inline constexpr char kSha[] = "3f1c6a7d4e2b9a8c5d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e";

// Line numbers matter: the validation table states exact positions in this text.
inline std::string BaseSpec() {
  return std::string(
             "apiVersion: heron/v1\n"              // 1
             "kind: Topology\n"                    // 2
             "metadata:\n"                         // 3
             "  name: wc\n"                        // 4
             "spec:\n"                             // 5
             "  cluster: devcluster\n"             // 6
             "  role: www-data\n"                  // 7
             "  environment: devel\n"              // 8
             "  package:\n"                        // 9
             "    uri: file:///blobs/wc.tar.gz\n"  // 10
             "    sha256: ") +
         kSha +
         "\n"                                              // 11
         "  topology:\n"                                   // 12
         "    spouts:\n"                                   // 13
         "      - id: sentence\n"                          // 14
         "        className: com.example.SentenceSpout\n"  // 15
         "    bolts:\n"                                    // 16
         "      - id: split\n"                             // 17
         "        className: com.example.SplitBolt\n"      // 18
         "        parallelism: 2\n"                        // 19
         "    streams:\n"                                  // 20
         "      - from: sentence\n"                        // 21
         "        to: split\n"                             // 22
         "        grouping: {type: SHUFFLE}\n";            // 23
}

// Replaces the first occurrence of from (which must exist) with to.
inline std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << "fixture has no '" << from << "'";
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

// Every error of the text as "line:col: path: message" (the file name left out).
inline std::vector<std::string> ErrorsOf(const std::string& yaml) {
  ParseResult r = ParseTopologies(yaml, "t.yaml");
  std::vector<std::string> out;
  for (const auto& e : r.AllErrors()) {
    std::string s = e.ToString();
    out.push_back(s.substr(std::string("t.yaml:").size()));
  }
  return out;
}

}  // namespace hgo::crd::testing
