// One rank: the ordinary build, without MPI (core/parallel/ranks.h).
#include "core/parallel/ranks.h"

namespace lstmscope {

RanksSession::RanksSession(int&, char**&) {}
RanksSession::~RanksSession() = default;

namespace ranks {

int rank() {
  return 0;
}
int size() {
  return 1;
}
bool built() {
  return false;
}
std::vector<std::vector<uint8_t>> gatherToRoot(const std::vector<uint8_t>& bytes) {
  return {bytes};
}
void sendToRoot(const std::vector<uint8_t>& bytes,
                const std::function<void(int rank, const std::vector<uint8_t>& bytes)>& receive) {
  receive(0, bytes);
}
std::vector<std::vector<uint8_t>> allGather(const std::vector<uint8_t>& bytes) {
  return {bytes};
}
std::vector<uint8_t> broadcastFromRoot(std::vector<uint8_t> bytes) {
  return bytes;
}
std::vector<int64_t> allGather(int64_t value) {
  return {value};
}
Failure firstFailure(const std::string& message) {
  return message.empty() ? Failure{} : Failure{0, message};
}
void barrier() {}
void abandonAtExit() {}

}  // namespace ranks
}  // namespace lstmscope
