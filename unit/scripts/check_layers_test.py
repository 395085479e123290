#!/usr/bin/python3
"""scripts/check_layers.py: the real tree passes; a tree with an include across layers fails,
naming the file, line and include."""
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(ROOT, "scripts", "check_layers.py")


def run(root):
    return subprocess.run(["/usr/bin/python3", SCRIPT, root], capture_output=True, text=True)


def tree(files):
    d = tempfile.TemporaryDirectory()
    for path, text in files.items():
        os.makedirs(os.path.dirname(os.path.join(d.name, path)), exist_ok=True)
        with open(os.path.join(d.name, path), "w") as f:
            f.write(text)
    return d


class CheckLayersTest(unittest.TestCase):
    def test_the_project_follows_its_table(self):
        r = run(ROOT)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_an_upward_include_fails_with_its_location(self):
        with tree({"reconciler/planner.cc": '#include "reconciler/planner.h"\n'
                                            '#include "aurora/job_builder.h"\n',
                   "aurora/job_builder.h": "#pragma once\n"}) as d:
            r = run(d)
        self.assertEqual(r.returncode, 1)
        self.assertIn("reconciler/planner.cc:2: includes aurora/job_builder.h", r.stdout)

    def test_the_zookeeper_layer_is_not_reachable_from_packages(self):
        with tree({"packager/package.cc": '#include "heron/defn.h"\n'
                                          '#include "statestore/zk_client.h"\n'}) as d:
            r = run(d)
        self.assertEqual(r.returncode, 1)
        self.assertNotIn("heron/defn.h", r.stdout)
        self.assertIn("packager/package.cc:2: includes statestore/zk_client.h", r.stdout)

    def test_yaml_cpp_is_crds_own(self):
        with tree({"controller/cluster/clusters.cc": '#include <yaml-cpp/yaml.h>\n',
                   "crd/config_file.cc": '#include <yaml-cpp/yaml.h>\n'}) as d:
            r = run(d)
        self.assertEqual(r.returncode, 1)
        self.assertIn("controller/cluster/clusters.cc:1: includes <yaml-cpp/yaml.h>", r.stdout)
        self.assertNotIn("crd/config_file.cc", r.stdout)

    def test_tests_may_include_anything(self):
        with tree({"unit/x_test.cc": '#include "controller/controller.h"\n'}) as d:
            self.assertEqual(run(d).returncode, 0)


if __name__ == "__main__":
    unittest.main()
