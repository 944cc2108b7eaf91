//===- NetworkFile.cpp - dispatch a network file to its front end ----------===//
#include "neuromesh/compiler/NetworkFile.h"

#include "neuromesh/compiler/NetworkYaml.h"
#include "neuromesh/isa/Error.h"

#include <fstream>

namespace neuromesh::compiler {

bool isNirFile(const std::string &Path) {
  static const char Signature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  std::ifstream In(Path, std::ios::binary);
  char Head[8] = {};
  if (In && In.read(Head, 8))
    return std::equal(Head, Head + 8, Signature);
  return Path.size() > 4 && Path.compare(Path.size() - 4, 4, ".nir") == 0;
}

Network readNetworkFile(const std::string &Path, const NetworkFileOptions &Options,
                        NetworkFileNotes *Notes) {
  bool Nir = isNirFile(Path) || (Path.size() > 4 && Path.compare(Path.size() - 4, 4, ".nir") == 0);
  if (!Nir) {
    if (Options.Dt || Options.Reset)
      throw Error(Path + ": error: --dt and --reset apply to NIR files only; a YAML network "
                         "states its dt and its models' reset behaviour");
    Network Net = loadNetworkYaml(Path);
    if (Notes)
      Notes->Dt = Net.Dt;
    return Net;
  }
  nir::LowerOptions O;
  O.Dt = Options.Dt.value_or(1e-4);
  O.Reset = Options.Reset.value_or(nir::ResetMode::Zero);
  O.FileName = Path;
  nir::LowerNotes N;
  Network Net = nir::loadNirNetwork(Path, O, &N);
  if (Notes) {
    Notes->IsNir = true;
    Notes->Dt = O.Dt;
    Notes->Reset = O.Reset;
    Notes->Nir = std::move(N);
  }
  return Net;
}

} // namespace neuromesh::compiler
