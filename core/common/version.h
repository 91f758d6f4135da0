// The project's version ("0.1.0"). It is written in one place only: project(... VERSION ...) in the top
// CMakeLists.txt.
#pragma once

namespace lstmscope {

extern const char* const kVersion;

}  // namespace lstmscope
