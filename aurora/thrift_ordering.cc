// Thrift's C++ generator declares operator< for every struct but defines none; std::set needs it
// for the structs that Aurora's API puts in sets. Ordering by the binary serialisation is a strict
// weak order that agrees with operator== (serialisation of our structs is deterministic: maps and
// sets are ordered containers, and unset optional fields are not written).
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aurora/gen/api_types.h"

namespace hgo::aurora::api {
namespace {

// A serialisation buffer kept per thread: decoding a task list compares set elements thousands
// of times, and a fresh buffer and protocol per comparison was most of the decoding's cost.
class Scratch {
 public:
  template <typename T>
  std::string_view Write(const T& value) {
    buffer_->resetBuffer();
    value.write(&protocol_);
    uint8_t* data = nullptr;
    uint32_t size = 0;
    buffer_->getBuffer(&data, &size);
    return {reinterpret_cast<const char*>(data), size};
  }

 private:
  std::shared_ptr<apache::thrift::transport::TMemoryBuffer> buffer_ =
      std::make_shared<apache::thrift::transport::TMemoryBuffer>();
  apache::thrift::protocol::TBinaryProtocol protocol_{buffer_};
};

template <typename T>
bool SerializedLess(const T& a, const T& b) {
  thread_local Scratch left;
  thread_local Scratch right;
  return left.Write(a) < right.Write(b);  // as std::string's <: bytes compared unsigned
}

// A Resource with exactly one field set serialises as the field's type byte, its id (i16,
// big-endian), the value (i64 and double as 8 big-endian bytes, a string as its i32 length and
// bytes) and the stop byte. Comparing those parts compares the bytes without writing them; task
// lists hold thousands of resource sets. nullopt: not exactly one field set.
std::optional<bool> ResourceLess(const Resource& a, const Resource& b) {
  struct Field {
    uint8_t type = 0;
    int16_t id = 0;
    uint64_t bits = 0;  // i64 or double, as their bytes order
    const std::string* text = nullptr;
  };
  auto field = [](const Resource& r) -> std::optional<Field> {
    using apache::thrift::protocol::T_DOUBLE;
    using apache::thrift::protocol::T_I64;
    using apache::thrift::protocol::T_STRING;
    const int set = r.__isset.numCpus + r.__isset.ramMb + r.__isset.diskMb + r.__isset.namedPort +
                    r.__isset.numGpus;
    if (set != 1) return std::nullopt;
    Field f;
    if (r.__isset.numCpus) {
      f = {T_DOUBLE, 1, 0, nullptr};
      std::memcpy(&f.bits, &r.numCpus, sizeof f.bits);
    } else if (r.__isset.ramMb) {
      f = {T_I64, 2, static_cast<uint64_t>(r.ramMb), nullptr};
    } else if (r.__isset.diskMb) {
      f = {T_I64, 3, static_cast<uint64_t>(r.diskMb), nullptr};
    } else if (r.__isset.namedPort) {
      f = {T_STRING, 4, 0, &r.namedPort};
    } else {
      f = {T_I64, 5, static_cast<uint64_t>(r.numGpus), nullptr};
    }
    return f;
  };
  const auto fa = field(a);
  const auto fb = field(b);
  if (!fa || !fb) return std::nullopt;
  if (fa->type != fb->type) return fa->type < fb->type;
  if (fa->id != fb->id) return fa->id < fb->id;
  if (!fa->text) return fa->bits < fb->bits;
  if (fa->text->size() != fb->text->size()) return fa->text->size() < fb->text->size();
  return *fa->text < *fb->text;
}

}  // namespace

bool Resource::operator<(const Resource& rhs) const {
  if (auto less = ResourceLess(*this, rhs)) return *less;
  return SerializedLess(*this, rhs);
}

#define HGO_THRIFT_LESS(T) \
  bool T::operator<(const T& rhs) const { return SerializedLess(*this, rhs); }

HGO_THRIFT_LESS(JobKey)
HGO_THRIFT_LESS(Range)
HGO_THRIFT_LESS(Metadata)
HGO_THRIFT_LESS(Constraint)
HGO_THRIFT_LESS(MesosFetcherURI)
HGO_THRIFT_LESS(JobConfiguration)
HGO_THRIFT_LESS(JobSummary)
HGO_THRIFT_LESS(ConfigGroup)
HGO_THRIFT_LESS(InstanceTaskConfig)
HGO_THRIFT_LESS(TierConfig)

#undef HGO_THRIFT_LESS

}  // namespace hgo::aurora::api
