#include "aurora_local/server.h"

#include "aurora_local/simulated_launcher.h"

#include <spdlog/spdlog.h>
#include <thrift/TApplicationException.h>
#include <thrift/transport/TBufferTransports.h>

#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <sstream>

#include "aurora/codec.h"
#include "aurora/gen/AuroraSchedulerManager.h"
#include "common/failpoint.h"
#include "common/file_util.h"
#include "common/json.h"

namespace hgo::aurora::local {

namespace fs = std::filesystem;
using apache::thrift::transport::TMemoryBuffer;

namespace {

constexpr char kBinary[] = "application/vnd.apache.thrift.binary";
constexpr char kJson[] = "application/vnd.apache.thrift.json";
constexpr uint64_t kCompactJournalBytes = 8 << 20;

const std::set<std::string>& MutatingMethods() {
  static const std::set<std::string> methods = {
      "createJob",      "restartShards",   "killTasks",      "addInstances",      "startJobUpdate",
      "pauseJobUpdate", "resumeJobUpdate", "abortJobUpdate", "rollbackJobUpdate", "pulseJobUpdate"};
  return methods;
}

// One request's view of the API: the scheduler plus the audit user.
class ApiHandler : public api::AuroraSchedulerManagerIf {
 public:
  // roles: what user may change (empty: everything).
  ApiHandler(Scheduler& s, std::string user, std::set<std::string> roles)
      : s_(s), user_(std::move(user)), roles_(std::move(roles)) {}

  void getJobSummary(api::Response& r, const std::string& role) override {
    r = s_.GetJobSummary(role);
  }
  void getTasksStatus(api::Response& r, const api::TaskQuery& q) override {
    r = s_.GetTasks(q, true);
  }
  void getTasksWithoutConfigs(api::Response& r, const api::TaskQuery& q) override {
    r = s_.GetTasks(q, false);
  }
  void getConfigSummary(api::Response& r, const api::JobKey& job) override {
    r = s_.GetConfigSummary(job);
  }
  void getJobs(api::Response& r, const std::string& role) override { r = s_.GetJobs(role); }
  void getQuota(api::Response& r, const std::string& role) override { r = s_.GetQuota(role); }
  void getJobUpdateSummaries(api::Response& r, const api::JobUpdateQuery& q) override {
    r = s_.GetJobUpdateSummaries(q);
  }
  void getJobUpdateDetails(api::Response& r, const api::JobUpdateKey& key,
                           const api::JobUpdateQuery& q) override {
    // The deprecated key argument is only used when no query is given.
    api::JobUpdateQuery query = q;
    if (!q.__isset.key && !q.__isset.jobKey && !q.__isset.role && !q.__isset.user &&
        !key.id.empty()) {
      query.__set_key(key);
    }
    r = s_.GetJobUpdateDetails(query);
  }
  void getJobUpdateDiff(api::Response& r, const api::JobUpdateRequest& req) override {
    r = s_.GetJobUpdateDiff(req);
  }
  void getTierConfigs(api::Response& r) override { r = s_.GetTierConfigs(); }
  void createJob(api::Response& r, const api::JobConfiguration& job) override {
    if (Permitted(r, "createJob", job.key)) r = s_.CreateJob(job, user_);
  }
  void restartShards(api::Response& r, const api::JobKey& job,
                     const std::set<int32_t>& ids) override {
    if (Permitted(r, "restartShards", job)) r = s_.RestartShards(job, ids);
  }
  void killTasks(api::Response& r, const api::JobKey& job, const std::set<int32_t>& instances,
                 const std::string& message) override {
    if (Permitted(r, "killTasks", job)) r = s_.KillTasks(job, instances, message, user_);
  }
  void addInstances(api::Response& r, const api::InstanceKey& key, int32_t count) override {
    if (Permitted(r, "addInstances", key.jobKey)) r = s_.AddInstances(key, count);
  }
  void startJobUpdate(api::Response& r, const api::JobUpdateRequest& req,
                      const std::string& message) override {
    if (Permitted(r, "startJobUpdate", req.taskConfig.job)) {
      r = s_.StartJobUpdate(req, message, user_);
    }
  }
  void pauseJobUpdate(api::Response& r, const api::JobUpdateKey& key,
                      const std::string& message) override {
    if (Permitted(r, "pauseJobUpdate", key.job)) r = s_.PauseJobUpdate(key, message, user_);
  }
  void resumeJobUpdate(api::Response& r, const api::JobUpdateKey& key,
                       const std::string& message) override {
    if (Permitted(r, "resumeJobUpdate", key.job)) r = s_.ResumeJobUpdate(key, message, user_);
  }
  void abortJobUpdate(api::Response& r, const api::JobUpdateKey& key,
                      const std::string& message) override {
    if (Permitted(r, "abortJobUpdate", key.job)) r = s_.AbortJobUpdate(key, message, user_);
  }
  void rollbackJobUpdate(api::Response& r, const api::JobUpdateKey& key,
                         const std::string& message) override {
    if (Permitted(r, "rollbackJobUpdate", key.job)) {
      r = s_.RollbackJobUpdate(key, message, user_);
    }
  }
  void pulseJobUpdate(api::Response& r, const api::JobUpdateKey& key) override {
    if (Permitted(r, "pulseJobUpdate", key.job)) r = s_.PulseJobUpdate(key);
  }

