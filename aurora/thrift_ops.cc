// Thrift's C++ generator declares operator< for every struct but defines none; std::set needs it
// for the structs that Aurora's API puts in sets. Ordering by the binary serialisation is a strict
// weak order that agrees with operator== (serialisation of our structs is deterministic: maps and
// sets are ordered containers, and unset optional fields are not written).
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <memory>
#include <string>

#include "aurora/gen/api_types.h"

namespace hgo::aurora::api {
namespace {

template <typename T>
std::string Bytes(const T& value) {
  auto buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>();
  apache::thrift::protocol::TBinaryProtocol protocol(buffer);
  value.write(&protocol);
  return buffer->getBufferAsString();
}

template <typename T>
bool SerializedLess(const T& a, const T& b) {
  return Bytes(a) < Bytes(b);
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
