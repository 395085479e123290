// A revision's shape: what the executor's command line needs comes from the packing plan and the
// package (every component's RAM, the binary, its type), a package rooted elsewhere than the
// cluster is refused, and what cannot be packed is refused with heronctl validate's message.
#include <gtest/gtest.h>

#include "cli/validate.h"
#include "crd/canonical.h"
#include "crd/parser.h"
#include "shape/shape.h"
#include "testing/spec_text.h"

namespace hgo::shape {

using testing::MinimalSpecText;
namespace {

crd::Topology Spec(const std::string& extra = "") {
  auto r = crd::ParseTopologies(MinimalSpecText("shape") + extra, "shape.yaml");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.AllErrors()[0].ToString());
  return r.Topologies().at(0);
}

aurora::ClusterConfig Cluster() {
  aurora::ClusterConfig c;
  c.name = "devcluster";
  c.core_package_uri = "file:///opt/heron/heron-core.tar.gz";
  c.statemgr_connection = "zk1:2181";
  c.statemgr_root = "/heron";
  return c;
}

packager::PackageFacts Facts() {
  return packager::PackageFacts{"defn", "shape.defn", "shape-1.0-all.pex", "pex", "/heron"};
}

TEST(ShapeTest, TheCommandLineFollowsThePlanAndThePackage) {
  auto spec = std::make_shared<const crd::Topology>(Spec());
  RevisionSource rev{spec, crd::SpecHash(*spec), "test"};
  auto shape = ShapeOf(rev, Cluster(), std::nullopt, Facts());
  ASSERT_TRUE(shape.ok()) << shape.status();
  // minimal.yaml names no component RAM: every component still has its instances' RAM.
  EXPECT_EQ(shape->inputs.component_ram.size(), 2u);
  EXPECT_EQ(shape->inputs.component_ram, packing::ComponentRamDistribution(shape->packing));
  EXPECT_EQ(shape->inputs.topology_binary, "shape-1.0-all.pex");
  EXPECT_EQ(shape->inputs.package_type, "pex");
  EXPECT_EQ(shape->inputs.defn_file, "shape.defn");
  const std::string cmd = aurora::ExecutorCommandLine(*spec, Cluster(), shape->inputs);
  EXPECT_NE(cmd.find(" --pkg-type=pex --topology-binary-file=shape-1.0-all.pex "),
            std::string::npos);
  EXPECT_NE(cmd.find(" --topology-defn-file=shape.defn "), std::string::npos);
  EXPECT_EQ(cmd.find("--component-ram-map= "), std::string::npos);

  // Another binary is another task: another job hash, another topology id.
  packager::PackageFacts jar = Facts();
  jar.binary_name = "shape.jar";
  jar.binary_type = "jar";
  auto other = ShapeOf(rev, Cluster(), std::nullopt, jar);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->inputs.job_hash, shape->inputs.job_hash);
}

TEST(ShapeTest, APackageRootedElsewhereIsRefused) {
  auto spec = std::make_shared<const crd::Topology>(Spec());
  RevisionSource rev{spec, crd::SpecHash(*spec), "test"};
  aurora::ClusterConfig cluster = Cluster();
  cluster.statemgr_root = "/heron2";
  auto shape = ShapeOf(rev, cluster, std::nullopt, Facts());
  EXPECT_EQ(shape.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(shape.status().message().find("roots Heron's state at '/heron'"), std::string::npos)
      << shape.status();
  packager::PackageFacts facts = Facts();
  facts.statemgr_root = "/heron2";
  EXPECT_TRUE(ShapeOf(rev, cluster, std::nullopt, facts).ok());
}

TEST(ShapeTest, WhatCannotBePackedGetsValidatesMessage) {
  auto spec = std::make_shared<const crd::Topology>(Spec("  resources: {cpu: 1, ram: 1Gi}\n"));
  RevisionSource rev{spec, crd::SpecHash(*spec), "test"};
  auto shape = ShapeOf(rev, Cluster(), std::nullopt, Facts());
  ASSERT_FALSE(shape.ok());
  auto error = cli::PackingError(*spec);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->path, "spec.resources");
  EXPECT_EQ(error->message, shape.status().message());
  EXPECT_EQ(error->message.rfind("cannot be packed: ", 0), 0u) << error->message;
  EXPECT_GT(error->location.line, 0);
}

}  // namespace
}  // namespace hgo::shape
