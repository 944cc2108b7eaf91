//===- FileIO.cpp - reading and writing whole files -----------------------===//
#include "neuromesh/isa/FileIO.h"

#include "neuromesh/isa/Error.h"

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace neuromesh::isa {

std::string readFile(const std::string &Path, std::string_view What) {
  int Fd = ::open(Path.c_str(), O_RDONLY | O_CLOEXEC);
  if (Fd < 0)
    throw Error(fmt::format("{}: error: cannot open {}: {}", Path, What, std::strerror(errno)));
  struct stat St;
  if (::fstat(Fd, &St) == 0 && S_ISDIR(St.st_mode)) {
    ::close(Fd);
    throw Error(fmt::format("{}: error: cannot open {}: it is a directory", Path, What));
  }
  std::string Bytes;
  char Buffer[1 << 16];
  for (;;) {
    ssize_t N = ::read(Fd, Buffer, sizeof Buffer);
    if (N < 0 && errno == EINTR)
      continue;
    if (N < 0) {
      int Saved = errno;
      ::close(Fd);
      throw Error(fmt::format("{}: error: cannot read {}: {}", Path, What, std::strerror(Saved)));
    }
    if (N == 0)
      break;
    Bytes.append(Buffer, size_t(N));
  }
  ::close(Fd);
  return Bytes;
}

void writeFileAtomically(const std::string &Path, std::string_view Content) {
  // A unique temporary beside the target (same directory, so the rename is
  // atomic), created exclusively with the usual permissions.
  static std::atomic<unsigned> Counter{0};
  std::string Temp;
  int Fd = -1;
  for (int Attempt = 0; Attempt < 100 && Fd < 0; ++Attempt) {
    Temp = fmt::format("{}.tmp.{}.{}", Path, ::getpid(), Counter++);
    Fd = ::open(Temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (Fd < 0 && errno != EEXIST)
      break;
  }
  if (Fd < 0)
    throw Error(fmt::format("{}: error: cannot create a temporary file beside it: {}", Path,
                            std::strerror(errno)));
  auto FailAndRemove = [&](const char *Doing) {
    int Saved = errno;
    if (Fd >= 0)
      ::close(Fd);
    std::remove(Temp.c_str());
    throw Error(fmt::format("{}: error: {} {}: {}", Path, Doing, Temp, std::strerror(Saved)));
  };
  size_t Done = 0;
  while (Done < Content.size()) {
    ssize_t N = ::write(Fd, Content.data() + Done, Content.size() - Done);
    if (N < 0 && errno == EINTR)
      continue;
    if (N <= 0)
      FailAndRemove("cannot write");
    Done += size_t(N);
  }
  if (::fsync(Fd) != 0)
    FailAndRemove("cannot flush");
  int Closed = ::close(Fd);
  Fd = -1;
  if (Closed != 0)
    FailAndRemove("cannot close");
  if (std::rename(Temp.c_str(), Path.c_str()) != 0)
    FailAndRemove("cannot rename into place");
}

} // namespace neuromesh::isa
