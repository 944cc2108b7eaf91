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
#include <cstdlib>
#include <map>
#include <memory>
#include <set>

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

  /// The dataset's dimensions; more than MaxElements elements is refused
  /// before anything is allocated.
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
    fseeko(F, 0, SEEK_END);
    uint64_t FileSize = uint64_t(ftello(F));
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

Graph readNirFile(const std::string &Path) { return Reader(Path).read(); }

} // namespace neuromesh::compiler::nir
