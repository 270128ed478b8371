#include "report/model_comparison_report.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "xml_tree.h"

namespace alphastream {
namespace {

ComparisonInput three_models(bool with_adf) {
  ComparisonInput in;
  in.pair = "btc-eth";
  in.y_symbol = "ETHUSDT";
  in.x_symbol = "BTCUSDT";
  for (int i = 0; i < 50; ++i) in.ts_ms.push_back(1704067200000 + 1000 * i);
  for (const char* label : {"ols", "kalman", "huber"}) {
    ModelTrack track;
    track.label = label;
    for (int i = 0; i < 50; ++i) {
      track.beta.push_back(i < 10 ? std::nan("") : 1.5 + 0.01 * i);
      track.zscore.push_back(std::sin(0.3 * i));
      track.equity.push_back(2.0 * i);
      if (with_adf) track.adf_pvalue.push_back(0.01 * (i % 7));
    }
    track.trades = 3;
    track.pnl_usd = 98.0;
    in.models.push_back(std::move(track));
  }
  return in;
}

TEST(ModelComparisonReport, OneChartPerFigureWithOneLegendEntryPerModel) {
  auto html = render_model_comparison_report(three_models(true));
  ASSERT_TRUE(html.is_ok()) << html.error();
  auto tree = testing::parse_xml(html.value());
  ASSERT_TRUE(tree.is_ok()) << tree.error();
  // beta, z-score, rolling ADF p-value, equity.
  EXPECT_EQ(tree.value()->find_all("svg").size(), 4u);
  for (const char* label : {"ols", "kalman", "huber"}) {
    EXPECT_NE(html->find(std::string("<td>") + label + "</td>"), std::string::npos) << label;
  }
  EXPECT_NE(html->find("+entry 2.00"), std::string::npos);
}

TEST(ModelComparisonReport, WithoutRollingAdfThereIsNoPValueChart) {
  auto html = render_model_comparison_report(three_models(false));
  ASSERT_TRUE(html.is_ok()) << html.error();
  auto tree = testing::parse_xml(html.value());
  ASSERT_TRUE(tree.is_ok()) << tree.error();
  EXPECT_EQ(tree.value()->find_all("svg").size(), 3u);
  EXPECT_EQ(html->find("Rolling ADF"), std::string::npos);
}

TEST(ModelComparisonReport, ASeriesOfTheWrongLengthNamesTheModel) {
  ComparisonInput in = three_models(false);
  in.models[1].equity.pop_back();
  auto html = render_model_comparison_report(in);
  ASSERT_FALSE(html.is_ok());
  EXPECT_EQ(html.error(), "model comparison report of btc-eth: model 'kalman': equity has 49 values for 50 observations");
}

}  // namespace
}  // namespace alphastream
