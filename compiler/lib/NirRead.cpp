//===- NirRead.cpp - read a NIR HDF5 file into the graph data model --------===//
//
// The only file that includes HDF5. It walks /node recursively: a group
// whose "type" is "NIRGraph" is a nested graph, flattened here (its nodes
// get dotted names, its edges are qualified); any other group is a node
// whose datasets become Arrays ("metadata" groups are skipped). Edges that
// enter or leave a nested graph by the graph's own name are rewired to its
// "input" / "output" nodes.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/compiler/Nir.h"

#include "neuromesh/isa/Error.h"

#include <fmt/format.h>
#include <hdf5.h>

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace neuromesh::compiler::nir {

uint64_t Array::size() const {
  if (K == Kind::String)
    return 0;
  uint64_t N = 1;
  for (uint64_t D : Shape)
    N *= D;
  return N;
}

double Array::at(uint64_t I) const {
  assert(I < size() && "index within the array");
  return K == Kind::Int ? double(Ints[I]) : Floats[I];
}

Array Array::floats(std::vector<double> V, std::vector<uint64_t> Shape) {
  Array A;
  A.K = Kind::Float;
  A.Floats = std::move(V);
  A.Shape = std::move(Shape);
  return A;
}

Array Array::ints(std::vector<int64_t> V, std::vector<uint64_t> Shape) {
  Array A;
  A.K = Kind::Int;
  A.Ints = std::move(V);
  A.Shape = std::move(Shape);
  return A;
}

Array Array::scalar(double V) { return floats({V}, {}); }

Array Array::string(std::string S) {
  Array A;
  A.K = Kind::String;
  A.Str = std::move(S);
  return A;
}

const Array *Node::find(const std::string &Key) const {
  auto It = Data.find(Key);
  return It == Data.end() ? nullptr : &It->second;
}

const Node *Graph::find(const std::string &Name) const {
  for (const Node &N : Nodes)
    if (N.Name == Name)
      return &N;
  return nullptr;
}

namespace {

/// Closes an HDF5 id on scope exit.
class Handle {
public:
  Handle(hid_t Id, herr_t (*Close)(hid_t)) : Id(Id), Close(Close) {}
  Handle(const Handle &) = delete;
  Handle &operator=(const Handle &) = delete;
  ~Handle() {
    if (Id >= 0)
      Close(Id);
  }
  hid_t get() const { return Id; }
  bool ok() const { return Id >= 0; }

private:
  hid_t Id;
  herr_t (*Close)(hid_t);
};

/// Limits that keep a corrupt file from claiming all memory: a NIR dataset
/// of a network that fits any chip is far below both.
constexpr uint64_t MaxElements = uint64_t(1) << 28;
constexpr hsize_t MaxStringBytes = hsize_t(1) << 28;

void *boundedAlloc(size_t Size, void *) {
  return Size > MaxStringBytes ? nullptr : std::malloc(Size);
}
void boundedFree(void *P, void *) { std::free(P); }

class Reader {
public:
  explicit Reader(std::string Path) : Path(std::move(Path)) {}

  /// The file's size in bytes, read once.
  uint64_t fileSize() const {
    if (!FileBytes) {
      struct stat St;
      FileBytes = ::stat(Path.c_str(), &St) == 0 ? uint64_t(St.st_size) : 0;
    }
    return *FileBytes;
  }

  Graph read() {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); // we report errors ourselves
    htri_t IsHdf5 = H5Fis_hdf5(Path.c_str());
    if (IsHdf5 <= 0)
      fail(IsHdf5 < 0 ? "cannot open the file (does it exist and is it readable?)"
                      : "not an HDF5 file; a NIR graph is an HDF5 file written by nir.write");
    Handle File(H5Fopen(Path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!File.ok())
      fail("cannot open the HDF5 file");
    Graph G;
    if (H5Lexists(File.get(), "version", H5P_DEFAULT) > 0) {
      Handle D(H5Dopen2(File.get(), "version", H5P_DEFAULT), H5Dclose);
      G.Version = readStrings(D.get(), "/version").at(0);
    }
    if (H5Lexists(File.get(), "node", H5P_DEFAULT) <= 0)
      fail("no /node group: a NIR file holds its graph under /node (is this a NIR file?)");
    Handle Root(H5Gopen2(File.get(), "node", H5P_DEFAULT), H5Gclose);
    if (!Root.ok())
      fail("/node is not a group");
    std::string Type = typeOf(Root.get(), "/node");
    if (Type != "NIRGraph")
      fail(fmt::format("/node has type '{}'; the top level of a NIR file must be a NIRGraph",
                       Type));
    readGraph(Root.get(), "/node", "", G);
    return G;
  }

private:
  std::string Path;
  mutable std::optional<uint64_t> FileBytes;

  [[noreturn]] void fail(const std::string &Message) const {
    throw Error(fmt::format("{}: error: {}", Path, Message));
  }

  std::vector<std::string> members(hid_t Group, const std::string &Where) const {
    H5G_info_t Info;
    if (H5Gget_info(Group, &Info) < 0)
      fail(fmt::format("cannot list group {}", Where));
    std::vector<std::string> Names;
    for (hsize_t I = 0; I < Info.nlinks; ++I) {
      ssize_t Len = H5Lget_name_by_idx(Group, ".", H5_INDEX_NAME, H5_ITER_INC, I, nullptr, 0,
                                       H5P_DEFAULT);
      if (Len < 0)
        fail(fmt::format("cannot read member {} of {}", I, Where));
      std::string Name(size_t(Len) + 1, '\0');
      H5Lget_name_by_idx(Group, ".", H5_INDEX_NAME, H5_ITER_INC, I, Name.data(), Name.size(),
                         H5P_DEFAULT);
      Name.resize(size_t(Len));
      Names.push_back(Name);
    }
    return Names;
  }

  /// The scalar string dataset "type" of a group.
  std::string typeOf(hid_t Group, const std::string &Where) const {
    if (H5Lexists(Group, "type", H5P_DEFAULT) <= 0)
      fail(fmt::format("{} has no 'type' dataset; every NIR node names its primitive", Where));
    Handle D(H5Dopen2(Group, "type", H5P_DEFAULT), H5Dclose);
    if (!D.ok())
      fail(fmt::format("{}/type is not a dataset", Where));
    std::vector<std::string> S = readStrings(D.get(), Where + "/type");
    if (S.size() != 1)
      fail(fmt::format("{}/type must be one string, got {}", Where, S.size()));
    return S[0];
  }

  /// The dataset's dimensions; more than MaxElements elements, or more
  /// than the file's bytes can hold, is refused before anything is
  /// allocated. (A corrupt layout can leave a dataset of 2^28 strings with
  /// no storage, which libhdf5 then "reads" as fill values: gigabytes of
  /// memory and tens of seconds for a 17 kB file.) Each element takes at
  /// least its type's size in the file (a string's heap reference 16
  /// bytes), unless a filter compresses it; nir.write and h5py write
  /// uncompressed datasets, so compressed ones get a 1024x allowance.
  std::vector<uint64_t> shapeOf(hid_t Dataset, const std::string &Where) const {
    Handle Space(H5Dget_space(Dataset), H5Sclose);
    int Rank = H5Sget_simple_extent_ndims(Space.get());
    std::vector<hsize_t> Dims(size_t(std::max(Rank, 0)));
    if (Rank > 0)
      H5Sget_simple_extent_dims(Space.get(), Dims.data(), nullptr);
    double Elements = 1;
    for (hsize_t D : Dims)
      Elements *= double(D);
    if (Rank < 0 || Elements > double(MaxElements))
      fail(fmt::format("{} has an unreadable or huge shape ({} elements; at most {}): is the "
                       "file corrupt?",
                       Where, Elements, MaxElements));
    Handle Type(H5Dget_type(Dataset), H5Tclose);
    Handle Create(H5Dget_create_plist(Dataset), H5Pclose);
    const size_t ElementBytes = Type.ok() ? std::max<size_t>(1, H5Tget_size(Type.get())) : 1;
    const bool Compressed = Create.ok() && H5Pget_layout(Create.get()) == H5D_CHUNKED &&
                            H5Pget_nfilters(Create.get()) > 0;
    const double Room = double(fileSize()) * (Compressed ? 1024.0 : 1.0);
    if (Elements * double(ElementBytes) > Room)
      fail(fmt::format("{} claims {} elements of {} bytes, more than the file's {} bytes can "
                       "hold (the file is damaged; export it again)",
                       Where, Elements, ElementBytes, fileSize()));
    return std::vector<uint64_t>(Dims.begin(), Dims.end());
  }

  /// libhdf5 1.10 follows a variable-length string's heap reference without
  /// checking it: a corrupt object index or collection size crashes or
  /// hangs H5Dread. So before reading, the references of a contiguous
  /// dataset are checked here against the file: each names a global heap
  /// collection ("GCOL") inside the file that holds an object of that
  /// index, at least as long as the string. (A compact or chunked dataset
  /// has no raw offset to check; nir.write and h5py write contiguous ones.)
  void checkHeapReferences(hid_t Dataset, size_t N, const std::string &Where) const {
    haddr_t Offset = H5Dget_offset(Dataset);
    if (Offset == HADDR_UNDEF)
      return;
    auto corrupt = [&](const std::string &Why) {
      fail(fmt::format("{} is corrupt: {} (the file is damaged; export it again)", Where, Why));
    };
    size_t AddrBytes = 8, SizeBytes = 8;
    hsize_t Base = 0; // addresses count from the end of a user block
    {
      Handle File(H5Iget_file_id(Dataset), H5Fclose);
      Handle Create(H5Fget_create_plist(File.get()), H5Pclose);
      if (H5Pget_sizes(Create.get(), &AddrBytes, &SizeBytes) < 0 || AddrBytes > 8 ||
          SizeBytes > 8 || H5Pget_userblock(Create.get(), &Base) < 0)
        corrupt("unreadable address sizes");
    }
    const size_t RefBytes = 4 + AddrBytes + 4; // length, collection, index
    if (H5Dget_storage_size(Dataset) < N * RefBytes)
      corrupt("its storage is smaller than its strings' heap references");
    std::FILE *F = std::fopen(Path.c_str(), "rb");
    if (!F)
      fail("cannot open the file to check it");
    std::unique_ptr<std::FILE, int (*)(std::FILE *)> Closer(F, std::fclose);
    const uint64_t FileSize = fileSize();
    auto readAt = [&](uint64_t At, size_t Bytes) {
      std::vector<unsigned char> B(Bytes);
      if (At > FileSize || Bytes > FileSize - At || fseeko(F, off_t(At), SEEK_SET) != 0 ||
          std::fread(B.data(), 1, Bytes, F) != Bytes)
        corrupt(
            fmt::format("bytes {}..{} lie beyond the file's {} bytes", At, At + Bytes, FileSize));
      return B;
    };
    auto little = [](const unsigned char *P, size_t Bytes) { // HDF5 stores little-endian
      uint64_t V = 0;
      for (size_t I = Bytes; I-- > 0;)
        V = V << 8 | P[I];
      return V;
    };
    std::vector<unsigned char> Refs = readAt(Offset, N * RefBytes); // offset includes Base
    // Per collection: object index -> size. Strings share collections.
    std::map<uint64_t, std::map<uint64_t, uint64_t>> Heaps;
    for (size_t K = 0; K < N; ++K) {
      const unsigned char *R = Refs.data() + K * RefBytes;
      uint64_t Length = little(R, 4), Collection = little(R + 4, AddrBytes),
               Index = little(R + 4 + AddrBytes, 4);
      if (Length == 0 && Collection == 0)
        continue; // an empty string has no heap object
      auto Known = Heaps.find(Collection);
      if (Known == Heaps.end())
        Known = Heaps
                    .emplace(Collection, heapObjects(Base + Collection, SizeBytes, FileSize, readAt,
                                                     little, corrupt))
                    .first;
      auto Object = Known->second.find(Index);
      if (Object == Known->second.end())
        corrupt(fmt::format("string {} names object {} of the global heap at byte {}, which "
                            "holds no such object",
                            K, Index, Collection));
      if (Object->second < Length)
        corrupt(fmt::format("string {} ({} bytes) does not fit its heap object ({} bytes)", K,
                            Length, Object->second));
    }
  }

  /// The objects (index -> size) of the global heap collection at byte At,
  /// after checking the layout libhdf5 walks without checks: the "GCOL"
  /// signature, a size of at least 4096 bytes within the file, objects
  /// that fit, and a free-space object (index 0) covering exactly the rest.
  template <typename ReadAt, typename Little, typename Corrupt>
  static std::map<uint64_t, uint64_t> heapObjects(uint64_t At, size_t SizeBytes, uint64_t FileSize,
                                                  ReadAt &readAt, Little &little,
                                                  Corrupt &corrupt) {
    std::vector<unsigned char> Head = readAt(At, 8 + SizeBytes);
    if (std::string(Head.begin(), Head.begin() + 4) != "GCOL")
      corrupt(fmt::format("a string points at byte {}, which is no global heap", At));
    uint64_t Size = little(Head.data() + 8, SizeBytes);
    if (Size < 4096 || Size > FileSize - std::min(FileSize, At))
      corrupt(fmt::format("the global heap at byte {} claims {} bytes (at least 4096, and the "
                          "file has {})",
                          At, Size, FileSize));
    std::vector<unsigned char> Heap = readAt(At, Size);
    std::map<uint64_t, uint64_t> Objects;
    const uint64_t Header = 8 + SizeBytes; // index (2), references (2), reserved (4), size
    uint64_t Pos = 8 + SizeBytes;
    while (Size - Pos >= Header) {
      uint64_t Index = little(Heap.data() + Pos, 2),
               Bytes = little(Heap.data() + Pos + 8, SizeBytes);
      if (Index == 0) { // free space: the rest of the collection, header included
        if (Bytes != Size - Pos)
          corrupt(fmt::format("the free space of the global heap at byte {} claims {} bytes "
                              "where {} remain",
                              At, Bytes, Size - Pos));
        break;
      }
      uint64_t Padded = Bytes > Size ? Size : (Bytes + 7) / 8 * 8;
      if (Padded > Size - Pos - Header)
        corrupt(fmt::format("object {} of the global heap at byte {} claims {} bytes beyond "
                            "the collection's {}",
                            Index, At, Bytes, Size));
      Objects[Index] = Bytes;
      Pos += Header + Padded;
    }
    return Objects;
  }

  /// Every string of a string dataset (any shape), row-major.
  std::vector<std::string> readStrings(hid_t Dataset, const std::string &Where) const {
    Handle Type(H5Dget_type(Dataset), H5Tclose);
    if (H5Tget_class(Type.get()) != H5T_STRING)
      fail(fmt::format("{} must be a string dataset", Where));
    std::vector<uint64_t> Shape = shapeOf(Dataset, Where);
    size_t N = 1;
    for (uint64_t D : Shape)
      N *= size_t(D);
    std::vector<std::string> Out;
    if (N == 0)
      return Out;
    if (H5Tis_variable_str(Type.get()) > 0) {
      checkHeapReferences(Dataset, N, Where);
      Handle Mem(H5Tcopy(H5T_C_S1), H5Tclose);
      H5Tset_size(Mem.get(), H5T_VARIABLE);
      H5Tset_cset(Mem.get(), H5Tget_cset(Type.get()));
      // A corrupt heap can claim gigabytes for one string: the transfer's
      // allocator refuses those, so the read fails instead.
      Handle Xfer(H5Pcreate(H5P_DATASET_XFER), H5Pclose);
      H5Pset_vlen_mem_manager(Xfer.get(), boundedAlloc, nullptr, boundedFree, nullptr);
      Handle Space(H5Dget_space(Dataset), H5Sclose);
      std::vector<char *> Buf(N, nullptr);
      if (H5Dread(Dataset, Mem.get(), H5S_ALL, H5S_ALL, Xfer.get(), Buf.data()) < 0)
        fail(fmt::format("cannot read {} (is the file corrupt?)", Where));
      for (char *S : Buf)
        Out.push_back(S ? S : "");
      H5Dvlen_reclaim(Mem.get(), Space.get(), Xfer.get(), Buf.data());
      return Out;
    }
    size_t Len = H5Tget_size(Type.get());
    Handle Mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(Mem.get(), Len);
    std::vector<char> Buf(N * Len);
    if (H5Dread(Dataset, Mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, Buf.data()) < 0)
      fail(fmt::format("cannot read {}", Where));
    for (size_t I = 0; I < N; ++I) {
      const char *B = Buf.data() + I * Len;
      Out.push_back(std::string(B, std::find(B, B + Len, '\0')));
    }
    return Out;
  }

  Array readArray(hid_t Dataset, const std::string &Where) const {
    Handle Type(H5Dget_type(Dataset), H5Tclose);
    std::vector<uint64_t> Shape = shapeOf(Dataset, Where);
    size_t N = 1;
    for (uint64_t D : Shape)
      N *= size_t(D);
    switch (H5Tget_class(Type.get())) {
    case H5T_STRING: {
      std::vector<std::string> S = readStrings(Dataset, Where);
      if (S.size() != 1)
        fail(fmt::format("{} holds {} strings; only scalar strings are NIR parameters", Where,
                         S.size()));
      return Array::string(S[0]);
    }
    case H5T_FLOAT: {
      std::vector<double> V(N);
      if (N && H5Dread(Dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, V.data()) < 0)
        fail(fmt::format("cannot read {}", Where));
      return Array::floats(std::move(V), std::move(Shape));
    }
    case H5T_INTEGER: {
      std::vector<int64_t> V(N);
      if (N && H5Dread(Dataset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, V.data()) < 0)
        fail(fmt::format("cannot read {}", Where));
      return Array::ints(std::move(V), std::move(Shape));
    }
    default:
      fail(fmt::format("{} has an unsupported element type (NIR parameters are float, integer "
                       "or string datasets)",
                       Where));
    }
  }

  /// The edges of a graph group: an (E, 2) string dataset, or an empty
  /// numeric one.
  std::vector<std::pair<std::string, std::string>> readEdges(hid_t Group,
                                                             const std::string &Where) const {
    std::vector<std::pair<std::string, std::string>> Edges;
    if (H5Lexists(Group, "edges", H5P_DEFAULT) <= 0)
      fail(fmt::format("{} has no 'edges' dataset; a NIRGraph lists its edges", Where));
    Handle D(H5Dopen2(Group, "edges", H5P_DEFAULT), H5Dclose);
    std::vector<uint64_t> Shape = shapeOf(D.get(), Where + "/edges");
    Handle Type(H5Dget_type(D.get()), H5Tclose);
    if (H5Tget_class(Type.get()) != H5T_STRING) {
      if (Shape.size() == 1 && Shape[0] == 0)
        return Edges; // nir.write stores an empty edge list as float64 (0,)
      fail(fmt::format("{}/edges must be an (E, 2) array of node names", Where));
    }
    if (Shape.size() != 2 || Shape[1] != 2)
      fail(fmt::format("{}/edges has shape {}; expected (E, 2): [source, target] per edge", Where,
                       fmt::join(Shape, "x")));
    std::vector<std::string> S = readStrings(D.get(), Where + "/edges");
    for (size_t I = 0; I + 1 < S.size(); I += 2)
      Edges.emplace_back(S[I], S[I + 1]);
    return Edges;
  }

  /// Reads the graph group at Where into G, its node names prefixed.
  void readGraph(hid_t Group, const std::string &Where, const std::string &Prefix, Graph &G) {
    auto Edges = readEdges(Group, Where);
    if (H5Lexists(Group, "nodes", H5P_DEFAULT) <= 0)
      fail(fmt::format("{} has no 'nodes' group", Where));
    Handle Nodes(H5Gopen2(Group, "nodes", H5P_DEFAULT), H5Gclose);
    if (!Nodes.ok())
      fail(fmt::format("{}/nodes is not a group", Where));
    std::set<std::string> Local, Subgraphs;
    for (const std::string &Name : members(Nodes.get(), Where + "/nodes")) {
      std::string NodeWhere = Where + "/nodes/" + Name;
      Handle Obj(H5Oopen(Nodes.get(), Name.c_str(), H5P_DEFAULT), H5Oclose);
      if (!Obj.ok() || H5Iget_type(Obj.get()) != H5I_GROUP)
        fail(fmt::format("{} is not a group; every node is a group", NodeWhere));
      Local.insert(Name);
      std::string Type = typeOf(Obj.get(), NodeWhere);
      if (Type == "NIRGraph") {
        Subgraphs.insert(Name);
        readGraph(Obj.get(), NodeWhere, Prefix + Name + ".", G);
        continue;
      }
      Node N;
      N.Name = Prefix + Name;
      N.Type = Type;
      for (const std::string &Key : members(Obj.get(), NodeWhere)) {
        if (Key == "type" || Key == "metadata")
          continue;
        Handle D(H5Oopen(Obj.get(), Key.c_str(), H5P_DEFAULT), H5Oclose);
        if (!D.ok() || H5Iget_type(D.get()) != H5I_DATASET)
          continue; // unknown groups inside a node: nothing NIR defines
        N.Data[Key] = readArray(D.get(), NodeWhere + "/" + Key);
      }
      G.Nodes.push_back(std::move(N));
    }
    for (auto &[Src, Dst] : Edges) {
      // An edge naming a nested graph means its input / output port.
      std::string S = Subgraphs.count(Src) ? Src + ".output" : Src;
      std::string T = Subgraphs.count(Dst) ? Dst + ".input" : Dst;
      bool Dangles = false;
      for (const std::string *End : {&S, &T}) {
        std::string Head = End->substr(0, End->find('.'));
        bool Known = Local.count(*End) ||
                     (Subgraphs.count(Head) && G.find(Prefix + *End) != nullptr);
        if (Known)
          continue;
        if (Prefix.empty())
          fail(fmt::format("{}/edges: edge '{}' -> '{}' names node '{}', which does not exist "
                           "in this graph; fix the exporter's edge list",
                           Where, Src, Dst, *End));
        G.Warnings.push_back(fmt::format(
            "{}/edges: edge '{}' -> '{}' of nested graph '{}' names node '{}', which does not "
            "exist in it (its nodes: {}); the edge is dropped",
            Where, Src, Dst, Prefix.substr(0, Prefix.size() - 1), *End,
            fmt::join(Local, ", ")));
        Dangles = true;
        break;
      }
      if (!Dangles)
        G.Edges.push_back({Prefix + S, Prefix + T});
    }
  }
};

} // namespace

namespace {

// The graph crosses from the reading process to the caller as a byte
// stream: counts and sizes as u64, numbers as their bytes (same machine).
struct Writer {
  std::string Bytes;
  template <typename T> void raw(const T &V) {
    Bytes.append(reinterpret_cast<const char *>(&V), sizeof V);
  }
  void str(const std::string &S) {
    raw(uint64_t(S.size()));
    Bytes += S;
  }
  template <typename T> void vec(const std::vector<T> &V) {
    raw(uint64_t(V.size()));
    Bytes.append(reinterpret_cast<const char *>(V.data()), V.size() * sizeof(T));
  }
  void graph(const Graph &G) {
    str(G.Version);
    raw(uint64_t(G.Nodes.size()));
    for (const Node &N : G.Nodes) {
      str(N.Name);
      str(N.Type);
      raw(uint64_t(N.Data.size()));
      for (const auto &[Key, A] : N.Data) {
        str(Key);
        raw(uint8_t(A.K));
        vec(A.Shape);
        vec(A.Floats);
        vec(A.Ints);
        str(A.Str);
      }
    }
    raw(uint64_t(G.Edges.size()));
    for (const Edge &E : G.Edges) {
      str(E.Source);
      str(E.Target);
    }
    raw(uint64_t(G.Warnings.size()));
    for (const std::string &W : G.Warnings)
      str(W);
  }
};

struct Unpacker {
  const std::string &Bytes;
  size_t At = 0;
  template <typename T> T raw() {
    T V;
    take(&V, sizeof V);
    return V;
  }
  void take(void *To, size_t N) {
    if (N > Bytes.size() - At)
      throw std::length_error("truncated graph");
    std::memcpy(To, Bytes.data() + At, N);
    At += N;
  }
  std::string str() {
    const uint64_t N = raw<uint64_t>();
    if (N > Bytes.size() - At)
      throw std::length_error("truncated graph");
    std::string S(Bytes, At, size_t(N));
    At += size_t(N);
    return S;
  }
  template <typename T> std::vector<T> vec() {
    const uint64_t N = raw<uint64_t>();
    if (N > (Bytes.size() - At) / sizeof(T))
      throw std::length_error("truncated graph");
    std::vector<T> V(static_cast<size_t>(N));
    take(V.data(), V.size() * sizeof(T));
    return V;
  }
  Graph graph() {
    Graph G;
    G.Version = str();
    for (uint64_t I = 0, E = raw<uint64_t>(); I < E; ++I) {
      Node N;
      N.Name = str();
      N.Type = str();
      for (uint64_t J = 0, F = raw<uint64_t>(); J < F; ++J) {
        std::string Key = str();
        Array A;
        A.K = Array::Kind(raw<uint8_t>());
        A.Shape = vec<uint64_t>();
        A.Floats = vec<double>();
        A.Ints = vec<int64_t>();
        A.Str = str();
        N.Data.emplace(std::move(Key), std::move(A));
      }
      G.Nodes.push_back(std::move(N));
    }
    for (uint64_t I = 0, E = raw<uint64_t>(); I < E; ++I) {
      std::string Source = str();
      G.Edges.push_back({std::move(Source), str()});
    }
    for (uint64_t I = 0, E = raw<uint64_t>(); I < E; ++I)
      G.Warnings.push_back(str());
    return G;
  }
};

/// The current virtual memory size of this process in bytes (0 if unknown).
uint64_t virtualMemoryBytes() {
  std::FILE *F = std::fopen("/proc/self/statm", "r");
  if (!F)
    return 0;
  unsigned long long Pages = 0;
  const int Got = std::fscanf(F, "%llu", &Pages);
  std::fclose(F);
  return Got == 1 ? uint64_t(Pages) * uint64_t(::sysconf(_SC_PAGESIZE)) : 0;
}

} // namespace

// libhdf5 trusts its own metadata: a damaged object header can make it
// crash, loop, or allocate and clear gigabytes (one flipped byte in a
// string's datatype in lif_norse.nir: 18 GB and 16 s) before anything in
// Reader can look. So the file is read in a child process with a memory
// and CPU budget far above what any NIR graph needs; the graph comes back
// through a pipe, and a child that dies or overruns becomes an error
// naming the file. A NIR graph of a network that fits a chip is a few
// hundred megabytes at most: 1 GiB plus 32 bytes per file byte covers
// float32 data read as doubles several times over.
Graph readNirFile(const std::string &Path) {
  Reader R(Path);
  const uint64_t FileBytes = R.fileSize();
  const uint64_t MemoryBudget = (uint64_t(1) << 30) + 32 * FileBytes;
  const rlim_t CpuSeconds = rlim_t(60 + FileBytes / (1 << 20));
  int Pipe[2];
  if (::pipe(Pipe) != 0)
    return R.read(); // no process to spare: read here
  const uint64_t Base = virtualMemoryBytes();
  std::fflush(nullptr);
  const pid_t Child = ::fork();
  if (Child < 0) {
    ::close(Pipe[0]);
    ::close(Pipe[1]);
    return R.read();
  }
  if (Child == 0) {
    ::close(Pipe[0]);
    if (Base != 0) {
      const rlimit Memory = {rlim_t(Base + MemoryBudget), rlim_t(Base + MemoryBudget)};
      ::setrlimit(RLIMIT_AS, &Memory);
    }
    const rlimit Cpu = {CpuSeconds, CpuSeconds + 1};
    ::setrlimit(RLIMIT_CPU, &Cpu);
    Writer W;
    try {
      const Graph G = R.read();
      W.raw('G');
      W.graph(G);
    } catch (const std::exception &E) {
      W.Bytes.clear();
      W.raw('E');
      W.str(std::string(dynamic_cast<const Error *>(&E) ? E.what()
                        : fmt::format("{}: error: cannot read the file: {} (is it damaged? "
                                      "export it again)",
                                      Path, E.what())));
    }
    for (size_t Done = 0; Done < W.Bytes.size();) {
      const ssize_t N = ::write(Pipe[1], W.Bytes.data() + Done, W.Bytes.size() - Done);
      if (N <= 0)
        ::_exit(3);
      Done += size_t(N);
    }
    ::_exit(0);
  }
  ::close(Pipe[1]);
  std::string Bytes;
  char Buf[1 << 16];
  for (;;) {
    const ssize_t N = ::read(Pipe[0], Buf, sizeof Buf);
    if (N > 0)
      Bytes.append(Buf, size_t(N));
    else if (N == 0 || errno != EINTR)
      break;
  }
  ::close(Pipe[0]);
  int Status = 0;
  while (::waitpid(Child, &Status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(Status)) {
    const int Sig = WTERMSIG(Status);
    if (Sig == SIGXCPU || Sig == SIGKILL)
      throw Error(fmt::format("{}: error: reading the file took more than {} s of CPU time (the "
                              "HDF5 library loops on it: the file is damaged; export it again)",
                              Path, CpuSeconds));
    throw Error(fmt::format("{}: error: the HDF5 library crashed reading the file ({}): it is "
                            "damaged in its HDF5 metadata; export it again",
                            Path, ::strsignal(Sig)));
  }
  try {
    Unpacker U{Bytes};
    if (WIFEXITED(Status) && WEXITSTATUS(Status) == 0 && !Bytes.empty()) {
      const char Tag = U.raw<char>();
      if (Tag == 'E')
        throw Error(U.str());
      if (Tag == 'G')
        return U.graph();
    }
  } catch (const std::length_error &) {
  }
  throw Error(fmt::format("{}: error: reading the file failed (the reading process, allowed "
                          "{} MiB, ended with status {} and an incomplete graph): is it damaged? "
                          "export it again",
                          Path, MemoryBudget >> 20, WIFEXITED(Status) ? WEXITSTATUS(Status) : -1));
}

} // namespace neuromesh::compiler::nir
