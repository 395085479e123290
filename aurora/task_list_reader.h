// Reads a getTasksStatus / getTasksWithoutConfigs reply one task at a time. The generated reader
// decodes the whole list before the caller sees a task; a role's list at 10,000 topologies is
// thousands of tasks, and holding all of them decoded at once, in several workers, was most of
// the controller's peak memory. Internal to aurora/.
#pragma once

#include <functional>
#include <string>

#include "aurora/gen/api_types.h"
#include "aurora/types.h"

namespace apache::thrift::protocol {
class TProtocol;
}

namespace hgo::aurora {

// Fills response (response code, details, server info) and hands each task of
// result.scheduleStatusResult to each, leaving the list itself empty. Throws what the generated
// reader throws (TApplicationException for an exception reply, TProtocolException on bad data).
void ReadTaskListReply(apache::thrift::protocol::TProtocol& p, const std::string& method,
                       api::Response& response,
                       const std::function<void(api::ScheduledTask&)>& each);

// The same reply, each task handed to each as a TaskStateView (valid during the call only), read
// into buffers reused from task to task; no ScheduledTask is built.
void ReadTaskStateReply(apache::thrift::protocol::TProtocol& p, const std::string& method,
                        api::Response& response,
                        const std::function<void(const TaskStateView&)>& each);

}  // namespace hgo::aurora
