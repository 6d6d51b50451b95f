#include <gtest/gtest.h>

#include "signals/months.h"

namespace rs::signals {
namespace {

const std::vector<std::string> kAvailable = {"2023-11", "2023-12", "2024-01", "2024-03"};

std::vector<std::string> Resolve(const std::string& spec) {
  auto r = ResolveMonthSpec(spec, kAvailable);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<std::string>{};
}

TEST(MonthSpecTest, SingleRangeLatestAllAndLists) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Resolve("2024-01"), V({"2024-01"}));
  EXPECT_EQ(Resolve("2023-12..2024-03"), V({"2023-12", "2024-01", "2024-03"}));
  EXPECT_EQ(Resolve("2024-02..2024-02, 2023-11"), V({"2023-11"}));
  EXPECT_EQ(Resolve("latest"), V({"2024-03"}));
  EXPECT_EQ(Resolve("all"), kAvailable);
  EXPECT_EQ(Resolve("latest,2023-11,2023-11"), V({"2023-11", "2024-03"}));
}

TEST(MonthSpecTest, MalformedSpecsAreInvalidArgumentsListingTheAcceptedForms) {
  for (const char* bad : {"2024-13", "2024-1", "24-01", "2024/01", "latest..all", "soon",
                          "2024-00..2024-02", "2024-01..", "2024-01,,2024-02"}) {
    auto r = ResolveMonthSpec(bad, kAvailable);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(ResolveMonthSpec("2024-13", kAvailable).status().message(),
            "month spec '2024-13': '2024-13' is not a valid month selection; expected YYYY-MM, "
            "YYYY-MM..YYYY-MM, latest, all, or a comma-separated list of those");
  EXPECT_EQ(ResolveMonthSpec("2024-03..2024-01", kAvailable).status().message(),
            "month spec '2024-03..2024-01': range 2024-03..2024-01 starts after it ends; write "
            "the earlier month first");
  EXPECT_EQ(ResolveMonthSpec(" ", kAvailable).status().code(), StatusCode::kInvalidArgument);
}

TEST(MonthSpecTest, MonthsWithoutDataAreNotFound) {
  auto r = ResolveMonthSpec("2022-01..2022-12", kAvailable);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(),
            "month spec '2022-01..2022-12': no input data in months 2022-01..2022-12; data "
            "exists for 2023-11..2024-03");
  auto empty = ResolveMonthSpec("latest", {});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kNotFound);
}

TEST(DateFormatTest, FormatsDatesAndMonths) {
  EXPECT_EQ(FormatDate(0), "1970-01-01");
  EXPECT_EQ(FormatDate(19787), "2024-03-05");
  EXPECT_EQ(YearMonthOf(19787), "2024-03");
  EXPECT_EQ(YearMonthOf(-1), "1969-12");
}

}  // namespace
}  // namespace rs::signals
