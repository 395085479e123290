// Progressive rollout across clusters (docs/operations.md, "Progressive rollout") against real
// servers: one ZooKeeper, three aurora-local schedulers as three clusters (canary, east, west;
// each with its own Heron root), the heron-executor stand-in. And update windows, on one
// cluster.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <thread>

#include "crd/canonical.h"
#include "crd/parser.h"
#include "e2e/controller/rollout_fixture.h"
#include "statestore/zk_client.h"
#include "testing/heron_packages.h"

namespace hgo::e2e {
namespace {

using namespace std::chrono_literals;

TEST_F(RolloutE2E, ACreateAndAChangeRollCanaryFirstThenTheOthersOnceItIsStableAndSoaked) {
  WriteFile(specs_dir_ + "/exclamation.yaml", Placed(spec_));
  auto c = StartController({"dir:" + specs_dir_});
  ASSERT_TRUE(c);
  for (const char* cluster : {"canary", "east", "west"}) WaitRunning(*c, spec_, cluster);

  crd::Topology changed = spec_;
  changed.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{31});
  WriteFile(specs_dir_ + "/exclamation.yaml", Placed(changed));
  // While the canary rolls and soaks, wave 2 says what it waits for.
  WaitFor(
      *c, "east holding the change for wave 1",
      [](const Json& s) {
        return JsonStr(s, "message").find("wave 2 waits for wave 1 (canary)") != std::string::npos;
      },
      60, PathOf("east"));
  const Json canary = WaitRunning(*c, changed, "canary");
  const Json east = WaitRunning(*c, changed, "east");
  const Json west = WaitRunning(*c, changed, "west");

  // The record's timestamps prove the order: the canary's revision was stable and had soaked
  // before either wave-2 cluster applied its own.
  const Json* canary_rev = RevisionOf(canary, HashIn(changed, "canary"));
  ASSERT_TRUE(canary_rev);
  const int64_t soaked = JsonInt(*canary_rev, "stableMs") + kSoakSeconds * 1000;
  ASSERT_GT(JsonInt(*canary_rev, "stableMs"), 0);
  for (const auto& [cluster, status] :
       {std::pair<const char*, const Json*>{"east", &east}, {"west", &west}}) {
    const Json* rev = RevisionOf(*status, HashIn(changed, cluster));
    ASSERT_TRUE(rev) << cluster;
    EXPECT_GE(JsonInt(*rev, "appliedAtMs"), soaked) << cluster;
    EXPECT_TRUE(HasEvent(*status, "WaveStarted")) << cluster;
  }
  // Complete once the last wave has soaked too.
  WaitFor(
      *c, "the rollout complete",
      [](const Json& r) { return r.Find("complete") && r.Find("complete")->as_bool(); }, 30,
      PathOf("canary") + "/rollout");
}

TEST_F(RolloutE2E, ACrashInTheCanaryHaltsAtWave1AndAFixedSpecRollsThroughBoth) {
  WriteFile(specs_dir_ + "/exclamation.yaml", Placed(spec_));
  auto c = StartController({"dir:" + specs_dir_});
  ASSERT_TRUE(c);
  for (const char* cluster : {"canary", "east", "west"}) WaitRunning(*c, spec_, cluster);

  const crd::Topology bad = Crashing(spec_);
  WriteFile(specs_dir_ + "/exclamation.yaml", Placed(bad));
  const std::string bad_canary = HashIn(bad, "canary");
  WaitFor(
      *c, "the canary's crashing revision failed and rolled back",
      [&](const Json& s) {
        return MarkedFailed(s, bad_canary) && RunsRevision(s, HashIn(spec_, "canary"), 3);
      },
      120, PathOf("canary"));
  const Json halted = WaitFor(
      *c, "the rollout halted at wave 1",
      [](const Json& r) { return JsonInt(r, "haltedWave") == 1; }, 30,
      PathOf("canary") + "/rollout");
  EXPECT_NE(JsonStr(halted, "haltReason").find("failed in canary"), std::string::npos)
      << SerializePretty(halted);
  const CliResult status = Cli(*c, {"rollout", "status", "exclamation", "--timeout", "90s"});
  EXPECT_EQ(status.code, 1) << status.out << status.err;
  EXPECT_NE(status.out.find("halted at wave 1: the revision failed in canary"), std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("wave 1  Halted  canary=failed"), std::string::npos) << status.out;
  for (const char* cluster : {"east", "west"}) {
    // Never started there, and remembered as failed there too.
    const Json s = WaitFor(
        *c, std::string(cluster) + " remembering the revision failed",
        [&](const Json& s) { return MarkedFailed(s, HashIn(bad, cluster)); }, 30, PathOf(cluster));
    EXPECT_TRUE(RunsRevision(s, HashIn(spec_, cluster), 3)) << cluster;
    EXPECT_EQ(RevisionOf(s, HashIn(bad, cluster)), nullptr) << cluster << " applied it";
    EXPECT_TRUE(HasEvent(s, "RolloutHalted")) << cluster;
  }
  // Not retried: the canary's Aurora saw one update for it, a few passes later still one.
  const int updates = UpdatesFor(bad_canary);
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(UpdatesFor(bad_canary), updates);

  crd::Topology fixed = spec_;
  fixed.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{45});
  WriteFile(specs_dir_ + "/exclamation.yaml", Placed(fixed));
  for (const char* cluster : {"canary", "east", "west"}) WaitRunning(*c, fixed, cluster);
  const Json rollout = Rollout(*c);
  EXPECT_FALSE(rollout.Find("halted") && rollout.Find("halted")->as_bool())
      << SerializePretty(rollout);
}

