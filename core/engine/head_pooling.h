// A per-sequence head that reads every step: the head's per-step sources concatenated (skip connections
// such as Keras' Concatenate of the embedding and the LSTM outputs), then pooled over time into one vector
// per sequence (HeadReads AveragePool, MaxPool, AttentionPool; docs/ENGINE.md#pooling-heads).
#pragma once

#include <vector>

#include "core/model/model.h"

namespace lstmscope {

// The head's per-step input: its sources (Architecture::headSources) stacked row-wise, (D, T*B). With
// one source it is that matrix itself and `scratch` stays unused.
template <class T>
const Mat<T>& headStepInput(const Architecture& arch, const std::vector<Mat<T>>& layerInputs, Mat<T>& scratch);

// Pools X (D, T*B; column t*B + b) over time into (D, B), or flattens it into (T*D, B) (HeadReads::Flatten). For attention pooling `weights` receives each
// step's weight a_t (1, T*B); otherwise it is emptied.
template <class T>
void poolSteps(const HeadSpec& spec, const Vec<T>& attention, const Mat<T>& X, int steps, int batch, Mat<T>& pooled,
               Mat<T>& weights);

// Backward of poolSteps: d score / d X (D, T*B) given d score / d pooled (D, B); adds d score / d attention
// to `dAttention` when it is not null (attention pooling only).
template <class T>
Mat<T> poolStepsBackward(const HeadSpec& spec, const Vec<T>& attention, const Mat<T>& X, const Mat<T>& weights,
                         const Mat<T>& dPooled, int steps, int batch, Vec<T>* dAttention);

}  // namespace lstmscope
