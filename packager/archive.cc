#include "packager/archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <memory>
#include <set>

namespace hgo::packager {
namespace {

struct WriterDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
struct ReaderDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

// "a/b/c" -> {"a", "a/b"}.
std::vector<std::string> ParentDirs(const std::string& path) {
  std::vector<std::string> out;
  for (size_t i = path.find('/'); i != std::string::npos; i = path.find('/', i + 1)) {
    out.push_back(path.substr(0, i));
  }
  return out;
}

bool SafeRelativePath(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

Status WriteError(struct archive* a, const std::string& what) {
  return Status::Internal("writing the archive (" + what + "): " + archive_error_string(a));
}

}  // namespace

StatusOr<std::string> WriteTarGz(std::vector<ArchiveEntry> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const ArchiveEntry& a, const ArchiveEntry& b) { return a.path < b.path; });
  std::set<std::string> dirs;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!SafeRelativePath(entries[i].path)) {
      return Status::InvalidArgument("'" + entries[i].path + "' is not a safe relative path");
    }
    if (i > 0 && entries[i].path == entries[i - 1].path) {
      return Status::InvalidArgument("'" + entries[i].path + "' is in the package twice");
    }
    for (auto& d : ParentDirs(entries[i].path)) dirs.insert(d);
  }
  for (const auto& e : entries) {
    if (dirs.count(e.path)) {
      return Status::InvalidArgument("'" + e.path + "' is both a file and a directory");
    }
  }
  // Directories and files in one sorted order: "a" < "a/x" < "b".
  struct Item {
    std::string path;
    const ArchiveEntry* file;
  };
  std::vector<Item> items;
  for (const auto& d : dirs) items.push_back({d, nullptr});
  for (const auto& e : entries) items.push_back({e.path, &e});
  std::sort(items.begin(), items.end(),
            [](const Item& a, const Item& b) { return a.path < b.path; });

  std::unique_ptr<struct archive, WriterDeleter> a(archive_write_new());
  std::string out;
  if (archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
      archive_write_add_filter_gzip(a.get()) != ARCHIVE_OK ||
      archive_write_set_filter_option(a.get(), "gzip", "timestamp", nullptr) != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(a.get(), 1) != ARCHIVE_OK) {
    return WriteError(a.get(), "set-up");
  }
  auto write_cb = [](struct archive*, void* client, const void* buf, size_t n) -> la_ssize_t {
    static_cast<std::string*>(client)->append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  };
  if (archive_write_open(a.get(), &out, nullptr, write_cb, nullptr) != ARCHIVE_OK) {
    return WriteError(a.get(), "open");
  }
  for (const auto& item : items) {
    std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
    archive_entry_set_pathname(e.get(), item.path.c_str());
    archive_entry_set_mtime(e.get(), 0, 0);
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    if (item.file == nullptr) {
      archive_entry_set_filetype(e.get(), AE_IFDIR);
      archive_entry_set_perm(e.get(), 0755);
      archive_entry_set_size(e.get(), 0);
    } else {
      archive_entry_set_filetype(e.get(), AE_IFREG);
      archive_entry_set_perm(e.get(), item.file->executable ? 0755 : 0644);
      archive_entry_set_size(e.get(), static_cast<la_int64_t>(item.file->data.size()));
    }
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK) return WriteError(a.get(), item.path);
    if (item.file != nullptr && !item.file->data.empty()) {
      la_ssize_t n = archive_write_data(a.get(), item.file->data.data(), item.file->data.size());
      if (n < 0 || static_cast<size_t>(n) != item.file->data.size()) {
        return WriteError(a.get(), item.path);
      }
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) return WriteError(a.get(), "close");
  return out;
}

StatusOr<std::vector<ArchiveEntry>> ReadArchive(std::string_view bytes, const std::string& where,
                                                size_t max_bytes) {
  std::unique_ptr<struct archive, ReaderDeleter> a(archive_read_new());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_none(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return Status::InvalidArgument(
        where + ": not a tar or tar.gz archive: " + archive_error_string(a.get()));
  }
  std::vector<ArchiveEntry> out;
  size_t total = 0;
  while (true) {
    archive_entry* e = nullptr;
    int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      return Status::InvalidArgument(
          where + ": not a readable tar archive: " + archive_error_string(a.get()));
    }
    std::string path = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
    while (path.rfind("./", 0) == 0) path.erase(0, 2);
    if (path.empty() || path == ".") continue;
    const auto type = archive_entry_filetype(e);
    if (type == AE_IFDIR) continue;
    if (type != AE_IFREG) {
      return Status::InvalidArgument(where + ": '" + path +
                                     "' is not a regular file (links and devices are refused)");
    }
    if (!SafeRelativePath(path)) {
      return Status::InvalidArgument(where + ": '" + path + "' escapes the package");
    }
    const auto size = archive_entry_size(e);
    if (size < 0 || total + static_cast<size_t>(size) > max_bytes) {
      return Status::InvalidArgument(where + ": the files hold more than " +
                                     std::to_string(max_bytes) + " bytes");
    }
    ArchiveEntry entry{path, std::string(static_cast<size_t>(size), '\0'),
                       (archive_entry_perm(e) & 0111) != 0};
    la_ssize_t n = size == 0 ? 0 : archive_read_data(a.get(), entry.data.data(), entry.data.size());
    if (n != size) {
      return Status::InvalidArgument(where + ": '" + path + "' is truncated or corrupt");
    }
    total += static_cast<size_t>(size);
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace hgo::packager
