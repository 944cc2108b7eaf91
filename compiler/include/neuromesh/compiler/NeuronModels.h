//===- neuromesh/compiler/NeuronModels.h - the model registry ---*- C++ -*-===//
//
// The neuron models a network may name, with their parameters, units,
// defaults and ranges: the one table the front ends validate against, the
// lowering reads, and docs/network-format.md lists (a test checks it).
//
//===----------------------------------------------------------------------===//
#pragma once

#include <string_view>
#include <vector>

namespace neuromesh::compiler {

/// One parameter of a model.
struct ModelParam {
  const char *Name;
  const char *Unit;  ///< "s" (seconds, converted with dt), "int", "v" (units of the membrane), "0/1"
  bool Required;
  double Default;    ///< when not required
  double Min, Max;   ///< accepted range, inclusive
  const char *Doc;
};

/// One state variable of a model: a name a population's `probes` may list
/// and the neuron state word that holds it in the model's program
/// (NeuronPrograms.h). Probes read the raw hardware integer.
struct ModelVariable {
  const char *Name;
  unsigned StateWord;
  const char *Doc;
};

/// One model.
struct ModelInfo {
  const char *Name;
  const char *Doc;
  bool Spiking;      ///< false for readouts (LI)
  const char *WeightUnit; ///< what a synaptic weight onto this model means
  std::vector<ModelParam> Params;
  std::vector<ModelVariable> Variables; ///< what probes may name
};

/// Every model, in the order the docs list them.
const std::vector<ModelInfo> &neuronModels();
/// The model of that name, or nullptr.
const ModelInfo *findModel(std::string_view Name);
/// The variable of that name of model M, or nullptr.
const ModelVariable *findVariable(const ModelInfo &M, std::string_view Name);

struct NeuronModel;
/// Parameter Name of M as written, or the registry's default (the one
/// lookup the lowering and the NIR exporter share; defined in Lowering.cpp).
double modelParam(const NeuronModel &M, const char *Name);

} // namespace neuromesh::compiler
