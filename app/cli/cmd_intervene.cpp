// `lstmscope-cli intervene`: one run of a model with interventions, written as a trace (docs/CLI.md).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "app/cli/commands.h"
#include "app/cli/intervention_inputs.h"
#include "app/cli/table_input.h"
#include "core/engine/record.h"
#include "core/formats/trace_file.h"

namespace lstmscope::cli {

const char* const kInterveneHelp =
    "usage: lstmscope-cli intervene --model MODEL [--vocab V] (--text STR | --text-file F | --csv F)\n"
    "                               --set SPEC [--set SPEC ...] --out TRACE.h5\n"
    "                               [--quantities i,f,g,o,c,h] [--no-outputs] [--precision float|double|float16]\n"
    "                               [--quiet] [import options: see lstmscope-cli info --help]\n"
    "\n"
    "Runs MODEL over the input with interventions and writes the intervened run as a trace (the schema of\n"
    "record, plus /interventions: the specs as given). Open it in the app beside the plain recording.\n"
    "  --set SPEC  L/DIR/Q:U[,U...][@A:B]=V sets quantity Q (i f g o c h) of units U of layer L, direction\n"
    "              fwd or bwd, over steps [A, B) (all steps without @; A or B may be left out) to V: a number,\n"
    "              zero, mean (the unit's mean over the plain run of this input) or add:X (shifted by X).\n"
    "              A gate is replaced after its nonlinearity, before c; c after its update (h is computed from\n"
    "              the replaced c); h after it is computed (the next step, layer and head read it).\n"
    "              e.g. --set 1/fwd/c:17@40:60=zero --set 0/fwd/f:3,8=1 --set 1/fwd/h:5=add:-0.5\n"
    "See docs/INTERVENTIONS.md.\n";

int runIntervene(const std::vector<std::string>& args) {
  if (printHelpIfAsked(args, kInterveneHelp)) return 0;
  const InterveneOptions o = parseInterveneOptions(args);
  const auto start = std::chrono::steady_clock::now();
  const Model model = loadModel(o.model);
  const EncodedText encoded = readSingleInput(model.arch, o.input);
  const Network<double> net = model.cast<double>();
  const Inputs<double> in64 = inputsAs<double>(encoded.inputs);
  const InterventionPlan plan(resolveSpecs(net, in64, o.specs), model.arch);

  TraceHeader header;
  header.modelName = model.arch.name;
  std::error_code absoluteError;
  header.modelPath = std::filesystem::absolute(o.model.path, absoluteError).lexically_normal().string();
  header.steps = encoded.inputs.steps;
  header.tokens = encoded.inputs.tokens;
  header.features = encoded.inputs.features;
  header.tokenText = encoded.surface;
  header.float16 = o.float16;
  for (const InterventionSpec& spec : o.specs) header.interventions.push_back(spec.text());
  RecordRequest request = o.request;
  request.interventions = &plan;
  TraceWriter writer(o.out, model.arch, model.headOutputs(), header, request);
  if (o.doublePrecision)
    record(net, in64, request, writer);
  else
    record(model, encoded.inputs, request, writer);
  writer.commit();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!o.quiet)
    std::fprintf(stderr, "wrote %s: %d steps under %zu intervention(s) on %zu unit(s) in %.3f s\n", o.out.c_str(),
                 encoded.inputs.steps, o.specs.size(), plan.interventions().size(), seconds);
  return 0;
}

}  // namespace lstmscope::cli
