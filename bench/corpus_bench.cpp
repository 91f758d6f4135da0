// The corpus workspace at scale (docs/APP.md "Traces and corpora", docs/CLI.md "match"): generates a trace
// of T steps x H units of c in float16 (default 10,000,000 x 512, documents of about 2,000 steps, values
// with runs like a cell's), then measures, side by side in one run:
//   - opening it as the app does (header, documents, the first window) and the app's first frame
//     (`lstmscope TRACE --screenshot`);
//   - match queries with 2, 5 and 20 selected units, from the match index and by scanning the values,
//     against LSTMVis's precise-mode algorithm in numpy (bench/lstmvis_precise_match.py) on the same file,
//     with the results compared where LSTMVis's 10,000-candidate cap is not reached;
//   - the unit dashboard (docs/APP.md "Unit dashboard"): the summaries the writer stores (their size, the
//     builder's cost per value), one unit's dashboard read from them, and the pass that summarises a
//     trace without them (against the file's read time);
//   - this machine's sequential read throughput of the file, the floor for a scan.
// usage: corpus_bench [--steps T] [--units H] [--out DIR] [--keep (the trace, and reuse it)] [--no-match]
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "bench/bench_support.h"
#include "core/analysis/trace_match.h"
#include "core/analysis/trace_window.h"
#include "core/analysis/unit_dashboard.h"
#include "core/formats/trace_file.h"
#include "core/formats/trace_summaries.h"

