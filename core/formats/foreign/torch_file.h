// PyTorch checkpoints (.pt, .pth, .bin): the zip format of torch >= 1.6 and the legacy format before it.
// State dicts, checkpoints that nest one ({"model_state_dict": …}) and whole-module saves
// (torch.save(model)) all become named tensors; a whole-module save also contributes its modules'
// classes and hyperparameters as module facts. Nothing in the file is executed (see pickle.h).
#pragma once

#include <string>

#include "core/formats/foreign/tensor_set.h"

namespace lstmscope {

// Throws InputError naming `path` and what is wrong (not a checkpoint, truncated, refused global, a tensor
// whose view runs past its storage, …).
TensorSet readTorchFile(const std::string& path);

// The legacy format starts with a pickled magic number; the zip format is recognised as a zip with a
// data.pkl entry.
bool looksLikeLegacyTorchFile(const std::string& path);

}  // namespace lstmscope
