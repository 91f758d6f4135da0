// lstmscope-cli against paths and files a careless or hostile user gives it: anything that is not a
// regular file is refused with what it is (a FIFO used to block forever), and an HDF5 model that points
// its weights at another file is refused, naming the dataset, with no output written. Every run has a
// timeout, so a hang fails the test instead of stopping the suite.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "core/formats/hdf5.h"
#include "core/formats/native_model.h"
#include "core/formats/trace_file.h"
#include "tests/support/cli_runner.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {
namespace {

CommandResult cliWithTimeout(const std::string& args) {
  return runCommand("timeout 30 " + shellQuoted(LSTMSCOPE_CLI) + " " + args);
}

// Runs `args` and reports the largest resident memory the command (and the shell around it) reached, in
// MB: measured in a forked child, so that the test's own earlier commands do not count.
std::pair<CommandResult, long> cliWithPeakMemory(const std::string& args) {
  int channel[2];
  if (pipe(channel) != 0) return {{}, -1};
  const pid_t child = fork();
  if (child == 0) {
    close(channel[0]);
    const CommandResult r = cliWithTimeout(args);
    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage);
    const std::string report =
        std::to_string(r.exitCode) + " " + std::to_string(usage.ru_maxrss / 1024) + " " + r.output;
    [[maybe_unused]] const auto written = write(channel[1], report.data(), report.size());
    _exit(0);
  }
  close(channel[1]);
  std::string report;
  char buf[4096];
  for (ssize_t n; (n = read(channel[0], buf, sizeof buf)) > 0;) report.append(buf, static_cast<size_t>(n));
  close(channel[0]);
  waitpid(child, nullptr, 0);
  CommandResult r;
  long megabytes = -1;
  std::istringstream in(report);
  in >> r.exitCode >> megabytes;
  std::getline(in, r.output, '\0');
  return {r, megabytes};
}

class HostileFiles : public ::testing::Test {
 protected:
  int leftovers() const {  // temporary files in the scratch folder
    int n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.file("")))
      n += entry.path().filename().string().find(".tmp-") != std::string::npos;
    return n;
  }
  void SetUp() override {
    saveNativeModel(smallCharModel(), model);
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    std::filesystem::create_directory(dir.file("folder"));
    std::filesystem::create_symlink(dir.file("loop-b"), dir.file("loop-a"));
    std::filesystem::create_symlink(dir.file("loop-a"), dir.file("loop-b"));
  }
  std::string q(const std::string& s) const { return shellQuoted(s); }
  ScratchDir dir{"hostile"};
  std::string model = dir.file("model.h5"), fifo = dir.file("pipe"), out = dir.file("out.h5");
};

TEST_F(HostileFiles, OnlyRegularFilesAreReadAndTheOthersAreNamed) {
  std::ofstream(dir.file("state.pkl"), std::ios::binary) << "\x80\x02}q\x00.";  // pickle.dump({}), not torch.save
  const std::string record = "record --model " + q(model) + " --out " + q(out);
  struct Case {
    std::string args, expected;
  } cases[] = {
      {"info " + q(fifo), "pipe: is a FIFO (named pipe), not a file"},
      {"record --model " + q(fifo) + " --text abc --out " + q(out), "pipe: is a FIFO (named pipe), not a file"},
      {record + " --vocab " + q(fifo) + " --text abc", "pipe: is a FIFO (named pipe), not a file"},
      {record + " --text-file " + q(fifo), "pipe: is a FIFO (named pipe), not a file"},
      {"convert " + q(fifo) + " --out " + q(out), "pipe: is a FIFO (named pipe), not a file"},
      {"info " + q(dir.file("folder")), "is a directory, not a file"},
      {record + " --text-file " + q(dir.file("folder")), "is a directory, not a file"},
      {"info /dev/null", "/dev/null: is a device, not a file"},
      {record + " --text-file /dev/zero", "/dev/zero: is a device, not a file"},
      {"info " + q(dir.file("loop-a")), "loop-a: Too many levels of symbolic links"},
      {"info " + q(dir.file(std::string(300, 'n'))), "File name too long"},
      {"info " + q(dir.file("state.pkl")), "state.pkl: is a plain Python pickle, not a PyTorch checkpoint"},
  };
  for (const Case& c : cases) {
    const CommandResult r = cliWithTimeout(c.args);
    EXPECT_EQ(r.exitCode, 3) << c.args << "\n" << r.output;  // 124 would be the timeout: a hang
    EXPECT_TRUE(contains(r.output, c.expected)) << c.args << "\n" << r.output;
  }
  EXPECT_FALSE(std::filesystem::exists(out));
}

