// Status and StatusOr<T>: errors as values across module boundaries.
//
// Every adapter (Thrift, ZooKeeper, files) converts its failures into a Status at its edge; no
// exception crosses a module boundary. The codes are split so callers can tell "come back later"
// (IsRetryable) from "this will never work" without parsing messages.
#pragma once

#include <cassert>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hgo {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad input: a spec, a flag, a file; never retried
  kNotFound,            // the thing does not exist
  kAlreadyExists,       // create of something that exists
  kConflict,            // compare-and-set lost; re-read and retry
  kFailedPrecondition,  // the system is not in a state where this can run
  kPermissionDenied,    // authenticated but not allowed
  kUnauthenticated,     // missing or bad credentials
  kResourceExhausted,   // a limit was hit (size, quota, budget)
  kUnavailable,         // server unreachable or overloaded; retry with backoff
  kDeadlineExceeded,    // timed out; the operation may or may not have happened
  kUnimplemented,       // the peer does not know the call
  kInternal,            // a bug or an unexpected answer
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, m}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, m}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, m}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, m}; }
  static Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, m}; }
  static Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, m}; }
  static Status Unauthenticated(std::string m) { return {StatusCode::kUnauthenticated, m}; }
  static Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, m}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, m}; }
  static Status DeadlineExceeded(std::string m) { return {StatusCode::kDeadlineExceeded, m}; }
  static Status Unimplemented(std::string m) { return {StatusCode::kUnimplemented, m}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, m}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "INVALID_ARGUMENT: message", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "context: message"; OK stays OK.
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& s);

// True for failures that may succeed when tried again later: all but bad input, refused
// credentials or permissions, and calls the peer does not know (and success). A state that is
// not right yet (kFailedPrecondition), a missing thing and an unexpected answer may mend.
bool IsRetryable(const Status& s);

// A value or the Status explaining why there is none. value() on an error is a bug: it asserts
// in debug builds; callers check ok() first.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const T& value) : data_(value) {}                        // NOLINT: implicit by design
  StatusOr(T&& value) : data_(std::move(value)) {}                  // NOLINT
  StatusOr(const Status& status) : data_(status) { CheckError(); }  // NOLINT
  StatusOr(Status&& status) : data_(std::move(status)) { CheckError(); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(data_);
  }

  const T& value() const& {
    assert(ok());
    return std::get<T>(data_);
  }
  T& value() & {
    assert(ok());
    return std::get<T>(data_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(data_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  T value_or(T fallback) const { return ok() ? std::get<T>(data_) : std::move(fallback); }

 private:
  void CheckError() {
    // An OK status carries no value; turn it into an internal error rather than UB.
    if (std::get<Status>(data_).ok()) data_ = Status::Internal("StatusOr built from OK status");
  }
  std::variant<T, Status> data_;
};

}  // namespace hgo

#define HGO_STATUS_CONCAT_INNER(a, b) a##b
#define HGO_STATUS_CONCAT(a, b) HGO_STATUS_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when expr is not OK.
#define HGO_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::hgo::Status hgo_status_ = (expr);        \
    if (!hgo_status_.ok()) return hgo_status_; \
  } while (0)

// HGO_ASSIGN_OR_RETURN(auto x, Foo()); declares x from a StatusOr or returns its error.
#define HGO_ASSIGN_OR_RETURN(lhs, expr) \
  HGO_ASSIGN_OR_RETURN_IMPL(HGO_STATUS_CONCAT(hgo_statusor_, __LINE__), lhs, expr)
#define HGO_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
