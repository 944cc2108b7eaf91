//===- NirTestUtil.h - writing small NIR files from tests ---------*- C++ -*-===//
//
// Tests write NIR files (well-formed or deliberately broken) with h5py from
// /usr/bin/python3, so the files come from the same library the reference
// implementation writes with, not from the reader under test.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>

namespace neuromesh::testing {

/// Python prelude: `f` is the file open for writing; node(parent, name,
/// type, **datasets) makes a node group; graph(parent, name, edges) a
/// (nested) NIRGraph group and returns its nodes group.
inline const char *NirPythonPrelude = R"PY(
import h5py, numpy as np, sys
f = h5py.File(sys.argv[1], 'w')
f['version'] = '0.2.0'
def node(parent, name, type, **data):
    g = parent.create_group(name)
    g['type'] = type
    for k, v in data.items():
        g[k] = v
    return g
def graph(parent, name, edges):
    g = parent.create_group(name)
    g['type'] = 'NIRGraph'
    if edges:
        g.create_dataset('edges', data=np.array(edges, dtype=object), dtype=h5py.string_dtype())
    else:
        g['edges'] = np.zeros((0,))
    return g.create_group('nodes')
)PY";

/// A NIR fixture of testbenches/fixtures/nir (copies of the files exported
/// by snnTorch, Norse, Sinabs and Rockpool, kept in the repository so the
/// tests need nothing outside it).
inline std::string nirFixture(const std::string &Name) {
  return std::string(NM_NIR_FIXTURES) + "/" + Name;
}

/// Writes Path by running the prelude plus Body under /usr/bin/python3.
inline void writeNirWithPython(const std::string &Path, const std::string &Body) {
  const std::string Script = Path + ".py";
  {
    std::ofstream Out(Script);
    Out << NirPythonPrelude << Body << "\nf.close()\n";
  }
  std::string Cmd = "/usr/bin/python3 '" + Script + "' '" + Path + "'";
  REQUIRE(std::system(Cmd.c_str()) == 0);
  ::unlink(Script.c_str());
}

/// A temporary file name, removed at scope exit.
class TempNir {
public:
  TempNir() {
    char Template[] = "/tmp/nm_test_nir_XXXXXX";
    int Fd = ::mkstemp(Template);
    REQUIRE(Fd >= 0);
    ::close(Fd);
    Path = std::string(Template);
  }
  ~TempNir() { ::unlink(Path.c_str()); }
  const std::string &path() const { return Path; }

private:
  std::string Path;
};

} // namespace neuromesh::testing
