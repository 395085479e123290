#include "heron/packing.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "common/json.h"
#include "crd/parser.h"
#include "unit/crd/spec_fixture.h"

namespace hgo::packing {
namespace {

constexpr int64_t kGiB = int64_t{1} << 30;

// A topology with three components of the given parallelism and extra spec lines.
crd::Topology Spec(int spout, int split, int count, const std::string& extra = "",
                   const std::string& config = "") {
  std::string yaml = crd::testing::BaseSpec();
  yaml =
      crd::testing::Replace(yaml, "        className: com.example.SentenceSpout\n",
                            "        className: com.example.SentenceSpout\n        parallelism: " +
                                std::to_string(spout) + "\n");
  yaml = crd::testing::Replace(yaml, "parallelism: 2", "parallelism: " + std::to_string(split));
  yaml = crd::testing::Replace(yaml, "    streams:\n",
                               "      - id: count\n        className: com.example.CountBolt\n"
                               "        parallelism: " +
                                   std::to_string(count) + "\n    streams:\n");
  if (!config.empty()) {
    yaml =
        crd::testing::Replace(yaml, "  topology:\n", "  topology:\n    config: " + config + "\n");
  }
  yaml += extra;
  auto r = crd::ParseTopologies(yaml, "p.yaml");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.AllErrors()[0].ToString());
  return r.Topologies().at(0);
}

// Heron's rules for any plan, and agreement with the spec's parallelism.
void ExpectValid(const PackingPlan& p, const crd::Topology& t) {
  std::set<int32_t> tasks, containers;
  std::map<std::string, std::set<int32_t>> indexes;
  for (const auto& c : p.containers) {
    EXPECT_GE(c.id, 1);
    EXPECT_TRUE(containers.insert(c.id).second) << "duplicate container " << c.id;
    EXPECT_FALSE(c.instances.empty()) << "empty container " << c.id;
    ASSERT_TRUE(c.scheduled.has_value());
    EXPECT_EQ(*c.scheduled, p.MaxRequired());
    for (const auto& i : c.instances) {
      EXPECT_TRUE(tasks.insert(i.task_id).second) << "duplicate task id " << i.task_id;
      EXPECT_TRUE(indexes[i.component].insert(i.component_index).second);
      EXPECT_GE(i.resource.ram, int64_t{16} << 20);
    }
  }
  auto counts = p.ComponentCounts();
  for (const auto& s : t.spec.topology.spouts) EXPECT_EQ(counts[s.id], s.parallelism) << s.id;
  for (const auto& b : t.spec.topology.bolts) EXPECT_EQ(counts[b.id], b.parallelism) << b.id;
}

TEST(RoundRobinTest, HeronsWorkedExample) {
  // 3 components x parallelism 2 in 2 containers with default resources: each container holds
  // 3 instances of 1 CPU and 1 GiB, and asks for 4 CPU, 5 GiB RAM, 15 GiB disk.
  auto t = Spec(2, 2, 2, "  packing: {algorithm: RoundRobin, containers: 2}\n");
  auto p = Pack(t, "wc-1");
  ASSERT_TRUE(p.ok()) << p.status();
  ExpectValid(*p, t);
  ASSERT_EQ(p->containers.size(), 2u);
  for (const auto& c : p->containers) {
    ASSERT_EQ(c.instances.size(), 3u);
    for (const auto& i : c.instances) {
      EXPECT_EQ(i.resource.cpu, 1.0);
      EXPECT_EQ(i.resource.ram, kGiB);
    }
    EXPECT_EQ(c.required, (Resource{4.0, 5 * kGiB, 15 * kGiB}));
  }
  EXPECT_EQ(p->id, "wc-1");
  // Instances are dealt round robin with a global cursor: task 1 -> container 1, 2 -> 2, ...
  EXPECT_EQ(p->containers[0].instances[0].task_id, 1);
  EXPECT_EQ(p->containers[1].instances[0].task_id, 2);
}

TEST(RoundRobinTest, ExplicitRamComesFirstAndIsKept) {
  auto t = Spec(1, 1, 1, "  packing: {algorithm: RoundRobin, containers: 1}\n",
                "{topology.component.resourcemap: [{id: count, ram: 512MB}]}");
  auto p = Pack(t, "id");
  ASSERT_TRUE(p.ok()) << p.status();
  const auto& c = p->containers[0];
  EXPECT_EQ(c.instances[0].component, "count");  // largest explicit RAM first
  EXPECT_EQ(c.instances[0].resource.ram, 512LL << 20);
  // Others split what is left: (3 x 1 GiB + 2 GiB padding) - 2 GiB - 512 MiB, over 2.
  EXPECT_EQ(c.instances[1].resource.ram, (3 * kGiB - (512LL << 20)) / 2);
}

TEST(RoundRobinTest, TooManyContainersOrTooLittleRamAreErrors) {
  auto many = Spec(1, 1, 1, "  packing: {algorithm: RoundRobin}\n",
                   "{topology.stmgrs: 5}");  // validation allows stmgrs with RoundRobin
  EXPECT_EQ(Pack(many, "id").status().code(), StatusCode::kInvalidArgument);
  auto tight = Spec(2, 2, 2, "  packing: {algorithm: RoundRobin}\n  resources: {ram: 2Gi}\n");
  auto p = Pack(tight, "id");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("more RAM than spec.resources.ram"), std::string::npos);
}

