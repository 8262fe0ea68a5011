#include "file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "npy.h"
#include "quote.h"

namespace crgb::npy::detail {
namespace {

std::string system_error(const std::string &action, const std::string &path, int err) {
  return "cannot " + action + " " + quoted(path) + ": " + std::strerror(err);
}

// Closes a descriptor on scope exit unless released.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool write_all(int fd, const unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

std::vector<unsigned char> read_file(const std::string &path) {
  Fd f;
  do {
    f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (f.fd < 0 && errno == EINTR);
  if (f.fd < 0) throw Error(system_error("open", path, errno));
  // Read in chunks until end of file rather than trusting a size from stat, so
  // pipes work and a file that changes underneath us cannot cause an over-read.
  std::vector<unsigned char> data;
  size_t used = 0;
  for (;;) {
    if (data.size() - used < 65536) data.resize(data.size() < 65536 ? 131072 : data.size() * 2);
    ssize_t r = ::read(f.fd, data.data() + used, data.size() - used);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw Error(system_error("read", path, errno));
    }
    if (r == 0) break;
    used += static_cast<size_t>(r);
  }
  data.resize(used);
  data.shrink_to_fit();
  return data;
}

void write_file_atomically(const std::string &path, const std::vector<Chunk> &chunks) {
  // The temporary name is unique within this process (counter) and across
  // processes (pid); O_EXCL makes a clash with a stale file fail, not clobber it.
  static std::atomic<unsigned> counter{0};
  std::string tmp;
  Fd f;
  for (int attempt = 0; attempt < 100 && f.fd < 0; ++attempt) {
    tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    f.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (f.fd < 0 && errno != EEXIST && errno != EINTR) break;
  }
  if (f.fd < 0) throw Error(system_error("create", tmp, errno));

  auto fail = [&](const std::string &action, const std::string &what) {
    int err = errno;
    ::close(f.fd);
    f.fd = -1;
    ::unlink(tmp.c_str());
    throw Error(system_error(action, what, err));
  };
  for (const Chunk &c : chunks) {
    if (!write_all(f.fd, static_cast<const unsigned char *>(c.data), c.size)) fail("write", tmp);
  }
  // fsync before rename: otherwise a crash could leave an empty file under the
  // final name on some file systems.
  if (::fsync(f.fd) != 0 && errno != EINVAL) fail("write", tmp);
  int fd = f.fd;
  f.fd = -1;
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw Error(system_error("write", tmp, err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw Error(system_error("write", path, err));
  }
}

}  // namespace crgb::npy::detail
