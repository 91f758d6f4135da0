// Adam (Kingma & Ba 2015) with PyTorch's defaults and update order, over a whole Params set.
#pragma once

#include <cmath>

#include "core/model/model.h"

namespace lstmscope {

template <class T>
class Adam {
 public:
  explicit Adam(const Params<T>& shapeOf, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
      : m_(shapeOf.zerosLike()), v_(shapeOf.zerosLike()), lr_(lr), beta1_(beta1), beta2_(beta2), eps_(eps) {}

  // params -= lr * mhat / (sqrt(vhat) + eps), as torch.optim.Adam does.
  void step(Params<T>& params, Params<T>& grads) {
    ++t_;
    const double bc1 = 1 - std::pow(beta1_, t_), bc2 = 1 - std::pow(beta2_, t_);
    auto p = params.flat(), g = grads.flat(), m = m_.flat(), v = v_.flat();
    const T b1 = T(beta1_), b2 = T(beta2_), stepSize = T(lr_ / bc1), sqrtBc2 = T(std::sqrt(bc2)), eps = T(eps_);
    for (size_t k = 0; k < p.size(); ++k) {
      m[k] = b1 * m[k] + (T(1) - b1) * g[k];
      v[k] = b2 * v[k] + (T(1) - b2) * g[k].cwiseProduct(g[k]);
      p[k].array() -= stepSize * m[k].array() / (v[k].array().sqrt() / sqrtBc2 + eps);
    }
  }
  void setLearningRate(double lr) { lr_ = lr; }

 private:
  Params<T> m_, v_;
  double lr_, beta1_, beta2_, eps_;
  int t_ = 0;
};

}  // namespace lstmscope
