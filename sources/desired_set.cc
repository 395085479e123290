#include "sources/desired_set.h"

#include "crd/canonical.h"

namespace hgo::sources {

namespace {

// Git files are named "path@commit": the path alone identifies the file across commits.
std::string FileId(const std::string& file) {
  const size_t at = file.rfind('@');
  return at == std::string::npos ? file : file.substr(0, at);
}

std::string Where(const crd::Topology& t) {
  return t.source_file + ":" + std::to_string(t.location.line);
}

}  // namespace

DesiredSet MergeSources(const std::vector<SourceSnapshot>& snapshots, LastGoodFiles& last_good,
                        const DesiredSet* previous) {
  DesiredSet out;
  std::map<crd::TopologyKey, std::string> first_seen;  // key -> where, for duplicates
  // (cluster, name) -> the first key with that name there, and where it was.
  std::map<std::pair<std::string, std::string>, std::pair<crd::TopologyKey, std::string>>
      first_named;
  auto freeze = [&](const crd::TopologyKey& k, const std::string& why) {
    out.present.erase(k);
    auto [it, added] = out.frozen.emplace(k, why);
    if (!added && it->second.find(why) == std::string::npos) it->second += "; " + why;
  };
  for (const auto& s : snapshots) {
    auto& files = last_good.files[s.source];
    Status status = s.status;
    // An empty source prunes nothing unless it is marked allowEmpty: an emptied directory or a
    // branch reset by mistake must not delete every topology.
    const bool empty = status.ok() && s.topologies.empty() && !s.allow_empty;
    if (empty) {
      bool any_file_errors = false;
      for (const auto& f : s.files) any_file_errors |= !f->errors.empty();
      if (!any_file_errors) {
        status = Status::FailedPrecondition(
            "the source is empty; refusing to delete what it held (mark it ?allowEmpty to allow)");
      }
    }
    if (!status.ok()) {
      const std::string why = "source " + s.source + ": " + status.message();
      out.errors.push_back(why);
      if (!last_good.ever_read[s.source] || empty) {
        out.freeze_absent = true;
        out.freeze_absent_reason = why;
      }
      for (const auto& [file, keys] : files) {
        for (const auto& k : keys) freeze(k, why);
      }
      continue;
    }
    last_good.ever_read[s.source] = true;
    std::map<std::string, std::vector<crd::TopologyKey>> now;
    for (const auto& shared : s.files) {
      const SpecFile& f = *shared;
      for (const auto& e : f.errors) out.errors.push_back(e.ToString());
      const std::string id = FileId(f.file);
      std::string why = f.errors.empty() ? "" : f.errors.front().ToString();
      if (f.errors.size() > 1) why += " (and " + std::to_string(f.errors.size() - 1) + " more)";
      for (const auto& k : f.broken_keys) freeze(k, why);
      if (f.file_error) {
        // Keys unknown: freeze what the file held when it last parsed.
        auto old = files.find(id);
        if (old != files.end()) {
          for (const auto& k : old->second) freeze(k, why);
          now[id] = old->second;
        } else {
          out.freeze_absent = true;
          out.freeze_absent_reason = why;
        }
        continue;
      }
      if (!f.broken_keys.empty()) {
        // Keep the broken keys remembered for this file too.
        now[id] = f.keys;
        now[id].insert(now[id].end(), f.broken_keys.begin(), f.broken_keys.end());
      } else {
        now[id] = f.keys;
      }
    }
    files = std::move(now);
    for (const auto& spec : s.topologies) {
      const crd::Topology& t = *spec;
      const crd::TopologyKey k = t.key();
      if (auto dup = first_seen.find(k); dup != first_seen.end()) {
        const std::string why =
            k.ToString() + " is defined twice: " + dup->second + " and " + Where(t);
        out.errors.push_back(why);
        freeze(k, why);
        continue;
      }
      first_seen[k] = Where(t);
      // Heron keeps one topology per name in a cluster's state (its nodes are named by the
      // topology alone): two roles or environments using one name would write the same nodes.
      // Both are frozen: neither is created or changed, and one already running keeps running.
      const auto named = std::make_pair(k.cluster, k.name);
      if (auto other = first_named.find(named); other != first_named.end()) {
        const std::string why = "cluster " + k.cluster + " has two topologies named " + k.name +
                                ": " + other->second.first.ToString() + " (" +
                                other->second.second + ") and " + k.ToString() + " (" + Where(t) +
                                "); Heron keeps one topology of a name per cluster, rename one";
        out.errors.push_back(why);
        freeze(other->second.first, why);
        freeze(k, why);
        continue;
      }
      first_named.emplace(named, std::make_pair(k, Where(t)));
      if (out.frozen.count(k)) continue;
      std::string hash, graph;
      if (auto h = previous ? previous->present.find(k) : out.present.end();
          previous && h != previous->present.end() && h->second.spec == spec) {
        hash = h->second.spec_hash;
        graph = h->second.graph_hash;
      } else {
        hash = crd::SpecHash(t);
        graph = crd::StreamGraphHash(t);
      }
      out.present[k] = DesiredEntry{spec, std::move(hash), s.source, s.revision, std::move(graph)};
    }
  }
  // A key frozen by one file and valid in another source is still frozen (erase above), but a
  // key valid here and frozen later must not stay present.
  for (const auto& [k, why] : out.frozen) out.present.erase(k);
  return out;
}

}  // namespace hgo::sources
