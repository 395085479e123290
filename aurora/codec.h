// Conversions between Aurora's Thrift structs (aurora/gen) and our types (aurora/types.h), and
// Thrift message (de)serialisation. Internal to aurora/: the client and aurora-local use it; no
// other component includes Thrift headers.
#pragma once

#include <thrift/protocol/TProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <memory>
#include <string>

#include "aurora/gen/api_types.h"
#include "aurora/types.h"
#include "aurora/wire_protocol.h"
#include "common/status.h"

namespace hgo::aurora {

api::JobKey ToThrift(const JobKey& k);
JobKey FromThrift(const api::JobKey& k);
api::TaskConfig ToThrift(const TaskConfig& t);
TaskConfig FromThrift(const api::TaskConfig& t);
api::JobConfiguration ToThrift(const JobConfig& j);
JobConfig FromThrift(const api::JobConfiguration& j);
Task FromThrift(const api::ScheduledTask& t);
// The same, moving the task's strings instead of copying them (a role's answer is thousands).
Task FromThrift(api::ScheduledTask&& t);
api::TaskQuery ToThrift(const TaskQuery& q);
TaskQuery FromThrift(const api::TaskQuery& q);
api::JobUpdateSettings ToThrift(const UpdateSettings& s);
UpdateSettings FromThrift(const api::JobUpdateSettings& s);
api::JobUpdateRequest ToThrift(const UpdateRequest& r);
UpdateRequest FromThrift(const api::JobUpdateRequest& r);
api::JobUpdateKey ToThrift(const UpdateKey& k);
UpdateKey FromThrift(const api::JobUpdateKey& k);
UpdateSummary FromThrift(const api::JobUpdateSummary& s);
api::JobUpdateSummary ToThrift(const UpdateSummary& s);
api::JobUpdateQuery ToThrift(const UpdateQuery& q);
UpdateQuery FromThrift(const api::JobUpdateQuery& q);
UpdateDetails FromThrift(const api::JobUpdateDetails& d);
ConfigGroup FromThrift(const api::ConfigGroup& g);
api::ConfigGroup ToThrift(const ConfigGroup& g);
std::vector<api::Range> ToThrift(const std::vector<Range>& r);
std::vector<Range> FromThrift(const std::set<api::Range>& r);

std::shared_ptr<apache::thrift::protocol::TProtocol> MakeProtocol(
    WireProtocol protocol, std::shared_ptr<apache::thrift::transport::TTransport> transport);

// A Thrift struct to and from bytes in the given protocol (for tests, goldens and journals).
template <typename T>
std::string SerializeThrift(const T& value, WireProtocol protocol) {
  auto buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>();
  value.write(MakeProtocol(protocol, buffer).get());
  return buffer->getBufferAsString();
}
template <typename T>
Status DeserializeThrift(const std::string& bytes, WireProtocol protocol, T* value) {
  auto buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>(
      reinterpret_cast<uint8_t*>(const_cast<char*>(bytes.data())),
      static_cast<uint32_t>(bytes.size()), apache::thrift::transport::TMemoryBuffer::COPY);
  try {
    value->read(MakeProtocol(protocol, buffer).get());
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("not a valid Thrift struct: ") + e.what());
  }
  return Status::Ok();
}

// Aurora's response code and details as a Status (OK -> Ok).
Status ResponseStatus(const api::Response& r, const std::string& method);

}  // namespace hgo::aurora
