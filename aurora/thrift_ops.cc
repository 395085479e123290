// Thrift's C++ generator declares operator< for every struct but defines none; std::set needs it
// for the structs that Aurora's API puts in sets. Ordering by the binary serialisation is a strict
// weak order that agrees with operator== (serialisation of our structs is deterministic: maps and
// sets are ordered containers, and unset optional fields are not written).
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <memory>
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

}  // namespace

#define HGO_THRIFT_LESS(T) \
  bool T::operator<(const T& rhs) const { return SerializedLess(*this, rhs); }

HGO_THRIFT_LESS(JobKey)
HGO_THRIFT_LESS(Range)
HGO_THRIFT_LESS(Metadata)
HGO_THRIFT_LESS(Resource)
HGO_THRIFT_LESS(Constraint)
HGO_THRIFT_LESS(MesosFetcherURI)
HGO_THRIFT_LESS(JobConfiguration)
HGO_THRIFT_LESS(JobSummary)
HGO_THRIFT_LESS(ConfigGroup)
HGO_THRIFT_LESS(InstanceTaskConfig)
HGO_THRIFT_LESS(TierConfig)

#undef HGO_THRIFT_LESS

}  // namespace hgo::aurora::api
