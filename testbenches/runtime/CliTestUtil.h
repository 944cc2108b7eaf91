//===- CliTestUtil.h - running the nmesh just built from a test ---*- C++ -*-===//
#pragma once

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace neuromesh::testing {

struct Result {
  int Exit = -1;
  std::string Out; ///< stdout
  std::string Err; ///< stderr
};

inline std::string readFile(const std::string &Path) {
  std::ifstream In(Path, std::ios::binary);
  std::ostringstream SS;
  SS << In.rdbuf();
  return SS.str();
}

inline void writeFile(const std::string &Path, const std::string &Text) {
  std::ofstream Out(Path, std::ios::binary);
  Out << Text;
}

inline bool exists(const std::string &Path) { return ::access(Path.c_str(), F_OK) == 0; }

/// A fresh temporary directory per test case.
class TempDir {
public:
  TempDir() {
    char Template[] = "/tmp/nm_test_cli_XXXXXX";
    const char *P = ::mkdtemp(Template);
    REQUIRE(P != nullptr);
    Dir = P;
  }
  ~TempDir() { std::system(("rm -rf '" + Dir + "'").c_str()); }
  std::string operator/(const std::string &Name) const { return Dir + "/" + Name; }

private:
  std::string Dir;
};

/// Runs `nmesh Args` and captures exit code, stdout and stderr.
inline Result nmesh(const TempDir &T, const std::string &Args) {
  const std::string OutPath = T / "stdout.txt", ErrPath = T / "stderr.txt";
  std::string Cmd = std::string("'") + NM_NMESH_PATH + "' " + Args + " >'" +
                    OutPath + "' 2>'" + ErrPath + "'";
  int Status = std::system(Cmd.c_str());
  Result R;
  R.Exit = WIFEXITED(Status) ? WEXITSTATUS(Status) : -1;
  R.Out = readFile(OutPath);
  R.Err = readFile(ErrPath);
  return R;
}

} // namespace neuromesh::testing
