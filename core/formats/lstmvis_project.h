// LSTMVis projects (docs/FORMAT.md "LSTMVis projects"): a folder with lstm.yml naming HDF5 files of states
// (one (steps, cells) matrix per layer and type), a word-id sequence with its dictionary, and meta tracks.
// Read, checked, and converted into a trace file, which the app then opens like any other.
#pragma once

#include <string>
#include <vector>

#include "core/common/progress.h"
#include "core/engine/record.h"

namespace lstmscope {

struct LstmvisStates {
  std::string file, path;   // resolved file path, dataset path
  std::string type, layer;  // as the project labels them
  int layerIndex = 0, direction = 0;
  Quantity quantity = Quantity::C;
};

struct LstmvisMeta {
  std::string name, file, path;
  std::vector<std::string> categories;  // from its dictionary; empty: numbers
};

struct LstmvisProject {
  std::string yml, name;
  std::string wordFile, wordPath, dictFile;  // the word-id sequence and its dictionary
  std::vector<LstmvisStates> states;
  std::vector<LstmvisMeta> meta;
  std::vector<std::string> notes;  // what was left out (word-vector meta tracks, ...)
};

// Reads lstm.yml and checks that every file it names exists (InputError naming the missing file, or the
// entry of lstm.yml that is wrong). State types: `state`/`states`/`cell`/`c` are cell states, `output`/
// `outputs`/`hidden`/`h` hidden states, `i f g o` gates; layers are numbered in the order of their labels
// (numbers in numeric order; our own exports' `L/fwd` and `L/bwd` keep their layer and direction).
LstmvisProject readLstmvisProject(const std::string& ymlPath);

// Writes the project as a trace (float32 states, the word sequence as token text through the dictionary,
// the meta tracks, one document). Checks every dataset's shape first: all states of a layer have the
// same cells, all datasets and tracks the same number of steps. Progress in steps copied; cancelling
// leaves no file.
void convertLstmvisProject(const LstmvisProject& project, const std::string& tracePath,
                           const ProgressCallbacks& progress = {});

}  // namespace lstmscope