 private:
  // Aurora's ShiroAuthorizingParamInterceptor: a user without the wildcard permission needs the
  // job-scoped one, thrift.AuroraSchedulerManager:<method>:<role>:<env>:<name>; without it the
  // call answers AUTH_FAILED (not an HTTP error) and changes nothing.
  bool Permitted(api::Response& r, const std::string& method, const api::JobKey& job) const {
    if (roles_.empty() || roles_.count(job.role)) return true;
    r = api::Response();
    r.responseCode = api::ResponseCode::AUTH_FAILED;
    api::ResponseDetail detail;
    detail.message = "Subject " + user_ +
                     " is not permitted to thrift.AuroraSchedulerManager:" + method + ":" +
                     job.role + ":" + job.environment + ":" + job.name + ".";
    r.details.push_back(detail);
    return false;
  }

  Scheduler& s_;
  const std::string user_;
  const std::set<std::string> roles_;
};

// Aurora's rules (Aurora's TContentAwareServlet): the request protocol from Content-Type, compared
// as an exact media type; nullopt means 415.
std::optional<WireProtocol> RequestProtocol(const std::string& content_type) {
  std::string t = content_type;
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  t.erase(std::remove(t.begin(), t.end(), ' '), t.end());
  if (t.empty() || t == "application/json" || t == "application/x-thrift" || t == kJson ||
      t == std::string(kJson) + ";charset=utf-8") {
    return WireProtocol::kJson;
  }
  if (t == kBinary) return WireProtocol::kBinary;
  return std::nullopt;
}

// "Basic base64(user:password)" -> "user:password"; empty when malformed.
std::string DecodeBasic(const std::string& header) {
  if (header.rfind("Basic ", 0) != 0) return "";
  static const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int bits = 0, value = 0;
  for (char c : header.substr(6)) {
    if (c == '=') break;
    size_t i = alphabet.find(c);
    if (i == std::string::npos) return "";
    value = (value << 6) | static_cast<int>(i);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((value >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace

StatusOr<std::map<std::string, User>> LoadUsers(const std::string& path) {
  HGO_ASSIGN_OR_RETURN(std::string text, ReadFileLimited(path, 1 << 20));
  std::map<std::string, User> users;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) {
      return Status::InvalidArgument(path + ":" + std::to_string(number) +
                                     ": expected 'user:password[:role,...]'");
    }
    User& user = users[line.substr(0, colon)];
    const size_t roles = line.find(':', colon + 1);
    user.password = line.substr(colon + 1, roles == std::string::npos ? roles : roles - colon - 1);
    if (roles != std::string::npos) {
      std::istringstream list(line.substr(roles + 1));
      for (std::string role; std::getline(list, role, ',');) {
        if (!role.empty()) user.roles.insert(role);
      }
      if (user.roles.empty()) {
        return Status::InvalidArgument(path + ":" + std::to_string(number) +
                                       ": an empty role list (leave out the second ':' for "
                                       "every role)");
      }
    }
  }
  if (users.empty()) return Status::InvalidArgument(path + ": no users");
  return users;
}

StatusOr<std::unique_ptr<AuroraLocalServer>> AuroraLocalServer::Start(ServerOptions options) {
  if (options.state_dir.empty()) return Status::InvalidArgument("--state-dir is required");
  std::unique_ptr<AuroraLocalServer> s(new AuroraLocalServer());
  s->options_ = std::move(options);
  std::error_code ec;
  fs::create_directories(s->options_.state_dir + "/sandboxes", ec);
  if (ec) {
    return Status::InvalidArgument("cannot create " + s->options_.state_dir + ": " + ec.message());
  }
  if (s->options_.simulate_tasks) {
    s->launcher_ = std::make_unique<SimulatedLauncher>();
  } else {
    s->launcher_ =
        std::make_unique<ProcessLauncher>(s->options_.state_dir + "/sandboxes", s->clock_);
  }
  s->scheduler_ = std::make_unique<Scheduler>(s->options_.scheduler, s->clock_, *s->launcher_,
                                              [] { return PickFreePort(); });
  // The last snapshot, then every journal line written after it.
  const std::string state = s->options_.state_dir + "/state.json";
  const std::string journal = s->options_.state_dir + "/journal.jsonl";
  if (fs::exists(state)) {
    HGO_ASSIGN_OR_RETURN(std::string text, ReadFileLimited(state, size_t{1} << 30));
    s->snapshot_bytes_ = text.size();
    auto root = ParseJson(text, {128, size_t{1} << 30});
    if (!root.ok()) return Status::InvalidArgument(state + ": " + root.status().message());
    const Json* snapshot = root->Find("state");
    const Json* seq = root->Find("seq");
    if (!snapshot || !seq || !seq->is_int()) {
      return Status::InvalidArgument(state + ": not an aurora-local state file");
    }
    s->seq_ = static_cast<uint64_t>(seq->as_int());
    std::vector<Json> deltas;
    if (fs::exists(journal)) {
      HGO_ASSIGN_OR_RETURN(std::string lines, ReadFileLimited(journal, size_t{1} << 31));
      std::istringstream in(lines);
      std::string line;
      while (std::getline(in, line)) {
        auto entry = ParseJson(line, {128, size_t{1} << 30});
        if (!entry.ok()) break;  // a torn last line: it was never acknowledged
        const Json* n = entry->Find("seq");
        const Json* delta = entry->Find("delta");
        if (!n || !n->is_int() || !delta) break;
        if (static_cast<uint64_t>(n->as_int()) <= s->seq_) continue;  // already in the snapshot
        s->seq_ = static_cast<uint64_t>(n->as_int());
        deltas.push_back(*delta);
      }
    }
    Status restored = Status::Ok();
    try {  // Restore returns errors; this is the last line of defence for a corrupt file
      restored = s->scheduler_->Restore(*snapshot, deltas);
    } catch (const std::exception& e) {
      restored = Status::InvalidArgument(std::string("snapshot: ") + e.what());
    }
    if (!restored.ok()) return Status::InvalidArgument(state + ": " + restored.message());
    spdlog::info("aurora-local: state restored from {} and {} journal entries", state,
                 deltas.size());
  }
  {
    std::lock_guard<std::mutex> lock(s->persist_mu_);
    HGO_RETURN_IF_ERROR(s->Compact());
  }
  AuroraLocalServer* self = s.get();
  HGO_ASSIGN_OR_RETURN(
      s->http_, HttpServer::Start(
                    s->options_.bind, s->options_.port,
                    [self](const HttpRequest& r) { return self->Handle(r); }, s->options_.tls));
  s->driver_ = std::thread([self] { self->DriveLoop(); });
  spdlog::info("aurora-local: serving cluster '{}' at {} (state in {})",
               s->options_.scheduler.cluster, s->http_->url(), s->options_.state_dir);
  return s;
}

AuroraLocalServer::~AuroraLocalServer() {
  stopping_ = true;
  http_.reset();
  if (driver_.joinable()) driver_.join();
  if (options_.stop_tasks_on_exit) launcher_->StopAll();
  std::lock_guard<std::mutex> lock(persist_mu_);
  (void)Compact();
  if (journal_fd_ >= 0) ::close(journal_fd_);
}

// A new snapshot with everything, then an empty journal. A crash between the two leaves journal
// lines whose numbers the snapshot already covers; they are skipped on the next start.
Status AuroraLocalServer::Compact() {
  HGO_RETURN_IF_ERROR(failpoint::Hit(kSnapshotWriteFailpoint));
  // {"seq": N, "state": <the scheduler's snapshot>} as text, made record by record (no tree of
  // the whole state: at 50,000 jobs the tree was larger than the text), and written to the file
  // outside the scheduler's lock.
  std::string text = "{\"seq\":" + std::to_string(seq_) + ",\"state\":";
  HGO_RETURN_IF_ERROR(scheduler_->WriteSnapshot([&text](std::string_view piece) {
    text.append(piece);
    return Status::Ok();
  }));
  text += "}";
  HGO_RETURN_IF_ERROR(WriteFileAtomic(options_.state_dir + "/state.json", text));
  snapshot_bytes_ = text.size();
  text = std::string();
#ifdef __GLIBC__
  // The text was as large as the state, and the requests served since the last snapshot left
  // free memory in the allocator's lists: give it back to the system.
  malloc_trim(0);
#endif
  HGO_RETURN_IF_ERROR(failpoint::Hit(kSnapshotWrittenFailpoint));
  if (journal_fd_ >= 0) ::close(journal_fd_);
  const std::string journal = options_.state_dir + "/journal.jsonl";
  journal_fd_ = ::open(journal.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (journal_fd_ < 0)
    return Status::Internal("cannot open " + journal + ": " + std::strerror(errno));
  journal_bytes_ = 0;
  return Status::Ok();
}

Status AuroraLocalServer::Persist() {
  std::lock_guard<std::mutex> lock(persist_mu_);
  // A snapshot costs as much as the whole state: taken once the journal is as large as the last
  // one, a change costs a constant share of it however large the estate is.
  if (journal_bytes_ > std::max<uint64_t>(kCompactJournalBytes, snapshot_bytes_)) return Compact();
  std::optional<Json> delta = scheduler_->TakeDelta();
  if (!delta) return Status::Ok();
  Json entry = Json::MakeObject();
  entry["seq"] = Json(static_cast<int64_t>(++seq_));
  entry["delta"] = std::move(*delta);
  const std::string line = Serialize(entry) + "\n";
  size_t written = 0;
  while (written < line.size()) {
    ssize_t n = ::write(journal_fd_, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Internal(std::string("journal write: ") + std::strerror(errno));
    written += static_cast<size_t>(n);
  }
  if (::fdatasync(journal_fd_) != 0) {
    return Status::Internal(std::string("journal fdatasync: ") + std::strerror(errno));
  }
  journal_bytes_ += line.size();
  return Status::Ok();
}

void AuroraLocalServer::DriveLoop() {
  auto last_persist = std::chrono::steady_clock::now();
  while (!stopping_) {
    scheduler_->Tick();
    auto now = std::chrono::steady_clock::now();
    if (now - last_persist >= std::chrono::milliseconds(200)) {
      if (Status s = Persist(); !s.ok())
        spdlog::error("aurora-local: cannot save state: {}", s.ToString());
      last_persist = now;
    }
    std::this_thread::sleep_for(options_.tick);
  }
}

HttpReply AuroraLocalServer::Handle(const HttpRequest& r) {
  if (r.path == "/health") return HttpReply::Text(200, "OK\n");
  if (r.path == "/leaderhealth") return HttpReply::Text(200, "This is the leading scheduler.\n");
  if (r.path == "/vars" || r.path == "/vars.json") {
    auto vars = scheduler_->Vars();
    if (r.path == "/vars.json") {
      Json j = Json::MakeObject();
      for (const auto& [k, v] : vars) j[k] = Json(v);
      HttpReply reply;
      reply.body = Serialize(j);
      reply.headers["Content-Type"] = "application/json";
      return reply;
    }
    std::string body;
    for (const auto& [k, v] : vars) body += k + " " + std::to_string(v) + "\n";
    return HttpReply::Text(200, body);
  }
  if (r.path == "/api") return HandleApi(r);
  return HttpReply::Text(404, "Not found: " + r.path + "\n");
}

HttpReply AuroraLocalServer::HandleApi(const HttpRequest& r) {
  auto in_protocol = RequestProtocol(r.Header("Content-Type"));
  if (!in_protocol)
    return HttpReply::Text(415, "Unsupported Content-Type: " + r.Header("Content-Type"));
  const WireProtocol out_protocol =
      r.Header("Accept") == kBinary ? WireProtocol::kBinary : WireProtocol::kJson;

  // The method name decides whether authentication is needed.
  auto peek =
      std::make_shared<TMemoryBuffer>(reinterpret_cast<uint8_t*>(const_cast<char*>(r.body.data())),
                                      static_cast<uint32_t>(r.body.size()), TMemoryBuffer::OBSERVE);
  std::string method;
  try {
    apache::thrift::protocol::TMessageType type;
    int32_t seqid = 0;
    MakeProtocol(*in_protocol, peek)->readMessageBegin(method, type, seqid);
  } catch (const std::exception& e) {
    return HttpReply::Text(500, std::string("Cannot read the Thrift message: ") + e.what() + "\n");
  }
  std::string user = "UNSECURE";
  std::set<std::string> roles;  // empty: every role
  if (!options_.users.empty()) {
    const std::string credentials = DecodeBasic(r.Header("Authorization"));
    const size_t colon = credentials.find(':');
    bool valid = false;
    if (colon != std::string::npos) {
      auto it = options_.users.find(credentials.substr(0, colon));
      valid = it != options_.users.end() && it->second.password == credentials.substr(colon + 1);
      if (valid) {
        user = it->first;
        roles = it->second.roles;
      }
    }
    if (MutatingMethods().count(method) && !valid) {
      HttpReply reply = HttpReply::Text(401, "Unauthenticated\n");
      reply.headers["WWW-Authenticate"] = "Basic realm=\"Apache Aurora Scheduler\"";
      return reply;
    }
  }

  auto in =
      std::make_shared<TMemoryBuffer>(reinterpret_cast<uint8_t*>(const_cast<char*>(r.body.data())),
                                      static_cast<uint32_t>(r.body.size()), TMemoryBuffer::COPY);
  auto out = std::make_shared<TMemoryBuffer>();
  auto handler = std::make_shared<ApiHandler>(*scheduler_, user, std::move(roles));
  api::AuroraSchedulerManagerProcessor processor(handler);
  try {
    processor.process(MakeProtocol(*in_protocol, in), MakeProtocol(out_protocol, out), nullptr);
  } catch (const std::exception& e) {
    return HttpReply::Text(500, std::string("Thrift error: ") + e.what() + "\n");
  }
  // What was acknowledged is on disk before the reply leaves.
  if (MutatingMethods().count(method)) {
    if (Status s = Persist(); !s.ok()) {
      spdlog::error("aurora-local: cannot save state: {}", s.ToString());
      return HttpReply::Text(500, "cannot save state: " + s.message() + "\n");
    }
  }
  HttpReply reply;
  reply.body = out->getBufferAsString();
  reply.headers["Content-Type"] = out_protocol == WireProtocol::kBinary ? kBinary : kJson;
  return reply;
}

}  // namespace hgo::aurora::local
