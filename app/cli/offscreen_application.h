// The Qt application the CLI's figures need (widgets draw them), on the offscreen platform unless
// QT_QPA_PLATFORM says otherwise, with Qt's notes about the missing desktop kept off stderr.
#pragma once

#include <QApplication>
#include <memory>

namespace lstmscope::cli {

// A new application, or null when one exists already (keep the result alive while drawing).
std::unique_ptr<QApplication> offscreenApplication();

}  // namespace lstmscope::cli
