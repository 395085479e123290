// The fakes the loop's unit tests use, held to the same suites as the real things (the e2e tier
// runs them against aurora-local, ZooKeeper and ZkLeaderElector; the dir: source runs here).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sources/sources.h"
#include "testing/contract/aurora_contract.h"
#include "testing/contract/heron_store_contract.h"
#include "testing/contract/leader_elector_contract.h"
#include "testing/contract/spec_source_contract.h"
#include "testing/fakes/fake_aurora.h"
#include "testing/fakes/fake_election.h"
#include "testing/fakes/fake_heron_store.h"
#include "testing/fakes/static_source.h"
#include "testing/temp_dir.h"

namespace hgo::testing::contract {
namespace {

class FakeAuroraWorld final : public AuroraWorld {
 public:
  aurora::AuroraApi& api() override { return aurora_; }
  void Settle() override {
    clock_.Advance(std::chrono::milliseconds(100));
    aurora_.Advance();
  }

 private:
  FakeClock clock_;
  FakeAurora aurora_{clock_};
};
struct FakeAuroraFactory {
  static std::unique_ptr<AuroraWorld> Make() { return std::make_unique<FakeAuroraWorld>(); }
};
INSTANTIATE_TYPED_TEST_SUITE_P(Fake, AuroraContract, FakeAuroraFactory);

class FakeHeronWorld final : public HeronWorld {
 public:
  explicit FakeHeronWorld(std::function<void(const std::string&)> on_change)
      : store_("/heron", std::move(on_change)) {}
  statestore::HeronStore& store() override { return store_; }
  std::string root() const override { return "/heron"; }
  void Settle() override {}

 private:
  FakeHeronStore store_;
};
struct FakeHeronFactory {
  static std::unique_ptr<HeronWorld> Make(std::function<void(const std::string&)> on_change) {
    return std::make_unique<FakeHeronWorld>(std::move(on_change));
  }
};
INSTANTIATE_TYPED_TEST_SUITE_P(Fake, HeronStoreContract, FakeHeronFactory);

class FakeElectionWorld final : public ElectionWorld {
 public:
  std::unique_ptr<statestore::LeaderElector> Elector(const std::string& identity) override {
    return election_.MakeElector(identity);
  }
  void Settle() override {}

 private:
  FakeElection election_;
};
struct FakeElectionFactory {
  static std::unique_ptr<ElectionWorld> Make() { return std::make_unique<FakeElectionWorld>(); }
};
INSTANTIATE_TYPED_TEST_SUITE_P(Fake, LeaderElectorContract, FakeElectionFactory);

class StaticSourceWorld final : public SourceWorld {
 public:
  sources::SpecSource& source() override { return source_; }
  void Write(const std::string& file, const std::string& yaml) override { source_.Set(file, yaml); }
  void Delete(const std::string& file) override { source_.Remove(file); }
  void Break() override { source_.Fail(Status::Unavailable("fetch failed")); }
  void Settle() override {}

 private:
  StaticSource source_;
};
struct StaticSourceFactory {
  static std::unique_ptr<SourceWorld> Make() { return std::make_unique<StaticSourceWorld>(); }
};
INSTANTIATE_TYPED_TEST_SUITE_P(Static, SpecSourceContract, StaticSourceFactory);

// The real directory source (inotify), on a temporary directory.
class DirSourceWorld final : public SourceWorld {
 public:
  DirSourceWorld() : dir_("dir_source_contract") {
    specs_ = dir_.path() + "/specs";
    std::filesystem::create_directories(specs_);
    sources::SourceConfig config;
    config.kind = sources::SourceConfig::Kind::kDir;
    config.text = "dir:" + specs_;
    config.location = specs_;
    source_ = sources::MakeDirSource(config);
  }
  ~DirSourceWorld() override { source_->Stop(); }
  sources::SpecSource& source() override { return *source_; }
  void Write(const std::string& file, const std::string& yaml) override {
    std::ofstream(specs_ + "/" + file) << yaml;
  }
  void Delete(const std::string& file) override { std::filesystem::remove(specs_ + "/" + file); }
  void Break() override { std::filesystem::remove_all(specs_); }
  void Settle() override { std::this_thread::sleep_for(std::chrono::milliseconds(10)); }

 private:
  TempDir dir_;
  std::string specs_;
  std::unique_ptr<sources::SpecSource> source_;
};
struct DirSourceFactory {
  static std::unique_ptr<SourceWorld> Make() { return std::make_unique<DirSourceWorld>(); }
};
INSTANTIATE_TYPED_TEST_SUITE_P(Dir, SpecSourceContract, DirSourceFactory);

}  // namespace
}  // namespace hgo::testing::contract
