#include "aurora/task_list_reader.h"

#include <thrift/TApplicationException.h>
#include <thrift/protocol/TProtocol.h>
#include <thrift/protocol/TProtocolException.h>

namespace hgo::aurora {

namespace {

using apache::thrift::TApplicationException;
using apache::thrift::protocol::TMessageType;
using apache::thrift::protocol::TProtocol;
using apache::thrift::protocol::TProtocolException;
using apache::thrift::protocol::TType;

// Walks a struct's fields; read(id, type) consumes the fields it knows and returns false for the
// others, which are skipped.
template <typename Read>
void ForEachField(TProtocol& p, Read read) {
  std::string name;
  p.readStructBegin(name);
  for (;;) {
    TType type;
    int16_t id;
    p.readFieldBegin(name, type, id);
    if (type == apache::thrift::protocol::T_STOP) break;
    if (!read(id, type)) p.skip(type);
    p.readFieldEnd();
  }
  p.readStructEnd();
}

template <typename Element>
void ForEachElement(TProtocol& p, Element element) {
  TType type;
  uint32_t size;
  p.readListBegin(type, size);
  if (size > 0 && type != apache::thrift::protocol::T_STRUCT) {
    throw TProtocolException(TProtocolException::INVALID_DATA, "a list of structs expected");
  }
  for (uint32_t i = 0; i < size; ++i) element();
  p.readListEnd();
}

using apache::thrift::protocol::T_I32;
using apache::thrift::protocol::T_LIST;
using apache::thrift::protocol::T_MAP;
using apache::thrift::protocol::T_SET;
using apache::thrift::protocol::T_STRING;
using apache::thrift::protocol::T_STRUCT;

// Reads the response; read_task reads one element of the task list.
void ReadResponse(TProtocol& p, api::Response& r, const std::function<void()>& read_task) {
  ForEachField(p, [&](int16_t id, TType type) {
    if (id == 1 && type == T_I32) {  // responseCode
      int32_t code;
      p.readI32(code);
      r.__set_responseCode(static_cast<api::ResponseCode::type>(code));
      return true;
    }
    if (id == 5 && type == T_STRUCT) {  // serverInfo
      r.serverInfo.read(&p);
      r.__isset.serverInfo = true;
      return true;
    }
    if (id == 6 && type == T_LIST) {  // details
      ForEachElement(p, [&] { r.details.emplace_back().read(&p); });
      r.__isset.details = true;
      return true;
    }
    if (id == 3 && type == T_STRUCT) {  // result: the union, of which only
      r.__isset.result = true;          // scheduleStatusResult (3) is read
      ForEachField(p, [&](int16_t rid, TType rtype) {
        if (rid != 3 || rtype != T_STRUCT) return false;
        r.result.__isset.scheduleStatusResult = true;
        ForEachField(p, [&](int16_t sid, TType stype) {
          if (sid != 1 || stype != T_LIST) return false;  // tasks
          r.result.scheduleStatusResult.__isset.tasks = true;
          ForEachElement(p, read_task);
          return true;
        });
        return true;
      });
      return true;
    }
    return false;
  });
}

// Reads ScheduledTasks into a TaskStateView, reusing its strings and lists from task to task: a
// role's answer is thousands of tasks, and the strings and containers allocated for each field
// of each task (and freed after) were most of what reading it cost.
class TaskStateReader {
 public:
  const TaskStateView& Read(TProtocol& p);

 private:
  // Items [0, n) are the current task's; the rest keep their storage for the next one.
  template <typename T>
  struct Reused {
    std::vector<T> items;
    size_t n = 0;
    T& Next() {
      if (n == items.size()) items.emplace_back();
      return items[n++];
    }
    std::span<const T> Span() const { return {items.data(), n}; }
  };
  void ReadAssignment(TProtocol& p);
  void ReadConfig(TProtocol& p);  // the job key (28) and the metadata (27)
  static void ReadEvent(TProtocol& p, TaskEvent& e);

