#include "app/gui/quantity_labels.h"

#include <QObject>

#include "core/model/model.h"

namespace lstmscope::app {

QString quantityTitle(Quantity q, bool squashed) {
  return squashed && q == Quantity::C ? QStringLiteral("tanh(c)") : QLatin1String(quantityName(q));
}

QString quantityLabel(int layer, int direction, Quantity q, bool squashed, const LayerSpec& spec) {
  return QObject::tr("layer %1").arg(layer) + QString::fromStdString(directionSuffix(spec, direction)) +
         QStringLiteral(" · ") + quantityTitle(q, squashed);
}

}  // namespace lstmscope::app
