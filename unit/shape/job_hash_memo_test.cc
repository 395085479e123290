#include <gtest/gtest.h>

#include "crd/canonical.h"
#include "crd/parser.h"
#include "shape/shape.h"
#include "testing/spec_text.h"

namespace hgo::shape {

using testing::MinimalSpecText;
namespace {

crd::Topology Spec(const std::string& name, const std::string& extra = "") {
  auto r = crd::ParseTopologies(MinimalSpecText(name) + extra, name + ".yaml");
  EXPECT_TRUE(r.ok());
  return r.Topologies().at(0);
}

aurora::JobInputs Inputs(const crd::Topology& t) {
  aurora::JobInputs in;
  in.spec_hash = crd::SpecHash(t);
  in.resources = aurora::ContainerResources{2, int64_t{4} << 30, int64_t{8} << 30};
  in.component_ram = {{"exclaim", int64_t{1} << 30}, {"word", int64_t{1} << 30}};
  return in;
}

TEST(JobHashMemoTest, GivesJobHashAndRecomputesWhenAnyInputChanges) {
  aurora::ClusterConfig cluster;
  cluster.name = "devcluster";
  cluster.core_package_uri = "file:///opt/heron/heron-core.tar.gz";
  cluster.statemgr_connection = "zk1:2181";
  JobHashMemo memo;
  const crd::Topology t = Spec("a");
  aurora::JobInputs in = Inputs(t);
  auto direct = aurora::JobHash(t, cluster, in);
  ASSERT_TRUE(direct.ok()) << direct.status();
  EXPECT_EQ(*memo.Get(t, cluster, in), *direct);
  EXPECT_EQ(*memo.Get(t, cluster, in), *direct) << "remembered";
  EXPECT_EQ(memo.size(), 1u);

  // Each input JobHash reads, changed alone, gives JobHash's new answer.
  std::vector<aurora::JobInputs> changed(5, in);
  changed[0].resources.cpus = 3;
  changed[1].component_ram["word"] = int64_t{2} << 30;
  changed[2].resources.ram_bytes = int64_t{5} << 30;
  changed[3].topology_binary = "other.jar";
  changed[4].package_type = "pex";
  for (const auto& c : changed) {
    auto want = aurora::JobHash(t, cluster, c);
    ASSERT_TRUE(want.ok());
    EXPECT_NE(*want, *direct);
    EXPECT_EQ(*memo.Get(t, cluster, c), *want);
  }
  // Another spec of the same topology: another spec hash.
  const crd::Topology t2 = Spec("a", "  state: Paused\n");
  ASSERT_NE(crd::SpecHash(t2), in.spec_hash);
  aurora::JobInputs in2 = Inputs(t2);
  EXPECT_EQ(*memo.Get(t2, cluster, in2), *aurora::JobHash(t2, cluster, in2));
  // Inputs JobHash overrides (container count, ids) do not matter.
  in.containers = 7;
  in.topology_id = "x";
  EXPECT_EQ(*memo.Get(t, cluster, in), *direct);

  memo.Forget(t.key());
  EXPECT_EQ(memo.size(), 0u);
  in.spec_hash.clear();  // no spec hash: computed, not remembered
  EXPECT_TRUE(memo.Get(t, cluster, in).ok());
  EXPECT_EQ(memo.size(), 0u);
}

}  // namespace
}  // namespace hgo::shape
