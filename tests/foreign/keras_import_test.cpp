// Keras HDF5 files of every generation (tests/foreign/make_keras_files.py writes them with h5py in each
// generation's exact layout) against an independent numpy implementation of Keras' LSTM; unsupported
// layers and damaged files are refused by name.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/attribution/attribution_report.h"
#include "core/common/error.h"
#include "core/formats/feature_csv.h"
#include "core/formats/foreign/keras_layers.h"
#include "core/formats/foreign/vocabulary_file.h"
#include "core/formats/model_loader.h"
#include "core/formats/native_model.h"
#include "core/formats/sequence_input.h"
#include "core/intervention/generation.h"
#include "tests/foreign/reference_outputs.h"
#include "tests/support/run_command.h"

namespace lstmscope::test {
namespace {

class KerasFile : public ::testing::TestWithParam<std::string> {};

// Float32 within 1e-5 of the float64 reference; float64 on the same weights within 1e-9, which only an
// exact layout (gate order, Keras 1 and cuDNN conversions, hard_sigmoid's generation) reaches.
TEST_P(KerasFile, OutputsMatchKerasSemantics) {
  const std::string file = GetParam();
  const std::string expected = std::filesystem::path(file).replace_extension().string() + "_expected.h5";
  const ImportedModel imported = importModel(kerasFixture(file));
  EXPECT_LE(worstAgainstReference(imported.model, kerasFixture(expected), 1e-5), 1.0) << file;
  EXPECT_LE(worstAgainstReference(imported.model.cast<double>(), kerasFixture(expected), 1e-9), 1.0) << file;
}

INSTANTIATE_TEST_SUITE_P(Generations, KerasFile,
                         ::testing::Values("tfkeras_lm.h5", "functional_classifier.h5", "forecaster.h5", "keras1_lm.h5",
                                           "cudnn_tagger.h5", "keras3_lm.h5", "keras3_archive.keras",
                                           "go_backwards_forecaster.h5", "go_backwards_twice.h5",
                                           "keras3_classifier.weights.h5", "tfjs_lm/model.json",
                                           "tfjs_quantized/model.json", "attention_skip.h5", "textgen_weights.h5",
                                           "maxpool_classifier.h5", "avgpool_forecaster.h5",
                                           "char_rnn_activation_weights.h5", "front_end_forecaster.h5",
                                           "keras3_windows.keras", "conv_forecaster.h5", "conv_causal.keras"));

// Per-step layers (BatchNormalization, LayerNormalization, Activation, Dense feeding an LSTM) folded into
// the table, LSTM or Dense next to them. Float32 within 1e-5 of Keras' own function, computed layer by
// layer; float64 within 1e-9 of the same model folded by the generator (in float64, rounded to float32
// once, found by applying each chain to the identity), which only the same fold reaches.
class KerasFoldedFile : public ::testing::TestWithParam<std::string> {};

TEST_P(KerasFoldedFile, MatchesKerasLayerByLayer) {
  const std::string name = GetParam();
  const ImportedModel imported = importModel(kerasFixture(name + ".h5"));
  EXPECT_LE(worstAgainstReference(imported.model, kerasFixture(name + "_expected.h5"), 1e-5), 1.0) << name;
  EXPECT_LE(worstAgainstReference(imported.model.cast<double>(), kerasFixture(name + "_folded_expected.h5"), 1e-9), 1.0)
      << name;
  const auto& notes = imported.report.assumptions;
  EXPECT_TRUE(std::any_of(notes.begin(), notes.end(), [](const std::string& n) {
    return n.find("folded into") != std::string::npos;
  })) << name;
}

INSTANTIATE_TEST_SUITE_P(StepLayers, KerasFoldedFile,
                         ::testing::Values("folded_embedding_lm", "folded_bn_forecaster", "folded_bn_weights",
                                           "bn_named_beta", "flatten_forecaster"));

// Generation never feeds back an id the Embedding masks (mask_zero): Keras would skip that step.
TEST(KerasFiles, GenerationNeverChoosesTheMaskedId) {
  Model lm = loadModel(kerasFixture("folded_embedding_lm.h5"));
  ASSERT_EQ(lm.arch.maskValue, std::optional<float>(0.0f));
  GenerationRequest hot;
  hot.tokens = 60;
  hot.temperature = 8;  // close to uniform: id 0 comes up unless excluded
  const auto count0 = [&](const Model& m) {
    const Generation g = generate(m, {3, 5}, InterventionPlan{}, hot, {});
    return std::count(g.tokens.begin(), g.tokens.end(), 0);
  };
  EXPECT_EQ(count0(lm), 0);
  lm.arch.maskValue.reset();
  EXPECT_GT(count0(lm), 0);  // the same run without the mask does choose it: the test can fail
}

// What the report says was folded where.
TEST(KerasFiles, FoldedLayersAreReported) {
  const ImportedModel fe = importModel(kerasFixture("folded_embedding_lm.h5"));
  EXPECT_EQ(fe.model.params.embedding.rows(), 6);  // the Dense's width: the table holds its outputs
  EXPECT_NE(std::find(fe.report.assumptions.begin(), fe.report.assumptions.end(),
                      "dense (Dense, relu), batch_normalization (BatchNormalization, epsilon 0.001), "
                      "layer_normalization (LayerNormalization, epsilon 0.001), activation (Activation, tanh) are "
                      "folded into the embedding's table: each token's vector is computed through them once, exact "
                      "at inference"),
            fe.report.assumptions.end());
  const ImportedModel fb = importModel(kerasFixture("folded_bn_forecaster.h5"));
  EXPECT_EQ(fb.model.arch.featureDim, 3);
  EXPECT_EQ(fb.model.params.headPre.size(), 1u);
  EXPECT_EQ(fb.model.arch.head->preActivations, (std::vector<DenseActivation>{DenseActivation::Relu}));
  const std::string all = [&] {
    std::string joined;
    for (const auto& n : fb.report.assumptions) joined += n + "\n";
    return joined;
  }();
  EXPECT_NE(all.find("folded into lstm 0's input weights"), std::string::npos) << all;
  EXPECT_NE(all.find("batch_normalization_1 (BatchNormalization, epsilon 1e-05) is folded into lstm 1's"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("batch_normalization_2 (BatchNormalization, epsilon 0.001) is folded into dense before its "
                     "activation"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("batch_normalization_4 (BatchNormalization, epsilon 0.001) is folded into dense_1"),
            std::string::npos)
      << all;
}

// Masking and mask_zero: Keras skips a masked step, which the engine does not model, so input holding one is
// refused by name, in a CSV row and in text; the native file keeps the mask value.
TEST(KerasFiles, MaskedStepsAreRefusedNotRunDifferently) {
  const ImportedModel mf = importModel(kerasFixture("masked_forecaster.h5"));
  ASSERT_TRUE(mf.model.arch.maskValue.has_value());
  EXPECT_EQ(*mf.model.arch.maskValue, -1.0f);
  EXPECT_LE(worstAgainstReference(mf.model.cast<double>(), kerasFixture("masked_forecaster_expected.h5"), 1e-9), 1.0);
  EXPECT_EQ(parseFeatureCsv(mf.model.arch, "a,b,c\n1,2,3\n-1,2,-1\n", "x.csv", 100).steps(), 2);
  try {
    parseFeatureCsv(mf.model.arch, "a,b,c\n1,2,3\n-1,-1,-1\n", "x.csv", 100);
    ADD_FAILURE() << "a masked row was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("line 3: every feature is -1, the model's mask value: Keras skips such a "
                                         "step (its Masking layer)"),
              std::string::npos)
        << e.what();
  }
  const std::string native = ::testing::TempDir() + "/masked_forecaster.lstmscope.h5";
  saveNativeModel(mf.model, native);
  EXPECT_EQ(loadModel(native).arch.maskValue, mf.model.arch.maskValue);
  EXPECT_NE(describeModel(mf.model).find("masked: steps whose every feature is -1"), std::string::npos);

  const Model fe = loadModel(kerasFixture("folded_embedding_lm.h5"));  // Embedding(mask_zero=True)
  ASSERT_TRUE(fe.arch.maskValue.has_value());
  EXPECT_EQ(encodeText(fe.arch, "3 5 1", "typed", 100).inputs.steps, 3);
  try {
    encodeText(fe.arch, "3 0 1", "typed", 100);
    ADD_FAILURE() << "a masked id was accepted";
  } catch (const TextInputError& e) {
    EXPECT_NE(std::string(e.what()).find("token 2 (0) is id 0, which the model's Embedding masks (mask_zero)"),
              std::string::npos)
        << e.what();
  }
}

// Heads that pool every step: what the config (or, weights-only, the names and widths) says is read.
TEST(KerasFiles, PoolingHeadsReadWhatTheGraphJoins) {
  const Model att = loadModel(kerasFixture("attention_skip.h5"));
  EXPECT_EQ(att.arch.head->reads, HeadReads::AttentionPool);
  EXPECT_EQ(att.arch.head->sources, (std::vector<int>{0, 1, 2}));  // the embedding and both LSTMs
  EXPECT_EQ(att.arch.head->attentionEpsilon, 1e-7);
  EXPECT_EQ(att.arch.task, Task::Classifier);
  EXPECT_EQ(att.arch.head->labels, att.arch.vocab.tokens());  // one output per token: the next one
  const Model mp = loadModel(kerasFixture("maxpool_classifier.h5"));
  EXPECT_EQ(mp.arch.head->reads, HeadReads::MaxPool);
  EXPECT_TRUE(mp.arch.head->sources.empty());
  const Model ap = loadModel(kerasFixture("avgpool_forecaster.h5"));
  EXPECT_EQ(ap.arch.head->reads, HeadReads::AveragePool);
  EXPECT_EQ(ap.arch.task, Task::Regression);
  // A native file keeps it all.
  const std::string native = ::testing::TempDir() + "/attention_skip.lstmscope.h5";
  saveNativeModel(att, native);
  const Model back = loadModel(native);
  EXPECT_EQ(back.arch.head->sources, att.arch.head->sources);
  EXPECT_EQ(back.arch.head->attentionEpsilon, 1e-7);
  EXPECT_EQ(back.params.headAttention, att.params.headAttention);
  EXPECT_LE(worstAgainstReference(back, kerasFixture("attention_skip_expected.h5"), 1e-5), 1.0);
}

// Token -> id maps as frameworks write them: ids skipped for padding, start or end are named, a model with
// a few more ids than the map names gets them as reserved ids, and ids far beyond the count are refused.
TEST(Vocabularies, ReservedIdsAreNamedNotRefused) {
  const auto write = [](const std::string& name, const std::string& text) {
    const std::string path = ::testing::TempDir() + "/" + name;
    std::ofstream(path) << text;
    return path;
  };
  const LoadedVocabulary gaps = readVocabularyFile(write("gaps.json", R"({"a": 1, "b": 2, "d": 4})"));
  EXPECT_EQ(gaps.vocab.tokens(), (std::vector<std::string>{"<pad>", "a", "b", "<id 3>", "d"}));
  EXPECT_EQ(gaps.placeholders, (std::vector<int>{0, 3}));
  EXPECT_EQ(gaps.vocab.level(), TokenLevel::Char);
  std::vector<std::string> notes;
  const Vocabulary wider = fitVocabulary(gaps, 7, "model.h5", &notes);
  EXPECT_EQ(wider.size(), 7);
  EXPECT_EQ(wider.tokens()[6], "<id 6>");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("ids 5 to 6 are taken as reserved"), std::string::npos) << notes[0];
  try {
    fitVocabulary(gaps, 40, "model.h5");
    ADD_FAILURE() << "a vocabulary far smaller than the model was taken";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("has 5 tokens but the model model.h5 has 40"), std::string::npos) << e.what();
  }
  // A Keras Tokenizer saved with json.dump(tokenizer.to_json()) (a JSON string holding the JSON), built with
  // num_words = 50 for a model of 50 ids though its texts held 3 words: the other ids are unused rows.
  const std::string inner =
      R"({"class_name": "Tokenizer", "config": {"num_words": 50, "word_index": "{\"x\": 1, \"y\": 2, \"z\": 3}"}})";
  const LoadedVocabulary twice = readVocabularyFile(write("twice.json", nlohmann::json(inner).dump()));
  EXPECT_EQ(twice.vocab.tokens(), (std::vector<std::string>{"<pad>", "x", "y", "z"}));
  notes.clear();
  EXPECT_EQ(fitVocabulary(twice, 50, "model.h5", &notes).size(), 50);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("ids its num_words allows but no word has"), std::string::npos) << notes[0];
  try {
    readVocabularyFile(write("far.json", R"({"a": 1, "b": 1000000})"));
    ADD_FAILURE() << "ids far beyond the count were taken";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("too many ids are missing"), std::string::npos) << e.what();
  }
}

