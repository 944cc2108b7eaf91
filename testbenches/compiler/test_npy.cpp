//===- test_npy.cpp - the .npy reader --------------------------------------===//
//
// Two independent sources of files: byte arrays built here from the format
// description (NpyTestUtil.h), and files numpy itself writes at test time
// (skipped with a warning when python3 or numpy is missing). Values are
// chosen so that every one is exact in each dtype, and compared exactly.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/compiler/Npy.h"

#include "NpyTestUtil.h"
#include "neuromesh/isa/Error.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <string>
#include <unistd.h>

using namespace neuromesh;
using namespace neuromesh::compiler;
using Catch::Contains;
using nm_test::leBytes;
using nm_test::npyDict;
using nm_test::npyFile;

namespace {

/// The message parseNpy throws for Bytes ("" if it parses).
std::string npyError(const std::string &Bytes, const std::string &Name = "w.npy") {
  try {
    parseNpy(Bytes, Name);
  } catch (const Error &E) {
    return E.what();
  }
  return "";
}

class NpyScratch {
public:
  NpyScratch() {
    char Template[] = "/tmp/nm_npy_XXXXXX";
    const char *P = ::mkdtemp(Template);
    REQUIRE(P != nullptr);
    Dir = P;
  }
  ~NpyScratch() { std::system(("rm -rf '" + Dir + "'").c_str()); }
  std::string path(const std::string &Name) const { return Dir + "/" + Name; }
  std::string Dir;
};

} // namespace

TEST_CASE("npy: every supported dtype, hand-built", "[npy]") {
  SECTION("float64, 2-D") {
    NpyArray A = parseNpy(nm_test::npyF8({2, 3}, {1.5, -2, 0, 1e300, -1e-300, 42}), "a.npy");
    CHECK(A.Shape == std::vector<uint64_t>{2, 3});
    CHECK(A.Descr == "<f8");
    CHECK(A.Data == std::vector<double>{1.5, -2, 0, 1e300, -1e-300, 42});
  }
  SECTION("float32") {
    NpyArray A =
        parseNpy(npyFile(npyDict("<f4", {3}), leBytes<float>({0.25f, -3.5f, 1e10f})), "a.npy");
    CHECK(A.Data == std::vector<double>{0.25, -3.5, double(1e10f)});
  }
  SECTION("float16: 1.0 = 0x3c00, -2.0 = 0xc000, 0.5 = 0x3800, 2^-24 = 0x0001, 65504 = 0x7bff") {
    NpyArray A = parseNpy(
        npyFile(npyDict("<f2", {5}), leBytes<uint16_t>({0x3c00, 0xc000, 0x3800, 0x0001, 0x7bff})),
        "a.npy");
    CHECK(A.Data == std::vector<double>{1.0, -2.0, 0.5, std::ldexp(1.0, -24), 65504});
  }
  SECTION("signed integers sign-extend") {
    CHECK(parseNpy(npyFile(npyDict("|i1", {3}), leBytes<int8_t>({-128, 127, -1})), "a").Data ==
          std::vector<double>{-128, 127, -1});
    CHECK(parseNpy(npyFile(npyDict("<i2", {2}), leBytes<int16_t>({-32768, 300})), "a").Data ==
          std::vector<double>{-32768, 300});
    CHECK(
        parseNpy(npyFile(npyDict("<i4", {2}), leBytes<int32_t>({-2147483647 - 1, 7})), "a").Data ==
        std::vector<double>{-2147483648.0, 7});
    CHECK(parseNpy(npyFile(npyDict("<i8", {2}), leBytes<int64_t>({-(int64_t(1) << 40), 5})), "a")
              .Data == std::vector<double>{-std::ldexp(1.0, 40), 5});
  }
  SECTION("unsigned integers") {
    CHECK(parseNpy(npyFile(npyDict("|u1", {2}), leBytes<uint8_t>({255, 0})), "a").Data ==
          std::vector<double>{255, 0});
    CHECK(parseNpy(npyFile(npyDict("<u2", {1}), leBytes<uint16_t>({65535})), "a").Data ==
          std::vector<double>{65535});
    CHECK(parseNpy(npyFile(npyDict("<u4", {1}), leBytes<uint32_t>({4294967295u})), "a").Data ==
          std::vector<double>{4294967295.0});
    CHECK(
        parseNpy(npyFile(npyDict("<u8", {1}), leBytes<uint64_t>({uint64_t(1) << 63})), "a").Data ==
        std::vector<double>{std::ldexp(1.0, 63)});
  }
  SECTION("bool") {
    CHECK(parseNpy(npyFile(npyDict("|b1", {3}), std::string("\x01\x00\x01", 3)), "a").Data ==
          std::vector<double>{1, 0, 1});
  }
  SECTION("scalar, empty and 4-D shapes") {
    NpyArray S = parseNpy(npyFile(npyDict("<f8", {}), leBytes<double>({3.25})), "a");
    CHECK(S.Shape.empty());
    CHECK(S.Data == std::vector<double>{3.25});
    NpyArray E = parseNpy(npyFile(npyDict("<f8", {0}), ""), "a");
    CHECK(E.Shape == std::vector<uint64_t>{0});
    CHECK(E.Data.empty());
    std::vector<double> V(2 * 1 * 3 * 2);
    for (size_t I = 0; I < V.size(); ++I)
      V[I] = double(I) - 4;
    NpyArray K = parseNpy(nm_test::npyF8({2, 1, 3, 2}, V), "k.npy");
    CHECK(K.Shape == std::vector<uint64_t>{2, 1, 3, 2});
    CHECK(K.Data == V);
  }
  SECTION("format versions 2 and 3 (4-byte header length)") {
    for (unsigned Major : {2u, 3u}) {
      NpyArray A = parseNpy(npyFile(npyDict("<i2", {2}), leBytes<int16_t>({-7, 9}), Major), "a");
      CHECK(A.Data == std::vector<double>{-7, 9});
    }
  }
  SECTION("keys in another order, no trailing comma, Python 2 longs") {
    std::string Dict = "{'shape': (2L, 1L), 'fortran_order': False, 'descr': '<i4'}";
    NpyArray A = parseNpy(npyFile(Dict, leBytes<int32_t>({5, -5})), "a");
    CHECK(A.Shape == std::vector<uint64_t>{2, 1});
    CHECK(A.Data == std::vector<double>{5, -5});
  }
}