TEST_F(RolloutE2E, AnUnreachableCanaryHoldsWave2UntilItAnswersAgain) {
  WriteFile(specs_dir_ + "/exclamation.yaml", Placed(spec_));
  auto c = StartController({"dir:" + specs_dir_});
  ASSERT_TRUE(c);
  for (const char* cluster : {"canary", "east", "west"}) WaitRunning(*c, spec_, cluster);

  ASSERT_TRUE(aurora_->Stop().ok());
  crd::Topology changed = spec_;
  changed.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{33});
  WriteFile(specs_dir_ + "/exclamation.yaml", Placed(changed));
  const Json held = WaitFor(
      *c, "wave 1 reported unreachable",
      [](const Json& r) {
        const Json* waves = r.Find("waves");
        return waves && waves->is_array() && !waves->as_array().empty() &&
               JsonStr(waves->as_array()[0], "detail").find("canary unreachable") !=
                   std::string::npos;
      },
      60, PathOf("canary") + "/rollout");
  std::this_thread::sleep_for(std::chrono::seconds(kSoakSeconds + 2));
  for (const char* cluster : {"east", "west"}) {
    const Json s = Status(*c, PathOf(cluster));
    EXPECT_TRUE(RunsRevision(s, HashIn(spec_, cluster), 3))
        << cluster << ": " << SerializePretty(s);
  }

  ASSERT_TRUE(aurora_->Restart().ok());
  for (const char* cluster : {"canary", "east", "west"}) WaitRunning(*c, changed, cluster);
}

TEST_F(RolloutE2E, AnOperatorsHaltHoldsWave2UntilAPromote) {
  WriteFile(specs_dir_ + "/exclamation.yaml", Placed(spec_));
  auto c = StartController({"dir:" + specs_dir_});
  ASSERT_TRUE(c);
  for (const char* cluster : {"canary", "east", "west"}) WaitRunning(*c, spec_, cluster);

  crd::Topology changed = spec_;
  changed.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{35});
  WriteFile(specs_dir_ + "/exclamation.yaml", Placed(changed));
  WaitApplied(*c, changed, "canary");
  const CliResult halt = Cli(*c, {"rollout", "halt", "exclamation"});
  ASSERT_EQ(halt.code, 0) << halt.out << halt.err;
  WaitRunning(*c, changed, "canary");
  // Stable and soaked, and still wave 2 holds.
  std::this_thread::sleep_for(std::chrono::seconds(kSoakSeconds + 3));
  for (const char* cluster : {"east", "west"}) {
    const Json s = Status(*c, PathOf(cluster));
    EXPECT_TRUE(RunsRevision(s, HashIn(spec_, cluster), 3)) << cluster;
    EXPECT_NE(JsonStr(s, "message").find("halted by an operator"), std::string::npos)
        << JsonStr(s, "message");
  }
  const CliResult promote = Cli(*c, {"rollout", "promote", "exclamation"});
  ASSERT_EQ(promote.code, 0) << promote.out << promote.err;
  const CliResult status = Cli(*c, {"rollout", "status", "exclamation", "--timeout", "90s"});
  EXPECT_EQ(status.code, 0) << status.out << status.err;
  EXPECT_NE(status.out.find("complete"), std::string::npos) << status.out;
  for (const char* cluster : {"east", "west"}) {
    EXPECT_TRUE(RunsRevision(Status(*c, PathOf(cluster)), HashIn(changed, cluster), 3)) << cluster;
  }
}

