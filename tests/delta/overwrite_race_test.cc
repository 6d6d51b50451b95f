// Two processes overwriting months of one local table at the same moment
// (tools/overwrite_month.cc): the same month never commits twice; different
// months both commit.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "delta/table.h"

namespace rs::delta {
namespace {

namespace fs = std::filesystem;

std::string ToolPath() {
  const char* bin = std::getenv("RS_BINARY_DIR");
  return std::string(bin ? bin : ".") + "/tests/delta/delta_overwrite_month";
}

pid_t Launch(const std::vector<std::string>& args, const std::string& stderr_path) {
  pid_t pid = fork();
  if (pid == 0) {
    std::FILE* err = std::freopen(stderr_path.c_str(), "w", stderr);
    (void)err;
    std::vector<char*> argv;
    std::string tool = ToolPath();
    argv.push_back(tool.data());
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(tool.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

int Wait(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class OverwriteRaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(ToolPath())) << "build delta_overwrite_month first: " << ToolPath();
    dir_ = fs::path(::testing::TempDir()) /
           ("race_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    table_dir_ = (dir_ / "table").string();
    // Version 0 holds 2024-01 and 2024-02.
    ASSERT_EQ(Wait(Launch({table_dir_, "2024-01", "seed-1", "3"}, Err("seed1"))), 0)
        << Slurp(Err("seed1"));
    ASSERT_EQ(Wait(Launch({table_dir_, "2024-02", "seed-2", "3"}, Err("seed2"))), 0)
        << Slurp(Err("seed2"));
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Err(const std::string& name) { return (dir_ / (name + ".err")).string(); }

  // Runs two overwrites that both read the table before either commits.
  std::pair<int, int> Race(const std::string& month_a, const std::string& month_b) {
    std::string start = (dir_ / "start").string();
    pid_t a = Launch({table_dir_, month_a, "run-a", "5", start}, Err("a"));
    pid_t b = Launch({table_dir_, month_b, "run-b", "7", start}, Err("b"));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while ((!fs::exists(start + ".run-a.ready") || !fs::exists(start + ".run-b.ready")) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    std::ofstream(start).put('x');
    return {Wait(a), Wait(b)};
  }

  std::map<std::string, std::string> FirstSymbolPerMonth() {
    auto store = storage::OpenStorage(table_dir_, {});
    auto table = Table::Open(std::move(store).value(), "").value();
    auto s = table.LoadSnapshot().value();
    RecordBatch b = table.Scan(s).value();
    std::map<std::string, std::string> out;
    std::map<std::string, int> count;
    for (size_t i = 0; i < b.num_rows; ++i) {
      const std::string& ym = b.columns[0].As<std::string>()[i];
      const std::string& sym = b.columns[1].As<std::string>()[i];
      std::string run = sym.substr(0, sym.rfind('-'));
      if (out.count(ym) && out[ym] != run) out[ym] = "MIXED";
      if (!out.count(ym)) out[ym] = run;
    }
    return out;
  }

  fs::path dir_;
  std::string table_dir_;
};

TEST_F(OverwriteRaceTest, SameMonthExactlyOneWins) {
  auto [a, b] = Race("2024-01", "2024-01");
  EXPECT_EQ((a == 0) + (b == 0), 1) << "a=" << a << " b=" << b << "\n"
                                    << Slurp(Err("a")) << Slurp(Err("b"));
  EXPECT_EQ((a == 3) + (b == 3), 1);
  std::string loser_err = Slurp(Err(a == 3 ? "a" : "b"));
  EXPECT_NE(loser_err.find("concurrent overwrite of partition year_month=2024-01 by version 2 (run "
                           + std::string(a == 3 ? "run-b" : "run-a") + "): rerun the job"),
            std::string::npos)
      << loser_err;
  auto months = FirstSymbolPerMonth();
  EXPECT_EQ(months["2024-01"], a == 0 ? "run-a" : "run-b");
  EXPECT_EQ(months["2024-02"], "seed-2");
  // The loser's data file was deleted: only the winner's and the seed's remain.
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(table_dir_ + "/year_month=2024-01")) {
    files += e.path().extension() == ".parquet";
  }
  EXPECT_EQ(files, 2u);
}

TEST_F(OverwriteRaceTest, DifferentMonthsBothCommit) {
  auto [a, b] = Race("2024-01", "2024-02");
  EXPECT_EQ(a, 0) << Slurp(Err("a"));
  EXPECT_EQ(b, 0) << Slurp(Err("b"));
  auto months = FirstSymbolPerMonth();
  EXPECT_EQ(months["2024-01"], "run-a");
  EXPECT_EQ(months["2024-02"], "run-b");
}

}  // namespace
}  // namespace rs::delta
