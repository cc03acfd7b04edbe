#include "store/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <thread>
#include <unordered_map>

namespace cwiki {

namespace {

FileStat from_stat(const struct stat& st) {
  FileStat fs;
  fs.exists = true;
  fs.is_dir = S_ISDIR(st.st_mode);
  fs.is_file = S_ISREG(st.st_mode);
  fs.size = st.st_size;
  fs.mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  fs.ctime_ns = static_cast<long long>(st.st_ctim.tv_sec) * 1000000000LL + st.st_ctim.tv_nsec;
  fs.inode = st.st_ino;
  fs.device = st.st_dev;
  return fs;
}

}  // namespace

long long now_ns() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

namespace {
// The stat() answers of the thread's current StatScope, or nullptr.
thread_local std::unordered_map<std::string, FileStat>* scope_stats = nullptr;
thread_local unsigned long long scope_generation = 0;
std::atomic<unsigned long long> generations{0};

void forget_stats() {
  if (!scope_stats) return;
  scope_stats->clear();
  scope_generation = ++generations;
}
}  // namespace

StatScope::StatScope() {
  if (scope_stats) return;  // an outer scope is in force
  stats_ = std::make_unique<std::unordered_map<std::string, FileStat>>();
  stats_->reserve(256);
  scope_stats = stats_.get();
  scope_generation = ++generations;
}

StatScope::~StatScope() {
  if (!stats_) return;
  scope_stats = nullptr;
  scope_generation = 0;
}

unsigned long long stat_scope_generation() { return scope_generation; }

FileStat PosixFs::stat(const std::string& path) const {
  if (scope_stats)
    if (auto it = scope_stats->find(path); it != scope_stats->end()) return it->second;
  struct stat st;
  FileStat out;
  if (::stat(path.c_str(), &st) == 0) out = from_stat(st);
  if (scope_stats) scope_stats->emplace(path, out);
  return out;
}

std::optional<std::string> PosixFs::read(const std::string& path, size_t max_bytes,
                                         std::string* error, FileStat* st_out) const {
  auto fail = [&](const std::string& why) -> std::optional<std::string> {
    if (error) *error = why;
    return std::nullopt;
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail("not a regular file");
  }
  if (st_out) *st_out = from_stat(st);
  if (static_cast<unsigned long long>(st.st_size) > max_bytes) {
    ::close(fd);
    return fail("larger than the limit of " + std::to_string(max_bytes) + " bytes");
  }
  std::string out;
  out.reserve(static_cast<size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return fail(std::strerror(e));
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {  // grew since fstat
      ::close(fd);
      return fail("larger than the limit of " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

std::vector<std::string> PosixFs::list(const std::string& dir) const {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (struct dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    out.emplace_back(e->d_name);
  }
  ::closedir(d);
  return out;
}

namespace {

std::string err_text(const std::string& what, const std::string& path, int e) {
  return what + " " + path + ": " + std::strerror(e);
}

std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return err_text("cannot open directory", dir, errno);
  int rc = ::fsync(fd);
  int e = errno;
  ::close(fd);
  return rc == 0 ? "" : err_text("cannot sync directory", dir, e);
}

class DirLock final : public FileLock {
 public:
  explicit DirLock(int fd) : fd_(fd) {}
  ~DirLock() override {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }

 private:
  int fd_;
};

}  // namespace

std::string PosixFs::write_atomic(const std::string& path, std::string_view data) const {
  forget_stats();
  static std::atomic<unsigned> counter{0};
  const std::string tmp = path + ".cwtmp-" + std::to_string(::getpid()) + "-" +
                          std::to_string(counter.fetch_add(1));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kFileMode);
  if (fd < 0) return err_text("cannot create", tmp, errno);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return err_text("cannot write", path, e);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return err_text("cannot sync", path, e);
  }
  if (::close(fd) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return err_text("cannot write", path, e);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return err_text("cannot replace", path, e);
  }
  return fsync_dir(dir_of(path));
}

std::string PosixFs::make_dirs(const std::string& path) const {
  forget_stats();
  if (path.empty()) return "";
  struct stat st;
  if (::stat(path.c_str(), &st) == 0)
    return S_ISDIR(st.st_mode) ? "" : "cannot create directory " + path + ": a file is in the way";
  std::string parent = dir_of(path);
  if (parent != path && parent != "." && parent != "/") {
    if (auto e = make_dirs(parent); !e.empty()) return e;
  }
  if (::mkdir(path.c_str(), kDirMode) != 0 && errno != EEXIST)
    return err_text("cannot create directory", path, errno);
  return "";
}

std::string PosixFs::rename(const std::string& from, const std::string& to) const {
  forget_stats();
  if (::rename(from.c_str(), to.c_str()) != 0) return err_text("cannot move", from + " to " + to, errno);
  return fsync_dir(dir_of(to));
}

std::string PosixFs::remove(const std::string& path) const {
  forget_stats();
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return err_text("cannot remove", path, errno);
  return "";
}

std::string PosixFs::copy_file(const std::string& from, const std::string& to) const {
  forget_stats();
  std::string err;
  auto data = read(from, static_cast<size_t>(1) << 40, &err);
  if (!data) return "cannot read " + from + ": " + err;
  return write_atomic(to, *data);
}

std::string PosixFs::set_mtime(const std::string& path, long long seconds) const {
  forget_stats();
  struct timespec ts[2];
  ts[0].tv_sec = ts[1].tv_sec = static_cast<time_t>(seconds);
  ts[0].tv_nsec = ts[1].tv_nsec = 0;
  if (::utimensat(AT_FDCWD, path.c_str(), ts, 0) != 0) return err_text("cannot set the time of", path, errno);
  return "";
}

std::unique_ptr<FileLock> PosixFs::lock_dir(const std::string& dir, int timeout_ms,
                                            std::string* error) const {
  forget_stats();
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (error) *error = err_text("cannot open directory", dir, errno);
    return nullptr;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int wait_us = 200;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      if (error) *error = err_text("cannot lock", dir, errno);
      ::close(fd);
      return nullptr;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      if (error) *error = "another save in " + dir + " did not finish within " +
                          std::to_string(timeout_ms) + " ms";
      ::close(fd);
      return nullptr;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(wait_us));
    if (wait_us < 20000) wait_us *= 2;
  }
  return std::make_unique<DirLock>(fd);
}

const Fs& posix_fs() {
  static const PosixFs fs;
  return fs;
}

}  // namespace cwiki
