// A file system for tests: the real one, with any method overridable to
// inject a fault.
#pragma once

#include "store/fs.h"

namespace cwiki {

class ForwardingFs : public Fs {
 public:
  FileStat stat(const std::string& p) const override { return posix_fs().stat(p); }
  std::optional<std::string> read(const std::string& p, size_t max, std::string* err = nullptr,
                                  FileStat* st = nullptr) const override {
    return posix_fs().read(p, max, err, st);
  }
  std::vector<std::string> list(const std::string& d) const override { return posix_fs().list(d); }
  std::string write_atomic(const std::string& p, std::string_view data) const override {
    return posix_fs().write_atomic(p, data);
  }
  std::string make_dirs(const std::string& p) const override { return posix_fs().make_dirs(p); }
  std::string rename(const std::string& a, const std::string& b) const override {
    return posix_fs().rename(a, b);
  }
  std::string remove(const std::string& p) const override { return posix_fs().remove(p); }
  std::string copy_file(const std::string& a, const std::string& b) const override {
    return posix_fs().copy_file(a, b);
  }
  std::string set_mtime(const std::string& p, long long s) const override {
    return posix_fs().set_mtime(p, s);
  }
  std::unique_ptr<FileLock> lock_dir(const std::string& d, int ms, std::string* err) const override {
    return posix_fs().lock_dir(d, ms, err);
  }
};

}  // namespace cwiki