// A model whose weights name /etc/passwd-like bytes as external storage: convert used to write those
// bytes into its output as weights, with exit 0.
TEST_F(HostileFiles, AModelReadingAnotherFilesBytesIsRefusedAndNothingIsWritten) {
  const std::string secret = dir.file("secret.txt");
  std::ofstream(secret) << std::string(64, 'S');
  {
    h5::File f = h5::File::openReadWrite(model);
    H5Ldelete(f.id(), "head/bias", H5P_DEFAULT);
    h5::Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    H5Pset_external(dcpl.get(), secret.c_str(), 0, 32);
    const hsize_t dims[1] = {8};
    h5::Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
    h5::Handle d(H5Dcreate2(f.id(), "head/bias", H5T_IEEE_F32LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                 H5Dclose);
    ASSERT_TRUE(d.valid());
  }
  for (const std::string& args : {"convert " + q(model) + " --out " + q(out), "info " + q(model)}) {
    const CommandResult r = cliWithTimeout(args);
    EXPECT_EQ(r.exitCode, 3) << args << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, "head/bias keeps its values in an external file")) << r.output;
  }
  EXPECT_FALSE(std::filesystem::exists(out));
}

// Whole numbers are parsed in 64 bits and range-checked (4294967301 used to become 5), repeated,
// impossible or inapplicable options are usage errors, and an output that exists and is not a regular file is refused
// before any work (a device, a FIFO or a link to one used to be replaced by a regular file).
TEST_F(HostileFiles, OptionsAreRangeCheckedAndSpecialOutputsRefused) {
  const std::string text = dir.file("text.txt");
  std::ofstream(text) << "abc abc abc\n";
  std::filesystem::create_symlink("/proc/self/fd/1", dir.file("stdout-link"));
  const std::string record = "record --model " + q(model) + " --text abc ";
  struct Case {
    std::string args, expected;
  } cases[] = {
      {record + "--out " + q(out) + " --quantities h,h", "--quantities names 'h' twice"},
      {record + "--out " + q(out) + " --max-steps -1", "--max-steps must be 1.."},
      {record + "--out " + q(out) + " --batch 4294967298", "--batch must be 1..1048576, not 4294967298"},
      {"attribute --model " + q(model) + " --text abc --method saliency --target 4294967301 --out " +
           q(dir.file("a.json")),
       "--target must be 0..2147483647, not 4294967301"},
      {"train --text-file " + q(text) + " --out " + q(out) + " --hidden 4294967304", "--hidden must be 1..65536"},
      {"train --text-file " + q(text) + " --out " + q(out) + " --layers 100000 --hidden 8", "--layers must be 1..64"},
      {record + "--out /dev/null", "--out /dev/null is a device"},
      {record + "--out " + q(fifo), "is a FIFO (named pipe)"},
      {record + "--out " + q(dir.file("stdout-link")), "stdout-link is "},
      {record + "--out " + q(dir.file("folder")), "folder is a directory"},
      {"convert " + q(model) + " --out /dev/null", "--out /dev/null is a device"},
      // Given twice, or not applying: no longer silently the last value, or ignored.
      {record + "--out " + q(out) + " --out " + q(dir.file("other.h5")), "--out is given twice"},
      {record + "--out " + q(out) + " --label-column x", "--label-column applies to --csv only"},
      {"attribute --model " + q(model) + " --text abc --method saliency --steps 32 --out " + q(dir.file("a.json")),
       "--steps is not used by --method saliency"},
      {"attribute --model " + q(model) + " --text abc --method ig --window 3 --out " + q(dir.file("a.json")),
       "--window is not used by --method ig"},
      // Numbers that are not finite or out of range would train into NaN weights without a word.
      {"train --text-file " + q(text) + " --out " + q(out) + " --lr nan", "--lr must be a number > 0, not 'nan'"},
      {"train --text-file " + q(text) + " --out " + q(out) + " --lr inf", "--lr must be a number > 0, not 'inf'"},
      {"train --text-file " + q(text) + " --out " + q(out) + " --lr-decay 0", "--lr-decay must be a number > 0"},
      {"train --text-file " + q(text) + " --out " + q(out) + " --clip -1", "--clip must be a number >= 0"},
      {"train --text-file " + q(text) + " --out " + q(out) + " --valid 0.5", "--valid must be a fraction in (0, 0.5)"},
      {"train --text-file " + q(text) + " --out " + q(out) + " --max-chars -1", "--max-chars must be 0.."},
      {"train --text-file " + q(text) + " --out " + q(out) + " --bidirectional", "--bidirectional is for classifiers"},
      // An output that could only fail when the finished file is renamed into place.
      {record + "--out ''", "--out is empty"},
      {record + "--out " + q(dir.file("new") + "/"), "names a directory"},
      {"attribute --model " + q(model) + " --text abc --method saliency --target-unit cell:+0/fwd/1 --out " +
           q(dir.file("a.json")),
       "--target-unit must look like cell:0/fwd/7"},
  };
  for (const Case& c : cases) {
    const CommandResult r = cliWithTimeout(c.args);
    EXPECT_EQ(r.exitCode, 2) << c.args << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, c.expected)) << c.args << "\n" << r.output;
  }
  struct stat device {};
  ASSERT_EQ(stat("/dev/null", &device), 0);
  EXPECT_TRUE(S_ISCHR(device.st_mode)) << "/dev/null was replaced";
  EXPECT_FALSE(std::filesystem::exists(out));
}