// A TextVectorization's standardize (Keras' default, lower_and_strip_punctuation) applied to the vocabulary
// its ids index: lowercased, punctuation removed before splitting ("don't" is "dont"), and kept by a
// native file.
TEST(Vocabularies, TextVectorizationStandardizeIsApplied) {
  KerasLayer layer;
  layer.className = "TextVectorization";
  layer.name = "text_vectorization";
  layer.config = nlohmann::json::object();
  Vocabulary v(TokenLevel::Word, {"", "[UNK]", "dont", "stop", "now"}, false, "[UNK]");
  const std::string applied = applyTextVectorizationStandardize(layer, v).applied;
  EXPECT_NE(applied.find("lowercased, punctuation removed before splitting"), std::string::npos) << applied;
  EXPECT_EQ(tokenize(v, "Don't STOP, now!", "text").ids, (std::vector<int32_t>{2, 3, 4}));
  layer.config["standardize"] = nullptr;  // standardize=None: the text as it is
  Vocabulary plain(TokenLevel::Word, {"", "[UNK]", "dont"}, false, "[UNK]");
  const TextStandardization none = applyTextVectorizationStandardize(layer, plain);
  EXPECT_EQ(none.applied + none.unsupported, "");
  EXPECT_EQ(tokenize(plain, "Don't", "text").ids, (std::vector<int32_t>{1}));
  layer.config["standardize"] = "custom_standardization";  // a registered function: said, not run
  EXPECT_NE(applyTextVectorizationStandardize(layer, plain).unsupported.find("a function LSTMScope cannot run"),
            std::string::npos);
  Model m = loadModel(kerasFixture("tfkeras_lm.h5"));
  m.arch.vocab.setStrippedCharacters("!'");
  const std::string native = ::testing::TempDir() + "/stripped.lstmscope.h5";
  saveNativeModel(m, native);
  EXPECT_EQ(loadModel(native).arch.vocab.strippedCharacters(), "!'");
}

