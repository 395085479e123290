// The Aurora suite the unit tier runs against FakeAurora (unit/loop/contracts_test.cc), here
// against aurora-local over HTTP (tasks simulated: nothing is executed, the scheduler's
// semantics are all there).
#include <gtest/gtest.h>

#include <thread>

#include "aurora/thrift_client.h"
#include "testing/aurora_local_process.h"
#include "testing/contract/aurora_contract.h"

namespace hgo::testing::contract {
namespace {

class AuroraLocalWorld final : public AuroraWorld {
 public:
  static std::unique_ptr<AuroraWorld> Make() {
    auto world = std::make_unique<AuroraLocalWorld>();
    auto process = AuroraLocalProcess::Start({{"--simulate-tasks"}});
    EXPECT_TRUE(process.ok()) << process.status();
    if (!process.ok()) return nullptr;
    world->process_ = std::move(*process);
    aurora::HttpTransportOptions options;
    const std::string url = world->process_->url();
    options.schedulers = [url] { return std::vector<std::string>{url}; };
    world->client_ = std::make_unique<aurora::ThriftAuroraClient>(options);
    return world;
  }
  aurora::AuroraApi& api() override { return *client_; }
  void Settle() override { std::this_thread::sleep_for(std::chrono::milliseconds(50)); }

 private:
  std::unique_ptr<AuroraLocalProcess> process_;
  std::unique_ptr<aurora::ThriftAuroraClient> client_;
};
INSTANTIATE_TYPED_TEST_SUITE_P(AuroraLocal, AuroraContract, AuroraLocalWorld);

}  // namespace
}  // namespace hgo::testing::contract
