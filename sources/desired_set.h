// The desired state of every topology, merged from the latest snapshot of each source.
//
// The safety rules of a GitOps controller live here (docs/operations.md, "What a broken source
// does"): a topology whose file does not parse is frozen, not deleted; a source that cannot be
// read, or that is suddenly empty, freezes everything it held; a key defined twice is frozen in
// both places. Pure: no I/O, tested table-driven.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crd/topology.h"
#include "sources/sources.h"

namespace hgo::sources {

struct DesiredEntry {
  crd::TopologyPtr spec;  // never null
  std::string spec_hash;
  std::string source;           // "dir:/specs"
  std::string source_revision;  // git commit or ""
  std::string graph_hash;       // crd::StreamGraphHash, computed with the spec hash
};

struct DesiredSet {
  std::map<crd::TopologyKey, DesiredEntry> present;
  std::map<crd::TopologyKey, std::string> frozen;  // key -> why (file:line: field: message)
  // Some source failed as a whole before its content was ever known: keys absent from every
  // source may still be in it, so nothing is pruned.
  bool freeze_absent = false;
  std::string freeze_absent_reason;
  std::vector<std::string> errors;  // every problem, for status
};

// What each file held the last time it parsed cleanly, per source: a file that breaks later
// freezes exactly these keys. Updated by Merge.
struct LastGoodFiles {
  std::map<std::string, std::map<std::string, std::vector<crd::TopologyKey>>> files;  // src->file
  std::map<std::string, bool> ever_read;  // source -> read successfully once
};

// previous, the set the last merge gave, lends its spec hashes: an unchanged file yields the
// same parsed object, so a resync hashes only what changed.
DesiredSet MergeSources(const std::vector<SourceSnapshot>& snapshots, LastGoodFiles& last_good,
                        const DesiredSet* previous = nullptr);

}  // namespace hgo::sources
