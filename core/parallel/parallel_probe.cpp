#include "core/parallel/parallel_probe.h"

#include <algorithm>
#include <string>

#include "core/common/byte_buffer.h"
#include "core/parallel/ranks.h"

namespace lstmscope {

std::vector<UnitShare> shareUnits(int units, int ranks) {
  constexpr int kBlock = 16;
  const long blocks = (static_cast<long>(units) + kBlock - 1) / kBlock;
  std::vector<UnitShare> shares;
  for (int r = 0; r < ranks; ++r) {
    const long first = std::min<long>(units, blocks * r / ranks * kBlock);
    const long end = std::min<long>(units, blocks * (r + 1) / ranks * kBlock);
    shares.push_back({static_cast<int>(first), static_cast<int>(end - first)});
  }
  return shares;
}

UnitRanking rankUnitsAcrossRanks(const std::vector<QuantityRef>& which, const std::vector<int>& units,
                                 const QuantityUnitValues& read, const ProbeLabel& label, RankingMetric metric,
                                 int threads, const ProgressCallbacks& progress) {
  ByteWriter mine;
  std::string failure;
  try {
    for (size_t k = 0; k < which.size(); ++k) {
      checkCancelled(progress);
      const UnitShare share = shareUnits(units[k], ranks::size())[static_cast<size_t>(ranks::rank())];
      mine.putVector(share.count > 0 ? scoreUnits(read(which[k], share), label, metric, threads)
                                     : std::vector<UnitScore>{});
      reportProgress(progress, static_cast<long>(k + 1), static_cast<long>(which.size()));
    }
  } catch (const std::exception& e) {
    failure = e.what();
  }
  ranks::throwIfAnyFailed(failure);
  const std::vector<std::vector<uint8_t>> parts = ranks::gatherToRoot(mine.take());
  if (!ranks::isRoot()) return {};
  // Each rank's units follow the previous rank's, so appending in rank order gives every quantity's units in
  // order, as one process scores them.
  std::vector<std::vector<UnitScore>> scores(which.size());
  for (size_t r = 0; r < parts.size(); ++r) {
    ByteReader in(parts[r], "rank " + std::to_string(r) + "'s unit scores");
    for (size_t k = 0; k < which.size(); ++k) {
      const std::vector<UnitScore> part =
          in.getVector<UnitScore>(static_cast<size_t>(shareUnits(units[k], ranks::size())[r].count));
      scores[k].insert(scores[k].end(), part.begin(), part.end());
    }
    in.expectEnd();
  }
  for (size_t k = 0; k < which.size(); ++k)
    if (scores[k].size() != static_cast<size_t>(units[k]))
      throw std::invalid_argument("the ranks sent " + std::to_string(scores[k].size()) + " unit scores of " +
                                  std::to_string(units[k]));
  return rankScores(which, scores);
}

}  // namespace lstmscope