// textgenrnn's files: weights only (Keras 2.1.5, CuDNNLSTM's layout) and a token -> id map that starts at 1.
TEST(KerasFiles, TextgenrnnStyleWeightsAndVocabularyOpenAndSayWhatWasAssumed) {
  const ImportedModel m = importModel(kerasFixture("textgen_weights.h5"), kerasFixture("textgen_weights.vocab.json"));
  std::string assumptions;
  for (const auto& a : m.report.assumptions) assumptions += a + "\n";
  EXPECT_NE(assumptions.find("layer rnn_concat is taken to join the embedding + lstm 0 + lstm 1"), std::string::npos)
      << assumptions;
  EXPECT_NE(assumptions.find("AttentionWeightedAverage"), std::string::npos) << assumptions;
  EXPECT_NE(assumptions.find("maps no token to id 0 <pad>"), std::string::npos) << assumptions;
  const Vocabulary& v = m.model.arch.vocab;
  EXPECT_EQ(v.level(), TokenLevel::Char);  // "<s>" is a marker, not a word
  EXPECT_EQ(v.tokens()[0], "<pad>");
  EXPECT_EQ(v.tokens()[11], "<s>");
  EXPECT_EQ(tokenize(v, "abc", "text").ids, (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(m.model.arch.head->sources, (std::vector<int>{0, 1, 2}));
}

TEST(KerasFiles, ArchitectureComesFromTheConfig) {
  const Model lm = loadModel(kerasFixture("tfkeras_lm.h5"));
  EXPECT_EQ(lm.arch.task, Task::LanguageModel);
  ASSERT_EQ(lm.arch.layers.size(), 2u);
  EXPECT_TRUE(lm.arch.layers[1].bidirectional);
  EXPECT_EQ(lm.arch.head->preActivations, std::vector<DenseActivation>{DenseActivation::Relu});
  const Model cls = loadModel(kerasFixture("functional_classifier.h5"));
  EXPECT_EQ(cls.arch.task, Task::Classifier);
  EXPECT_EQ(cls.arch.head->reads, HeadReads::FinalStates);
  EXPECT_EQ(cls.arch.head->activation, HeadActivation::Sigmoid);
  EXPECT_EQ(cls.arch.layers[0].gate, GateActivation::HardSigmoid);
  EXPECT_EQ(loadModel(kerasFixture("keras3_lm.h5")).arch.layers[0].gate, GateActivation::HardSigmoidKeras3);
  EXPECT_EQ(loadModel(kerasFixture("keras1_lm.h5")).arch.layers[0].gate, GateActivation::HardSigmoid);
  const Model fc = loadModel(kerasFixture("forecaster.h5"));
  EXPECT_EQ(fc.arch.inputKind, InputKind::Features);
  EXPECT_EQ(fc.arch.task, Task::Regression);
  EXPECT_EQ(fc.arch.layers[0].cell, CellActivation::Relu);
  // go_backwards hands its outputs on last step first: the next layer then runs backward in time too,
  // unless it also goes backwards.
  const Model back = loadModel(kerasFixture("go_backwards_forecaster.h5"));
  EXPECT_TRUE(back.arch.layers[0].reverse && back.arch.layers[1].reverse);
  EXPECT_EQ(back.arch.head->reads, HeadReads::FinalStates);
  const Model twice = loadModel(kerasFixture("go_backwards_twice.h5"));
  EXPECT_TRUE(twice.arch.layers[0].reverse);
  EXPECT_FALSE(twice.arch.layers[1].reverse);
}

// A weights-only save has no config: the layers come from the weights' shapes, said as assumptions, and
// with Keras' defaults it is the same model.
TEST(KerasFiles, WeightsOnlyFilesAreMappedByShapeAndSaySo) {
  const ImportedModel weights = importModel(kerasFixture("tfkeras_lm_weights.h5"));
  EXPECT_LE(worstAgainstReference(weights.model, kerasFixture("tfkeras_lm_expected.h5"), 1e-5), 1.0);
  std::string assumptions;
  for (const auto& a : weights.report.assumptions) assumptions += a + "\n";
  EXPECT_NE(assumptions.find("layer bidirectional is taken to be a Bidirectional"), std::string::npos) << assumptions;
  EXPECT_NE(assumptions.find("LSTM activations are tanh and sigmoid (keras 2.3.0-tf's default)"), std::string::npos)
      << assumptions;
}

// A .keras archive: Keras 3 weight paths by class name, the TextVectorization vocabulary from its assets
// (with the mask and OOV tokens Keras prepends), and a weights-only .weights.h5 ordered by widths.
TEST(KerasFiles, Keras3ArchiveAndWeightsFile) {
  const ImportedModel archive = importModel(kerasFixture("keras3_archive.keras"));
  const Vocabulary& v = archive.model.arch.vocab;
  ASSERT_EQ(v.size(), 12);
  EXPECT_EQ(v.tokens()[0], "");
  EXPECT_EQ(v.unk(), "[UNK]");
  EXPECT_EQ(v.tokens()[2], "the");
  EXPECT_TRUE(v.lowercase());
  EXPECT_EQ(tokenize(v, "The cat zebra", "text").ids, (std::vector<int32_t>{2, 3, 1}));
  EXPECT_EQ(archive.model.arch.layers[0].gate, GateActivation::HardSigmoidKeras3);
  EXPECT_EQ(archive.model.arch.head->preActivations, std::vector<DenseActivation>{DenseActivation::Tanh});
  EXPECT_NE(archive.report.format.find("Keras 3 archive (keras 3.3.3)"), std::string::npos) << archive.report.format;

  const ImportedModel weights = importModel(kerasFixture("keras3_classifier.weights.h5"));
  EXPECT_EQ(weights.model.arch.task, Task::Classifier);
  EXPECT_EQ(weights.model.arch.head->reads, HeadReads::FinalStates);
  bool ordered = false;
  for (const auto& a : weights.report.assumptions)
    ordered |= a.find("layer order comes from the widths") != std::string::npos;
  EXPECT_TRUE(ordered);
}

// A Keras Tokenizer's to_json(): word_index (as a JSON string), lower, oov_token, num_words cutting it to
// the embedding's size.
TEST(KerasFiles, KerasTokenizerVocabulary) {
  const Model lm = loadModel(kerasFixture("tfkeras_lm.h5"), kerasFixture("tfkeras_lm.tokenizer.json"));
  const Vocabulary& v = lm.arch.vocab;
  EXPECT_EQ(v.size(), 12);
  EXPECT_EQ(v.tokens()[0], "<pad>");  // id 0: Keras' padding slot, named as such
  EXPECT_EQ(v.tokens()[1], "w1");
  EXPECT_EQ(v.unk(), "w1");
  EXPECT_TRUE(v.lowercase());
  EXPECT_EQ(v.level(), TokenLevel::Word);
  const TokenizedText t = tokenize(v, "W3 w11 w99", "text");
  EXPECT_EQ(t.ids, (std::vector<int32_t>{3, 11, 1}));  // lowercased; w99 is beyond num_words: the OOV token
}

// Keras' default filters and no oov_token: punctuation separates words and vanishes, unknown words vanish,
// exactly as texts_to_sequences does (make_keras_files.py transcribes it), and `convert` keeps the rules.
TEST(KerasFiles, KerasTokenizerFiltersGiveKerasSequences) {
  const Model lm = loadModel(kerasFixture("tfkeras_lm.h5"), kerasFixture("tfkeras_lm.default_tokenizer.json"));
  EXPECT_TRUE(lm.arch.vocab.dropsUnknown());
  const std::string native = ::testing::TempDir() + "/tokenizer_rules.lstmscope.h5";
  saveNativeModel(lm, native);
  const Model back = loadModel(native);
  std::ifstream in(kerasFixture("tfkeras_lm.default_tokenizer_expected.json"));
  const nlohmann::json expected = nlohmann::json::parse(in);
  ASSERT_EQ(expected["texts"].size(), 4u);
  for (size_t k = 0; k < expected["texts"].size(); ++k) {
    const std::string text = expected["texts"][k].get<std::string>();
    const auto keras = expected["sequences"][k].get<std::vector<int32_t>>();
    EXPECT_EQ(tokenize(lm.arch.vocab, text, "text").ids, keras) << text;
    EXPECT_EQ(tokenize(back.arch.vocab, text, "text").ids, keras) << text << " (native file)";
  }
  try {
    tokenize(lm.arch.vocab, "nothing known here", "text");
    ADD_FAILURE() << "a text of unknown words gave tokens";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no word the vocabulary knows"), std::string::npos) << e.what();
  }
}

// Layers around the LSTMs that are beyond support: the whole model is refused by name (what
// ImportChoices::wholeModelOnly asks for), and by default the LSTM stack opens alone, saying first what was
// cut off and why.
struct PartlyOpened {
  const char* file;
  const char* whyNotWhole;
  const char* cutOff;
};

TEST(KerasFiles, BeyondSupportTheLstmStackOpensAloneAndSaysWhatWasCut) {
  const std::vector<PartlyOpened> cases = {
      {"hostile/lambda.h5", "layer lambda_1 is a Lambda layer, which holds Python code",
       "cut off the head after the last LSTM (lambda_1 (Lambda), dense (Dense)): the model gives no outputs here, "
       "and attribution targets are units"},
      {"hostile/masking.h5", "layer masking is a Masking layer after the input",
       "cut off the front end before the first LSTM (embedding (Embedding), masking (Masking)): the input is the "
       "first LSTM's input features, 5 per step, from a CSV table"},
      {"hostile/go_backwards.h5", "layer dense reads every step of a sequence that go_backwards returned",
       "cut off the head after the last LSTM (dense (Dense))"},
      {"hostile/dense_after_concatenate.h5", "layer dense (Dense) reads the Concatenate concatenate; only a pooling",
       "cut off the head after the last LSTM (concatenate (Concatenate), dense (Dense))"},
      {"hostile/flatten_weights_uneven.h5", "reads 22 values, which is no whole number of steps of the last LSTM's 7",
       "cut off the head after the last LSTM (dense)"},
      {"hostile/norm_before_pooling.h5",
       "layer batch_normalization (BatchNormalization) acts on each step before global_max_pooling1d",
       "cut off the head after the last LSTM (batch_normalization (BatchNormalization), global_max_pooling1d "
       "(GlobalMaxPooling1D), dense (Dense))"},
      {"hostile/activation_weights.h5", "which function it applies is not in a weights-only file",
       "cut off the head after the last LSTM (dense)"},
      {"hostile/relu6_head.h5", "is a ReLU with a max value, slope or threshold",
       "cut off the head after the last LSTM (dense (Dense), re_lu (ReLU), dense_1 (Dense))"},
      {"hostile/norm_of_wrong_width.h5",
       "layer batch_normalization (BatchNormalization, epsilon 0.001) reads 6 values per step but receives 7",
       "cut off the head after the last LSTM"},
      {"hostile/pooling_weights.h5",
       "layer max_pooling1d has no weights, and a weights-only file does not say what it does",
       "cut off the head after the last LSTM"},
      {"hostile/bn_mode2.h5", "is a Keras 1 BatchNormalization of mode 2", "cut off the head after the last LSTM"},
      // Window layers beyond support: their options, a weights-only file, tokens' vectors, between LSTMs.
      {"hostile/conv_channels_first.h5", "reads data_format \"channels_first\"; LSTMScope reads steps along axis 1",
       "cut off the front end before the first LSTM (conv1d (Conv1D)): the input is the first LSTM's input features, "
       "4 per step"},
      {"hostile/conv_filters_mismatch.h5", "has a kernel of shape (3, 3, 4) but filters 9",
       "cut off the front end before the first LSTM (conv1d (Conv1D))"},
      {"hostile/conv_grouped.h5", "is a grouped convolution (groups 2)",
       "cut off the front end before the first LSTM (conv1d (Conv1D))"},
      {"hostile/conv_weights.h5", "is a Conv1D: its window, stride and padding are not in a weights-only",
       "cut off the front end before the first LSTM (conv1d)"},
      {"hostile/conv_after_mask_zero.h5",
       "layer conv1d (Conv1D) reads a window of steps after an Embedding with mask_zero, whose mask Keras does not "
       "pass through it",
       "cut off the front end before the first LSTM (embedding (Embedding), conv1d (Conv1D), max_pooling1d "
       "(MaxPooling1D))"},
      // Cut after an earlier LSTM: what cannot stand between two LSTMs. (An encoder-decoder opens whole:
      // keras_seq2seq_test.cpp.)
      {"hostile/relu_between_lstms.h5",
       "layer activation (Activation, relu) acts on each step before layer lstm_1; LSTMScope folds only affine "
       "layers there",
       "cut off everything after lstm (activation (Activation), lstm_1 (LSTM), dense (Dense))"},
      {"hostile/conv_between_lstms.h5", "layer conv1d (Conv1D) reads a window of steps after an LSTM",
       "cut off everything after lstm (conv1d (Conv1D), lstm_1 (LSTM), dense (Dense))"},
  };
  ImportChoices whole;
  whole.wholeModelOnly = true;
  for (const PartlyOpened& c : cases) {
    const std::string path = kerasFixture(c.file);
    try {
      importModel(path, {}, whole);
      ADD_FAILURE() << c.file << " opened as a whole";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(c.whyNotWhole), std::string::npos) << c.file << ": " << e.what();
    }
    const ImportedModel part = importModel(path);
    const ImportReport& r = part.report;
    EXPECT_EQ(r.cutOff.rfind("the whole model cannot be opened (", 0), 0u) << r.cutOff;
    EXPECT_NE(r.cutOff.find(c.whyNotWhole), std::string::npos) << c.file << ": " << r.cutOff;
    EXPECT_NE(r.cutOff.find(c.cutOff), std::string::npos) << c.file << ": " << r.cutOff;
    ASSERT_FALSE(r.assumptions.empty());
    EXPECT_EQ(r.assumptions.front(), r.cutOff);  // said first wherever assumptions are shown
    EXPECT_NE(describeModel(part.model).find("opened in part: " + r.cutOff), std::string::npos);
    EXPECT_EQ(part.model.arch.cutOff, r.cutOff);
    const bool frontKept = r.cutOff.find("cut off the front end") == std::string::npos;
    EXPECT_EQ(part.model.arch.head.has_value(), !frontKept) << c.file;
    if (!part.model.arch.head) {  // no outputs: no task named after what the file was trained for
      EXPECT_NE(describeModel(part.model).find("task: none (no head"), std::string::npos) << describeModel(part.model);
    }
    EXPECT_EQ(part.model.arch.inputKind == InputKind::Tokens, frontKept) << c.file;
  }
  // The front end cut off: the LSTM reads the embedding's width as features, with the file's own weights.
  const ImportedModel masked = importModel(kerasFixture("hostile/masking.h5"));
  EXPECT_EQ(masked.model.arch.featureDim, 5);
  EXPECT_EQ(masked.model.params.lstm[0][0].W_ih.cols(), 5);
  ASSERT_FALSE(masked.report.tensors.empty());
  EXPECT_EQ(masked.report.tensors.front().name, "embedding/embedding/embeddings:0");
  EXPECT_EQ(masked.report.tensors.front().role, "cut off (front end)");
  const ImportedModel lambda = importModel(kerasFixture("hostile/lambda.h5"));
  EXPECT_EQ(lambda.report.tensors.back().role, "cut off (head)");
}

TEST(KerasFiles, UnsupportedLayersAndDamagedFilesAreRefusedByName) {
  expectRefusedByName(
      kerasFixture,
      {
          {"hostile/gru.h5", "layer lstm is a GRU"},
          {"hostile/stateful.h5", "layer lstm is stateful"},
          {"hostile/bidirectional_go_backwards.h5", "wraps an LSTM with go_backwards in Bidirectional"},
          {"hostile/merge_sum.h5", "merge_mode sum"},
          {"hostile/keras3_norm.weights.h5",
           "layer group batch_normalization normalises each step, and a weights-only Keras 3 file does not say "
           "where it sits; open the .keras archive"},
          {"hostile/keras3_pooling.weights.h5",
           "layer group global_max_pooling1d changes what the next layer reads, and a weights-only Keras 3 file "
           "does not say where it sits"},
          {"hostile/dense_only.h5", "has no LSTM layer (LSTMScope opens models with LSTM"},
          {"hostile/branching_no_lstm.h5", "has no LSTM layer (LSTMScope opens models with LSTM"},
          {"hostile/branching.h5",
           "layer dense reads embedding, not the layer before it (lstm): the model's graph branches, and LSTMScope "
           "reads chains of layers"},
          {"hostile/truncated.h5", "truncated or damaged"},
          {"hostile/tfjs_truncated/model.json", "the shards end before weight"},
          {"hostile/tfjs_traversal/model.json", "names a shard outside its directory"},
      });
  const CommandResult r =
      runCommand(std::string(LSTMSCOPE_CLI) + " info " + shellQuoted(kerasFixture("hostile/gru.h5")));
  EXPECT_EQ(r.exitCode, 3) << r.output;
}

}  // namespace
}  // namespace lstmscope::test
