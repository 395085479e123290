#include "cli/validate.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <iterator>

#include "cli/heronctl.h"
#include "common/json.h"
#include "crd/canonical.h"
#include "crd/parser.h"
#include "heron/packing.h"

namespace hgo::cli {
namespace fs = std::filesystem;

StatusOr<std::vector<std::string>> ExpandSpecPaths(const std::string& path) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return Status::NotFound(path + ": no such file or directory");
  if (!fs::is_directory(st)) return std::vector<std::string>{path};
  std::vector<std::string> files;
  fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
  if (ec) return Status::PermissionDenied(path + ": " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return Status::Internal(path + ": " + ec.message());
    const fs::path& p = it->path();
    if (p.filename().string().rfind('.', 0) == 0) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    std::string ext = p.extension().string();
    if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(p.string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::optional<crd::FieldError> PackingError(const crd::Topology& t) {
  // The controller packs every revision before it deploys it (shape/shape.h ShapeOf);
  // what it cannot pack is refused there with this same message.
  auto plan = packing::Pack(t, t.metadata.name);
  if (plan.ok()) return std::nullopt;
  // Where spec.resources is written (its first recorded field), else the packing, else the
  // document.
  crd::SourceLocation at = t.location;
  for (const std::string field : {"spec.resources", "spec.packing"}) {
    auto it = t.field_locations.lower_bound(field);
    if (it != t.field_locations.end() && it->first.rfind(field, 0) == 0) {
      at = it->second;
      break;
    }
  }
  return crd::FieldError{t.source_file, at, "spec.resources",
                         "cannot be packed: " + plan.status().message()};
}

int RunValidate(const ValidateOptions& options, std::istream& in, std::ostream& out,
                std::ostream& err) {
  if (options.output != "text" && options.output != "json") {
    err << "heronctl validate: --output must be text or json, got '" << options.output << "'\n";
    return kExitUsage;
  }
  std::vector<crd::ParseResult> results;
  for (const auto& path : options.paths) {
    if (path == "-") {
      std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      results.push_back(crd::ParseTopologies(content, "<stdin>"));
      continue;
    }
    auto files = ExpandSpecPaths(path);
    if (!files.ok()) {
      err << "heronctl validate: " << files.status().message() << "\n";
      return kExitUsage;
    }
    for (const auto& f : *files) results.push_back(crd::ParseTopologyFile(f));
  }

  std::vector<crd::Topology> valid;
  std::vector<crd::FieldError> errors;
  int invalid_documents = 0;
  for (const auto& r : results) {
    for (const auto& d : r.documents) {
      if (d.topologies.empty()) {
        ++invalid_documents;
        continue;
      }
      bool packs = true;
      for (const auto& t : d.topologies) {
        if (auto packing = PackingError(t)) {
          errors.push_back(std::move(*packing));
          packs = false;
        }
      }
      if (!packs) {
        ++invalid_documents;
      } else {
        valid.insert(valid.end(), d.topologies.begin(), d.topologies.end());
      }
    }
    auto file_errors = r.AllErrors();
    errors.insert(errors.end(), file_errors.begin(), file_errors.end());
  }
  auto duplicates = crd::CheckUniqueKeys(valid);
  errors.insert(errors.end(), duplicates.begin(), duplicates.end());
  const bool ok = errors.empty();

  if (options.output == "json") {
    Json report = Json::MakeObject();
    report["valid"] = ok;
    report["files"] = static_cast<int64_t>(results.size());
    Json topologies = Json::MakeArray();
    for (const auto& t : valid) {
      Json j = Json::MakeObject();
      j["key"] = t.key().ToString();
      j["file"] = t.source_file;
      j["line"] = t.location.line;
      j["specHash"] = crd::SpecHash(t);
      topologies.push_back(std::move(j));
    }
    report["topologies"] = std::move(topologies);
    Json errs = Json::MakeArray();
    for (const auto& e : errors) {
      Json j = Json::MakeObject();
      j["file"] = e.file;
      j["line"] = e.location.line;
      j["column"] = e.location.column;
      j["path"] = e.path;
      j["message"] = e.message;
      errs.push_back(std::move(j));
    }
    report["errors"] = std::move(errs);
    out << SerializePretty(report) << "\n";
  } else {
    size_t width = 0;
    for (const auto& t : valid) width = std::max(width, t.key().ToString().size());
    for (const auto& t : valid) {
      std::string key = t.key().ToString();
      out << "valid  " << key << std::string(width - key.size() + 2, ' ') << "spec "
          << crd::SpecHash(t).substr(0, 12) << "  " << t.source_file << ":" << t.location.line
          << "\n";
    }
    for (const auto& e : errors) out << e.ToString() << "\n";
    out << results.size() << (results.size() == 1 ? " file, " : " files, ") << valid.size()
        << " valid " << (valid.size() == 1 ? "topology" : "topologies") << ", " << invalid_documents
        << " invalid, " << errors.size() << (errors.size() == 1 ? " error" : " errors") << "\n";
  }
  return ok ? kExitOk : kExitProblem;
}

}  // namespace hgo::cli