// A full disk: record and convert say so, name the file asked for (not the temporary one), exit 3, and
// leave nothing behind; they used to crash in libhdf5's clean-up at exit (SIGSEGV) after the message.
TEST_F(HostileFiles, AFullDiskIsNamedAndLeavesNothingBehind) {
  const std::string small = dir.file("small");
  std::filesystem::create_directory(small);
  const CommandResult mounted = runCommand("mount -t tmpfs -o size=256k tmpfs " + q(small));
  if (mounted.exitCode != 0) GTEST_SKIP() << "cannot mount a small tmpfs here (needs root): " << mounted.output;
  const std::string text = dir.file("text.txt");
  std::ofstream(text) << std::string(20000, 'a');
  const std::string trace = small + "/t.h5", converted = small + "/m.h5";
  const CommandResult record =
      cliWithTimeout("record --model " + q(model) + " --text-file " + q(text) + " --out " + q(trace));
  // A model whose weights (one layer of 256 units: 2 MB) do not fit either.
  Architecture big = smallCharModel().arch;
  big.layers = {{256, false, GateActivation::Sigmoid, CellActivation::Tanh}};
  saveNativeModel(initialiseModel(big, {4, {}, big.vocab.size()}, 1), dir.file("big.h5"));
  const CommandResult convert = cliWithTimeout("convert " + q(dir.file("big.h5")) + " --out " + q(converted));
  std::vector<std::string> left;
  for (const auto& entry : std::filesystem::directory_iterator(small)) left.push_back(entry.path().string());
  runCommand("umount " + q(small));
  EXPECT_EQ(convert.exitCode, 3) << convert.output;
  EXPECT_TRUE(contains(convert.output, converted + ": no space left on the device")) << convert.output;
  EXPECT_EQ(record.exitCode, 3) << record.output;
  EXPECT_TRUE(contains(record.output, trace + ": no space left on the device")) << record.output;
  EXPECT_FALSE(contains(record.output, ".tmp-")) << record.output;
  EXPECT_TRUE(left.empty()) << left.front();
}

// SIGTERM and SIGINT at a random moment of a recording, 20 times: the temporary file is always removed,
// and the output is absent or complete (it used to leave hundreds of MB of *.tmp-PID-0 behind).
TEST_F(HostileFiles, SignalsLeaveNoTemporaryFileAndNoPartialOutput) {
  const std::string text = dir.file("long.txt");
  {
    std::ofstream t(text);
    for (int k = 0; k < 40000; ++k) t << "ab (c)\n";
  }
  std::mt19937 random(11);
  int interrupted = 0;
  for (int run = 0; run < 20; ++run) {
    const char* signal = run % 2 ? "INT" : "TERM";
    const double delay = static_cast<double>(random() % 400) / 1000;
    std::filesystem::remove(out);
    // timeout sends the signal to the recording as Ctrl+C or a scheduler would (a background job of a
    // script would start with SIGINT ignored, and keeps ignoring it).
    const CommandResult r = runCommand("timeout -s " + std::string(signal) + " " + std::to_string(delay) + " " +
                                       shellQuoted(LSTMSCOPE_CLI) + " record --model " + q(model) + " --text-file " +
                                       q(text) + " --out " + q(out));
    EXPECT_EQ(leftovers(), 0) << "run " << run << ", SIG" << signal << " after " << delay << " s\n" << r.output;
    if (std::filesystem::exists(out)) {
      EXPECT_EQ(TraceReader(out).steps(), 280000) << "run " << run;  // complete
    } else {
      ++interrupted;
      EXPECT_EQ(r.exitCode, 124) << "run " << run << ": timeout reports the signal it sent\n" << r.output;
    }
  }
  EXPECT_GE(interrupted, 10) << "most signals must arrive while the recording runs, or nothing is tested";
}