namespace lstmscope::bench {
namespace {

// Writes the synthetic trace: unit u's c follows x_t = a x_{t-1} + sqrt(1 - a^2) e_t (uniform e of unit
// variance, a = 0.9), c = x - 0.5, so that tanh(c) >= 0.3 about a fifth of the time, in runs of a few steps.
void generate(const std::string& path, long T, int H) {
  Architecture arch;
  arch.name = "synthetic";
  arch.vocab = Vocabulary(TokenLevel::Char, {"a", "b", "c", "d"}, false, "");
  arch.layers.push_back({H, false, GateActivation::Sigmoid, CellActivation::Tanh});
  TraceHeader header;
  header.modelName = "synthetic";
  header.steps = T;
  header.float16 = true;
  header.tokens.resize(static_cast<size_t>(T));
  header.tokenText.resize(static_cast<size_t>(T));
  const char* letters[] = {"a", "b", "c", "d"};
  for (long t = 0; t < T; ++t) {
    header.tokens[static_cast<size_t>(t)] = static_cast<int32_t>(t % 4);
    header.tokenText[static_cast<size_t>(t)] = letters[t % 4];
  }
  std::mt19937_64 rng(3);
  header.documentOffsets = {0};
  while (header.documentOffsets.back() < T)
    header.documentOffsets.push_back(std::min<int64_t>(T, header.documentOffsets.back() + 1000 + rng() % 2000));
  for (size_t d = 0; d + 1 < header.documentOffsets.size(); ++d)
    header.documentNames.push_back("doc" + std::to_string(d));
  RecordRequest request;
  request.quantities = {Quantity::C};
  request.outputs = false;
  TraceWriter writer(path, arch, 0, header, request);
  const long block = 4096;
  std::vector<float> data(static_cast<size_t>(block * H));
  std::vector<float> x(static_cast<size_t>(H), 0.0f);
  std::vector<uint64_t> state(static_cast<size_t>(H));
  for (int u = 0; u < H; ++u) state[static_cast<size_t>(u)] = 0x9E3779B97F4A7C15ull * (u + 1);
  const float a = 0.9f, b = std::sqrt(1 - a * a) * std::sqrt(3.0f);
  for (long first = 0; first < T; first += block) {
    const long n = std::min(block, T - first);
#pragma omp parallel for
    for (int u = 0; u < H; ++u) {
      uint64_t s = state[static_cast<size_t>(u)];
      float xu = x[static_cast<size_t>(u)];
      for (long k = 0; k < n; ++k) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        const float e = static_cast<float>(s >> 40) / static_cast<float>(1 << 24) * 2 - 1;  // uniform [-1, 1)
        xu = a * xu + b * e;
        data[static_cast<size_t>(k * H + u)] = xu - 0.5f;
      }
      state[static_cast<size_t>(u)] = s, x[static_cast<size_t>(u)] = xu;
    }
    writer.onStates({0, 0, Quantity::C, first, n, data.data(), H, H});
  }
  writer.commit();
}

// Bytes the datasets of a group take in the file.
double groupBytes(const std::string& path, const std::string& group) {
  const h5::File file = h5::File::openReadOnly(path);
  h5::Handle g = h5::openGroup(file.id(), group, path);
  double total = 0;
  for (const std::string& name : h5::childNames(g.get())) {
    h5::Handle d = h5::openDataset(g.get(), name, path);
    total += static_cast<double>(H5Dget_storage_size(d.get()));
  }
  return total;
}

void reportUnitSummaries(const TraceReader& trace, const std::string& path, double readSeconds) {
  const int H = trace.units(0);
  // The builder alone on values in memory, given blocks of 256 steps as the writer gives them: what it adds
  // to a recording per value.
  const long steps = 100000;
  std::vector<float> values(static_cast<size_t>(steps * H));
  std::mt19937 rng(1);
  std::normal_distribution<float> normal;
  for (float& v : values) v = normal(rng);
  UnitSummaryBuilder builder(H, {0, steps});
  const double build = seconds([&] {
    for (long first = 0; first < steps; first += 256)
      builder.add(first, std::min(256L, steps - first), values.data() + first * H, H);
  });
  const double perValue = build / (static_cast<double>(steps) * H);
  std::printf(
      "unit summaries: %.0f KB stored for %d units (%.2f KB per unit); the builder %.1f ns per value "
      "(%.1f s of a recording's thread for %ld steps x %d units)\n",
      groupBytes(path, unitSummaryPath(0, "fwd", Quantity::C)) / 1e3, H,
      groupBytes(path, unitSummaryPath(0, "fwd", Quantity::C)) / 1e3 / H, perValue * 1e9,
      perValue * static_cast<double>(trace.steps()) * H, trace.steps(), H);
  QuantitySummaries stored;
  UnitDashboard dashboard;
  const double open = seconds([&] {
    stored = quantitySummaries(trace, 0, 0, Quantity::C);
    dashboard = unitDashboard(traceUnitValues(trace, 0, 0, Quantity::C), stored, 7, path);
  });
  std::printf("unit dashboard from the stored summaries: %.3f s (histogram and %zu + %zu contexts)\n", open,
              dashboard.highest.size(), dashboard.lowest.size());
  UnitSummaries scanned;
  const double scan = seconds([&] { scanned = summarizeUnits(traceUnitValues(trace, 0, 0, Quantity::C)); });
  const bool same = scanned.histogram == stored.summaries.histogram &&
                    scanned.highSteps == stored.summaries.highSteps && scanned.lowSteps == stored.summaries.lowSteps;
  std::printf("summarising a trace without them (one pass): %.2f s, %.1fx the file's read time (%s the stored ones)\n",
              scan, scan / readSeconds, same ? "the same as" : "DIFFERENT from");
}

std::vector<int> unitsFor(int n, int H) {
  std::vector<int> units;
  for (int k = 0; k < n; ++k) units.push_back(static_cast<int>((k * 37L + 5) % H));
  std::sort(units.begin(), units.end());
  return units;
}

}  // namespace
}  // namespace lstmscope::bench

