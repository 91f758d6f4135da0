// `lstmscope-cli generate`: a language model continues a prompt with and without interventions, side by
// side (docs/CLI.md).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/intervention_inputs.h"
#include "app/cli/text_output.h"
#include "core/intervention/generation.h"

namespace lstmscope::cli {

const char* const kGenerateHelp =
    "usage: lstmscope-cli generate --model MODEL [--vocab V] --prompt TEXT [--set SPEC ...] [--tokens N]\n"
    "                              [--temperature T] [--seed K] [--precision float|double] [--out GEN.json]\n"
    "\n"
    "Continues the prompt N tokens (default 100) twice, without and with the interventions (--set, as in\n"
    "intervene; one without @A:B also holds over every generated token, steps count from the prompt's first\n"
    "token), and prints both. --temperature 0 (default) picks the most probable token; above 0 samples from\n"
    "softmax(logits / T) with random numbers from --seed (default 1), the same numbers for both runs, so that\n"
    "they differ only where the interventions change the model's choice.\n"
    "GEN.json: {prompt, interventions, temperature, seed, plain: {tokens, text, probabilities},\n"
    "intervened: {tokens, text, probabilities}}. See docs/INTERVENTIONS.md.\n";

namespace {

std::string textOf(const Architecture& arch, const std::vector<int32_t>& ids) {
  std::string text;
  const bool words = arch.vocab.level() != TokenLevel::Char;
  for (int32_t id : ids) text += (words && !text.empty() ? " " : "") + arch.vocab.tokens()[static_cast<size_t>(id)];
  return text;
}

template <class T>
std::pair<Generation, Generation> bothRuns(const Model& model, const std::vector<int32_t>& prompt,
                                           const InterventionPlan& plan, const GenerationRequest& request) {
  const Network<T> net = model.cast<T>();
  return {generate(net, prompt, InterventionPlan(), request), generate(net, prompt, plan, request)};
}

}  // namespace

int runGenerate(const std::vector<std::string>& args) {
  if (printHelpIfAsked(args, kGenerateHelp)) return 0;
  const GenerateOptions o = parseGenerateOptions(args);
  const Model model = loadModel(o.model);
  const EncodedText prompt = encodeText(model.arch, o.prompt, "--prompt", 1'000'000);
  const Network<double> net64 = model.cast<double>();
  const long totalSteps = prompt.inputs.steps + static_cast<long>(o.tokens);
  const InterventionPlan plan(resolveSpecs(net64, inputsAs<double>(prompt.inputs), o.specs, totalSteps), model.arch);
  GenerationRequest request;
  request.tokens = o.tokens;
  request.temperature = o.temperature;
  request.seed = o.seed;
  const auto [plain, intervened] = o.doublePrecision ? bothRuns<double>(model, prompt.inputs.tokens, plan, request)
                                                     : bothRuns<float>(model, prompt.inputs.tokens, plan, request);
  const std::string plainText = textOf(model.arch, plain.tokens),
                    intervenedText = textOf(model.arch, intervened.tokens);
  if (!o.out.empty()) {
    using Json = nlohmann::ordered_json;
    const auto runJson = [&](const Generation& g, const std::string& text) {
      return Json{{"tokens", g.tokens}, {"text", text}, {"probabilities", g.probability}};
    };
    Json specs = Json::array();
    for (const InterventionSpec& s : o.specs) specs.push_back(s.text());
    const Json j{{"prompt", o.prompt},
                 {"interventions", specs},
                 {"temperature", o.temperature},
                 {"seed", o.seed},
                 {"plain", runJson(plain, plainText)},
                 {"intervened", runJson(intervened, intervenedText)}};
    writeTextFile(o.out, j.dump() + "\n");
  }
  size_t differ = 0;
  while (differ < plain.tokens.size() && plain.tokens[differ] == intervened.tokens[differ]) ++differ;
  std::printf("prompt:      %s\nplain:       %s\nintervened:  %s\n", o.prompt.c_str(), plainText.c_str(),
              intervenedText.c_str());
  if (differ == plain.tokens.size())
    std::printf("(the interventions changed no generated token)\n");
  else
    std::printf("(the generations part at generated token %zu)\n", differ);
  return 0;
}

}  // namespace lstmscope::cli