// A text far longer than the limit is refused once the limit is passed, reading no further: a 50 MB text
// used to take 4 GB and 30 s before record --max-steps 100 or attribute refused it, and a sparse 2 GB file
// would have needed 170 GB. The same for a numeric table.
TEST_F(HostileFiles, InputsLongerThanTheLimitAreRefusedWithoutReadingTheRest) {
  const std::string text = dir.file("huge.txt"), table = dir.file("huge.csv"), row = dir.file("row.csv");
  std::ofstream(text) << "ab (c)\n";
  std::filesystem::resize_file(text, std::uintmax_t(2) << 30);  // sparse: costs no disk
  std::ofstream(row) << "a,b,c\n1,2,";
  std::filesystem::resize_file(row, std::uintmax_t(2) << 30);  // one 2 GB row of NUL bytes
  {
    std::ofstream t(table);
    for (int k = 0; k < 2000; ++k) t << "1,2,3\n";
  }
  saveNativeModel(smallFeatureModel(3), dir.file("numeric.h5"));
  struct Case {
    std::string args, expected;
  } cases[] = {
      {"record --model " + q(model) + " --text-file " + q(text) + " --max-steps 100 --out " + q(out),
       "huge.txt: the text has more than 100 tokens, the limit (raise it with --max-steps)"},
      {"attribute --model " + q(model) + " --text-file " + q(text) + " --method saliency --out " +
           q(dir.file("a.json")),
       "huge.txt: the text has more than 1000000 tokens, the limit\n"},  // attribute has no --max-steps
      {"record --model " + q(dir.file("numeric.h5")) + " --csv " + q(table) + " --max-steps 100 --out " + q(out),
       "huge.csv: more than 100 rows (raise it with --max-steps)"},
      {"record --model " + q(dir.file("numeric.h5")) + " --csv " + q(row) + " --out " + q(out),
       "row.csv: row 2 is longer than 16 MB: not a table of numbers"},
  };
  for (const Case& c : cases) {
    const auto [r, megabytes] = cliWithPeakMemory(c.args);
    EXPECT_EQ(r.exitCode, 3) << c.args << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, c.expected)) << c.args << "\n" << r.output;
    EXPECT_GT(megabytes, 0);
    EXPECT_LT(megabytes, 400) << c.args;  // the limit's worth of tokens, not the file's 2 GB
  }
  EXPECT_FALSE(std::filesystem::exists(out));
}

// A temporary file that a killed process left (SIGKILL, a crash) is removed by the next run writing beside
// it, once it is an hour old; a live process's file, a recent one, and names that only look alike stay.
TEST_F(HostileFiles, StaleTemporaryFilesOfDeadProcessesAreRemoved) {
  const pid_t dead = fork();
  if (dead == 0) _exit(0);
  ASSERT_GT(dead, 0);
  waitpid(dead, nullptr, 0);
  const auto aged = [&](const std::string& name) {
    const std::string path = out + name;
    std::ofstream(path) << "left behind";
    std::filesystem::last_write_time(path, std::filesystem::file_time_type::clock::now() - std::chrono::hours(2));
    return path;
  };
  const std::string stale = aged(".tmp-" + std::to_string(dead) + "-0");
  const std::string recent = out + ".tmp-" + std::to_string(dead) + "-1";
  std::ofstream(recent) << "a writer elsewhere, still busy";
  const std::string live = aged(".tmp-" + std::to_string(getpid()) + "-7");
  const std::string dated = aged(".tmp-20240601-1");                // not a process id
  const std::string huge = aged(".tmp-99999999999999999999999-0");  // used to crash the parser
  ASSERT_EQ(cliWithTimeout("record --model " + q(model) + " --text abc --out " + q(out)).exitCode, 0);
  EXPECT_FALSE(std::filesystem::exists(stale));
  for (const std::string& kept : {recent, live, dated, huge}) EXPECT_TRUE(std::filesystem::exists(kept)) << kept;
}

}  // namespace
}  // namespace lstmscope::test
