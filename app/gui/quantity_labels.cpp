#include "app/gui/quantity_labels.h"

#include <QObject>

#include "core/model/model.h"

namespace lstmscope::app {

QString quantityTitle(Quantity q, bool squashed) {
  return squashed && q == Quantity::C ? QStringLiteral("tanh(c)") : QLatin1String(quantityName(q));
}

QString quantityLabel(int layer, int direction, Quantity q, bool squashed, const LayerSpec& spec) {
  QString label = QObject::tr("layer %1").arg(layer);
  // Named when it is not the plain forward direction (bidirectional layers, reverse layers).
  if (spec.looksAhead()) label += QLatin1Char(' ') + QLatin1String(directionName(spec, direction));
  return label + QStringLiteral(" · ") + quantityTitle(q, squashed);
}

}  // namespace lstmscope::app