TEST(ResourceCompliantTest, DefaultsFitInOneContainer) {
  auto t = Spec(1, 2, 0 + 1);
  auto p = Pack(t, "id");
  ASSERT_TRUE(p.ok()) << p.status();
  ExpectValid(*p, t);
  ASSERT_EQ(p->containers.size(), 1u);
  // 4 instances of (1 cpu, 1 GiB, 1 GiB) + padding max(1, 10% of 10) -> 5 cpu, 5 GiB, 5 GiB.
  EXPECT_EQ(p->containers[0].required, (Resource{5.0, 5 * kGiB, 5 * kGiB}));
}

TEST(ResourceCompliantTest, CapacityDecidesTheContainerCount) {
  // 3 cores per container, 1 core of padding: at most 2 instances per container.
  auto t = Spec(1, 2, 2, "  resources: {cpu: 3, ram: 8Gi, disk: 8Gi}\n");
  auto p = Pack(t, "id");
  ASSERT_TRUE(p.ok()) << p.status();
  ExpectValid(*p, t);
  EXPECT_EQ(p->containers.size(), 3u);
  for (const auto& c : p->containers) EXPECT_LE(c.instances.size(), 2u);
}

TEST(ResourceCompliantTest, InstancesThatCanNeverFitAreErrors) {
  // Validation refuses such a spec (crd ComponentRam); the packer still checks on its own.
  auto small = Spec(1, 1, 1, "", "{topology.component.resourcemap: [{id: split, ram: 200MB}]}");
  small.spec.topology.config["topology.component.resourcemap"] =
      *ParseJson(R"([{"id": "split", "ram": "100MB"}])");
  EXPECT_NE(Pack(small, "id").status().message().find("needs at least 192Mi"), std::string::npos);
  auto huge = Spec(1, 1, 1, "  resources: {ram: 1536Mi}\n");
  auto p = Pack(huge, "id");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("does not fit a container"), std::string::npos) << p.status();
}

// Every instance that survives a repack stays in its container with the same plan. An instance
// is (component, component index, task id): a task id freed by a scale-down may be reused by a
// later addition (Heron numbers new tasks from the highest existing one).
void ExpectNoSurvivorMoved(const PackingPlan& before, const PackingPlan& after) {
  std::map<std::tuple<std::string, int32_t, int32_t>, int32_t> where;
  for (const auto& c : after.containers) {
    for (const auto& i : c.instances) where[{i.component, i.component_index, i.task_id}] = c.id;
  }
  for (const auto& c : before.containers) {
    for (const auto& i : c.instances) {
      auto it = where.find({i.component, i.component_index, i.task_id});
      if (it == where.end()) continue;  // removed by a scale-down
      EXPECT_EQ(it->second, c.id) << i.component << "[" << i.component_index << "] moved";
      const ContainerPlan* now = after.Find(c.id);
      bool same =
          std::find(now->instances.begin(), now->instances.end(), i) != now->instances.end();
      EXPECT_TRUE(same) << i.component << "[" << i.component_index << "] changed its plan";
    }
  }
}

TEST(RepackTest, ScaleUpMovesNoExistingInstance) {
  auto before_spec = Spec(1, 2, 2, "  resources: {cpu: 3, ram: 8Gi, disk: 8Gi}\n");
  auto before = Pack(before_spec, "id-1");
  ASSERT_TRUE(before.ok());
  auto after_spec = Spec(1, 5, 3, "  resources: {cpu: 3, ram: 8Gi, disk: 8Gi}\n");
  auto after = Repack(*before, after_spec, "id-2");
  ASSERT_TRUE(after.ok()) << after.status();
  ExpectValid(*after, after_spec);
  ExpectNoSurvivorMoved(*before, *after);
  EXPECT_EQ(after->id, "id-2");
  // New instances continue the numbering.
  EXPECT_EQ(after->InstanceCount(), 9);
  auto changed = ChangedContainers(*before, *after);
  for (int32_t id : changed) {
    const ContainerPlan* old_c = before->Find(id);
    if (old_c) {
      EXPECT_GT(after->Find(id)->instances.size(), old_c->instances.size());
    }
  }
}

