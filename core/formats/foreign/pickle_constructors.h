// What the weights-only unpickler does when a pickle names a global or asks for a call. Kept apart from
// the opcode machine (pickle.cpp) so that the whole security policy is readable in one place.
#pragma once

#include <string>

#include "core/formats/foreign/pickle.h"

namespace lstmscope::pickle {

// Empty when `module.name` may appear in a checkpoint, else why it is refused. Modules that can reach the
// system or the interpreter (os, subprocess, builtins.eval, …) are refused on sight.
std::string refusedGlobal(const std::string& module, const std::string& name);

// The result of calling `callable` (a Global) with `args` (a Tuple), computed by our own code for the few
// constructors PyTorch files use. Throws InputError naming the callable for anything else.
ValuePtr construct(const Value& callable, const Value& args, const std::string& where);

}  // namespace lstmscope::pickle
