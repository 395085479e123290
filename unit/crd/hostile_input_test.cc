// Hostile input gets a clear, located error in bounded time and memory, never a crash.
// (The libFuzzer target in fuzz/ explores the same surface at scale; see docs/fuzzing.md.)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "crd/parser.h"
#include "unit/crd/spec_fixture.h"

namespace hgo::crd {
namespace {

std::string OnlyError(const ParseResult& r) {
  auto errors = r.AllErrors();
  EXPECT_EQ(errors.size(), 1u);
  return errors.empty() ? "" : errors[0].ToString();
}

TEST(HostileInputTest, DeepFlowNestingIsRefusedBeforeParsing) {
  std::string yaml = "a: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  EXPECT_EQ(OnlyError(ParseTopologies(yaml, "deep.yaml")),
            "deep.yaml:1:68: nesting deeper than 64 levels");
}

TEST(HostileInputTest, DeepBlockNestingIsRefused) {
  // "- - - - ... x": one nesting level per two bytes, invisible to a bracket count.
  std::string yaml;
  for (int i = 0; i < 50000; ++i) yaml += "- ";
  yaml += "x\n";
  std::string err = OnlyError(ParseTopologies(yaml, "block.yaml"));
  EXPECT_NE(err.find("block.yaml:1:"), std::string::npos) << err;
  EXPECT_NE(err.find("nesting deeper than"), std::string::npos) << err;
}

TEST(HostileInputTest, NestingInsideConfigIsBounded) {
  std::string nested = "x";
  for (int i = 0; i < 80; ++i) nested = "{k: " + nested + "}";
  std::string yaml = testing::Replace(testing::BaseSpec(), "  topology:\n",
                                      "  topology:\n    config:\n      deep: " + nested + "\n");
  ParseOptions options;
  options.max_flow_depth = 1000;  // let it through to the document walk
  std::string err = OnlyError(ParseTopologies(yaml, "n.yaml", options));
  EXPECT_NE(err.find("nested deeper than 64 levels"), std::string::npos) << err;
}

TEST(HostileInputTest, AliasBombIsStoppedByTheNodeBudget) {
  std::string yaml = testing::Replace(testing::BaseSpec(), "  topology:\n",
                                      "  topology:\n    config:\n"
                                      "      a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                                      "      b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                                      "      c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                                      "      d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                                      "      e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                                      "      f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                                      "      g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                                      "      h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
                                      "      i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n");
  ParseResult r = ParseTopologies(yaml, "bomb.yaml");
  std::string err = OnlyError(r);
  EXPECT_NE(err.find("document expands to more than 100000 YAML nodes"), std::string::npos) << err;
  EXPECT_FALSE(r.documents.at(0).keys.empty());  // still says which topology it meant
}

TEST(HostileInputTest, ModestAliasesAreFine) {
  std::string yaml =
      testing::Replace(testing::BaseSpec(), "  topology:\n",
                       "  topology:\n    config:\n      a: &a [1, 2]\n      b: *a\n");
  EXPECT_TRUE(ParseTopologies(yaml, "ok.yaml").ok());
}

TEST(HostileInputTest, SelfReferencingAliasDoesNotLoop) {
  std::string yaml = testing::Replace(testing::BaseSpec(), "  topology:\n",
                                      "  topology:\n    config: {a: &x [1, *x]}\n");
  ParseResult r = ParseTopologies(yaml, "self.yaml");
  EXPECT_FALSE(r.ok());  // either yaml-cpp refuses it or the depth limit stops the walk
}

TEST(HostileInputTest, HugeFileIsRefusedByItsSize) {
  std::string yaml = "# " + std::string(2 << 20, 'x') + "\n";
  EXPECT_EQ(OnlyError(ParseTopologies(yaml, "huge.yaml")),
            "huge.yaml:1:1: file is 2097155 bytes, over the limit of 1048576");
}

TEST(HostileInputTest, InvalidUtf8IsLocated) {
  std::string yaml = testing::Replace(testing::BaseSpec(), "role: www-data", "role: www\xC3\x28");
  EXPECT_EQ(OnlyError(ParseTopologies(yaml, "u.yaml")),
            "u.yaml:7:12: invalid UTF-8 (the file must be UTF-8 text)");
}

TEST(HostileInputTest, TabIndentationIsLocated) {
  std::string yaml = testing::Replace(testing::BaseSpec(), "  role: www-data", "\trole: www-data");
  EXPECT_EQ(OnlyError(ParseTopologies(yaml, "tab.yaml")),
            "tab.yaml:7:1: tab character in indentation (YAML indentation must use spaces)");
}

TEST(HostileInputTest, TabsInsideValuesAreAllowed) {
  std::string yaml = testing::Replace(testing::BaseSpec(), "  topology:\n",
                                      "  topology:\n    config: {note: \"a\tb\"}\n");
  EXPECT_TRUE(ParseTopologies(yaml, "t.yaml").ok());
}

TEST(HostileInputTest, NulAndControlCharactersAreLocated) {
  std::string yaml = testing::BaseSpec();
  yaml[yaml.find("www-data")] = '\0';
  EXPECT_EQ(OnlyError(ParseTopologies(yaml, "nul.yaml")),
            "nul.yaml:7:9: control character 0x00 is not allowed in YAML");
}

TEST(HostileInputTest, DuplicateKeysAreErrorsNotLastWins) {
  std::string yaml = testing::Replace(testing::BaseSpec(), "        parallelism: 2\n",
                                      "        parallelism: 2\n        parallelism: 200\n");
  EXPECT_EQ(OnlyError(ParseTopologies(yaml, "dup.yaml")),
            "dup.yaml:20:9: spec.topology.bolts[0].parallelism: duplicate key 'parallelism' "
            "(first at line 19)");
}

TEST(HostileInputTest, NonStringKeysAreErrors) {
  std::string yaml = testing::Replace(testing::BaseSpec(), "  role: www-data\n",
                                      "  role: www-data\n  ? [a, b]\n  : c\n");
  std::string err = OnlyError(ParseTopologies(yaml, "k.yaml"));
  EXPECT_NE(err.find("keys must be strings, got a list"), std::string::npos) << err;
}

TEST(HostileInputTest, TooManyDocumentsIsRefused) {
  std::string yaml;
  for (int i = 0; i < 1001; ++i) yaml += "---\na: 1\n";
  std::string err = OnlyError(ParseTopologies(yaml, "many.yaml"));
  EXPECT_NE(err.find("more than 1000 documents"), std::string::npos) << err;
}

TEST(HostileInputTest, UnsupportedTagsAndNonFiniteNumbers) {
  std::string yaml =
      testing::Replace(testing::BaseSpec(), "  topology:\n",
                       "  topology:\n    config: {a: !!binary aGk=, b: .inf, c: 1e999}\n");
  auto errors = ParseTopologies(yaml, "tags.yaml").AllErrors();
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_NE(errors[0].message.find("unsupported YAML tag"), std::string::npos);
  EXPECT_NE(errors[1].message.find("not a finite number"), std::string::npos);
  EXPECT_NE(errors[2].message.find("out of range"), std::string::npos);
}

// A deterministic mutation loop over the full example: byte flips, insertions of YAML
// punctuation and truncation. Nothing may crash or throw; everything returns a result.
TEST(HostileInputTest, RandomMutationsNeverCrash) {
  std::ifstream in(std::string(HGO_SOURCE_DIR) + "/manifests/examples/full.yaml");
  std::string seed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(seed.empty());
  std::mt19937 rng(20261124);
  const std::string punct = ":-[]{}&*!|>'\"#%@`,?\t\n \x01\xff";
  int invalid = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string s = seed;
    int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      size_t pos = rng() % s.size();
      switch (rng() % 4) {
        case 0:
          s[pos] = static_cast<char>(rng() % 256);
          break;
        case 1:
          s.insert(pos, 1, punct[rng() % punct.size()]);
          break;
        case 2:
          s.erase(pos, 1 + rng() % 16);
          break;
        case 3:
          s.resize(pos);
          break;
      }
    }
    ParseResult r = ParseTopologies(s, "m.yaml");
    if (!r.ok()) ++invalid;
    for (const auto& e : r.AllErrors()) EXPECT_FALSE(e.message.empty());
  }
  EXPECT_GT(invalid, 1000);  // the mutations really did produce broken input
}

}  // namespace
}  // namespace hgo::crd

namespace hgo::crd {
namespace {

// Inputs the fuzzer once crashed on (fuzz/regressions/); the sanitizer tier replays them too.
TEST(HostileInputTest, FuzzRegressionsParseCleanly) {
  const std::string dir = std::string(HGO_SOURCE_DIR) + "/fuzz/regressions";
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ParseResult r = ParseTopologies(text, entry.path().filename().string());
    for (const auto& e : r.AllErrors()) EXPECT_FALSE(e.message.empty());
    ++count;
  }
  EXPECT_GT(count, 0);
}

}  // namespace
}  // namespace hgo::crd