TEST_CASE("npy: every defect is a clear error naming the file", "[npy]") {
  std::string Good = nm_test::npyF8({2, 3}, {1, 2, 3, 4, 5, 6});
  SECTION("bad magic") {
    CHECK_THAT(npyError("PK\x03\x04zipzipzipzip"),
               Contains("w.npy: error: not a .npy file (it does not start with the magic "
                        "\"\\x93NUMPY\"); save the array with numpy.save"));
    CHECK_THAT(npyError(""), Contains("w.npy: error: not a .npy file"));
  }
  SECTION("truncated prefix, header or data") {
    CHECK_THAT(npyError(Good.substr(0, 8)),
               Contains("w.npy: error: truncated: 8 bytes, shorter than the smallest .npy header"));
    CHECK_THAT(npyError(Good.substr(0, 40)),
               Contains("w.npy: error: truncated: the header says it is 118 bytes long but only "
                        "30 bytes follow the prefix"));
    CHECK_THAT(npyError(Good.substr(0, Good.size() - 1)),
               Contains("w.npy: error: truncated: shape (2, 3) of '<f8' needs 48 bytes of data, "
                        "the file holds 47"));
  }
  SECTION("trailing bytes") {
    CHECK_THAT(npyError(Good + "xx"), Contains("w.npy: error: 2 unexpected bytes after the data"));
  }
  SECTION("fortran order") {
    CHECK_THAT(npyError(nm_test::npyF8({2, 3}, {1, 2, 3, 4, 5, 6}, true)),
               Contains("w.npy: error: the array is stored in Fortran (column-major) order; "
                        "save a C-ordered copy: numpy.save(path, numpy.ascontiguousarray(a))"));
  }
  SECTION("big-endian and unsupported dtypes") {
    CHECK_THAT(npyError(npyFile(npyDict(">f8", {1}), std::string(8, '\0'))),
               Contains("w.npy: error: big-endian data ('>f8') is not supported; save a "
                        "little-endian copy: a.astype('<f8')"));
    CHECK_THAT(npyError(npyFile(npyDict("<c16", {1}), std::string(16, '\0'))),
               Contains("w.npy: error: unsupported dtype '<c16' (complex)"));
    CHECK_THAT(npyError(npyFile(npyDict("|O", {1}), std::string(8, '\0'))),
               Contains("w.npy: error: unsupported dtype '|O'"));
    CHECK_THAT(npyError(npyFile(npyDict("<U3", {1}), std::string(12, '\0'))),
               Contains("unsupported dtype '<U3' (strings)"));
    CHECK_THAT(npyError(npyFile(npyDict("<i3", {1}), std::string(3, '\0'))),
               Contains("unsupported dtype '<i3' (item size 3)"));
    CHECK_THAT(npyError(npyFile("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': "
                                "(1,), }",
                                std::string(4, '\0'))),
               Contains("w.npy: error: structured dtypes (a list in 'descr') are not supported"));
  }
  SECTION("unsupported version") {
    std::string V4 = Good;
    V4[6] = 4;
    CHECK_THAT(npyError(V4), Contains("w.npy: error: .npy format version 4.0 is not supported"));
  }
  SECTION("malformed header") {
    CHECK_THAT(npyError(npyFile("{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1,), }",
                                std::string(8, '\0'))),
               Contains("w.npy: error: malformed .npy header (expected True or False"));
    CHECK_THAT(npyError(npyFile("{'descr': '<f8', 'shape': (1,), }", std::string(8, '\0'))),
               Contains("w.npy: error: the .npy header lacks 'fortran_order'"));
    CHECK_THAT(npyError(npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), "
                                "'extra': 1}",
                                std::string(8, '\0'))),
               Contains("w.npy: error: unexpected key 'extra' in the .npy header"));
    std::string NoNewline = Good;
    NoNewline[9 + 118] = ' '; // the header's final '\n' (prefix 10 + 118 - 1)
    CHECK_THAT(npyError(NoNewline), Contains("w.npy: error: malformed .npy header: it does not "
                                             "end with a newline"));
  }
  SECTION("a missing file") {
    try {
      readNpy("/nonexistent/w.npy");
      FAIL("no error");
    } catch (const Error &E) {
      CHECK_THAT(std::string(E.what()),
                 Contains("/nonexistent/w.npy: error: cannot open the file"));
    }
  }
}