int main(int argc, char** argv) {
  using namespace lstmscope;
  using namespace lstmscope::bench;
  long T = 10'000'000;
  int H = 512;
  std::string dir = std::filesystem::temp_directory_path() / "lstmscope-corpus-bench";
  bool keep = false, matches = true;
  for (int k = 1; k < argc; ++k) {
    const std::string a = argv[k];
    if (a == "--steps" && k + 1 < argc)
      T = std::atol(argv[++k]);
    else if (a == "--units" && k + 1 < argc)
      H = std::atoi(argv[++k]);
    else if (a == "--out" && k + 1 < argc)
      dir = argv[++k];
    else if (a == "--keep")
      keep = true;
    else if (a == "--no-match")
      matches = false;
    else
      return std::fprintf(stderr, "usage: corpus_bench [--steps T] [--units H] [--out DIR] [--keep] [--no-match]\n"), 2;
  }
  std::filesystem::create_directories(dir);
  const std::string trace = dir + "/bench.h5";
  if (!std::filesystem::exists(trace) || !keep) {
    const double s = seconds([&] { generate(trace, T, H); });
    std::printf("generated %s: %ld steps x %d units of c (float16) in %.1f s, %.2f GB\n", trace.c_str(), T, H, s,
                std::filesystem::file_size(trace) / 1e9);
  }
  // The file's sequential read rate (from the page cache when it fits): a scan's floor.
  const double readSeconds = seconds([&] {
    std::ifstream in(trace, std::ios::binary);
    std::vector<char> buf(1 << 24);
    while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    }
  });
  const double gb = std::filesystem::file_size(trace) / 1e9;
  std::printf("read the file sequentially: %.2f s (%.2f GB/s)\n", readSeconds, gb / readSeconds);

  // Opening as the app does.
  std::unique_ptr<TraceReader> reader;
  const double openSeconds = seconds([&] { reader = std::make_unique<TraceReader>(trace); });
  Recording first;
  const double windowSeconds = seconds([&] {
    const TraceWindow w = windowAround(*reader, 0, windowStepBudget(*reader, 256e6));
    first = readTraceWindow(*reader, architectureOfTrace(*reader), w);
  });
  std::printf("open: %.3f s (%d documents); first window (%ld steps): %.3f s\n", openSeconds, reader->documents(),
              first.steps, windowSeconds);
  const std::string shot = run("QT_QPA_PLATFORM=offscreen " LSTMSCOPE_APP " " + trace + " --screenshot " + dir +
                               "/first-frame.png --size 1280x800 2>/dev/null");
  std::printf("app: %s", shot.c_str());

  reportUnitSummaries(*reader, trace, readSeconds);

  for (int n : {2, 5, 20}) {
    if (!matches) break;
    MatchQuery q;
    q.units = unitsFor(n, H);
    q.tanh = true;
    TraceMatch indexed, scanned;
    const double indexSeconds = seconds([&] { indexed = matchTrace(*reader, 0, 0, Quantity::C, q, true); });
    const double scanSeconds = seconds([&] { scanned = matchTrace(*reader, 0, 0, Quantity::C, q, false); });
    std::string units;
    for (int u : q.units) units += (units.empty() ? "" : ",") + std::to_string(u);
    const auto peer = nlohmann::json::parse(run("/usr/bin/python3 " LSTMSCOPE_BENCH_DIR "/lstmvis_precise_match.py " +
                                                trace + " layers/0/fwd/c " + units + " 0.3 50"));
    bool same = indexed.result.matches.size() == scanned.result.matches.size();
    for (size_t k = 0; same && k < indexed.result.matches.size(); ++k)
      same = indexed.result.matches[k].start == scanned.result.matches[k].start &&
             indexed.result.matches[k].length == scanned.result.matches[k].length;
    std::string peerAgrees = "not compared: LSTMVis's cap of 10,000 candidates was reached";
    if (!peer["capped"].get<bool>()) {
      bool agrees = peer["matches"].size() == indexed.result.matches.size();
      for (size_t k = 0; agrees && k < indexed.result.matches.size(); ++k)
        agrees = peer["matches"][k][0].get<long>() == indexed.result.matches[k].start &&
                 peer["matches"][k][1].get<long>() == indexed.result.matches[k].length;
      peerAgrees = agrees ? "the same top 50" : "DIFFERENT top 50";
    }
    std::printf(
        "match %2d units: index %.2f s, scan %.2f s (%s; %ld candidates); LSTMVis precise (numpy) %.2f s "
        "over %ld candidates (%s); ours/LSTMVis %.2f\n",
        n, indexSeconds, scanSeconds, same ? "same results" : "DIFFERENT results", indexed.result.candidates,
        peer["seconds"].get<double>(), peer["candidates"].get<long>(), peerAgrees.c_str(),
        indexSeconds / peer["seconds"].get<double>());
  }
  if (!keep) std::filesystem::remove_all(dir);
  return 0;
}
