#include "app/cli/import_options.h"

#include <sstream>

namespace lstmscope::cli {

const char* const kImportOptionsHelp =
    "Foreign models (PyTorch .pt/.pth/.safetensors, Keras .h5/.keras/.weights.h5, ONNX, TF.js model.json)\nwhere the "
    "file is silent:\n"
    "  --vocab FILE                 JSON array, JSON token->id object, Keras Tokenizer JSON, or one token per line\n"
    "  --task T                     language_model | classifier | tagger | regression\n"
    "  --head-reads R               each_step | final_states\n"
    "  --head-activation A          softmax | sigmoid | linear\n"
    "  --embedding TENSOR           the embedding tensor's name, or none\n"
    "  --dense-activations A,B      activations of the dense layers before the head (relu, tanh, sigmoid, linear)\n"
    "  --token-level char|word, --lowercase yes|no, --unk TOKEN (empty: none)\n"
    "  --part encoder|decoder       an encoder-decoder's part to open (default: decoder)\n"
    "These override the choices remembered in MODEL.lstmscope.json (see lstmscope-cli info --remember).\n";

std::set<std::string> withImportOptions(std::set<std::string> valued) {
  for (const char* o : {"vocab", "task", "head-reads", "head-activation", "embedding", "dense-activations",
                        "token-level", "lowercase", "unk", "part"})
    valued.insert(o);
  return valued;
}

namespace {

template <class E>
std::optional<E> enumOption(const Args& a, const std::string& name, const char* allowed) {
  if (!a.has(name)) return std::nullopt;
  E value{};
  if (!parse(a.get(name), value)) throw UsageError("--" + name + " must be one of " + allowed);
  return value;
}

}  // namespace

ImportChoices importChoicesFrom(const Args& a) {
  ImportChoices c;
  c.task = enumOption<Task>(a, "task", "language_model, classifier, tagger, regression");
  c.headActivation = enumOption<HeadActivation>(a, "head-activation", "softmax, sigmoid, linear");
  if (a.has("head-reads")) {
    const std::string r = a.get("head-reads");
    if (r != "each_step" && r != "final_states") throw UsageError("--head-reads must be each_step or final_states");
    c.headReads = r == "each_step" ? HeadReads::EachStep : HeadReads::FinalStates;
  }
  if (a.has("embedding")) c.embedding = a.get("embedding") == "none" ? std::string() : a.get("embedding");
  if (a.has("dense-activations")) {
    std::vector<DenseActivation> acts;
    std::istringstream list(a.get("dense-activations"));
    for (std::string item; std::getline(list, item, ',');) {
      DenseActivation d{};
      if (!parse(item, d)) throw UsageError("--dense-activations: " + item + " is not relu, tanh, sigmoid or linear");
      acts.push_back(d);
    }
    c.preActivations = acts;
  }
  if (a.has("token-level")) {
    const std::string l = a.get("token-level");
    if (l != "char" && l != "word") throw UsageError("--token-level must be char or word");
    c.vocabulary.level = l == "char" ? TokenLevel::Char : TokenLevel::Word;
  }
  if (a.has("lowercase")) {
    const std::string v = a.get("lowercase");
    if (v != "yes" && v != "no") throw UsageError("--lowercase must be yes or no");
    c.vocabulary.lowercase = v == "yes";
  }
  if (a.has("unk")) c.vocabulary.unk = a.get("unk");
  if (a.has("part")) {
    c.part = a.get("part");
    if (c.part != "encoder" && c.part != "decoder") throw UsageError("--part must be encoder or decoder");
  }
  return c;
}

}  // namespace lstmscope::cli