TEST_CASE("npy: files written by numpy", "[npy]") {
  if (std::system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") != 0) {
    WARN("python3 with numpy is not available: skipping the numpy-written files");
    return;
  }
  NpyScratch T;
  // Values: v[i] = (i - 3) / 4 over a 2 x 3 array (exact in every float
  // dtype), integers i - 3 for the signed types, i for the unsigned.
  std::string Script =
      "import numpy as np, sys\n"
      "d = sys.argv[1]\n"
      "f = (np.arange(6) - 3) / 4.0\n"
      "np.save(d + '/f8.npy', f.reshape(2, 3))\n"
      "np.save(d + '/f4.npy', f.reshape(2, 3).astype(np.float32))\n"
      "np.save(d + '/f2.npy', f.reshape(3, 2).astype(np.float16))\n"
      "np.save(d + '/i1.npy', (np.arange(6) - 3).astype(np.int8))\n"
      "np.save(d + '/i2.npy', (np.arange(6) - 3).astype(np.int16))\n"
      "np.save(d + '/i8.npy', (np.arange(6) - 3).astype(np.int64).reshape(1, 2, 3))\n"
      "np.save(d + '/u2.npy', np.arange(6).astype(np.uint16))\n"
      "np.save(d + '/b.npy', np.array([True, False, True]))\n"
      "np.save(d + '/scalar.npy', np.float64(2.5))\n"
      "np.save(d + '/fortran.npy', np.asfortranarray(f.reshape(2, 3)))\n"
      "np.save(d + '/big.npy', f.astype('>f8'))\n"
      "for v in [(2, 0), (3, 0)]:\n"
      "    with open(d + '/v%d.npy' % v[0], 'wb') as o:\n"
      "        np.lib.format.write_array(o, f.reshape(2, 3), version=v)\n";
  nm_test::writeFile(T.path("make.py"), Script);
  REQUIRE(std::system(("/usr/bin/python3 '" + T.path("make.py") + "' '" + T.Dir + "'").c_str()) ==
          0);

  const std::vector<double> F = {-0.75, -0.5, -0.25, 0, 0.25, 0.5};
  const std::vector<double> I = {-3, -2, -1, 0, 1, 2};
  for (const char *Name : {"f8", "f4", "v2", "v3"}) {
    INFO(Name);
    NpyArray A = readNpy(T.path(std::string(Name) + ".npy"));
    CHECK(A.Shape == std::vector<uint64_t>{2, 3});
    CHECK(A.Data == F);
  }
  NpyArray F2 = readNpy(T.path("f2.npy"));
  CHECK(F2.Shape == std::vector<uint64_t>{3, 2});
  CHECK(F2.Data == F);
  CHECK(readNpy(T.path("i1.npy")).Data == I);
  CHECK(readNpy(T.path("i2.npy")).Data == I);
  NpyArray I8 = readNpy(T.path("i8.npy"));
  CHECK(I8.Shape == std::vector<uint64_t>{1, 2, 3});
  CHECK(I8.Data == I);
  CHECK(readNpy(T.path("u2.npy")).Data == std::vector<double>{0, 1, 2, 3, 4, 5});
  CHECK(readNpy(T.path("b.npy")).Data == std::vector<double>{1, 0, 1});
  NpyArray S = readNpy(T.path("scalar.npy"));
  CHECK(S.Shape.empty());
  CHECK(S.Data == std::vector<double>{2.5});

  auto ErrorOf = [&](const std::string &Name) -> std::string {
    try {
      readNpy(T.path(Name));
    } catch (const Error &E) {
      return E.what();
    }
    return "";
  };
  CHECK_THAT(ErrorOf("fortran.npy"),
             Contains(T.path("fortran.npy") + ": error: the array is "
                                              "stored in Fortran (column-major) order"));
  CHECK_THAT(ErrorOf("big.npy"), Contains(T.path("big.npy") + ": error: big-endian data ('>f8')"));
}
