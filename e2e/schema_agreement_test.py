#!/usr/bin/python3
"""The JSON Schema for editors agrees with the controller's parser.

1. Every example document validates against the schema (and heronctl accepts it: the example test).
2. full.yaml uses every property the schema defines, and the schema defines every property
   full.yaml uses; since heronctl rejects unknown fields and accepts full.yaml, the schema and
   the parser know the same fields.
3. Broken specs are rejected by both the schema and the real heronctl binary.

Usage: schema_agreement_test.py HERONCTL SOURCE_DIR   (Debian's /usr/bin/python3, jsonschema, yaml)
"""
import json
import subprocess
import sys

import jsonschema
import yaml

HERONCTL, SRC = sys.argv[1], sys.argv[2]
SCHEMA = json.load(open(f"{SRC}/manifests/schema/topology.schema.json"))
jsonschema.Draft7Validator.check_schema(SCHEMA)
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)
# Maps whose keys are the user's (runtimeConfig's inner maps are checked by the schema itself).
FREE_FORM = {"labels", "config", "constraints", "constructorArgs", "customClass", "args", "value",
             "runtimeConfig"}
failures = []


def resolve(node):
    while "$ref" in node:
        target = SCHEMA
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def schema_paths(node, prefix=""):
    node = resolve(node)
    paths = set()
    for key, sub in node.get("properties", {}).items():
        path = f"{prefix}.{key}" if prefix else key
        paths.add(path)
        if key in FREE_FORM:
            continue
        sub = resolve(sub)
        if sub.get("type") == "array" and "items" in sub:
            paths |= schema_paths(sub["items"], path + "[]")
        else:
            paths |= schema_paths(sub, path)
    return paths


def instance_paths(value, prefix=""):
    paths = set()
    if isinstance(value, dict):
        for key, sub in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths.add(path)
            if key not in FREE_FORM:
                paths |= instance_paths(sub, path)
    elif isinstance(value, list):
        for item in value:
            paths |= instance_paths(item, prefix + "[]")
    return paths


for name in ["minimal.yaml", "full.yaml", "multi.yaml"]:
    for i, doc in enumerate(yaml.safe_load_all(open(f"{SRC}/manifests/examples/{name}"))):
        errors = [e.message for e in VALIDATOR.iter_errors(doc)]
        if errors:
            failures.append(f"{name} document {i} fails the schema: {errors}")

full = next(yaml.safe_load_all(open(f"{SRC}/manifests/examples/full.yaml")))
in_schema, in_full = schema_paths(SCHEMA), instance_paths(full)
for missing in sorted(in_schema - in_full):
    failures.append(f"full.yaml does not use schema property {missing}")
for extra in sorted(in_full - in_schema):
    failures.append(f"full.yaml uses {extra}, which the schema does not define")

minimal = open(f"{SRC}/manifests/examples/minimal.yaml").read()
BROKEN = {
    "unknown field": ("  role: www-data", "  role: www-data\n  rolee: x"),
    "typo in component field": ("id: exclaim", "id: exclaim\n        paralelism: 2"),
    "parallelism 0": ("id: exclaim", "id: exclaim\n        parallelism: 0"),
    "bad environment": ("environment: devel", "environment: qa"),
    "bad sha": ("sha256: 3f1c", "sha256: 3F1C"),
    "bad scheme": ("uri: file:///var", "uri: s3://var"),
    "bad grouping": ("{type: SHUFFLE}", "{type: RANDOM}"),
    "fields without args": ("{type: SHUFFLE}", "{type: FIELDS}"),
    "args without fields": ("{type: SHUFFLE}", "{type: SHUFFLE, args: [w]}"),
    "bad strategy": ("  role: www-data", "  role: www-data\n  update: {strategy: rolling}"),
    "runtime value Heron cannot split": ("  role: www-data",
                                         "  role: www-data\n  runtimeConfig: {topology: {a: \"x:y\"}}"),
    "batch size 0": ("  role: www-data", "  role: www-data\n  update: {batchSize: 0}"),
    "bad sync policy": ("  role: www-data", "  role: www-data\n  syncPolicy: ignore"),
    "bad adopt policy": ("  role: www-data", "  role: www-data\n  adopt: Always"),
    "bad ram": ("  role: www-data", "  role: www-data\n  resources: {ram: 4GB}"),
    "bad limit": ("  role: www-data", "  role: www-data\n  constraints: {host: 'limit:0'}"),
    "missing package": ("  package:\n", "  pkg:\n"),
    "wrong kind": ("kind: Topology", "kind: Job"),
    "name with space": ("name: exclamation", "name: 'excl amation'"),
}
for case, (old, new) in BROKEN.items():
    assert old in minimal, case
    text = minimal.replace(old, new, 1)
    doc = yaml.safe_load(text)
    if not list(VALIDATOR.iter_errors(doc)):
        failures.append(f"schema accepts broken spec: {case}")
    rc = subprocess.run([HERONCTL, "validate", "-f", "-"], input=text.encode(),
                        capture_output=True).returncode
    if rc != 1:
        failures.append(f"heronctl exit {rc} (want 1) for broken spec: {case}")

for f in failures:
    print("FAIL", f)
checks = 3 + len(in_schema) + len(BROKEN) * 2
print(f"schema agreement: {len(in_schema)} schema properties, {len(BROKEN)} broken specs checked")
print(f"{checks - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
