# `cmake --install` and `cpack -G DEB` (docs/PACKAGING.md): the documentation, and the Debian package's
# control data. Runtime dependencies come from the programs' shared libraries (dpkg-shlibdeps), not a list.
include(GNUInstallDirs)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME lstmscope)
set(CPACK_PACKAGE_VENDOR "The LSTMScope developers")
set(CPACK_PACKAGE_CONTACT "The LSTMScope developers <lstmscope@users.noreply.github.com>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Loaded at run time when present (dlopen, docs/ENGINE.md "Batched steps"), so no library links it.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS libopenblas0-pthread)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/lstmscope/lstmscope")
# The first line is the synopsis; the rest, indented by CPack, the extended description.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "look inside trained LSTMs: gates, cell states and attributions
LSTMScope opens a trained LSTM from PyTorch, Keras, ONNX, safetensors or
TF.js, runs it on a text or a numeric sequence, and records every gate
activation, cell state and gradient attribution at every step. A desktop
app shows them as heatmaps, coloured text and trajectories; lstmscope-cli
records corpora, searches them, ranks units by properties of the text and
measures interventions.")
include(CPack)
