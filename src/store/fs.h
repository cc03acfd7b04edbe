// The file system as the store sees it.  Production code uses PosixFs; tests
// can substitute a fake to inject faults (missing files, read errors, ...).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cwiki {

struct FileStat {
  bool exists = false;
  bool is_dir = false;
  bool is_file = false;
  long long size = 0;
  long long mtime_ns = 0;
  long long ctime_ns = 0;
  unsigned long long inode = 0;
  unsigned long long device = 0;

  // Same file with the same contents, as far as stat() can tell.
  bool same_as(const FileStat& o) const {
    return exists == o.exists && size == o.size && mtime_ns == o.mtime_ns &&
           ctime_ns == o.ctime_ns && inode == o.inode && device == o.device;
  }
};

// The wall clock, in the unit of FileStat's times (ns since the epoch).
long long now_ns();

// Held while it lives; released by the destructor.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Fs {
 public:
  virtual ~Fs() = default;
  virtual FileStat stat(const std::string& path) const = 0;
  // Whole file, or nullopt when it cannot be read or exceeds max_bytes
  // (`error`, when given, says why).  `st`, when given, receives the stat of
  // the very file that was read.
  virtual std::optional<std::string> read(const std::string& path, size_t max_bytes,
                                          std::string* error = nullptr,
                                          FileStat* st = nullptr) const = 0;
  // Names in a directory (no "." or ".."), unsorted; empty when unreadable.
  virtual std::vector<std::string> list(const std::string& dir) const = 0;

  // The writers return "" on success, or a message that says what failed.
  //
  // Replaces `path` so that a reader sees the old or the new contents, never
  // a part: a temporary file beside it, fsync, rename over, fsync of the
  // directory.  On failure the old file is left as it was.
  virtual std::string write_atomic(const std::string& path, std::string_view data) const = 0;
  // Creates a directory and its missing parents.
  virtual std::string make_dirs(const std::string& path) const = 0;
  virtual std::string rename(const std::string& from, const std::string& to) const = 0;
  virtual std::string remove(const std::string& path) const = 0;
  // Copies a file's bytes (the copy is written atomically).
  virtual std::string copy_file(const std::string& from, const std::string& to) const = 0;
  // Sets a file's modification (and access) time, in seconds since the epoch.
  virtual std::string set_mtime(const std::string& path, long long seconds) const = 0;
  // An exclusive lock on a directory, shared by all processes and threads
  // that lock the same directory; waits at most timeout_ms.
  virtual std::unique_ptr<FileLock> lock_dir(const std::string& dir, int timeout_ms,
                                             std::string* error) const = 0;
};

class PosixFs : public Fs {
 public:
  FileStat stat(const std::string& path) const override;
  std::optional<std::string> read(const std::string& path, size_t max_bytes,
                                  std::string* error = nullptr,
                                  FileStat* st = nullptr) const override;
  std::vector<std::string> list(const std::string& dir) const override;
  std::string write_atomic(const std::string& path, std::string_view data) const override;
  std::string make_dirs(const std::string& path) const override;
  std::string rename(const std::string& from, const std::string& to) const override;
  std::string remove(const std::string& path) const override;
  std::string copy_file(const std::string& from, const std::string& to) const override;
  std::string set_mtime(const std::string& path, long long seconds) const override;
  std::unique_ptr<FileLock> lock_dir(const std::string& dir, int timeout_ms,
                                     std::string* error) const override;
};

// File and directory permissions for what the store creates (as Foswiki's
// {Store}{filePermission} and {Store}{dirPermission} defaults).
inline constexpr int kFileMode = 0644;
inline constexpr int kDirMode = 0755;

// The process-wide PosixFs.
const Fs& posix_fs();

// While a StatScope lives, PosixFs::stat() on its thread asks the system once
// per path and answers again from memory: a request that reads, as a view
// does, sees each file as it was when first looked at (topics, templates and
// directories are looked at many times per page).  Changes made by others
// are seen by the next request.  Every PosixFs writer forgets the answers, so
// a request's own writes are seen.  Scopes do not nest: an inner one does
// nothing.
//
// stat_scope_generation() is 0 outside a scope; inside, a number that
// changes with every scope and every write, for caches that keep what they
// derived from the answers for as long as the answers hold.
class StatScope {
 public:
  StatScope();
  ~StatScope();
  StatScope(const StatScope&) = delete;
  StatScope& operator=(const StatScope&) = delete;

 private:
  std::unique_ptr<std::unordered_map<std::string, FileStat>> stats_;
};
unsigned long long stat_scope_generation();

}  // namespace cwiki
