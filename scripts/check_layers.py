#!/usr/bin/python3
"""Checks every project #include against the layer table below (docs/development.md,
"Architecture"): a file may include its own component and the components its row allows,
nothing else. Linking alone does not enforce layers, since every target sees the whole tree.

Usage: scripts/check_layers.py [ROOT]   (exit 1 and one line per forbidden include)

A component is a path prefix; a file belongs to the longest one that matches it. Tests,
benchmarks, the fuzzer and the mains may include anything.
"""
import os
import re
import sys

# component: the components it may include (besides itself). Lower layers first.
LAYERS = {
    "common/": [],
    "crd/": ["common/"],
    "reconciler/": ["common/", "crd/"],
    # Heron's own formats and algorithms: packing on the spec; the protos, the ZooKeeper nodes'
    # contents, the .defn.
    "heron/packing": ["common/", "crd/"],
    "heron/proto/": [],
    "heron/messages": ["common/", "crd/", "heron/packing", "heron/proto/"],
    "heron/defn": ["common/", "crd/", "heron/messages", "heron/proto/"],
    # Topology packages (archives, the blob store, .defn making): Heron's messages, no ZooKeeper.
    "packager/": ["common/", "crd/", "heron/packing", "heron/messages",
                  "heron/defn", "heron/proto/"],
    # ZooKeeper: the client, Heron's state, the controller's records, leader election.
    "statestore/": ["common/", "crd/", "heron/packing"],
    # aurora-local, the scheduler stand-in: it speaks the same IDL but builds no job and uses no
    # client.
    "aurora_local/": ["common/", "aurora/codec", "aurora/types", "aurora/wire_protocol",
                      "aurora/gen/", "statestore/zk_client"],
    # The Aurora types and codec, the job builder, the client.
    "aurora/": ["common/", "crd/", "heron/packing", "statestore/zk_client",
                "statestore/heron_state"],
    # A revision's shape: packing, job inputs and hash, the job; no transport, no ZooKeeper.
    "shape/": ["common/", "crd/", "heron/packing", "packager/blob_store", "aurora/job_builder",
               "aurora/types"],
    # Adoption: a live topology compared with a revision's shape (Heron's messages, the planner's
    # plain types; still no transport and no ZooKeeper).
    "shape/adoption": ["common/", "crd/", "heron/packing", "heron/messages", "heron/proto/",
                       "reconciler/types", "packager/blob_store", "aurora/job_builder",
                       "aurora/types", "shape/shape"],
    # Spec sources and the desired set (the spool keeps what it consumed in the record store).
    "sources/": ["common/", "crd/", "statestore/state_store"],
    "controller/": ["common/", "crd/", "reconciler/", "heron/", "packager/", "statestore/",
                    "aurora/", "shape/", "sources/"],
    "cli/": ["common/", "crd/", "heron/", "packager/"],
    "testing/": ["common/", "crd/", "reconciler/", "heron/", "packager/", "statestore/", "aurora/",
                 "shape/", "sources/", "controller/", "testing/"],
}
# Third-party headers only some components may include: yaml-cpp is read through crd (its
# ConfigFile for small config files), so every YAML file gets the same strict, located reading.
RESTRICTED = {"yaml-cpp/": ["crd/"]}
FREE = ("unit/", "e2e/", "bench/", "fuzz/", "cmd/", "build", ".")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)
SYSTEM_INCLUDE = re.compile(r'^\s*#\s*include\s+<([^>]+)>', re.MULTILINE)


def component_of(path):
    best = None
    for prefix in LAYERS:
        if path.startswith(prefix) and (best is None or len(prefix) > len(best)):
            best = prefix
    return best


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    root = os.path.abspath(root)
    tops = {p.split("/")[0] for p in LAYERS}
    bad = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        if rel_dir != "." and rel_dir.startswith(FREE):
            dirnames[:] = []
            continue
        for name in filenames:
            if not name.endswith((".h", ".cc")):
                continue
            path = os.path.normpath(os.path.join(rel_dir, name))
            own = component_of(path)
            if own is None:
                continue
            with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
                text = f.read()
            for line_no, include in enumerate_includes(text, SYSTEM_INCLUDE):
                for prefix, allowed in RESTRICTED.items():
                    if include.startswith(prefix) and not any(own.startswith(a) for a in allowed):
                        bad.append(f"{path}:{line_no}: includes <{include}>, which only "
                                   f"{', '.join(allowed)} may (scripts/check_layers.py)")
            for line_no, include in enumerate_includes(text):
                if include.split("/")[0] not in tops:
                    continue  # generated or system-like headers (version.h, api_types.h)
                if include.startswith(own) or any(include.startswith(p) for p in LAYERS[own]):
                    continue
                bad.append(f"{path}:{line_no}: includes {include}, which {own} may not "
                           f"(scripts/check_layers.py)")
    for b in bad:
        print(b)
    if not bad:
        print("layers: every include follows the layer table")
    return 1 if bad else 0


def enumerate_includes(text, pattern=INCLUDE):
    for m in pattern.finditer(text):
        yield text.count("\n", 0, m.start()) + 1, m.group(1)


if __name__ == "__main__":
    sys.exit(main())
