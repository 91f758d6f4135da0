// ONNX models with LSTM nodes, as torch.onnx.export and tf2onnx write them: the embedding Gather, one LSTM
// node per layer (forward, reverse or bidirectional; Sigmoid/HardSigmoid gates, Tanh/Relu cells;
// peepholes, clip, input_forget), and a dense head of MatMul/Gemm (+Add) with Relu/Tanh/Sigmoid between
// and Softmax/Sigmoid after. Shape plumbing (Transpose, Reshape, Squeeze, Concat, Shape, Gather, Slice, …)
// is followed to learn whether the head reads every step or the final states. Other operators and
// non-zero initial states are named in the error.
#pragma once

#include <optional>
#include <string>

#include "core/formats/foreign/import_report.h"

namespace onnx {
class ModelProto;
}

namespace lstmscope {

// A file whose first few KB hold an ONNX ModelProto's first fields, up to a graph that starts with a node.
bool looksLikeOnnx(const std::string& path);

ImportedModel readOnnx(const std::string& path, const ImportChoices& choices,
                       const std::optional<LoadedVocabulary>& vocab);

// A graph of LSTM nodes alone, built in memory (a streaming graph's LSTM with the weights it computes,
// onnx_streaming.h), mapped as the LSTM stack of a file at `path`.
ImportedModel mapLstmOnlyOnnx(const onnx::ModelProto& model, const std::string& path);

}  // namespace lstmscope