// Update windows (one cluster): a Deny window open now holds a new revision until it closes a
// few seconds later; an Allow window that closes while a crashing revision fails does not hold
// its rollback. Windows open at whole minutes of their schedule: these open at the current UTC
// minute and last until a few seconds from now.
Json WindowUntil(const std::string& kind, std::chrono::system_clock::time_point end) {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  const std::time_t minute = now - utc.tm_sec;
  const auto seconds = std::chrono::system_clock::to_time_t(end) - minute;
  Json w = Json::MakeObject();
  w["kind"] = kind;
  w["schedule"] = std::to_string(utc.tm_min) + " " + std::to_string(utc.tm_hour) + " * * *";
  w["duration"] = std::to_string(seconds) + "s";
  w["timeZone"] = "UTC";
  return w;
}

TEST_F(ControllerE2E, ANewRevisionWaitsForItsWindowAndARollbackDoesNot) {
  auto c = StartRunning(spec_, specs_dir_ + "/exclamation.yaml");
  ASSERT_TRUE(c);
  auto with_window = [&](const crd::Topology& t, Json window) {
    auto j = ParseJson(SpecYaml(t));
    (*j)["spec"]["windows"] = Json(Json::Array{std::move(window)});
    WriteFile(specs_dir_ + "/exclamation.yaml", SerializePretty(*j) + "\n");
    auto parsed = crd::ParseTopologies(SerializePretty(*j), "w.yaml");
    EXPECT_TRUE(parsed.ok());
    return crd::SpecHash(parsed.Topologies().at(0));
  };

  // A Deny window open for 6 s more: the revision waits, says until when, then starts.
  crd::Topology changed = spec_;
  changed.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{37});
  const auto opens = std::chrono::system_clock::now() + 6s;
  const std::string held_hash = with_window(changed, WindowUntil("Deny", opens));
  const Json held = WaitFor(*c, "the revision held by its window", [](const Json& s) {
    return JsonStr(s, "message").find("update window closed") != std::string::npos;
  });
  EXPECT_TRUE(RunsRevision(held, crd::SpecHash(spec_), 3)) << SerializePretty(held);
  EXPECT_NE(JsonStr(held, "message").find("the next start is allowed at"), std::string::npos);
  const Json ran = WaitFor(*c, "the revision started once the window opened",
                           [&](const Json& s) { return RunsRevision(s, held_hash, 3); });
  const Json* rev = RevisionOf(ran, held_hash);
  ASSERT_TRUE(rev);
  EXPECT_GE(
      JsonInt(*rev, "appliedAtMs"),
      std::chrono::duration_cast<std::chrono::milliseconds>(opens.time_since_epoch()).count() -
          1000);  // the window's end is in whole seconds

  // A crashing revision started while an Allow window is open (it closes in 3 s); its
  // containers crash 6 s after they start, so its rollback comes while the window is closed.
  WaitForPhase(*c, "Running");
  crd::Topology bad = Crashing(changed);
  bad.spec.topology.config["sim.crash.after.seconds"] = Json(std::string("6"));
  const auto closes = std::chrono::system_clock::now() + 3s;
  const std::string bad_hash = with_window(bad, WindowUntil("Allow", closes));
  Json back = WaitFor(
      *c, "the failed revision rolled back outside its window",
      [&](const Json& s) { return MarkedFailed(s, bad_hash) && RunsRevision(s, held_hash, 3); },
      120);
  // The controller marked it failed, and returned, after the window had closed.
  const int64_t closes_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(closes.time_since_epoch()).count();
  int64_t failed_ms = 0;
  for (const auto& e : back["record"]["events"].as_array()) {
    if (JsonStr(e, "reason") == "RevisionFailed") failed_ms = JsonInt(e, "lastMs");
  }
  EXPECT_GE(failed_ms, closes_ms) << SerializePretty(back["record"]["events"]);
  EXPECT_EQ(JsonStr(back, "appliedSpecHash"), held_hash);
}

}  // namespace
}  // namespace hgo::e2e
