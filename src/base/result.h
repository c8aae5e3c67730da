// Result<T> and Status: the error style of every request path (no exceptions across modules).
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace zk {

// Canonical codes, mapped to protocol errors (DNS rcodes, AWS error codes) at each edge in one table.
enum class Code {
  kOk = 0,
  kInvalidArgument,  // malformed input from a caller
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,  // state does not allow the operation (e.g. zone not empty)
  kPermissionDenied,
  kUnauthenticated,
  kResourceExhausted,  // quota, limit or throttle
  kOutOfRange,
  kUnimplemented,
  kUnavailable,
  kInternal,
};

std::string_view codeName(Code c);

// A code plus a human-readable message. Cheap to move; ok() has an empty message.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }
  bool isOk() const { return code_ == Code::kOk; }
  explicit operator bool() const { return isOk(); }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string toString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status invalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status notFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status alreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
inline Status failedPrecondition(std::string m) { return {Code::kFailedPrecondition, std::move(m)}; }
inline Status permissionDenied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
inline Status resourceExhausted(std::string m) { return {Code::kResourceExhausted, std::move(m)}; }
inline Status outOfRange(std::string m) { return {Code::kOutOfRange, std::move(m)}; }
inline Status unimplemented(std::string m) { return {Code::kUnimplemented, std::move(m)}; }
inline Status internalError(std::string m) { return {Code::kInternal, std::move(m)}; }
inline Status unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }

// Result<T>: a value or a non-ok Status, shaped like std::expected.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::in_place_index<1>, std::move(status)) {  // NOLINT
    assert(!std::get<1>(v_).isOk());
  }

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Status& status() const& {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<1>(v_);
  }
  Status status() && { return ok() ? Status() : std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace zk

// Propagate a non-ok Status from an expression returning Status.
#define ZK_RETURN_IF_ERROR(expr)               \
  do {                                         \
    ::zk::Status zk_status_ = (expr);          \
    if (!zk_status_.isOk()) return zk_status_; \
  } while (0)
