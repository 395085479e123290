// Failpoints: inert unless armed, each action as documented, counts, and bad names or actions
// refused with the entry named.
#include "common/failpoint.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

namespace hgo::failpoint {
namespace {

class FailpointTest : public ::testing::Test {
 protected:
  void SetUp() override { Register({"test.one", "test.two"}); }
  void TearDown() override { DisarmAll(); }
};

TEST_F(FailpointTest, InertUntilArmedThenEachActionAsSaid) {
  EXPECT_TRUE(Hit("test.one").ok());
  ASSERT_TRUE(Arm("test.one", "error").ok());
  Status s = Hit("test.one");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "failpoint test.one");
  EXPECT_TRUE(Hit("test.two").ok());  // only the armed one
  ASSERT_TRUE(Arm("test.one", "pause(120)").ok());
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_TRUE(Hit("test.one").ok());
  EXPECT_GE(std::chrono::steady_clock::now() - begin, std::chrono::milliseconds(120));
  ASSERT_TRUE(Arm("test.one", "off").ok());
  EXPECT_TRUE(Hit("test.one").ok());
  EXPECT_TRUE(ArmedPoints().empty());
}

TEST_F(FailpointTest, ACountedActionActsOnTheFirstHitsOnly) {
  ASSERT_TRUE(ArmAll("test.one=2*error;test.two=error").ok());
  EXPECT_EQ(ArmedPoints(), (std::vector<std::string>{"test.one=2*error", "test.two=error"}));
  EXPECT_FALSE(Hit("test.one").ok());
  EXPECT_FALSE(Hit("test.one").ok());
  EXPECT_TRUE(Hit("test.one").ok());
  EXPECT_FALSE(Hit("test.two").ok());
  EXPECT_EQ(ArmedPoints(), (std::vector<std::string>{"test.two=error"}));
}

TEST_F(FailpointTest, SkippedHitsPassBeforeTheActionActs) {
  ASSERT_TRUE(Arm("test.one", "2+1*error").ok());
  EXPECT_TRUE(Hit("test.one").ok());
  EXPECT_TRUE(Hit("test.one").ok());
  EXPECT_FALSE(Hit("test.one").ok()) << "the third hit";
  EXPECT_TRUE(Hit("test.one").ok()) << "once only";
  EXPECT_TRUE(ArmedPoints().empty());
  ASSERT_TRUE(Arm("test.two", "1+error").ok());  // without a count: every hit after the first
  EXPECT_TRUE(Hit("test.two").ok());
  EXPECT_FALSE(Hit("test.two").ok());
  EXPECT_FALSE(Hit("test.two").ok());
  ASSERT_TRUE(Arm("test.two", "0+1*error").ok());
  EXPECT_FALSE(Hit("test.two").ok());
}

TEST_F(FailpointTest, UnknownNamesAndActionsAreRefusedByName) {
  Status s = Arm("test.three", "error");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("test.three"), std::string::npos);
  for (const char* bad : {"explode", "pause(x)", "0*error", "*error", "pause(", "x*abort", "+error",
                          "-1+error", "x+abort", "1+0*error"}) {
    Status a = Arm("test.one", bad);
    EXPECT_EQ(a.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(a.message().find(bad), std::string::npos) << a;
  }
  EXPECT_EQ(ArmAll("test.one").code(), StatusCode::kInvalidArgument);
  ::setenv("HGO_FAILPOINTS", "test.one=error;nope=abort", 1);
  Status env = ArmFromEnvironment();
  ::unsetenv("HGO_FAILPOINTS");
  EXPECT_NE(env.message().find("HGO_FAILPOINTS: unknown failpoint 'nope'"), std::string::npos)
      << env;
  EXPECT_EQ(Known(), (std::vector<std::string>{"test.one", "test.two"}));
}

TEST_F(FailpointTest, AbortKillsTheProcessAsKillNineWould) {
  EXPECT_EXIT(
      {
        (void)Arm("test.one", "abort");
        (void)Hit("test.one");
      },
      ::testing::KilledBySignal(SIGKILL), "failpoint: abort");
}

TEST_F(FailpointTest, StopFreezesTheWholeProcessUntilItIsContinued) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (!Arm("test.one", "stop").ok()) ::_exit(2);
    ::_exit(Hit("test.one").ok() ? 7 : 1);  // 7: resumed, and Hit said Ok
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, WUNTRACED), child);
  ASSERT_TRUE(WIFSTOPPED(status)) << status;
  EXPECT_EQ(WSTOPSIG(status), SIGSTOP);
  ASSERT_EQ(::kill(child, SIGCONT), 0);
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 7);
}

}  // namespace
}  // namespace hgo::failpoint
