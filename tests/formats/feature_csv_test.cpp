// Numeric sequences from CSV (core/formats/feature_csv.h): what real forecasting tables look like (a date
// column, a pandas index, semicolons, quotes) and the errors a user gets for bad ones.
#include "core/formats/feature_csv.h"

#include <gtest/gtest.h>

#include <clocale>

#include "core/common/error.h"

namespace lstmscope::test {
namespace {

Architecture featureModel(int dim) {
  Architecture a;
  a.inputKind = InputKind::Features;
  a.featureDim = dim;
  return a;
}

FeatureSequence parse(const std::string& text, int dim = 2) {
  return parseFeatureCsv(featureModel(dim), text, "table.csv", 1000);
}

std::string errorOf(const std::string& text, int dim = 2, long maxSteps = 1000, const std::string& limitAdvice = {}) {
  try {
    parseFeatureCsv(featureModel(dim), text, "table.csv", maxSteps, limitAdvice);
  } catch (const InputError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(FeatureCsv, HeaderIsOptionalAndNamesTheFeatures) {
  const FeatureSequence named = parse("load,temp\n1,2\n3.5, -4e-1\n");
  EXPECT_EQ(named.steps(), 2);
  EXPECT_EQ(named.featureNames, (std::vector<std::string>{"load", "temp"}));
  EXPECT_FLOAT_EQ(named.inputs.features(0, 1), 3.5f);
  EXPECT_FLOAT_EQ(named.inputs.features(1, 1), -0.4f);
  const FeatureSequence bare = parse(
      "\xEF\xBB\xBF"
      "1,2\r\n\r\n+3,4\r\n");  // BOM, CRLF, a blank line
  EXPECT_EQ(bare.steps(), 2);
  EXPECT_EQ(bare.featureNames, (std::vector<std::string>{"column 1", "column 2"}));
  EXPECT_FLOAT_EQ(bare.inputs.features(0, 1), 3.0f);
}

TEST(FeatureCsv, WordsLabelStepsInsteadOfFeeding) {
  const FeatureSequence s = parse("date,load,temp\n2024-01-01,1,2\n2024-01-02,3,4\n2024-01-03,5,6\n");
  EXPECT_EQ(s.featureNames, (std::vector<std::string>{"load", "temp"}));
  EXPECT_EQ(s.labelNames, (std::vector<std::string>{"date"}));
  EXPECT_FLOAT_EQ(s.inputs.features(1, 2), 6.0f);
  EXPECT_EQ(s.labelChoices(), (std::vector<std::string>{"load", "temp", "date"}));
  EXPECT_EQ(s.stepLabels(-1), (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(s.stepLabels(2), (std::vector<std::string>{"2024-01-01", "2024-01-02", "2024-01-03"}));
  EXPECT_EQ(s.stepLabels(0), (std::vector<std::string>{"1", "3", "5"}));
}

TEST(FeatureCsv, PandasIndexSemicolonsAndQuotes) {
  const FeatureSequence pandas = parse(",a,b\n0,0.5,1\n1,0.25,2\n");
  EXPECT_EQ(pandas.featureNames, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(pandas.labelNames, (std::vector<std::string>{"index"}));
  ASSERT_EQ(pandas.notes.size(), 1u);
  EXPECT_NE(pandas.notes[0].find("row index"), std::string::npos);
  const FeatureSequence semi = parse("x;y\n1;2\n3;4\n");
  EXPECT_FLOAT_EQ(semi.inputs.features(1, 1), 4.0f);
  const FeatureSequence quoted = parse("name,x,y\n\"Smith, J.\",1,2\n\"say \"\"hi\"\"\",3,4\n");
  EXPECT_EQ(quoted.labelCells[0], (std::vector<std::string>{"Smith, J.", "say \"hi\""}));
}

// The app runs with the user's locale; a decimal comma there must not change what "0.5" means.
TEST(FeatureCsv, NumbersDoNotDependOnTheLocale) {
  const std::string before = std::setlocale(LC_NUMERIC, nullptr);
  for (const char* name : {"de_DE.UTF-8", "fr_FR.UTF-8", "C.UTF-8"}) {
    if (!std::setlocale(LC_NUMERIC, name)) continue;
    EXPECT_FLOAT_EQ(parse("0.5,1.25\n").inputs.features(1, 0), 1.25f) << name;
  }
  std::setlocale(LC_NUMERIC, before.c_str());
}

TEST(FeatureCsv, BadTablesAreRefusedWithLineAndColumn) {
  EXPECT_EQ(errorOf("x,y\n1,2\n3,oops\n"), "table.csv: line 3, column 'y': 'oops' is not a number");
  EXPECT_EQ(errorOf("1,2\n3\n"), "table.csv: line 2 has 1 values but the model expects 2 features per step");
  EXPECT_EQ(errorOf("x,y,z\n1,2,3\n"),
            "table.csv: has 3 numeric column(s) ('x', 'y', 'z') but the model expects 2 features per step");
  EXPECT_EQ(errorOf("date,x\n2024-01-01,1\n"),
            "table.csv: has 1 numeric column(s) ('x') but the model expects 2 features per step; not numbers: 'date'");
  EXPECT_EQ(errorOf("x,y\n1,nan\n"), "table.csv: line 2, column 'y': 'nan' is not a finite float value");
  EXPECT_EQ(errorOf("x,y\n1,1e39\n"), "table.csv: line 2, column 'y': '1e39' is not a finite float value");
  EXPECT_EQ(errorOf("x,y\n"), "table.csv: the CSV has a header but no data rows");
  EXPECT_EQ(errorOf(" \n\n"), "table.csv: the CSV has no data rows");
  EXPECT_EQ(errorOf("\"a,1\n"), "table.csv: line 1 has a quote that is never closed");
  EXPECT_EQ(errorOf("1,2\n3,4\n5,6\n", 2, 2), "table.csv: more than 2 rows");
  EXPECT_EQ(errorOf("1,2\n3,4\n5,6\n", 2, 2, "raise it with --max-steps"),
            "table.csv: more than 2 rows (raise it with --max-steps)");
  EXPECT_EQ(errorOf("date,x,y\n2024-01-01,1,2\n2024-01-02,3\n"), "table.csv: line 3 has 2 cells but line 2 has 3");
  Architecture text;
  EXPECT_THROW(parseFeatureCsv(text, "1\n", "t", 5), InputError);
}

// What a message quotes from the table is short and cannot garble a terminal: five million columns used
// to give an 89 MB message, and a NUL byte cut it short.
TEST(FeatureCsv, MessagesQuoteFewShortAndPrintableCells) {
  std::string wide;
  for (int k = 0; k < 100000; ++k) wide.append(k ? "," : "").append(std::to_string(k));
  const std::string many = errorOf(wide + "\n");
  EXPECT_EQ(many,
            "table.csv: has 100000 numeric column(s) ('column 1', 'column 2', 'column 3', 'column 4', 'column 5', "
            "'column 6', … (100000 in all)) but the model expects 2 features per step");
  EXPECT_EQ(errorOf(std::string("x,y\n1,2\n1,a\0b\n", 14)), "table.csv: line 3, column 'y': 'a\\x00b' is not a number");
  const std::string zs(39, 'z');  // then a 2-byte character across the 40-byte cut
  EXPECT_EQ(errorOf("x,y\n1,2\n1," + zs + "\xc3\xa9\n"),
            "table.csv: line 3, column 'y': '" + zs + "…' is not a number");
}

}  // namespace
}  // namespace lstmscope::test
