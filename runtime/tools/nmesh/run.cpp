//===- nmesh/run.cpp - nmesh run: run an image and record its spikes ------===//
#include "CommandLine.h"

#include "neuromesh/isa/ImageFile.h"
#include "neuromesh/runtime/ProbeFile.h"
#include "neuromesh/runtime/Run.h"
#include "neuromesh/runtime/SpikeFile.h"

#include <iostream>

namespace nmesh {

int commandRun(const Args &A) {
  std::string Engines;
  for (const std::string &N : neuromesh::runtime::availableEngines())
    Engines += (Engines.empty() ? "" : ", ") + N;
  po::options_description Visible(
      "usage: nmesh run <image.nmb> --steps N [--input in.csv] "
      "[--spikes out.csv] [--probes trace.csv] [--engine NAME]\n\n"
      "Runs a chip image for N timesteps, feeding it the host input spikes of\n"
      "--input, and prints a summary (spikes per population, synaptic events,\n"
      "neuron updates, wall time, throughput). Spike files are CSV with the\n"
      "header 'step,population,neuron'; --probes writes the probed state\n"
      "words (membrane traces, readouts) under the header\n"
      "'step,population,neuron,variable,value' (docs/formats.md).\n\noptions");
  Visible.add_options()("help,h", "print this help and exit")(
      "steps,n", po::value<int64_t>()->value_name("N"),
      "timesteps to run (required)")(
      "input,i", po::value<std::string>()->value_name("FILE"),
      "host input spikes (population = an input port of the image)")(
      "spikes,s", po::value<std::string>()->value_name("FILE"),
      "write the recorded population spikes to FILE")(
      "probes,p", po::value<std::string>()->value_name("FILE"),
      "write every probe sample (state after each step) to FILE")(
      "engine,e",
      po::value<std::string>()->default_value("functional")->value_name("NAME"),
      ("the engine to run on: " + Engines).c_str());
  ParsedCommandLine P = parseCommandLine(
      "run", A, Visible, "image",
      {{"image", "missing the input image"}, {"steps", "missing --steps N"}});
  if (P.Exit)
    return *P.Exit;
  const po::variables_map &VM = P.Values;
  if (VM["steps"].as<int64_t>() < 0)
    return usageError("run", "--steps must be >= 0, got " +
                                 std::to_string(VM["steps"].as<int64_t>()),
                      Visible);

  const std::string ImagePath = VM["image"].as<std::string>();
  neuromesh::isa::Image Img = neuromesh::isa::readImageFile(ImagePath);
  neuromesh::runtime::RunOptions Opts;
  Opts.Steps = static_cast<uint64_t>(VM["steps"].as<int64_t>());
  Opts.Engine = VM["engine"].as<std::string>();
  Opts.Validate = false; // readImageFile has validated it
  if (VM.count("input"))
    Opts.Inputs = neuromesh::runtime::readSpikeFile(
        VM["input"].as<std::string>(), Img,
        neuromesh::isa::SymbolKind::InputPort);
  neuromesh::runtime::RunResult R = neuromesh::runtime::runImage(Img, Opts);
  if (VM.count("spikes"))
    neuromesh::runtime::writeSpikeFile(VM["spikes"].as<std::string>(),
                                       R.Spikes, Img);
  if (VM.count("probes"))
    neuromesh::runtime::writeProbeFile(VM["probes"].as<std::string>(),
                                       R.Probes, Img);
  std::cout << "image:                 " << ImagePath << "\n"
            << neuromesh::runtime::formatRunSummary(R, Img);
  return 0;
}

} // namespace nmesh
