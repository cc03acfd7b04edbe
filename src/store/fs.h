// The file system as the store sees it.  Production code uses PosixFs; tests
// can substitute a fake to inject faults (missing files, read errors, ...).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cwiki {

struct FileStat {
  bool exists = false;
  bool is_dir = false;
  bool is_file = false;
  long long size = 0;
  long long mtime_ns = 0;
};

class Fs {
 public:
  virtual ~Fs() = default;
  virtual FileStat stat(const std::string& path) const = 0;
  // Whole file, or nullopt when it cannot be read or exceeds max_bytes
  // (`error`, when given, says why).
  virtual std::optional<std::string> read(const std::string& path, size_t max_bytes,
                                          std::string* error = nullptr) const = 0;
  // Names in a directory (no "." or ".."), unsorted; empty when unreadable.
  virtual std::vector<std::string> list(const std::string& dir) const = 0;
};

class PosixFs final : public Fs {
 public:
  FileStat stat(const std::string& path) const override;
  std::optional<std::string> read(const std::string& path, size_t max_bytes,
                                  std::string* error = nullptr) const override;
  std::vector<std::string> list(const std::string& dir) const override;
};

// The process-wide PosixFs.
const Fs& posix_fs();

}  // namespace cwiki
