// The canonical form of a Topology and its spec hash.
//
// The canonical form is the spec with every default written out, quantities normalised (bytes,
// millicores), maps in key order and order-free lists (spouts, bolts, components, streams)
// sorted, serialised as compact JSON. Two files that mean the same thing (different key order,
// comments, quoting, formatting, or a default written explicitly) have the same canonical bytes
// and so the same hash; any change of meaning changes both. Provenance (file, line) is left out.
#pragma once

#include <string>

#include "common/json.h"
#include "common/status.h"
#include "crd/topology.h"

namespace hgo::crd {

Json CanonicalJson(const Topology& t);
std::string CanonicalString(const Topology& t);  // Serialize(CanonicalJson(t))
// The canonical form as a spec document the parser takes (JSON is YAML): resources back from
// their normalised fields (cpuMillis, ramBytes, diskBytes) to the spec's quantities (cpu, ram,
// disk). Parsing it gives the same topology, hence the same hashes.
std::string SpecTextFromCanonical(Json canonical);
std::string SpecText(const Topology& t);  // SpecTextFromCanonical(CanonicalJson(t))
// The same as block-style YAML, for files people read (heronctl import); parses to t again.
std::string SpecYaml(const Topology& t);
// The inverse of CanonicalJson: the topology a stored canonical form means (a record's revision,
// to roll back to), parsed as any spec is. origin names it in errors. kInvalidArgument, with the
// parser's first error, when it is not one valid spec (written by a newer controller, say).
StatusOr<Topology> FromCanonicalJson(Json canonical, const std::string& origin);
// What the hashes are taken of: the canonical form, except that an ECO section without `type`
// is hashed as "type":"heron" (its input before ECO's storm default was honoured), so that no
// running topology's hash moves with an upgrade. Such a spec and one saying `type: heron` hash
// alike; they differ only when Storm keys are set (topology.workers: a scale, not a new task).
Json HashInput(const Topology& t);
std::string SpecHash(const Topology& t);  // sha256 hex of Serialize(HashInput(t))

// The hash of what runs in each container: the canonical form without what only scales the
// topology (parallelism, the container count) or only steers the controller (state, syncPolicy,
// update settings, labels). Two specs with the same task hash differ by a scale at most, which
// Heron applies without restarting unchanged containers; any other change of meaning (package,
// logical plan, config, resources, constraints, Heron release) changes it.
std::string TaskHash(const Topology& t);

// The hash of the topology's stream graph: its spouts and bolts by name and its streams (source,
// target, stream id, grouping and its fields). What Heron's logical plan routes by, and nothing
// else: code, config, parallelism and resources leave it alone. Two revisions with the same graph
// can share a topology id, so a rolling update between them keeps the containers it has not
// reached registered with the new topology manager (docs/operations.md, "Topology ids").
std::string StreamGraphHash(const Topology& t);

}  // namespace hgo::crd