  JobKey job_;
  std::string task_id_;
  std::string host_;
  Reused<std::pair<std::string, int32_t>> ports_;
  Reused<std::pair<std::string, std::string>> metadata_;
  Reused<TaskEvent> events_;
  TaskStateView view_;
};

// Reads a string field of the given type into out; false (skip it) for another type.
bool ReadStringField(TProtocol& p, TType type, std::string& out) {
  if (type != T_STRING) return false;
  p.readString(out);
  return true;
}

const TaskStateView& TaskStateReader::Read(TProtocol& p) {
  job_.role.clear();
  job_.environment.clear();
  job_.name.clear();
  task_id_.clear();
  host_.clear();
  ports_.n = metadata_.n = events_.n = 0;
  view_ = TaskStateView{};
  ForEachField(p, [&](int16_t id, TType type) {
    switch (id) {
      case 1:  // assignedTask
        if (type != T_STRUCT) return false;
        ReadAssignment(p);
        return true;
      case 2:    // status
      case 3: {  // failureCount
        if (type != T_I32) return false;
        int32_t v;
        p.readI32(v);
        if (id == 2) {
          view_.status = static_cast<TaskStatus>(v);
        } else {
          view_.failure_count = v;
        }
        return true;
      }
      case 4:  // taskEvents
        if (type != T_LIST) return false;
        ForEachElement(p, [&] { ReadEvent(p, events_.Next()); });
        return true;
      default:
        return false;
    }
  });
  view_.job = &job_;
  view_.task_id = task_id_;
  view_.host = host_;
  view_.ports = ports_.Span();
  view_.metadata = metadata_.Span();
  view_.events = events_.Span();
  return view_;
}

void TaskStateReader::ReadAssignment(TProtocol& p) {
  ForEachField(p, [&](int16_t id, TType type) {
    switch (id) {
      case 1:
        return ReadStringField(p, type, task_id_);
      case 3:
        return ReadStringField(p, type, host_);
      case 4:
        if (type != T_STRUCT) return false;
        ReadConfig(p);
        return true;
      case 5: {
        if (type != T_MAP) return false;
        TType key, value;
        uint32_t size;
        p.readMapBegin(key, value, size);
        if (size > 0 && (key != T_STRING || value != T_I32)) {
          throw TProtocolException(TProtocolException::INVALID_DATA, "ports: string -> i32");
        }
        for (uint32_t i = 0; i < size; ++i) {
          auto& [name, port] = ports_.Next();
          p.readString(name);
          p.readI32(port);
        }
        p.readMapEnd();
        return true;
      }
      case 6:
        if (type != T_I32) return false;
        p.readI32(view_.instance_id);
        return true;
      default:
        return false;
    }
  });
}

void TaskStateReader::ReadConfig(TProtocol& p) {
  ForEachField(p, [&](int16_t id, TType type) {
    if (id == 28 && type == T_STRUCT) {
      ForEachField(p, [&](int16_t kid, TType ktype) {
        switch (kid) {
          case 1:
            return ReadStringField(p, ktype, job_.role);
          case 2:
            return ReadStringField(p, ktype, job_.environment);
          case 3:
            return ReadStringField(p, ktype, job_.name);
          default:
            return false;
        }
      });
      return true;
    }
    if (id == 27 && type == T_SET) {
      TType element;
      uint32_t size;
      p.readSetBegin(element, size);
      if (size > 0 && element != T_STRUCT) {
        throw TProtocolException(TProtocolException::INVALID_DATA, "metadata: structs expected");
      }
      for (uint32_t i = 0; i < size; ++i) {
        auto& [key, value] = metadata_.Next();
        key.clear();
        value.clear();
        ForEachField(p, [&](int16_t mid, TType mtype) {
          if (mid == 1) return ReadStringField(p, mtype, key);
          if (mid == 2) return ReadStringField(p, mtype, value);
          return false;
        });
      }
      p.readSetEnd();
      return true;
    }
    return false;
  });
}

void TaskStateReader::ReadEvent(TProtocol& p, TaskEvent& e) {
  e.timestamp_ms = 0;
  e.status = TaskStatus::kPending;
  e.message.clear();
  e.scheduler.clear();
  ForEachField(p, [&](int16_t id, TType type) {
    switch (id) {
      case 1:
        if (type != apache::thrift::protocol::T_I64) return false;
        p.readI64(e.timestamp_ms);
        return true;
      case 2: {
        if (type != T_I32) return false;
        int32_t v;
        p.readI32(v);
        e.status = static_cast<TaskStatus>(v);
        return true;
      }
      case 3:
        return ReadStringField(p, type, e.message);
      case 4:
        return ReadStringField(p, type, e.scheduler);
      default:
        return false;
    }
  });
}

// The reply message around the response.
void ReadReply(TProtocol& p, const std::string& method, api::Response& response,
               const std::function<void()>& read_task) {
  std::string name;
  TMessageType type;
  int32_t seqid;
  p.readMessageBegin(name, type, seqid);
  if (type == apache::thrift::protocol::T_EXCEPTION) {
    TApplicationException x;
    x.read(&p);
    p.readMessageEnd();
    p.getTransport()->readEnd();
    throw x;
  }
  if (type != apache::thrift::protocol::T_REPLY || name != method) {
    throw TProtocolException(TProtocolException::INVALID_DATA,
                             "a reply to " + method + " expected, got " + name);
  }
  bool success = false;
  ForEachField(p, [&](int16_t id, TType ftype) {
    if (id != 0 || ftype != T_STRUCT) return false;  // 0: the method's return value
    ReadResponse(p, response, read_task);
    success = true;
    return true;
  });
  p.readMessageEnd();
  p.getTransport()->readEnd();
  if (!success) {
    throw TApplicationException(TApplicationException::MISSING_RESULT,
                                method + " failed: unknown result");
  }
}

}  // namespace

void ReadTaskListReply(TProtocol& p, const std::string& method, api::Response& response,
                       const std::function<void(api::ScheduledTask&)>& each) {
  ReadReply(p, method, response, [&] {
    api::ScheduledTask task;
    task.read(&p);
    each(task);
  });
}

void ReadTaskStateReply(TProtocol& p, const std::string& method, api::Response& response,
                        const std::function<void(const TaskStateView&)>& each) {
  TaskStateReader reader;
  ReadReply(p, method, response, [&] { each(reader.Read(p)); });
}

}  // namespace hgo::aurora
