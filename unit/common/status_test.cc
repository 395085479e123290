#include "common/status.h"

#include <gtest/gtest.h>

namespace hgo {
namespace {

StatusOr<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument("odd");
  return x / 2;
}

StatusOr<int> Quarter(int x) {
  HGO_ASSIGN_OR_RETURN(int h, Half(x));
  HGO_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  HGO_RETURN_IF_ERROR(Half(x).status());
  return Status::Ok();
}

TEST(StatusTest, OkAndErrorsPrintTheirCodes) {
  EXPECT_TRUE(Status::Ok().ok());
  EXPECT_EQ(Status::Ok().ToString(), "OK");
  Status s = Status::Unavailable("aurora down");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(), "UNAVAILABLE: aurora down");
  EXPECT_EQ(s.WithContext("getJobs").message(), "getJobs: aurora down");
  EXPECT_EQ(s.WithContext("x").code(), StatusCode::kUnavailable);
  EXPECT_TRUE(Status::Ok().WithContext("x").ok());
}

TEST(StatusTest, RetryableCodesAreTheTransientOnes) {
  EXPECT_TRUE(IsRetryable(Status::Unavailable("")));
  EXPECT_TRUE(IsRetryable(Status::DeadlineExceeded("")));
  EXPECT_TRUE(IsRetryable(Status::Conflict("")));
  EXPECT_FALSE(IsRetryable(Status::InvalidArgument("")));
  EXPECT_FALSE(IsRetryable(Status::PermissionDenied("")));
  EXPECT_FALSE(IsRetryable(Status::Ok()));
}

TEST(StatusOrTest, CarriesValueOrError) {
  auto q = Quarter(8);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q, 2);
  auto bad = Quarter(6);  // 6 -> 3 -> odd
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.value_or(-1), -1);
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(3).message(), "odd");
}

TEST(StatusOrTest, OkStatusWithoutValueBecomesInternalError) {
  StatusOr<int> s = Status::Ok();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace hgo