TEST(RepackTest, ScaleDownRemovesWithoutMovingAndDropsEmptyContainers) {
  auto spec5 = Spec(1, 5, 3, "  resources: {cpu: 3, ram: 8Gi, disk: 8Gi}\n");
  auto five = Pack(spec5, "a");
  ASSERT_TRUE(five.ok());
  auto spec1 = Spec(1, 1, 1, "  resources: {cpu: 3, ram: 8Gi, disk: 8Gi}\n");
  auto one = Repack(*five, spec1, "b");
  ASSERT_TRUE(one.ok()) << one.status();
  ExpectValid(*one, spec1);
  ExpectNoSurvivorMoved(*five, *one);
  EXPECT_LT(one->containers.size(), five->containers.size());
}

TEST(RepackTest, UnchangedSpecChangesNoContainer) {
  auto t = Spec(2, 3, 4, "  resources: {cpu: 4, ram: 8Gi, disk: 8Gi}\n");
  auto p = Pack(t, "a");
  auto again = Repack(*p, t, "a");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *p);
  EXPECT_TRUE(ChangedContainers(*p, *again).empty());
}

TEST(RepackTest, RandomScalingKeepsEveryRule) {
  std::mt19937 rng(7);
  auto current_spec = Spec(1, 1, 1, "  resources: {cpu: 4, ram: 6Gi, disk: 6Gi}\n");
  auto plan = Pack(current_spec, "r0");
  ASSERT_TRUE(plan.ok());
  for (int step = 1; step <= 40; ++step) {
    auto next = Spec(1 + rng() % 4, 1 + rng() % 9, 1 + rng() % 9,
                     "  resources: {cpu: 4, ram: 6Gi, disk: 6Gi}\n");
    auto repacked = Repack(*plan, next, "r" + std::to_string(step));
    ASSERT_TRUE(repacked.ok()) << repacked.status();
    ExpectValid(*repacked, next);
    ExpectNoSurvivorMoved(*plan, *repacked);
    plan = repacked;
  }
}

TEST(RoundRobinTest, AStormTypeEcoFilesWorkersAreItsContainers) {
  auto r =
      crd::ParseTopologyFile(std::string(HGO_SOURCE_DIR) + "/unit/testdata/eco/storm_workers.yaml");
  ASSERT_TRUE(r.ok()) << r.AllErrors()[0].ToString();
  crd::Topology t = r.Topologies().at(0);
  ASSERT_TRUE(t.spec.topology.storm());
  auto plan = Pack(t, "id");
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->containers.size(), 2u);
  ExpectValid(*plan, t);
  // The same file said to be a Heron topology: topology.workers is no Heron key.
  t.spec.topology.type = "heron";
  EXPECT_EQ(Pack(t, "id")->containers.size(), 1u);
}

TEST(ComponentRamDistributionTest, EveryComponentAtItsSmallestInstance) {
  auto t = Spec(2, 2, 1, "", "{topology.component.rammap: \"count:268435456\"}");
  auto plan = Pack(t, "id");
  ASSERT_TRUE(plan.ok()) << plan.status();
  PackingPlan uneven = *plan;
  uneven.containers[0].instances[0].resource.ram -= 1;  // heron-cli takes the smallest
  const std::string shrunk = uneven.containers[0].instances[0].component;
  auto ram = ComponentRamDistribution(uneven);
  EXPECT_EQ(ram.size(), 3u);  // sentence, split, count: every component
  EXPECT_EQ(ram.at("count"), 268435456);
  EXPECT_EQ(ram.at(shrunk), ComponentRamDistribution(*plan).at(shrunk) - 1);
}

TEST(ComponentRamMapTest, ReadsEcoAndHeronForms) {
  auto t = Spec(1, 1, 1, "",
                "{topology.component.resourcemap: [{id: split, ram: 1GB}], "
                "topology.component.rammap: \"count:268435456\"}");
  auto m = ComponentRamMap(t);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->at("split"), kGiB);
  EXPECT_EQ(m->at("count"), 268435456);
  auto bad = t;  // validation refuses it; ComponentRamMap still reports it
  bad.spec.topology.config["topology.component.resourcemap"] =
      *ParseJson(R"([{"id": "split", "ram": "lots"}])");
  EXPECT_FALSE(ComponentRamMap(bad).ok());
}

}  // namespace
}  // namespace hgo::packing
